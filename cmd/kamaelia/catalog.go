package main

import (
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/kamaelia-go/kamaelia/launch/catalog"
	mediacatalog "github.com/kamaelia-go/kamaelia/media/catalog"
)

// newCatalog returns the registry of every component `kamaelia launch` and
// `kamaelia compose` offer: the standard catalogue, and the media one
// (which, built without cgo, only names its components as not in this
// build).
func newCatalog(e catalog.Env) *launch.Registry {
	r := catalog.New(e)
	mediacatalog.Register(r, e)
	return r
}
