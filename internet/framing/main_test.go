package framing_test

import (
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"testing"
)

// TestMain fails the package if a goroutine outlives the tests.
func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }
