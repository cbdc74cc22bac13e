package inspect

import (
	"fmt"
	"net"
	"net/http"
	"strings"
)

// hostCheck refuses requests whose Host header names a host the inspector
// does not serve as. A web page from elsewhere can make a browser send
// requests to the inspector under a name whose address the page's owner
// changes to 127.0.0.1 (DNS rebinding), and read the answers as its own:
// component names, which may hold clients' addresses. Such a request
// carries the attacker's name in Host; a name is only taken when the
// program allowed it.
type hostCheck struct {
	next    http.Handler
	ip      net.IP              // the listener's address
	anyIP   bool                // the listener is on every interface
	allowed map[string]struct{} // lower case, without a port
}

func newHostCheck(next http.Handler, listener net.Addr, allowed []string) *hostCheck {
	h := &hostCheck{next: next, allowed: make(map[string]struct{}, len(allowed))}
	if ta, ok := listener.(*net.TCPAddr); ok {
		h.ip, h.anyIP = ta.IP, ta.IP.IsUnspecified()
	}
	for _, a := range allowed {
		h.allowed[strings.ToLower(hostOnly(a))] = struct{}{}
	}
	return h
}

// hostOnly returns host without its port, and an IPv6 address without its
// brackets.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
}

// ok says whether the Host header host is one the inspector serves as:
// the listener's address, localhost, a loopback address, any IP address of
// the machine when the listener is on every interface (an address cannot
// be rebound to another), or a host the program allowed.
func (h *hostCheck) ok(host string) bool {
	name := strings.ToLower(hostOnly(host))
	if name == "" {
		return false
	}
	if _, ok := h.allowed[name]; ok {
		return true
	}
	if name == "localhost" {
		return true
	}
	ip := net.ParseIP(name)
	switch {
	case ip == nil:
		return false
	case ip.IsLoopback(), h.anyIP:
		return true
	default:
		return ip.Equal(h.ip)
	}
}

func (h *hostCheck) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.ok(r.Host) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		http.Error(w, fmt.Sprintf("inspect: Host %q is not one this inspector serves as: "+
			"use its own address, localhost or a loopback address, or allow the name with inspect.WithAllowedHosts", r.Host),
			http.StatusForbidden)
		return
	}
	h.next.ServeHTTP(w, r)
}
