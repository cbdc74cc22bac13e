// Command customlaunch is a program that offers a component of its own
// alongside the standard catalogue, and with it the whole launch tool: the
// language, --help, the inspector and Compose.
//
//	customlaunch launch 'DataSource items={hello} ! Rotate ! ConsoleEchoer eol="\n"'
//	customlaunch launch --help Rotate
//	customlaunch compose
//
// Rotate is the component of its own: it turns each letter of the text it
// is sent shift places on in the alphabet (13 by default, rot13), a
// flow.PureTransformer registered with its boxes and its property.
package main

import (
	"errors"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/flow"
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/kamaelia-go/kamaelia/launch/catalog"
	"github.com/kamaelia-go/kamaelia/launch/cli"
)

func main() { cli.Main("customlaunch", registry(catalog.Stdio())) }

// registry returns the standard catalogue over e, with Rotate added.
func registry(e catalog.Env) *launch.Registry {
	r := catalog.New(e)
	r.MustRegister(launch.Entry{
		Name:    "Rotate",
		Summary: "turns each letter shift places on in the alphabet (rot13 by default)",
		Params: []launch.Param{{Name: "shift", Kind: launch.Int, Default: "13", Doc: "places to turn each letter, 0 to 25",
			Check: func(v any) error {
				if n := v.(int); n < 0 || n > 25 {
					return errors.New("must be from 0 to 25")
				}
				return nil
			}}},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: launch.TypeOf[string](), Doc: "text"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: launch.TypeOf[string](), Doc: "the text, its letters turned"}},
		New: func(a *launch.Args) (axon.Component, error) {
			shift := rune(a.Int("shift"))
			return flow.NewPureTransformer(func(s string) string { return rotate(s, shift) }), nil
		},
	})
	return r
}

// rotate turns each ASCII letter of s shift places on, wrapping from z to a.
func rotate(s string, shift rune) string {
	return strings.Map(func(c rune) rune {
		switch {
		case c >= 'a' && c <= 'z':
			return 'a' + (c-'a'+shift)%26
		case c >= 'A' && c <= 'Z':
			return 'A' + (c-'A'+shift)%26
		}
		return c
	}, s)
}
