package main

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/examples/internal/pngfile"
)

// brush is the half-width of a stroke, in pixels.
const brush = 1

// tile is a painter's picture of its part of the canvas at one save.
type tile struct {
	Seq int
	Img *image.RGBA // the painter's copy: its own from now on
}

// painter owns one tile of the canvas: it paints the part of every stroke
// that falls in its rectangle, wipes it on clear, and on each save sends a
// copy of its pixels to the assembler. No two painters share a pixel, so
// none of them locks anything.
//
//	inbox    event  what happens on the whiteboard (from its SubscribeTo)
//	control  any    ProducerFinished: deal with what waits and end; Shutdown: end at once
//	outbox   tile   its pixels, at each save
//	signal   any    its outcome
type painter struct {
	axon.Core
	In  *axon.Inbox[event]
	Out *axon.Outbox[tile]
	img *image.RGBA
}

func newPainter(r image.Rectangle) *painter {
	p := &painter{img: image.NewRGBA(r)}
	draw.Draw(p.img, r, image.White, image.Point{}, draw.Src)
	p.In = axon.NewInbox[event](p, "inbox")
	p.Out = axon.NewOutbox[tile](p, "outbox")
	return p
}

// Main paints.
func (p *painter) Main(ctx context.Context) error {
	saves := 0
	for e := range p.In.Messages(ctx) {
		switch e.Kind {
		case stroke:
			p.line(e.From, e.To, e.Colour)
		case clear:
			draw.Draw(p.img, p.img.Rect, image.White, image.Point{}, draw.Src)
		case save:
			saves++
			cp := image.NewRGBA(p.img.Rect)
			copy(cp.Pix, p.img.Pix)
			if err := p.Out.Send(ctx, tile{Seq: saves, Img: cp}); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// line draws from a to b (Bresenham's), a square brush at each step, where
// it falls in the tile. A stroke that misses the tile, brush and all,
// costs one test.
func (p *painter) line(a, b image.Point, c color.RGBA) {
	box := image.Rectangle{Min: a, Max: b}.Canon().Inset(-brush - 1)
	if !box.Overlaps(p.img.Rect) {
		return
	}
	dx, dy := abs(b.X-a.X), -abs(b.Y-a.Y)
	sx, sy := sign(b.X-a.X), sign(b.Y-a.Y)
	e := dx + dy
	for {
		p.dab(a, c)
		if a == b {
			return
		}
		if e2 := 2 * e; e2 >= dy {
			e += dy
			a.X += sx
		}
		if e2 := 2 * e; e2 <= dx {
			e += dx
			a.Y += sy
		}
	}
}

// dab paints the brush's square at pt, clipped to the tile.
func (p *painter) dab(pt image.Point, c color.RGBA) {
	r := image.Rect(pt.X-brush, pt.Y-brush, pt.X+brush+1, pt.Y+brush+1).Intersect(p.img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p.img.SetRGBA(x, y, c)
		}
	}
}

func abs(v int) int { return max(v, -v) }

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// assembler puts the tiles of each save together and writes the canvas to
// a PNG file once it has them all, then says so on its outbox (which leads
// back to the Backplane, so every client hears it).
//
//	inbox    tile   the painters' pixels, at each save
//	control  any    ProducerFinished: deal with what waits and end; Shutdown: end at once
//	outbox   event  saved, once a save's canvas is written
//	signal   any    its outcome: a canvas that cannot be written is a failure
type assembler struct {
	axon.Core
	In    *axon.Inbox[tile]
	Out   *axon.Outbox[event]
	size  image.Point
	tiles int
	path  string
}

func newAssembler(size image.Point, tiles int, path string) *assembler {
	a := &assembler{size: size, tiles: tiles, path: path}
	a.In = axon.NewInbox[tile](a, "inbox")
	// Every painter sends its tile at once, at each save: room for two
	// saves' worth, so the painters never wait on the assembler.
	a.In.SetCapacity(2 * tiles)
	a.Out = axon.NewOutbox[event](a, "outbox")
	return a
}

// Main assembles and writes.
func (a *assembler) Main(ctx context.Context) error {
	// One canvas per save under way: a fast painter's tile of the next
	// save must not land on this one's.
	type canvas struct {
		img   *image.RGBA
		tiles int
	}
	saves := map[int]*canvas{}
	for t := range a.In.Messages(ctx) {
		c := saves[t.Seq]
		if c == nil {
			c = &canvas{img: image.NewRGBA(image.Rectangle{Max: a.size})}
			saves[t.Seq] = c
		}
		draw.Draw(c.img, t.Img.Rect, t.Img, t.Img.Rect.Min, draw.Src)
		if c.tiles++; c.tiles < a.tiles {
			continue
		}
		delete(saves, t.Seq)
		if err := pngfile.Write(a.path, c.img); err != nil {
			return fmt.Errorf("saving the canvas: %w", err)
		}
		if err := a.Out.Send(ctx, event{Kind: saved, Seq: t.Seq, Path: a.path}); err != nil {
			return err
		}
	}
	return ctx.Err()
}
