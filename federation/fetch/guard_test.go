package fetch

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		addr   string
		public bool
	}{
		// IPv4 public.
		{"1.1.1.1", true},
		{"8.8.8.8", true},
		{"93.184.216.34", true},
		{"100.63.255.255", true}, // just below CGNAT
		{"100.128.0.0", true},    // just above CGNAT
		{"172.15.255.255", true}, // just below 172.16/12
		{"172.32.0.0", true},     // just above
		{"169.253.255.255", true},
		{"192.0.1.1", true},
		{"192.167.255.255", true},
		{"198.20.0.1", true},
		{"223.255.255.255", true},
		{"11.0.0.1", true},

		// IPv4 refused.
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"10.0.0.1", false},
		{"10.255.255.255", false},
		{"100.64.0.1", false},
		{"100.127.255.254", false},
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"169.254.169.254", false}, // cloud metadata
		{"169.254.0.1", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.0.0.170", false},
		{"192.0.2.1", false},
		{"192.88.99.1", false},
		{"192.168.1.1", false},
		{"198.18.0.1", false},
		{"198.19.255.255", false},
		{"198.51.100.7", false},
		{"203.0.113.9", false},
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"240.0.0.1", false},
		{"255.255.255.255", false},

		// IPv6 public.
		{"2606:4700:4700::1111", true},
		{"2a00:1450:4001:80b::200e", true},
		{"2001:4860:4860::8888", true},
		{"2400:cb00::1", true},
		{"64:ff9b::808:808", true},  // NAT64 of 8.8.8.8
		{"2002:0808:0808::1", true}, // 6to4 of 8.8.8.8

		// IPv6 refused.
		{"::", false},
		{"::1", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:7f00:1", false},
		{"::ffff:10.0.0.1", false},
		{"::ffff:169.254.169.254", false},
		{"::ffff:0.0.0.0", false},
		{"::ffff:100.64.0.1", false},
		{"::127.0.0.1", false}, // IPv4-compatible
		{"::8.8.8.8", false},   // IPv4-compatible, deprecated
		{"::ffff:0:8.8.8.8", false},
		{"64:ff9b::7f00:1", false},     // NAT64 of loopback
		{"64:ff9b::a9fe:a9fe", false},  // NAT64 of metadata
		{"64:ff9b:1::808:808", false},  // local-use NAT64
		{"2002:7f00:0001::1", false},   // 6to4 of loopback
		{"2002:0a00:0001::", false},    // 6to4 of 10.0.0.1
		{"2001:0:4136:e378::1", false}, // Teredo
		{"2001:2::1", false},           // benchmarking
		{"2001:10::1", false},          // ORCHID
		{"2001:db8::1", false},
		{"3fff::1", false},
		{"100::1", false},
		{"fc00::1", false},
		{"fd12:3456:789a::1", false},
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"febf::1", false},
		{"fec0::1", false},
		{"ff02::1", false},
		{"ff05::1:3", false},
		{"4000::1", false}, // outside 2000::/3
		{"1::1", false},
	}
	for _, tt := range tests {
		a := netip.MustParseAddr(tt.addr)
		reason := classify(a)
		if got := reason == ""; got != tt.public {
			t.Errorf("classify(%s) = %q, want public=%v", tt.addr, reason, tt.public)
		}
	}
	if classify(netip.Addr{}) == "" {
		t.Error("the zero Addr is public")
	}
}

func TestCheckAddrAllowed(t *testing.T) {
	allowed := []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"),
		netip.MustParsePrefix("fd00:abcd::/32"),
		netip.MustParsePrefix("192.168.10.0/24"),
	}
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1", true},
		{"127.8.9.10", true},
		{"::ffff:127.0.0.1", true}, // mapped form of an allowed IPv4
		{"fd00:abcd::5", true},
		{"192.168.10.20", true},
		{"192.168.11.20", false},
		{"::1", false}, // 127/8 does not allow IPv6 loopback
		{"10.0.0.1", false},
		{"169.254.169.254", false},
		{"fd00:abce::1", false},
		{"fe80::1%lo", false},
		{"8.8.8.8", true}, // public needs no allowance
	}
	for _, tt := range tests {
		err := checkAddr(netip.MustParseAddr(tt.addr), allowed)
		if (err == nil) != tt.ok {
			t.Errorf("checkAddr(%s) = %v, want ok=%v", tt.addr, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("checkAddr(%s) = %v, not ErrForbiddenAddress", tt.addr, err)
		}
	}
	if err := checkAddr(netip.MustParseAddr("fe80::1%eth0"), []netip.Prefix{netip.MustParsePrefix("fe80::/10")}); err != nil {
		t.Errorf("zoned link-local inside an allowed prefix: %v", err)
	}
}

// TestDialControlRefusesBeforeConnect dials reserved addresses through the
// same dialer hook the transport uses. Control runs before connect(2), so no
// packet is sent to these addresses.
func TestDialControlRefusesBeforeConnect(t *testing.T) {
	c := New(Config{})
	d := &net.Dialer{Timeout: time.Second, Control: c.control}
	for _, addr := range []string{"169.254.169.254:80", "10.0.0.1:443", "[::1]:80", "[fd00::1]:443", "0.0.0.0:80", "[::ffff:192.168.0.1]:80"} {
		start := time.Now()
		conn, err := d.DialContext(context.Background(), "tcp", addr)
		if err == nil {
			conn.Close()
			t.Fatalf("dial %s succeeded", addr)
		}
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("dial %s: %v, want ErrForbiddenAddress", addr, err)
		}
		if time.Since(start) > 500*time.Millisecond {
			t.Errorf("dial %s took %v: refused late", addr, time.Since(start))
		}
	}
	if err := c.control("tcp", "not an address", nil); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("unparsable address: %v", err)
	}
}

func BenchmarkClassify(b *testing.B) {
	addrs := []netip.Addr{
		netip.MustParseAddr("93.184.216.34"),
		netip.MustParseAddr("2606:4700:4700::1111"),
		netip.MustParseAddr("::ffff:10.1.2.3"),
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		classify(addrs[i%len(addrs)])
	}
}
