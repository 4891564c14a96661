package ratelimit

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies are the reverse proxies whose X-Forwarded-For header is
// believed. The zero value trusts none: the client of a request is then
// the address of its connection, whatever headers it sends.
type TrustedProxies struct {
	prefixes []netip.Prefix
}

// ParseTrustedProxies reads a list of networks in CIDR notation, or single
// addresses, separated by commas or spaces ("127.0.0.1/32, ::1/128").
// An empty list trusts no proxy.
func ParseTrustedProxies(list string) (TrustedProxies, error) {
	var t TrustedProxies
	for _, item := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		p, err := netip.ParsePrefix(item)
		if err != nil {
			addr, aerr := netip.ParseAddr(item)
			if aerr != nil || addr.Zone() != "" {
				return TrustedProxies{}, fmt.Errorf("%q n'est ni un réseau (comme 10.0.0.0/8 ou fd00::/8) ni une adresse IP", item)
			}
			addr = addr.Unmap()
			p = netip.PrefixFrom(addr, addr.BitLen())
		}
		// 10.1.2.3/8 means 10.0.0.0/8; an IPv4-mapped IPv6 prefix
		// means the IPv4 one, which is how connections are compared.
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		t.prefixes = append(t.prefixes, p.Masked())
	}
	return t, nil
}

// String lists the trusted networks, as ParseTrustedProxies reads them.
func (t TrustedProxies) String() string {
	s := make([]string, len(t.prefixes))
	for i, p := range t.prefixes {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

// trusts tells whether addr is one of the trusted proxies.
func (t TrustedProxies) trusts(addr netip.Addr) bool {
	for _, p := range t.prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// Client returns the address of the client of r, and false when the
// connection's address cannot be read (a test's or a Unix socket's).
//
// When the connection comes from a trusted proxy, the client is the
// rightmost address of X-Forwarded-For that is not itself a trusted proxy:
// each proxy appends the address it received the request from, so the
// entries right of the first untrusted one were written by our proxies,
// and everything to its left was written by the client, who can forge it.
// An entry that does not read as an address stops the walk at the proxy
// that wrote it, which is then taken as the client: a broken header never
// lets a client choose its address, it only makes it share its proxy's.
// When every entry is a trusted proxy, the client is the leftmost one.
// Without a trusted proxy the header is ignored.
func (t TrustedProxies) Client(r *http.Request) (netip.Addr, bool) {
	client, ok := connAddr(r.RemoteAddr)
	if !ok || !t.trusts(client) {
		return client, ok
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := forwardedAddr(hops[i])
		if !ok {
			break
		}
		client = hop
		if !t.trusts(hop) {
			break
		}
	}
	return client, true
}

// ClientNetwork identifies the client of a request for limits on failed
// attempts: its IP address (see Client), or its /64 for IPv6, since one
// host usually holds a whole /64. A connection address that cannot be read
// is its own key.
func (t TrustedProxies) ClientNetwork(r *http.Request) string {
	addr, ok := t.Client(r)
	if !ok {
		return r.RemoteAddr
	}
	if addr.Is6() {
		prefix, _ := addr.Prefix(64)
		return prefix.String()
	}
	return addr.String()
}

// connAddr reads the IP address of a connection's "host:port".
func connAddr(remote string) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return addr.Unmap().WithZone(""), true
}

// forwardedAddr reads one entry of X-Forwarded-For: an IP address, which
// some proxies write with a port ("192.0.2.1:4711", "[2001:db8::1]:4711")
// or an IPv6 one in brackets. Anything else ("unknown", an obfuscated
// name, an empty entry) is not an address.
func forwardedAddr(hop string) (netip.Addr, bool) {
	hop = strings.TrimSpace(hop)
	addr, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(hop, "["), "]"))
	if err != nil {
		ap, perr := netip.ParseAddrPort(hop)
		if perr != nil {
			return netip.Addr{}, false
		}
		addr = ap.Addr()
	}
	return addr.Unmap().WithZone(""), true
}
