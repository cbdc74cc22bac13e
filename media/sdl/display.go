//go:build cgo

// Package sdl holds the media components that work through SDL2 (with
// github.com/veandco/go-sdl2 v0.4.40): the Display service, VideoOverlay,
// Button, Image and AudioPlayer. It needs cgo and SDL's development
// packages (libsdl2-dev, libsdl2-image-dev, libsdl2-ttf-dev).
//
// SDL wants one thread to own its window. So, as in Kamaelia's
// PygameDisplay, one component, the Display, owns SDL on one locked OS
// thread and is found through the axon service registry under ServiceName;
// the widgets are its clients. A client opens a region of the window with an
// OpenRegion request, fills it with ShowFrame, hears mouse clicks and keys in
// it as Events, and closes it with CloseRegion. The Display renders every
// region each time something changes, and reads its own pixels back on
// request (Screenshot), which is how tests check what a person would see.
//
// Headless machines run the Display with SDL_VIDEODRIVER=offscreen, or with
// the x11 driver under Xvfb; sound runs with SDL_AUDIODRIVER=dummy or disk.
package sdl

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"runtime"
	"sync/atomic"
	"unsafe"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/veandco/go-sdl2/sdl"
	"github.com/veandco/go-sdl2/ttf"
)

// ServiceName is the name the Display is registered under.
const ServiceName = "kamaelia.display"

// DefaultFont is the TrueType font labels are drawn in unless the
// DisplayConfig names another (Debian's fonts-dejavu-core).
const DefaultFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

// RegionID names a region of the Display's window. Clients make their own
// with NewRegionID, so that they can fill a region in the same breath as
// they open it: the Display takes one client's requests in the order sent.
type RegionID uint64

var lastRegion atomic.Uint64

// NewRegionID returns a RegionID no one else has.
func NewRegionID() RegionID { return RegionID(lastRegion.Add(1)) }

// Request is a message to the Display: OpenRegion, ShowFrame, CloseRegion,
// Screenshot or Inject.
type Request interface{ displayRequest() }

// OpenRegion asks for a region of the window.
type OpenRegion struct {
	ID RegionID
	// Rect is the region, in window pixels. With a Label and an empty
	// Rect, the region is sized to the label, at Rect.Min.
	Rect image.Rectangle
	// Label, when set, is drawn centred in the region on a button face.
	Label string
	// Events receives the mouse buttons pressed and released inside the
	// region and every key pressed or released while the window has the
	// keyboard; nil for none. Events are sent without waiting: when the
	// box is full, an event is dropped and counted (Display.Dropped).
	Events *axon.Inbox[Event]
	// Errors receives what goes wrong with this region's requests (a bad
	// frame, a label the font cannot draw); nil to not hear.
	Errors *axon.Inbox[error]
}

// ShowFrame fills a region with a picture, scaled to the region. YUV420P
// frames go to an SDL YUV texture (an overlay, made again when the size
// changes); RGBA frames to an RGBA texture; other formats are converted.
// The Display owns the frame once sent.
type ShowFrame struct {
	ID    RegionID
	Frame *frame.Video
}

// CloseRegion gives a region back; its picture goes at the next render.
type CloseRegion struct{ ID RegionID }

// Screenshot asks for the window's pixels, as rendered now (read back from
// the renderer before it presents).
type Screenshot struct{ Reply *axon.Inbox[*image.RGBA] }

// Inject puts an event on SDL's own event queue, as if the mouse or the
// keyboard had made it: the Display then handles it like any other, hit
// testing and all. For tests, demos and remote control. Kind is MouseDown,
// MouseUp, MouseMove, MouseWheel, KeyDown, KeyUp or Quit; X and Y are
// window pixels (of the mouse, for a MouseMove); Buttons are those held
// in a MouseMove (0: the left one); Wheel the notches of a MouseWheel,
// turned with the mouse at X and Y; Key
// is an SDL key name ("Return", "N", "Right"). Quit is the window being
// closed.
type Inject struct{ Event Event }

