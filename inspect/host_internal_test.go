package inspect

import (
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// FuzzHostCheck checks the Host check on any header: it never panics, a
// name it takes is localhost or allowed, an IP address it takes is a
// loopback address or the listener's, and it takes the same host in any
// case and with any port.
func FuzzHostCheck(f *testing.F) {
	for _, h := range []string{"127.0.0.1:80", "localhost", "evil.example", "[::1]:1", "", ":80", "[", "Box.Example:9", "10.0.0.1"} {
		f.Add(h)
	}
	listener := &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 80}
	hc := newHostCheck(http.NotFoundHandler(), listener, []string{"box.example"})
	f.Fuzz(func(t *testing.T, host string) {
		if !hc.ok(host) {
			return
		}
		name := strings.ToLower(hostOnly(host))
		if ip := net.ParseIP(name); ip != nil {
			assert.True(t, ip.IsLoopback() || ip.Equal(listener.IP), "took %q", host)
		} else {
			assert.Contains(t, []string{"localhost", "box.example"}, name, "took %q", host)
		}
		assert.True(t, hc.ok(strings.ToUpper(host)), "%q in upper case", host)
		if !strings.Contains(host, ":") {
			assert.True(t, hc.ok(net.JoinHostPort(host, "8080")), "%q with a port", host)
		}
	})
}
