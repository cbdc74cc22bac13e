//go:build !cgo

package catalog

import (
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/kamaelia-go/kamaelia/launch/catalog"
)

// Register tells r that the media components (Names) exist in the cgo
// build of the program only: this build has none of them.
func Register(r *launch.Registry, _ catalog.Env) {
	for _, n := range Names {
		r.Unavailable(n, why)
	}
}

// why is what a build without cgo says of each of Names.
const why = "needs the cgo build of the program (FFmpeg and SDL): build it with CGO_ENABLED=1"