func (OpenRegion) displayRequest()  {}
func (ShowFrame) displayRequest()   {}
func (CloseRegion) displayRequest() {}
func (Screenshot) displayRequest()  {}
func (Inject) displayRequest()      {}

// EventKind says what happened.
type EventKind uint8

// The kinds of Event.
const (
	MouseDown EventKind = iota + 1
	MouseUp
	KeyDown
	KeyUp
	// Quit: the window was closed; the Display ends after sending it.
	Quit
	// MouseMove: the mouse moved with a button held (Buttons says which);
	// moves with no button held are not sent.
	MouseMove
	// MouseWheel: the wheel turned Wheel notches, positive away from the
	// user ("up"); it goes to the regions under the mouse's last known
	// place.
	MouseWheel
)

// String names the kind.
func (k EventKind) String() string {
	switch k {
	case MouseDown:
		return "mouse down"
	case MouseUp:
		return "mouse up"
	case KeyDown:
		return "key down"
	case KeyUp:
		return "key up"
	case Quit:
		return "quit"
	case MouseMove:
		return "mouse move"
	case MouseWheel:
		return "mouse wheel"
	}
	return fmt.Sprintf("event(%d)", uint8(k))
}

// Event is something the user did, as a region hears it.
type Event struct {
	Kind   EventKind
	Region RegionID
	// X and Y are relative to the region's top left corner (mouse events).
	X, Y int
	// Button is the mouse button: 1 left, 2 middle, 3 right.
	Button int
	// Key is SDL's name of the key ("N", "Return", "Right").
	Key string
	// Buttons are the mouse buttons held during a MouseMove, a bit each:
	// 1<<0 left, 1<<1 middle, 1<<2 right.
	Buttons uint32
	// Wheel is the notches a MouseWheel turned, positive away from the
	// user.
	Wheel int
}

// DisplayConfig says what window the Display opens.
type DisplayConfig struct {
	Width, Height int        // 0: 640 x 480
	Title         string     // "" : "kamaelia"
	Background    color.RGBA // behind the regions; zero: black
	Font          string     // "" : DefaultFont
	FontSize      int        // 0: 16
}

// Display owns SDL: the window, its renderer, and the event queue, on one
// locked OS thread. It is Kamaelia's PygameDisplay. Only one Display may
// run at a time in a process (SDL has one event queue).
//
// Boxes:
//
//	inbox   Request  requests from clients (OpenRegion, ShowFrame,
//	                 CloseRegion, Screenshot, Inject); publish the box
//	                 with Publish so that clients find it
//	control any      ProducerFinished, Shutdown
//	signal  any      the outcome
//
// The Display sends replies and events on outboxes it makes at run time,
// one for each box a client names, linked to it; it never waits on a
// client (a full box drops and counts).
//
// Example:
//
//	s := axon.NewScheduler()
//	d := sdl.NewDisplay(sdl.DisplayConfig{Width: 800, Height: 600})
//	if err := d.Publish(s.Services()); err != nil { ... }
//	s.Activate(d)
//	s.Activate(sdl.NewVideoOverlay(image.Pt(0, 0)))
//
// Shutdown: ProducerFinished carries out the requests already sent, renders
// once more and returns nil; Shutdown returns at once with ctx's error;
// closing the window sends Quit to every region and returns nil. In every
// case the Display destroys its textures, renderer and window, quits SDL's
// video subsystem and withdraws its service. A region stays until its client
// closes it (so a finished VideoOverlay leaves its last frame up) or the
// Display ends.
type Display struct {
	axon.Core
	In *axon.Inbox[Request]

	cfg     DisplayConfig
	dropped atomic.Uint64

	// Owned by Main's thread.
	win      *sdl.Window
	ren      *sdl.Renderer
	font     *ttf.Font
	winID    uint32
	regions  []*region
	outs     map[any]any // client inbox -> the outbox that feeds it
	nOuts    int
	registry *axon.Registry
	mouse    sdl.Point // where the mouse was last seen, for the wheel
}

