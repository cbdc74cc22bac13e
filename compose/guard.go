package compose

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Compose runs what its page asks for, a shell command among it: a request
// is served only when it comes from the page itself. A web page elsewhere
// can make a browser send requests to a port on 127.0.0.1; guard refuses
//
//   - a Host header that is not localhost, a loopback or IP address, or a
//     name in Options.AllowedHosts: a name an attacker points at
//     127.0.0.1 (DNS rebinding);
//   - a POST whose body is not declared application/json: a cross-origin
//     form or fetch may send text/plain without asking first, while
//     application/json makes the browser ask (CORS), and Compose never
//     says yes;
//   - a POST whose Origin, when given, is not the Host it is sent to.
func (s *Server) guard(w http.ResponseWriter, r *http.Request) bool {
	refuse := func(code int, format string, args ...any) bool {
		http.Error(w, "compose: "+fmt.Sprintf(format, args...), code)
		return false
	}
	if !s.hostOK(r.Host) {
		return refuse(http.StatusForbidden, "Host %q is not one Compose serves as: use localhost or an address, or allow the name with Options.AllowedHosts", r.Host)
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return refuse(http.StatusUnsupportedMediaType, "a request that changes the design is sent as application/json")
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Host, r.Host) {
			return refuse(http.StatusForbidden, "a request from %q is not from Compose's page", o)
		}
	}
	return true
}

// hostOK says whether host (a Host header) is one Compose serves as.
func (s *Server) hostOK(host string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(name, "["), "]"))
	switch {
	case name == "":
		return false
	case name == "localhost", net.ParseIP(name) != nil:
		// An address cannot be rebound to another.
		return true
	}
	return slices.ContainsFunc(s.opts.AllowedHosts, func(a string) bool { return strings.EqualFold(a, name) })
}
