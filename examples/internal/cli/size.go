package cli

import (
	"fmt"
	"image"
	"strconv"
	"strings"
)

// SizeBounds says which picture sizes a program takes: each side from Min
// to Max, and even when Even is set (4:2:0 pictures halve both sides for
// their colour planes).
type SizeBounds struct {
	Min, Max int
	Even     bool
}

// ParseSize reads "WIDTHxHEIGHT" ("320x240"; the x may be upper case) and
// checks both sides against b. Anything else is an error that says what is
// wanted.
func ParseSize(s string, b SizeBounds) (image.Point, error) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	w, errW := strconv.Atoi(ws)
	h, errH := strconv.Atoi(hs)
	if !ok || errW != nil || errH != nil {
		return image.Point{}, fmt.Errorf("size %q: want WIDTHxHEIGHT, such as 320x240", s)
	}
	if !b.Fits(image.Pt(w, h)) {
		even := ""
		if b.Even {
			even = "even "
		}
		return image.Point{}, fmt.Errorf("size %q: want WIDTHxHEIGHT with %ssides from %d to %d", s, even, b.Min, b.Max)
	}
	return image.Pt(w, h), nil
}

// Fits reports whether both sides of p are within b.
func (b SizeBounds) Fits(p image.Point) bool {
	if p.X < b.Min || p.Y < b.Min || p.X > b.Max || p.Y > b.Max {
		return false
	}
	return !b.Even || (p.X%2 == 0 && p.Y%2 == 0)
}