var displayRunning atomic.Bool

// NewDisplay returns a Display that opens a window as cfg says.
func NewDisplay(cfg DisplayConfig) *Display {
	if cfg.Width <= 0 || cfg.Height <= 0 {
		cfg.Width, cfg.Height = 640, 480
	}
	if cfg.Title == "" {
		cfg.Title = "kamaelia"
	}
	if cfg.Font == "" {
		cfg.Font = DefaultFont
	}
	if cfg.FontSize <= 0 {
		cfg.FontSize = 16
	}
	d := &Display{cfg: cfg, outs: map[any]any{}}
	d.In = axon.NewInbox[Request](d, "inbox")
	return d
}

// Publish registers the Display's inbox as ServiceName in r (the registry
// of the scheduler the Display and its clients run on). The Display
// withdraws it when it ends.
func (d *Display) Publish(r *axon.Registry) error {
	if err := r.Register(ServiceName, d, "inbox"); err != nil {
		return err
	}
	d.registry = r
	return nil
}

// Dropped returns how many events were dropped because a client's box was
// full.
func (d *Display) Dropped() uint64 { return d.dropped.Load() }

// Size returns the window's size in pixels.
func (d *Display) Size() image.Point { return image.Pt(d.cfg.Width, d.cfg.Height) }

type region struct {
	id      RegionID
	rect    sdl.Rect
	label   string
	face    *sdl.Texture // the label, drawn
	tex     *sdl.Texture // the picture
	texW    int32
	texH    int32
	texFmt  uint32
	events  *axon.Outbox[Event]
	errs    *axon.Outbox[error]
	eventIn *axon.Inbox[Event]
}

func (r *region) free() {
	if r.tex != nil {
		_ = r.tex.Destroy()
		r.tex = nil
	}
	if r.face != nil {
		_ = r.face.Destroy()
		r.face = nil
	}
}

// endOfRequests is what the helper goroutine passes on when the inbox ends.
type endOfRequests struct{ err error }

func (endOfRequests) displayRequest() {}

// Main owns SDL until the Display is told to stop or its window closes.
func (d *Display) Main(ctx context.Context) (err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if d.registry != nil {
		defer func() { _ = d.registry.Deregister(ServiceName) }()
	}
	if !displayRunning.CompareAndSwap(false, true) {
		return errors.New("display: another Display is running in this process")
	}
	defer displayRunning.Store(false)

	if err := sdl.InitSubSystem(sdl.INIT_VIDEO | sdl.INIT_EVENTS); err != nil {
		return fmt.Errorf("display: SDL video: %w", err)
	}
	defer sdl.QuitSubSystem(sdl.INIT_VIDEO | sdl.INIT_EVENTS)
	d.win, err = sdl.CreateWindow(d.cfg.Title, sdl.WINDOWPOS_UNDEFINED, sdl.WINDOWPOS_UNDEFINED,
		int32(d.cfg.Width), int32(d.cfg.Height), sdl.WINDOW_SHOWN)
	if err != nil {
		return fmt.Errorf("display: window: %w", err)
	}
	defer func() { _ = d.win.Destroy() }()
	if d.winID, err = d.win.GetID(); err != nil {
		return fmt.Errorf("display: window: %w", err)
	}
	// The software renderer draws the same pixels on every machine,
	// headless or not, and reads them back exactly.
	d.ren, err = sdl.CreateRenderer(d.win, -1, sdl.RENDERER_SOFTWARE)
	if err != nil {
		return fmt.Errorf("display: renderer: %w", err)
	}
	defer func() { _ = d.ren.Destroy() }()
	defer func() {
		for _, r := range d.regions {
			r.free()
		}
		d.regions = nil
		if d.font != nil {
			d.font.Close()
			ttf.Quit()
			d.font = nil
		}
	}()

	wake := sdl.RegisterEvents(1)
	if wake == ^uint32(0) {
		return errors.New("display: SDL has no user events left")
	}
	// One goroutine of the display takes requests from the inbox and wakes
	// the SDL thread, which waits in SDL_WaitEvent for SDL's events and
	// these alike: nothing polls. A panic in it is the display's failure.
	reqs := make(chan Request, 16)
	hctx, stop := context.WithCancel(ctx)
	helperDone := make(chan struct{})
	var pending atomic.Bool
	d.Go(func(context.Context) error {
		defer close(helperDone)
		// However it ends, the SDL thread hears of it.
		defer func() {
			if !pending.Swap(true) {
				_ = pushUser(wake, 0)
			}
		}()
		for {
			r, err := d.In.Recv(hctx)
			if err != nil {
				r = endOfRequests{err}
			}
			select {
			case reqs <- r:
			case <-hctx.Done():
				if err == nil {
					return nil
				}
			}
			if !pending.Swap(true) {
				_ = pushUser(wake, 0)
			}
			if err != nil {
				return nil
			}
		}
	})
	// The helper is gone before SDL quits: nothing pushes on a dead queue.
	defer func() {
		stop()
		<-helperDone
	}()

	d.render(nil)
	for {
		ev := sdl.WaitEvent()
		quit := false
		dirty := false
		for ; ev != nil; ev = sdl.PollEvent() {
			if ue, ok := ev.(*sdl.UserEvent); ok && ue.Type == wake {
				pending.Store(false)
				continue
			}
			if d.event(ev) {
				quit = true
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		finished := false
	requests:
		for {
			select {
			case r := <-reqs:
				if end, ok := r.(endOfRequests); ok {
					if errors.Is(end.err, axon.ErrFinished) {
						finished = true
						break requests
					}
					return ctx.Err()
				}
				if d.request(r) {
					dirty = true
				}
			default:
				break requests
			}
		}
		if dirty || finished {
			d.render(nil)
		}
		if quit || finished {
			return nil
		}
	}
}

// request carries out one request and reports whether the picture changed.
func (d *Display) request(r Request) bool {
	switch r := r.(type) {
	case OpenRegion:
		return d.open(r)
	case ShowFrame:
		reg := d.find(r.ID)
		if reg == nil {
			return false
		}
		if err := d.show(reg, r.Frame); err != nil {
			d.fail(reg, fmt.Errorf("display: region %d: %w", reg.id, err))
		}
		return true
	case CloseRegion:
		for i, reg := range d.regions {
			if reg.id == r.ID {
				reg.free()
				d.regions = append(d.regions[:i], d.regions[i+1:]...)
				return true
			}
		}
	case Screenshot:
		if r.Reply == nil {
			return false
		}
		img := image.NewRGBA(image.Rect(0, 0, d.cfg.Width, d.cfg.Height))
		d.render(img)
		if out, err := outboxFor(d, r.Reply); err == nil {
			_ = out.TrySend(img)
		}
	case Inject:
		d.inject(r.Event)
	}
	return false
}

func (d *Display) find(id RegionID) *region {
	for _, r := range d.regions {
		if r.id == id {
			return r
		}
	}
	return nil
}

func (d *Display) fail(r *region, err error) {
	if r.errs != nil {
		if r.errs.TrySend(err) != nil {
			d.dropped.Add(1)
		}
	}
}

func (d *Display) open(o OpenRegion) bool {
	r := &region{id: o.ID, label: o.Label, eventIn: o.Events,
		rect: sdl.Rect{X: int32(o.Rect.Min.X), Y: int32(o.Rect.Min.Y), W: int32(o.Rect.Dx()), H: int32(o.Rect.Dy())}}
	if o.Errors != nil {
		r.errs, _ = outboxFor(d, o.Errors)
	}
	if o.Events != nil {
		r.events, _ = outboxFor(d, o.Events)
	}
	if old := d.find(o.ID); old != nil {
		d.fail(r, fmt.Errorf("display: region %d is open already", o.ID))
		return false
	}
	d.regions = append(d.regions, r)
	if o.Label != "" {
		if err := d.drawLabel(r); err != nil {
			d.fail(r, fmt.Errorf("display: region %d label %q: %w", r.id, r.label, err))
		}
	}
	return true
}

// drawLabel renders the region's label into a texture, sizing the region
// to it when it has no size.
func (d *Display) drawLabel(r *region) error {
	if d.font == nil {
		if err := ttf.Init(); err != nil {
			return err
		}
		f, err := ttf.OpenFont(d.cfg.Font, d.cfg.FontSize)
		if err != nil {
			ttf.Quit()
			return err
		}
		d.font = f
	}
	s, err := d.font.RenderUTF8Blended(r.label, sdl.Color{R: 0, G: 0, B: 0, A: 255})
	if err != nil {
		return err
	}
	defer s.Free()
	if r.rect.W <= 0 || r.rect.H <= 0 {
		r.rect.W, r.rect.H = s.W+16, s.H+8
	}
	r.face, err = d.ren.CreateTextureFromSurface(s)
	return err
}

func (d *Display) show(r *region, v *frame.Video) error {
	if v == nil {
		return errors.New("nil frame")
	}
	if err := v.Validate(); err != nil {
		return err
	}
	switch v.Format {
	case frame.YUV420P, frame.RGBA:
	default:
		c, err := frame.FromImage(v.Image(), frame.RGBA)
		if err != nil {
			return err
		}
		v = c
	}
	f := uint32(sdl.PIXELFORMAT_IYUV)
	if v.Format == frame.RGBA {
		f = sdl.PIXELFORMAT_ABGR8888 // bytes R, G, B, A on little-endian machines
	}
	if r.tex == nil || r.texW != int32(v.Width) || r.texH != int32(v.Height) || r.texFmt != f {
		if r.tex != nil {
			_ = r.tex.Destroy()
			r.tex = nil
		}
		t, err := d.ren.CreateTexture(f, sdl.TEXTUREACCESS_STREAMING, int32(v.Width), int32(v.Height))
		if err != nil {
			return fmt.Errorf("texture: %w", err)
		}
		if f == sdl.PIXELFORMAT_ABGR8888 {
			_ = t.SetBlendMode(sdl.BLENDMODE_BLEND)
		}
		r.tex, r.texW, r.texH, r.texFmt = t, int32(v.Width), int32(v.Height), f
		if r.rect.W <= 0 || r.rect.H <= 0 {
			r.rect.W, r.rect.H = int32(v.Width), int32(v.Height)
		}
	}
	// The pixels are in the texture now: the frame's memory can go round
	// to the decoder again.
	defer v.Release()
	if f == sdl.PIXELFORMAT_IYUV {
		return r.tex.UpdateYUV(nil, v.Planes[0], v.Strides[0], v.Planes[1], v.Strides[1], v.Planes[2], v.Strides[2])
	}
	return r.tex.Update(nil, unsafe.Pointer(&v.Planes[0][0]), v.Strides[0])
}

// render draws every region and presents; into, when given, receives the
// pixels before they are presented.
func (d *Display) render(into *image.RGBA) {
	bg := d.cfg.Background
	_ = d.ren.SetDrawColor(bg.R, bg.G, bg.B, 255)
	_ = d.ren.Clear()
	for _, r := range d.regions {
		if r.tex != nil {
			_ = d.ren.Copy(r.tex, nil, &r.rect)
		}
		if r.face != nil {
			_ = d.ren.SetDrawColor(0xdd, 0xdd, 0xdd, 255)
			_ = d.ren.FillRect(&r.rect)
			_ = d.ren.SetDrawColor(0x40, 0x40, 0x40, 255)
			_ = d.ren.DrawRect(&r.rect)
			_, _, w, h, _ := r.face.Query()
			dst := sdl.Rect{X: r.rect.X + (r.rect.W-w)/2, Y: r.rect.Y + (r.rect.H-h)/2, W: w, H: h}
			_ = d.ren.Copy(r.face, nil, &dst)
		}
	}
	if into != nil {
		_ = d.ren.ReadPixels(nil, sdl.PIXELFORMAT_ABGR8888, unsafe.Pointer(&into.Pix[0]), into.Stride)
	}
	d.ren.Present()
}

// event hands an SDL event to the regions it concerns; it reports whether
// the window was closed.
func (d *Display) event(ev sdl.Event) bool {
	switch e := ev.(type) {
	case *sdl.QuitEvent:
		for _, r := range d.regions {
			d.send(r, Event{Kind: Quit, Region: r.id})
		}
		return true
	case *sdl.MouseButtonEvent:
		kind := MouseDown
		if e.Type == sdl.MOUSEBUTTONUP {
			kind = MouseUp
		}
		p := sdl.Point{X: e.X, Y: e.Y}
		d.mouse = p
		for _, r := range d.regions {
			if p.InRect(&r.rect) {
				d.send(r, Event{Kind: kind, Region: r.id, X: int(e.X - r.rect.X), Y: int(e.Y - r.rect.Y), Button: int(e.Button)})
			}
		}
	case *sdl.MouseMotionEvent:
		p := sdl.Point{X: e.X, Y: e.Y}
		d.mouse = p
		if e.State == 0 {
			break // a painter wants drags; plain moves would only flood
		}
		for _, r := range d.regions {
			if p.InRect(&r.rect) {
				d.send(r, Event{Kind: MouseMove, Region: r.id, X: int(e.X - r.rect.X), Y: int(e.Y - r.rect.Y), Buttons: e.State})
			}
		}
	case *sdl.MouseWheelEvent:
		dy := int(e.Y)
		if e.Direction == sdl.MOUSEWHEEL_FLIPPED {
			dy = -dy
		}
		for _, r := range d.regions {
			if d.mouse.InRect(&r.rect) {
				d.send(r, Event{Kind: MouseWheel, Region: r.id, X: int(d.mouse.X - r.rect.X), Y: int(d.mouse.Y - r.rect.Y), Wheel: dy})
			}
		}
	case *sdl.KeyboardEvent:
		kind := KeyDown
		if e.Type == sdl.KEYUP {
			kind = KeyUp
		}
		name := sdl.GetKeyName(e.Keysym.Sym)
		for _, r := range d.regions {
			d.send(r, Event{Kind: kind, Region: r.id, Key: name})
		}
	}
	return false
}

func (d *Display) send(r *region, e Event) {
	if r.events == nil {
		return
	}
	if r.events.TrySend(e) != nil {
		d.dropped.Add(1)
	}
}

func (d *Display) inject(e Event) {
	switch e.Kind {
	case MouseDown, MouseUp:
		b := uint8(e.Button)
		if b == 0 {
			b = sdl.BUTTON_LEFT
		}
		_ = pushMouse(d.winID, e.Kind == MouseDown, b, int32(e.X), int32(e.Y))
	case MouseMove:
		state := e.Buttons
		if state == 0 {
			state = sdl.ButtonLMask()
		}
		_ = pushMotion(d.winID, state, int32(e.X), int32(e.Y))
	case MouseWheel:
		// The wheel has no place of its own: move there first, with no
		// button held, which no region hears.
		_ = pushMotion(d.winID, 0, int32(e.X), int32(e.Y))
		_ = pushWheel(d.winID, int32(e.Wheel))
	case KeyDown, KeyUp:
		_ = pushKey(d.winID, e.Kind == KeyDown, sdl.GetKeyFromName(e.Key))
	case Quit:
		_ = pushUser(sdl.QUIT, 0)
	}
}

// outboxFor returns the Display's outbox that feeds in, making and linking
// it the first time.
func outboxFor[T any](d *Display, in *axon.Inbox[T]) (*axon.Outbox[T], error) {
	if o, ok := d.outs[in]; ok {
		return o.(*axon.Outbox[T]), nil
	}
	d.nOuts++
	o := axon.NewOutbox[T](d, fmt.Sprintf("client%d", d.nOuts))
	if _, err := d.Link(o, in); err != nil {
		return nil, err
	}
	d.outs[in] = o
	return o, nil
}
