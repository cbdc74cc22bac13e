package backplanetest_test

import (
	"fmt"
	"testing"

	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/chassis/backplanetest"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
)

// A transport's package runs the suite from a test, claiming its features:
//
//	func TestConformance(t *testing.T) { backplanetest.Test(t, setup) }
//
// The in-process Backplane claims none: no codec, no broker to restart.
func ExampleTest() {
	inProcess := backplanetest.Setup{}
	onATransport := backplanetest.Setup{
		Options: func(*testing.T) []chassis.BackplaneOption {
			return []chassis.BackplaneOption{chassis.WithTransport(natsplane.Dial("nats://127.0.0.1:4222"))}
		},
		Features: backplanetest.Features{Transport: true},
	}
	fmt.Println(inProcess.Transport, onATransport.Transport, onATransport.Restart != nil)
	// Output: false true false
}
