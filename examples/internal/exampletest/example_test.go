//go:build cgo

package exampletest_test

import (
	"fmt"
	"os"
)

// A package's tests start with
//
//	func TestMain(m *testing.M) { exampletest.VerifyTestMain(m) }
//
// after which SDL opens its windows offscreen.
func Example() {
	fmt.Println(os.Getenv("SDL_VIDEODRIVER"))
	// Output:
	// offscreen
}
