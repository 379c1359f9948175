package fetch

import (
	"fmt"
	"net/netip"
	"net/url"
	"syscall"
)

// reservedV4 lists the IPv4 ranges that are not reachable public unicast
// addresses (IANA special-purpose registry), most specific reason first.
var reservedV4 = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast"},
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified (this network)"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address space (CGNAT)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignment"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay anycast"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
}

// IPv6 ranges that embed an IPv4 address which decides whether they are public.
var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96") // RFC 6052 well-known NAT64
	sixToFour   = netip.MustParsePrefix("2002::/16")    // RFC 3056 6to4
	globalV6    = netip.MustParsePrefix("2000::/3")     // everything else outside is not global unicast
)

// reservedV6 lists IPv6 ranges refused outright. Addresses outside 2000::/3
// are refused anyway (unique local, link-local, site-local, multicast,
// loopback, unspecified, IPv4-compatible, discard-only); the list names them
// for the error message and carves the special ranges out of 2000::/3.
var reservedV6 = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("::/96"), "IPv4-compatible"},
	{netip.MustParsePrefix("::ffff:0:0:0/96"), "IPv4-translated"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64"},
	{netip.MustParsePrefix("100::/64"), "discard-only"},
	{netip.MustParsePrefix("fc00::/7"), "private (unique local)"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
	{netip.MustParsePrefix("2001::/32"), "Teredo"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("2001::/23"), "IETF protocol assignment"},
	{netip.MustParsePrefix("3fff::/20"), "documentation"},
}

// classify says why a is not a public unicast address, or "" when it is.
// IPv4-mapped, NAT64 and 6to4 IPv6 forms are judged by the IPv4 address they
// carry, so ::ffff:127.0.0.1 is loopback like 127.0.0.1.
func classify(a netip.Addr) string {
	if !a.IsValid() {
		return "invalid"
	}
	a = a.WithZone("")
	if a.Is4In6() {
		if r := classify(a.Unmap()); r != "" {
			return "IPv4-mapped " + r
		}
		return ""
	}
	if a.Is4() {
		for _, r := range reservedV4 {
			if r.prefix.Contains(a) {
				return r.reason
			}
		}
		return ""
	}
	b := a.As16()
	switch {
	case nat64Prefix.Contains(a):
		if r := classify(netip.AddrFrom4([4]byte(b[12:16]))); r != "" {
			return "NAT64 " + r
		}
		return ""
	case sixToFour.Contains(a):
		if r := classify(netip.AddrFrom4([4]byte(b[2:6]))); r != "" {
			return "6to4 " + r
		}
		return ""
	}
	for _, r := range reservedV6 {
		if r.prefix.Contains(a) {
			return r.reason
		}
	}
	if !globalV6.Contains(a) {
		return "not global unicast"
	}
	return ""
}

// checkAddr returns an ErrForbiddenAddress error unless a is public or inside
// one of the allowed prefixes.
func checkAddr(a netip.Addr, allowed []netip.Prefix) error {
	reason := classify(a)
	if reason == "" {
		return nil
	}
	bare := a.WithZone("")
	for _, p := range allowed {
		if p.Contains(bare) || p.Contains(bare.Unmap()) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s is %s", ErrForbiddenAddress, a, reason)
}

// control is the net.Dialer Control hook: it runs after name resolution and
// before connect(2), once per address tried, so no packet reaches a refused
// address whatever name, redirect or DNS answer led there.
func (c *Client) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: unparsable address %q", ErrForbiddenAddress, address)
	}
	return checkAddr(ap.Addr(), c.allowed)
}

// checkURL refuses URLs the client must not request at all: schemes other
// than https (and http when allowed), userinfo, and missing hosts. Addresses
// are judged later, at dial time.
func (c *Client) checkURL(u *url.URL) error {
	switch u.Scheme {
	case "https":
	case "http":
		if !c.allowHTTP {
			return fmt.Errorf("%w: http is not allowed (only https): %s", ErrScheme, u.Redacted())
		}
	default:
		return fmt.Errorf("%w: %q in %s", ErrScheme, u.Scheme, u.Redacted())
	}
	if u.User != nil {
		return fmt.Errorf("%w: userinfo in %s", ErrInvalidURL, u.Redacted())
	}
	if u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return fmt.Errorf("%w: no host in %s", ErrInvalidURL, u.Redacted())
	}
	return nil
}
