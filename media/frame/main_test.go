package frame_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
)

// TestMain fails the package if any goroutine outlives the tests.
func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }
