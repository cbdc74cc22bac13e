package topology

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// NodeRadius is the radius, in plane units, of a plain node's blob; a
// component's is 1.5 times it and an inbox's or outbox's half of it. A
// click within a blob selects its node.
const NodeRadius = 15.0

// View is what part of the plane a renderer shows: the plane point at the
// window's top left corner, and the scale (window pixels per plane unit;
// 0 is 1). Arrow keys pan it.
type View struct {
	Left, Top float64
	Zoom      float64
}

func (v View) zoom() float64 {
	if v.Zoom <= 0 {
		return 1
	}
	return v.Zoom
}

// ToPlane turns a window pixel into a point of the plane.
func (v View) ToPlane(x, y int) (float64, float64) {
	z := v.zoom()
	return v.Left + float64(x)/z, v.Top + float64(y)/z
}

// ToWindow turns a point of the plane into window pixels.
func (v View) ToWindow(x, y float64) (float64, float64) {
	z := v.zoom()
	return (x - v.Left) * z, (y - v.Top) * z
}

// PanStep is how far, in window pixels, one press of an arrow key pans.
const PanStep = 40

// Pan moves the view for an arrow key named as SDL and browsers name them
// ("Left", "ArrowLeft", ...) and says whether key was one.
func (v *View) Pan(key string) bool {
	d := PanStep / v.zoom()
	switch key {
	case "Left", "ArrowLeft":
		v.Left -= d
	case "Right", "ArrowRight":
		v.Left += d
	case "Up", "ArrowUp":
		v.Top -= d
	case "Down", "ArrowDown":
		v.Top += d
	default:
		return false
	}
	return true
}

// Colours of the drawing, as the AxonVisualiser's.
var (
	background    = color.RGBA{255, 255, 255, 255}
	gridColour    = color.RGBA{200, 200, 200, 255}
	linkColour    = color.RGBA{0, 0, 0, 255}
	axonLink      = color.RGBA{0, 160, 0, 255}
	blobColour    = color.RGBA{255, 128, 128, 255}
	compColour    = color.RGBA{192, 192, 192, 255}
	boxColour     = color.RGBA{160, 160, 255, 255}
	selectColour  = color.RGBA{255, 0, 0, 255}
	textColour    = color.RGBA{0, 0, 0, 255}
	labelAbbrevAt = 12 // characters of a name shown unless selected
)

// radius is a node type's blob radius in plane units.
func radius(typ string) float64 {
	switch typ {
	case TypeComponent:
		return NodeRadius * 1.5
	case TypeInbox, TypeOutbox:
		return NodeRadius / 2
	}
	return NodeRadius
}

// Draw paints s onto img as the view shows it: a grid the size of the
// repulsion radius gridSpacing (none when 0), links as lines with an arrow
// head at their destination, nodes as blobs with their names (abbreviated
// unless selected; the selected node is ringed in red). It is the picture
// TopologyViewer draws, made in pure Go, so it can be shown in an SDL
// window or checked pixel by pixel.
func Draw(img *image.RGBA, s Snapshot, v View, gridSpacing float64) {
	draw.Draw(img, img.Bounds(), image.NewUniform(background), image.Point{}, draw.Src)
	b := img.Bounds()
	z := v.zoom()
	if gridSpacing > 0 && gridSpacing*z >= 8 {
		x0 := math.Floor(v.Left/gridSpacing) * gridSpacing
		for x := x0; ; x += gridSpacing {
			wx, _ := v.ToWindow(x, 0)
			if wx > float64(b.Max.X) {
				break
			}
			line(img, wx, 0, wx, float64(b.Max.Y), gridColour)
		}
		y0 := math.Floor(v.Top/gridSpacing) * gridSpacing
		for y := y0; ; y += gridSpacing {
			_, wy := v.ToWindow(0, y)
			if wy > float64(b.Max.Y) {
				break
			}
			line(img, 0, wy, float64(b.Max.X), wy, gridColour)
		}
	}
	index := make(map[string]int, len(s.Nodes))
	for i, n := range s.Nodes {
		index[n.ID] = i
	}
	for _, l := range s.Links {
		from, to := s.Nodes[index[l.From]], s.Nodes[index[l.To]]
		c := linkColour
		if from.Type != TypeDefault || to.Type != TypeDefault {
			c = axonLink
		}
		x1, y1 := v.ToWindow(from.X, from.Y)
		x2, y2 := v.ToWindow(to.X, to.Y)
		line(img, x1, y1, x2, y2, c)
		// The arrow head sits on the edge of the destination's blob.
		dx, dy := x2-x1, y2-y1
		d := math.Hypot(dx, dy)
		if d > 1 {
			ux, uy := dx/d, dy/d
			tx, ty := x2-ux*radius(to.Type)*z, y2-uy*radius(to.Type)*z
			const head = 8
			line(img, tx, ty, tx-ux*head-uy*head/2, ty-uy*head+ux*head/2, c)
			line(img, tx, ty, tx-ux*head+uy*head/2, ty-uy*head-ux*head/2, c)
		}
	}
	face := basicfont.Face7x13
	for _, n := range s.Nodes {
		x, y := v.ToWindow(n.X, n.Y)
		r := radius(n.Type) * z
		c := blobColour
		switch n.Type {
		case TypeComponent:
			c = compColour
		case TypeInbox, TypeOutbox:
			c = boxColour
		}
		disc(img, x, y, r, c)
		if n.Selected {
			ring(img, x, y, r+2, selectColour)
			ring(img, x, y, r+3, selectColour)
		}
		label := n.Name
		if !n.Selected && len([]rune(label)) > labelAbbrevAt {
			// ASCII dots: the font has no ellipsis.
			label = string([]rune(label)[:labelAbbrevAt-3]) + "..."
		}
		w := font.MeasureString(face, label).Round()
		d := font.Drawer{Dst: img, Src: image.NewUniform(textColour), Face: face,
			Dot: fixed.P(int(x)-w/2, int(y)+4)}
		d.DrawString(label)
	}
}

// line draws a one-pixel line, as pygame does (no anti-aliasing).
func line(img *image.RGBA, x1, y1, x2, y2 float64, c color.RGBA) {
	b := img.Bounds()
	// Clip very long lines to the window (a node far off screen).
	steps := int(math.Max(math.Abs(x2-x1), math.Abs(y2-y1)))
	if steps > 8*(b.Dx()+b.Dy()) {
		steps = 8 * (b.Dx() + b.Dy())
	}
	if steps == 0 {
		img.SetRGBA(int(x1), int(y1), c)
		return
	}
	for i := 0; i <= steps; i++ {
		t := float64(i) / float64(steps)
		x, y := int(math.Round(x1+(x2-x1)*t)), int(math.Round(y1+(y2-y1)*t))
		if image.Pt(x, y).In(b) {
			img.SetRGBA(x, y, c)
		}
	}
}

func disc(img *image.RGBA, cx, cy, r float64, c color.RGBA) {
	b := img.Bounds().Intersect(image.Rect(int(cx-r), int(cy-r), int(cx+r)+1, int(cy+r)+1))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if dx, dy := float64(x)-cx, float64(y)-cy; dx*dx+dy*dy <= r*r {
				img.SetRGBA(x, y, c)
			}
		}
	}
}

func ring(img *image.RGBA, cx, cy, r float64, c color.RGBA) {
	n := int(2*math.Pi*r) + 1
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		x, y := int(math.Round(cx+r*math.Cos(a))), int(math.Round(cy+r*math.Sin(a)))
		if image.Pt(x, y).In(img.Bounds()) {
			img.SetRGBA(x, y, c)
		}
	}
}
