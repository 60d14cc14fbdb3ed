package sandbox

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// AllowList is where the dispatcher may send webhooks (--webhook-allow). The
// zero value allows any host: a mock on a developer's machine sends where
// the app under test says. A shared QA deployment restricts it, so that a
// create request cannot turn the mock into a client of any address its
// network reaches.
//
// It is matched against the host as the notifyUrl writes it, not against
// the address that name resolves to: a listed name is trusted with what its
// DNS says.
type AllowList struct {
	entries []allowEntry
}

// allowEntry is one host pattern of an AllowList.
type allowEntry struct {
	host     string // lower case; for a wildcard the suffix with its dot, ".example.com"
	wildcard bool
	port     string // "" for any port
}

// ParseAllowList reads --webhook-allow: comma-separated entries, each
//
//	example.com          that host, any port
//	example.com:8443     that host, only that port (80 and 443 are the
//	                     ports of http:// and https:// URLs without one)
//	*.example.com        any name under example.com (not example.com itself),
//	                     optionally with :port
//	10.0.0.7, [::1]:9000 IP addresses, IPv6 in brackets when with a port
//
// Names are case-insensitive and a trailing dot is ignored. An empty s
// allows any host.
func ParseAllowList(s string) (AllowList, error) {
	if strings.TrimSpace(s) == "" {
		return AllowList{}, nil
	}
	var l AllowList
	for i, raw := range strings.Split(s, ",") {
		e, err := parseAllowEntry(strings.TrimSpace(raw))
		if err != nil {
			return AllowList{}, fmt.Errorf("entry %d %q: %w", i+1, strings.TrimSpace(raw), err)
		}
		l.entries = append(l.entries, e)
	}
	return l, nil
}

// MustParseAllowList is ParseAllowList for lists written in code; it panics
// on a bad one.
func MustParseAllowList(s string) AllowList {
	l, err := ParseAllowList(s)
	if err != nil {
		panic(err)
	}
	return l
}

func parseAllowEntry(s string) (allowEntry, error) {
	switch {
	case s == "":
		return allowEntry{}, errors.New("empty (two commas, or one at an end?)")
	case s == "*":
		return allowEntry{}, errors.New("leave the list empty to allow any host")
	case strings.Contains(s, "/") || strings.Contains(s, "@"):
		return allowEntry{}, errors.New("write a host (example.com, example.com:8443), not a URL")
	}
	host, port := s, ""
	switch {
	case strings.HasPrefix(s, "["): // [v6] or [v6]:port
		end := strings.Index(s, "]")
		if end < 0 {
			return allowEntry{}, errors.New("an IPv6 address opened with [ needs its ]")
		}
		host, port = s[1:end], s[end+1:]
		if port != "" {
			if !strings.HasPrefix(port, ":") {
				return allowEntry{}, errors.New("only :port may follow ]")
			}
			port = port[1:]
		}
		if a, err := netip.ParseAddr(host); err != nil || !a.Is6() {
			return allowEntry{}, errors.New("not an IPv6 address inside [ ]")
		}
	case strings.Count(s, ":") > 1: // a bare IPv6 address, any port
		if _, err := netip.ParseAddr(s); err != nil {
			return allowEntry{}, errors.New("not an IPv6 address (with a port, write [addr]:port)")
		}
	case strings.Contains(s, ":"):
		host, port, _ = strings.Cut(s, ":")
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return allowEntry{}, fmt.Errorf("port %q is not a number from 1 to 65535", port)
		}
	}
	e := allowEntry{port: port}
	if rest, ok := strings.CutPrefix(host, "*."); ok {
		e.wildcard, host = true, rest
	}
	host = normalHost(host)
	if strings.Contains(host, "*") {
		return allowEntry{}, errors.New("* may only stand for the leading labels, as in *.example.com")
	}
	if _, err := netip.ParseAddr(host); err == nil {
		if e.wildcard {
			return allowEntry{}, errors.New("*. goes before a name, not an IP address")
		}
	} else if !isHostname(host) {
		return allowEntry{}, errors.New("not a host name: letters, digits, - and _ in dot-separated labels of at most 63 bytes")
	}
	e.host = host
	if e.wildcard {
		e.host = "." + host
	}
	return e, nil
}

// normalHost is host as entries and URLs are compared: lower case, no
// trailing dot, an IP address in its canonical spelling.
func normalHost(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if a, err := netip.ParseAddr(host); err == nil {
		return a.String()
	}
	return host
}

func isHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// Any reports whether the list allows every host (it is empty).
func (l AllowList) Any() bool { return len(l.entries) == 0 }

// Allows reports whether a webhook may go to t.
func (l AllowList) Allows(t *target) bool {
	if l.Any() {
		return true
	}
	for _, e := range l.entries {
		if e.port != "" && e.port != t.port {
			continue
		}
		if e.host == t.host || e.wildcard && strings.HasSuffix(t.host, e.host) {
			return true
		}
	}
	return false
}

// String is the list as --webhook-allow would give it, normalised.
func (l AllowList) String() string {
	parts := make([]string, len(l.entries))
	for i, e := range l.entries {
		h := e.host
		if e.wildcard {
			h = "*" + h
		}
		if strings.Contains(h, ":") { // IPv6
			if e.port == "" {
				parts[i] = h
				continue
			}
			h = "[" + h + "]"
		}
		if e.port != "" {
			h += ":" + e.port
		}
		parts[i] = h
	}
	return strings.Join(parts, ",")
}

// target is where one notification goes.
type target struct {
	url      string // as sent and journaled: the notifyUrl without its userinfo
	host     string // normalHost of the URL's host
	port     string // explicit, or the scheme's
	key      string // scheme://host:port: deliveries with one key share a queue
	userinfo bool   // the notifyUrl had user[:password]@, dropped
}

// noteUserinfo is journaled on every attempt of a notification whose
// notifyUrl had userinfo: Go's client would turn it into a Basic auth
// header, which KICC does not send, so a receiver could pass against the
// mock and fail against KICC.
const noteUserinfo = "the notifyUrl's user:password@ was dropped: the mock sends no credentials, as KICC sends none"

// parseTarget reads a notifyUrl (create and revise have checked that it is
// an absolute http(s) URL; this says why when it is not).
func parseTarget(raw string) (*target, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("notifyUrl is not an absolute http(s) URL")
	}
	t := &target{host: normalHost(u.Hostname()), port: u.Port(), userinfo: u.User != nil}
	if t.port == "" {
		t.port = "80"
		if u.Scheme == "https" {
			t.port = "443"
		}
	}
	u.User = nil
	t.url = u.String()
	t.key = u.Scheme + "://" + t.host + ":" + t.port
	return t, nil
}

// redactURL is raw without userinfo, for the journal of notifications that
// are not sent; a URL that does not parse loses what lies between // and
// the authority's last @ all the same.
func redactURL(raw string) string {
	if t, err := parseTarget(raw); err == nil {
		return t.url
	}
	i := strings.Index(raw, "//")
	if i < 0 {
		return raw
	}
	rest := raw[i+2:]
	auth := rest
	if end := strings.IndexAny(rest, "/?#"); end >= 0 {
		auth = rest[:end]
	}
	if at := strings.LastIndex(auth, "@"); at >= 0 {
		return raw[:i+2] + rest[at+1:]
	}
	return raw
}
