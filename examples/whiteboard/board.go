package main

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"strconv"
	"strings"
)

// kind says what an event on the whiteboard is.
type kind uint8

const (
	stroke kind = iota + 1 // a line drawn
	clear                  // the board wiped white
	save                   // a request to write the canvas out
	saved                  // the canvas has been written (from the server only)
)

// event is what travels on the Backplane("WHITEBOARD"): what one client
// did, which every client and every tile of the canvas hears.
type event struct {
	Kind     kind
	From, To image.Point // stroke
	Colour   color.RGBA  // stroke
	Seq      int         // saved: which save, counting from 1
	Path     string      // saved: where the canvas went
}

// maxCoord bounds a coordinate in a stroke: strokes may run off the canvas
// (they are clipped), but not without limit, so drawing one stays cheap.
const maxCoord = 1 << 15

// errEmpty is the error of an empty line.
var errEmpty = errors.New("empty line")

// parseCommand reads one line a client sent (without its newline):
//
//	line X1 Y1 X2 Y2 #RRGGBB   a stroke from (X1, Y1) to (X2, Y2)
//	clear                      wipe the board
//	save                       write the canvas out; everyone hears "saved N PATH"
//
// Words are separated by spaces or tabs; the command and the colour are read
// without regard to case.
func parseCommand(line string) (event, error) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return event{}, errEmpty
	}
	switch cmd := strings.ToLower(f[0]); cmd {
	case "clear", "save":
		if len(f) != 1 {
			return event{}, fmt.Errorf("%s takes nothing after it", cmd)
		}
		if cmd == "clear" {
			return event{Kind: clear}, nil
		}
		return event{Kind: save}, nil
	case "line":
		if len(f) != 6 {
			return event{}, errors.New("want: line X1 Y1 X2 Y2 #RRGGBB")
		}
		var n [4]int
		for i := range n {
			v, err := strconv.Atoi(f[1+i])
			if err != nil || v < -maxCoord || v > maxCoord {
				return event{}, fmt.Errorf("coordinate %q: want a whole number from %d to %d", f[1+i], -maxCoord, maxCoord)
			}
			n[i] = v
		}
		c, err := parseColour(f[5])
		if err != nil {
			return event{}, err
		}
		return event{Kind: stroke, From: image.Pt(n[0], n[1]), To: image.Pt(n[2], n[3]), Colour: c}, nil
	default:
		return event{}, fmt.Errorf("unknown command %q: want line, clear or save", f[0])
	}
}

// parseColour reads "#RRGGBB".
func parseColour(s string) (color.RGBA, error) {
	if len(s) != 7 || s[0] != '#' {
		return color.RGBA{}, fmt.Errorf("colour %q: want #RRGGBB", s)
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return color.RGBA{}, fmt.Errorf("colour %q: want #RRGGBB", s)
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}, nil
}

// format writes an event as the line a client is sent (without its
// newline): the commands as parseCommand reads them, and "saved N PATH".
func format(e event) string {
	switch e.Kind {
	case stroke:
		return fmt.Sprintf("line %d %d %d %d #%02x%02x%02x", e.From.X, e.From.Y, e.To.X, e.To.Y, e.Colour.R, e.Colour.G, e.Colour.B)
	case clear:
		return "clear"
	case save:
		return "save"
	case saved:
		return fmt.Sprintf("saved %d %s", e.Seq, e.Path)
	}
	return fmt.Sprintf("unknown event %d", e.Kind)
}
