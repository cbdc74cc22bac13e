// Package tutorial holds the code of docs/tutorial.md, the kamaelia-go
// tutorial that follows the Kamaelia article section by section: a
// component, Pipeline, Graphline, inside a component, Backplane and
// SimpleServer, the core of the P2P video system, and DVB.
//
// The code is in this package's tests, as Example functions whose output
// `go test` checks and as the components they use. Each piece shown in the
// tutorial sits between a line "// tutorial:begin NAME" and a line
// "// tutorial:end NAME", and TestTutorialBlocks fails unless every Go block
// of docs/tutorial.md is one of those regions, word for word, and every
// region is shown there: the tutorial and the code that `go test` compiles
// and runs cannot drift apart.
//
// The DVB section needs cgo (package device is built with it), so its file
// is built only with cgo; the others run with CGO_ENABLED=0 too.
package tutorial
