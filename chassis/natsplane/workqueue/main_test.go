package workqueue_test

import (
	"os"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/stretchr/testify/require"
)

// childEnv names the role of a re-executed test binary; unset, it runs the
// tests.
const childEnv = "WORKQUEUE_TEST_CHILD"

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		os.Exit(runChild(role))
	}
	axontest.VerifyTestMain(m)
}

// startServer starts an embedded NATS server with JetStream for one test.
func startServer(t testing.TB) *natsplane.Server {
	t.Helper()
	srv, err := natsplane.StartServer(natsplane.ServerConfig{JetStreamDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(srv.Shutdown)
	return srv
}
