package ratelimit

import (
	"net/http/httptest"
	"testing"
)

// TestClient: who the client is, for each connection address, header and
// configuration of trusted proxies.
func TestClient(t *testing.T) {
	const (
		none      = ""
		localhost = "127.0.0.1/32, ::1/128"
		twoHops   = "127.0.0.1, 10.0.0.0/8"
	)
	tests := []struct {
		name, trusted, remote string
		xff                   []string // header lines, in order
		client, network       string   // network "": same as client
	}{
		{"no proxy trusted: the connection", none, "203.0.113.7:5000", nil, "203.0.113.7", ""},
		{"no proxy trusted: the header is ignored", none, "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7", ""},
		{"no proxy trusted, local connection: the header is ignored", none, "127.0.0.1:5000", []string{"198.51.100.1"}, "127.0.0.1", ""},
		{"untrusted connection with a header", localhost, "203.0.113.7:5000", []string{"127.0.0.1"}, "203.0.113.7", ""},
		{"trusted proxy: the address it appended", localhost, "127.0.0.1:5000", []string{"198.51.100.1"}, "198.51.100.1", ""},
		{"trusted proxy: what the client wrote is ignored", localhost, "127.0.0.1:5000", []string{"127.0.0.1, 192.0.2.99, 198.51.100.1"}, "198.51.100.1", ""},
		{"trusted proxy over IPv6 loopback", localhost, "[::1]:5000", []string{"198.51.100.1"}, "198.51.100.1", ""},
		{"IPv4-mapped connection address", localhost, "[::ffff:127.0.0.1]:5000", []string{"198.51.100.1"}, "198.51.100.1", ""},
		{"trusted proxy without a header: the proxy", localhost, "127.0.0.1:5000", nil, "127.0.0.1", ""},
		{"two trusted proxies", twoHops, "127.0.0.1:5000", []string{"192.0.2.99, 198.51.100.1, 10.1.2.3"}, "198.51.100.1", ""},
		{"two trusted proxies, header on two lines", twoHops, "127.0.0.1:5000", []string{"192.0.2.99, 198.51.100.1", "10.1.2.3"}, "198.51.100.1", ""},
		{"a client inside a trusted network", twoHops, "127.0.0.1:5000", []string{"10.9.9.9, 10.1.2.3"}, "10.9.9.9", ""},
		{"entry with a port", localhost, "127.0.0.1:5000", []string{"198.51.100.1:4711"}, "198.51.100.1", ""},
		{"IPv6 entry: its /64", localhost, "127.0.0.1:5000", []string{"2001:db8:1:2:3:4:5:6"}, "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"IPv6 entry in brackets with a port", localhost, "127.0.0.1:5000", []string{"[2001:db8:1:2::9]:4711"}, "2001:db8:1:2::9", "2001:db8:1:2::/64"},
		{"malformed entry: the proxy that wrote it", localhost, "127.0.0.1:5000", []string{"198.51.100.1, unknown"}, "127.0.0.1", ""},
		{"malformed entry behind a second proxy", twoHops, "127.0.0.1:5000", []string{"198.51.100.1, garbage, 10.1.2.3"}, "10.1.2.3", ""},
		{"empty entry", localhost, "127.0.0.1:5000", []string{"198.51.100.1, "}, "127.0.0.1", ""},
		{"empty header", localhost, "127.0.0.1:5000", []string{""}, "127.0.0.1", ""},
		{"forged left part does not matter when the right one is wrong", localhost, "127.0.0.1:5000", []string{"198.51.100.1, 1.2.3.4.5"}, "127.0.0.1", ""},
		{"IPv6 connection: its /64", none, "[2001:db8:a:b:1::2]:5000", nil, "2001:db8:a:b:1::2", "2001:db8:a:b::/64"},
		{"unreadable connection address", localhost, "pipe", []string{"198.51.100.1"}, "", "pipe"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trusted, err := ParseTrustedProxies(tc.trusted)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			addr, ok := trusted.Client(r)
			got := ""
			if ok {
				got = addr.String()
			}
			if got != tc.client {
				t.Errorf("client %q, want %q", got, tc.client)
			}
			want := tc.network
			if want == "" {
				want = tc.client
			}
			if net := trusted.ClientNetwork(r); net != want {
				t.Errorf("network %q, want %q", net, want)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"127.0.0.1/32,::1/128", "127.0.0.1/32,::1/128"},
		{" 10.1.2.3/8 ,  192.0.2.1 ", "10.0.0.0/8,192.0.2.1/32"},
		{"::1", "::1/128"},
		{"::ffff:10.0.0.0/104", "10.0.0.0/8"},
	} {
		got, err := ParseTrustedProxies(tc.in)
		if err != nil || got.String() != tc.want {
			t.Errorf("%q: %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"localhost", "10.0.0.0/33", "300.1.1.1", "fe80::1%eth0"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
