package inspect

import "net/http"

// HTTPServer returns the HTTP server a Server runs, for tests of its
// settings.
func HTTPServer(s *Server) *http.Server { return s.http }
