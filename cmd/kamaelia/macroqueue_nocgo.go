//go:build !cgo

package main

import (
	"errors"

	"github.com/kamaelia-go/kamaelia/chassis/natsplane/workqueue"
)

func init() { workHandlers["macro"] = macroHandler }

// macroHandler is the macro handler of a build without cgo: transcoding
// needs FFmpeg, so it says so.
func macroHandler(string) (workqueue.Handler, error) {
	return nil, errors.New("the macro handler transcodes with FFmpeg: it needs the cgo build of kamaelia")
}
