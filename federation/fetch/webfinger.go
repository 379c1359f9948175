package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// JRD is a WebFinger response (RFC 7033). Decoded leniently: unknown members
// (properties, titles) are ignored and a null template is "".
type JRD struct {
	Subject string   `json:"subject,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
	Links   []Link   `json:"links,omitempty"`
}

// Link is one link of a JRD or XRD.
type Link struct {
	Rel      string `json:"rel,omitempty"`
	Type     string `json:"type,omitempty"`
	Href     string `json:"href,omitempty"`
	Template string `json:"template,omitempty"`
}

const (
	webfingerAccept = "application/jrd+json, application/json"
	// lrdd templates may point at XRD documents (older OStatus servers).
	lrddAccept     = "application/jrd+json, application/json, application/xrd+xml;q=0.5"
	hostMetaAccept = "application/xrd+xml, application/xml;q=0.9, application/jrd+json;q=0.5"
	activityStream = "https://www.w3.org/ns/activitystreams"
)

// ActorURL returns the href of the first rel="self" link whose type is
// application/activity+json, or application/ld+json with the ActivityStreams
// profile, and whose href is an absolute http(s) URL; "" if there is none.
func (j *JRD) ActorURL() string {
	if j == nil {
		return ""
	}
	for _, l := range j.Links {
		if l.Rel != "self" || !isActivityType(l.Type) {
			continue
		}
		u, err := url.Parse(l.Href)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			continue
		}
		return l.Href
	}
	return ""
}

func isActivityType(t string) bool {
	mt, params, err := mime.ParseMediaType(t)
	if err != nil {
		return false
	}
	switch mt {
	case "application/activity+json":
		return true
	case "application/ld+json":
		// profile may hold several space-separated URIs.
		for _, p := range strings.Fields(params["profile"]) {
			if p == activityStream {
				return true
			}
		}
	}
	return false
}

// WebFinger looks up acct ("user@host", "@user@host" or "acct:user@host") at
// scheme://host/.well-known/webfinger, where scheme is https, or http when
// Config.AllowHTTP is set. If that answers 404, the host's host-meta is read
// once and its lrdd template tried instead. The caller decides whether to
// trust the answer (Subject may name another domain in split-domain setups).
func (c *Client) WebFinger(ctx context.Context, acct string) (*JRD, error) {
	user, host, err := splitAcct(acct)
	if err != nil {
		return nil, err
	}
	resource := "acct:" + user + "@" + host
	scheme := "https"
	if c.allowHTTP {
		scheme = "http"
	}
	wfURL := scheme + "://" + host + "/.well-known/webfinger?resource=" + url.QueryEscape(resource)
	jrd, err := c.fetchJRD(ctx, wfURL, webfingerAccept)
	var se *StatusError
	if err == nil || !errors.As(err, &se) || se.Code != http.StatusNotFound {
		return jrd, err
	}

	tmpl, herr := c.hostMetaTemplate(ctx, scheme+"://"+host+"/.well-known/host-meta")
	if herr != nil {
		return nil, fmt.Errorf("webfinger %s: %w (host-meta: %v)", resource, err, herr)
	}
	lrddURL := strings.ReplaceAll(tmpl, "{uri}", url.QueryEscape(resource))
	if lrddURL == wfURL {
		return nil, err
	}
	return c.fetchJRD(ctx, lrddURL, lrddAccept)
}

// splitAcct parses "user@host", "@user@host" or "acct:user@host".
func splitAcct(acct string) (user, host string, err error) {
	s := strings.TrimSpace(acct)
	if len(s) >= 5 && strings.EqualFold(s[:5], "acct:") {
		s = s[5:]
	}
	s = strings.TrimPrefix(s, "@")
	i := strings.LastIndexByte(s, '@')
	if i <= 0 || i == len(s)-1 {
		return "", "", fmt.Errorf("%w: account %q is not user@host", ErrInvalidURL, acct)
	}
	user, host = s[:i], s[i+1:]
	if strings.ContainsAny(user, "@/?#\\ \t\r\n") {
		return "", "", fmt.Errorf("%w: bad user in account %q", ErrInvalidURL, acct)
	}
	u, perr := url.Parse("https://" + host)
	if perr != nil || u.Host != host || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" ||
		strings.ContainsAny(host, "%\\ \t\r\n") {
		return "", "", fmt.Errorf("%w: bad host in account %q", ErrInvalidURL, acct)
	}
	return user, host, nil
}

// fetchJRD GETs a WebFinger document, JSON or (from lrdd templates) XRD.
func (c *Client) fetchJRD(ctx context.Context, rawURL, accept string) (*JRD, error) {
	body, ct, final, err := c.getDoc(ctx, rawURL, accept)
	if err != nil {
		return nil, err
	}
	j, err := decodeJRD(body, ct)
	if err != nil {
		return nil, fmt.Errorf("webfinger %s: %w", final, err)
	}
	return j, nil
}

// hostMetaTemplate reads host-meta and returns its lrdd template.
func (c *Client) hostMetaTemplate(ctx context.Context, rawURL string) (string, error) {
	body, ct, final, err := c.getDoc(ctx, rawURL, hostMetaAccept)
	if err != nil {
		return "", err
	}
	j, err := decodeJRD(body, ct)
	if err != nil {
		return "", fmt.Errorf("host-meta %s: %w", final, err)
	}
	t := lrddTemplate(j)
	if t == "" {
		return "", fmt.Errorf("host-meta %s: no lrdd template", final)
	}
	return t, nil
}

// getDoc GETs a small document and returns it with its media type.
func (c *Client) getDoc(ctx context.Context, rawURL, accept string) (body []byte, contentType, finalURL string, err error) {
	resp, err := c.get(ctx, rawURL, accept)
	if err != nil {
		return nil, "", "", err
	}
	defer resp.Body.Close()
	finalURL = resp.Request.URL.String()
	body, err = io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", "", fmt.Errorf("read %s: %w", finalURL, err)
	}
	return body, resp.Header.Get("Content-Type"), finalURL, nil
}

// lrddTemplate picks the lrdd link's template, preferring a JSON one.
func lrddTemplate(j *JRD) string {
	var first string
	for _, l := range j.Links {
		if l.Rel != "lrdd" || !strings.Contains(l.Template, "{uri}") {
			continue
		}
		if strings.Contains(l.Type, "json") {
			return l.Template
		}
		if first == "" {
			first = l.Template
		}
	}
	return first
}

// decodeJRD decodes a JRD (JSON) or XRD (XML) by its content type.
func decodeJRD(body []byte, contentType string) (*JRD, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrContentType, contentType)
	}
	switch {
	case isJSON(mt):
		return parseJRD(body)
	case mt == "application/xrd+xml" || mt == "application/xml" || mt == "text/xml":
		return parseXRD(body)
	}
	return nil, fmt.Errorf("%w: %q", ErrContentType, contentType)
}

// parseJRD decodes a JSON Resource Descriptor.
func parseJRD(body []byte) (*JRD, error) {
	var j JRD
	if err := json.Unmarshal(body, &j); err != nil {
		return nil, fmt.Errorf("decode JRD: %w", err)
	}
	return &j, nil
}

// xrd is the XML form (RFC 6415 host-meta, and old WebFinger responses).
// The namespace is not enforced; servers disagree about it.
type xrd struct {
	Subject string   `xml:"Subject"`
	Aliases []string `xml:"Alias"`
	Links   []struct {
		Rel      string `xml:"rel,attr"`
		Type     string `xml:"type,attr"`
		Href     string `xml:"href,attr"`
		Template string `xml:"template,attr"`
	} `xml:"Link"`
}

// parseXRD decodes an XRD document into a JRD. encoding/xml does not expand
// custom entities, so entity bombs fail instead of growing.
func parseXRD(body []byte) (*JRD, error) {
	var x xrd
	d := xml.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(&x); err != nil {
		return nil, fmt.Errorf("decode XRD: %w", err)
	}
	j := &JRD{Subject: strings.TrimSpace(x.Subject)}
	for _, a := range x.Aliases {
		j.Aliases = append(j.Aliases, strings.TrimSpace(a))
	}
	for _, l := range x.Links {
		j.Links = append(j.Links, Link{Rel: l.Rel, Type: l.Type, Href: l.Href, Template: l.Template})
	}
	return j, nil
}
