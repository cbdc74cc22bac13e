package radio_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }
