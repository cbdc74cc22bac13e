package natsplane_test

import (
	"os"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/stretchr/testify/require"
)

// childEnv names what a re-executed test binary is to do (see child.go's
// roles); unset, the binary runs the tests.
const childEnv = "NATSPLANE_TEST_CHILD"

// TestMain runs a child's part when the test binary is re-executed as one,
// and otherwise the tests, failing the package if any goroutine outlives
// them (nats.go's and nats-server's included).
func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		os.Exit(runChild(role))
	}
	axontest.VerifyTestMain(m)
}

// startServer starts an embedded server for one test (on port, or a free
// one when 0) and stops it when the test ends.
func startServer(t testing.TB, port int) *natsplane.Server {
	t.Helper()
	srv, err := natsplane.StartServer(natsplane.ServerConfig{Port: port})
	require.NoError(t, err)
	t.Cleanup(srv.Shutdown)
	return srv
}
