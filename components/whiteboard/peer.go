package whiteboard

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/flow"
	"github.com/kamaelia-go/kamaelia/components/framing"
	"github.com/kamaelia-go/kamaelia/components/split"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"github.com/kamaelia-go/kamaelia/internet"
)

// MaxLine is the longest line a peer reads from a connection: room for the
// SETIMG of a busy canvas (832×719×3 bytes before compression).
const MaxLine = 16 << 20

// FetchingNotice is what a joining peer shows while it waits for the
// picture: the canvas cleared to black and a line of white text (as the
// Video Whiteboard sent it, two commands).
var FetchingNotice = wire.Batch{
	{"CLEAR", "0", "0", "0"},
	{"WRITE", "100", "100", "24", "255", "255", "255", "Fetching sketch from server..."},
}

// PictureRequest is what a joining peer sends first: [["GETIMG"]].
var PictureRequest = wire.Batch{{"GETIMG"}}

// Config configures a Peer.
type Config struct {
	// Dir is the directory of the pages (slide.N.png); it must exist.
	Dir string
	// Origin names the peer in the mesh; NewOrigin() if empty. It must be
	// unique among the peers of a mesh.
	Origin string
	// Scheduler is where the peer's backplanes are registered; the Peer
	// must be activated on it. The default scheduler if nil.
	Scheduler *axon.Scheduler
	// Logger takes what goes wrong (bad lines, failed commands); the
	// default logger if nil.
	Logger *slog.Logger
	// Width and Height are the canvas's size; CanvasWidth×CanvasHeight if
	// zero.
	Width, Height int
}

// Peer is one Whiteboard: a sketcher (canvas, painter, page history) and
// any number of connections to other peers, made with Serve (Kamaelia's
// --serveport) and Connect (--connectto), both at once if need be, so that
// peers form a mesh. Everything hangs off three backplanes, as in
// Kamaelia:
//
//	IN          every member publishes here (each connection what it
//	            reads, the sketcher what it draws); Dedupe takes it
//	WHITEBOARD  drawing messages, once each, named with a MsgID
//	AUDIO       SOUND messages, likewise
//
// and every member subscribes to WHITEBOARD (and connections to AUDIO
// too), dropping what it published itself: so a stroke reaches every peer
// once and never comes back to its sender. Each connection writes, before
// each message, the MSGID line that names it, and reads the MSGID line
// before each message it receives, so that a message that comes round a
// cycle of connections, or by two paths, is dropped by Dedupe. A plain
// line with no MSGID before it (a Kamaelia 1.x peer's) is named by the
// first Go peer that reads it; 1.x peers ignore the MSGID lines (an
// unknown canvas command) and pass them on, so 1.x and Go peers mix in
// any tree, and Go peers in any graph.
//
// A connecting peer shows FetchingNotice, sends PictureRequest first, and
// its canvas takes the SETIMG the other side's canvas answers with. A
// picture request is answered by the canvas of the peer it reaches, to
// the connection it came from only, and is not passed on (Kamaelia's
// canvas answered everyone, so that a picture could overwrite a stroke
// that had reached a peer by another path).
//
// Boxes (passed through to the sketcher, for a window such as an SDL
// front end):
//
//	mouse    MouseEvent   mouse events on the canvas (the Painter)
//	colour   color.RGBA   drawing colour (selects drawing)
//	erase    Erase        select the eraser
//	pages    PageCommand  the paging and deck buttons (the History)
//	draw     wire.Batch   commands to draw here and send to the peers
//	                      (the Clear button's [["CLEAR"]], a console's
//	                      commands, a remote page turn [["next"]])
//	local    wire.Batch   commands for this canvas only (a console's LOAD
//	                      and SAVE: a LOAD sends the picture on itself)
//	updates  Update       each change of the canvas, to draw in a window
//	ticker   string       status for the ticker line
//	control, signal as usual
//
// Shutdown: ProducerFinished or Shutdown on control stops the peer and
// everything in it (connections are closed).
type Peer struct {
	axon.Core

	cfg     Config
	log     *slog.Logger
	names   [3]string // IN, WHITEBOARD, AUDIO
	tags    atomic.Uint64
	canvas  *CanvasComponent
	history *History
	sketch  *chassis.Graph
	dedupe  *Dedupe

	fetchDone *axon.Outbox[uint64]      // tells the sketcher a client ended: its tag
	clients   map[axon.Component]uint64 // client connections: their tags

	ready []<-chan struct{} // closed when the gate and the sketcher have subscribed

	mu      sync.Mutex
	net     []axon.Component // servers and clients, for their failures
	started bool             // the core is up: connections may start
}

// The backplanes of a peer, by index into Peer.names.
const (
	bpIn = iota
	bpDrawing
	bpAudio
)

// NewPeer makes a peer: its backplanes, its gate and its sketcher. Serve and
// Connect add connections, before or after it is activated.
func NewPeer(cfg Config) (*Peer, error) {
	if cfg.Dir == "" {
		return nil, errors.New("whiteboard: NewPeer: no page directory")
	}
	if cfg.Origin == "" {
		cfg.Origin = NewOrigin()
	}
	if cfg.Scheduler == nil {
		cfg.Scheduler = axon.Default()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Width == 0 || cfg.Height == 0 {
		cfg.Width, cfg.Height = CanvasWidth, CanvasHeight
	}
	p := &Peer{cfg: cfg, log: cfg.Logger.With("peer", cfg.Origin)}
	p.SetName("whiteboard.Peer(" + cfg.Origin + ")")
	for i, n := range []string{"IN", "WHITEBOARD", "AUDIO"} {
		p.names[i] = "whiteboard/" + cfg.Origin + "/" + n
	}
	in := chassis.NewBackplane[Envelope](p.names[bpIn], chassis.KeepAlive(), chassis.OnScheduler(cfg.Scheduler))
	drawing := chassis.NewBackplane[Envelope](p.names[bpDrawing], chassis.KeepAlive(), chassis.OnScheduler(cfg.Scheduler))
	audio := chassis.NewBackplane[Envelope](p.names[bpAudio], chassis.KeepAlive(), chassis.OnScheduler(cfg.Scheduler))
	for _, b := range []interface{ SetupErr() error }{in, drawing, audio} {
		if err := b.SetupErr(); err != nil {
			return nil, err
		}
	}
	gateSub := chassis.SubscribeTo[Envelope](p.names[bpIn])
	p.ready = append(p.ready, gateSub.Subscribed())
	p.dedupe = NewDedupe(cfg.Origin)
	gate := chassis.Graphline(chassis.Components{
		"SUBSCRIBE": gateSub,
		"DEDUPE":    p.dedupe,
		"DRAWING":   chassis.PublishTo[Envelope](p.names[bpDrawing]),
		"AUDIO":     chassis.PublishTo[Envelope](p.names[bpAudio]),
	}, chassis.Linkages{
		{Component: "SUBSCRIBE", Box: "outbox"}: {Component: "DEDUPE", Box: "inbox"},
		{Component: "DEDUPE", Box: "outbox"}:    {Component: "DRAWING", Box: "inbox"},
		{Component: "DEDUPE", Box: "audio"}:     {Component: "AUDIO", Box: "inbox"},
	})
	gate.SetName("whiteboard.Gate")
	if err := gate.SetupErr(); err != nil {
		return nil, err
	}
	sketch, err := p.makeSketcher()
	if err != nil {
		return nil, err
	}
	if err := p.AddChildren(in, drawing, audio, gate, sketch); err != nil {
		return nil, err
	}
	for _, box := range []string{"mouse", "colour", "erase", "pages", "draw", "local"} {
		if _, err := p.LinkByName(p, box, sketch, box); err != nil {
			return nil, err
		}
	}
	p.fetchDone = axon.NewOutbox[uint64](p, "_fetchdone")
	if _, err := p.LinkByName(p, "_fetchdone", sketch, "_fetchdone"); err != nil {
		return nil, err
	}
	for _, box := range []string{"updates", "ticker"} {
		if _, err := p.LinkByName(sketch, box, p, box); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// declare makes the peer's own boxes, typed, before they are linked.
func (p *Peer) declare() {
	axon.NewInbox[MouseEvent](p, "mouse")
	axon.NewInbox[color.RGBA](p, "colour")
	axon.NewInbox[Erase](p, "erase")
	axon.NewInbox[PageCommand](p, "pages")
	axon.NewInbox[wire.Batch](p, "draw")
	axon.NewInbox[wire.Batch](p, "local")
	axon.NewOutbox[Update](p, "updates")
	axon.NewOutbox[string](p, "ticker")
}

// Origin returns the peer's name in the mesh.
func (p *Peer) Origin() string { return p.cfg.Origin }

// Canvas returns the peer's canvas component (its Snapshot is the picture).
func (p *Peer) Canvas() *CanvasComponent { return p.canvas }

// Backplanes returns the names of the peer's backplanes, IN, WHITEBOARD
// and AUDIO, for a member added from outside (an audio part): it publishes
// Envelopes tagged with a NewTag to IN and subscribes to AUDIO (or
// WHITEBOARD), dropping those it published.
func (p *Peer) Backplanes() (in, drawing, audio string) {
	return p.names[bpIn], p.names[bpDrawing], p.names[bpAudio]
}

// Duplicates returns how many messages the peer has dropped as already
// seen (that came round a cycle, or by two paths).
func (p *Peer) Duplicates() uint64 { return p.dedupe.Duplicates() }

// NewTag returns a member tag not used yet in this peer.
func (p *Peer) NewTag() uint64 { return p.tags.Add(1) }

// makeSketcher builds the local sketcher: Kamaelia's sketcher Graphline
// inside SubscribeTo(WHITEBOARD) → TagAndFilterWrapper → PublishTo(IN).
func (p *Peer) makeSketcher() (*chassis.Graph, error) {
	p.declare()
	tag := p.NewTag()
	p.canvas = NewCanvasComponent(NewCanvas(p.cfg.Width, p.cfg.Height))
	hist, err := NewHistory(p.cfg.Dir)
	if err != nil {
		return nil, err
	}
	p.history = hist
	errs := newErrLog(p.log, "sketcher")
	sub := chassis.SubscribeTo[Envelope](p.names[bpDrawing])
	p.ready = append(p.ready, sub.Subscribed())
	g := chassis.Graphline(chassis.Components{
		"SUBSCRIBE":   sub,
		"FILTER":      flow.NewFilter(func(e Envelope) bool { return e.For(tag) }),
		"LOCALEVENTS": newLocalEvents(),
		"CANVAS":      p.canvas,
		"PAINTER":     NewPainter(),
		"HISTORY":     hist,
		"PAINTSPLIT":  split.NewTwoWaySplitter[wire.Batch](),
		"DRAWSPLIT":   split.NewTwoWaySplitter[wire.Batch](),
		"TAG":         flow.NewPureTransformer(func(b wire.Batch) Envelope { return Envelope{From: tag, Msg: b.List()} }),
		"REPLY":       flow.NewPureTransformer(func(r Reply) Envelope { return replyEnvelope(tag, r) }),
		"PUBLISH":     chassis.PublishTo[Envelope](p.names[bpIn]),
		"ERRORS":      errs,
	}, chassis.Linkages{
		{Component: "SUBSCRIBE", Box: "outbox"}:      {Component: "FILTER", Box: "inbox"},
		{Component: "FILTER", Box: "outbox"}:         {Component: "LOCALEVENTS", Box: "inbox"},
		{Component: "LOCALEVENTS", Box: "outbox"}:    {Component: "CANVAS", Box: "inbox"},
		{Component: "LOCALEVENTS", Box: "pages"}:     {Component: "HISTORY", Box: "inbox"},
		{Component: "LOCALEVENTS", Box: "errors"}:    {Component: "ERRORS", Box: "inbox"},
		{Component: chassis.Self, Box: "mouse"}:      {Component: "PAINTER", Box: "inbox"},
		{Component: chassis.Self, Box: "colour"}:     {Component: "PAINTER", Box: "colour"},
		{Component: chassis.Self, Box: "erase"}:      {Component: "PAINTER", Box: "erase"},
		{Component: chassis.Self, Box: "pages"}:      {Component: "HISTORY", Box: "inbox"},
		{Component: chassis.Self, Box: "draw"}:       {Component: "DRAWSPLIT", Box: "inbox"},
		{Component: chassis.Self, Box: "_fetchdone"}: {Component: "LOCALEVENTS", Box: "fetchdone"},
		{Component: chassis.Self, Box: "local"}:      {Component: "CANVAS", Box: "inbox"},
		{Component: "PAINTER", Box: "outbox"}:        {Component: "PAINTSPLIT", Box: "inbox"},
		{Component: "PAINTSPLIT", Box: "outbox"}:     {Component: "CANVAS", Box: "inbox"},
		{Component: "PAINTSPLIT", Box: "outbox2"}:    {Component: "TAG", Box: "inbox"},
		{Component: "DRAWSPLIT", Box: "outbox"}:      {Component: "CANVAS", Box: "inbox"},
		{Component: "DRAWSPLIT", Box: "outbox2"}:     {Component: "TAG", Box: "inbox"},
		{Component: "HISTORY", Box: "outbox"}:        {Component: "CANVAS", Box: "inbox"},
		{Component: "CANVAS", Box: "surfacechanged"}: {Component: "HISTORY", Box: "dirty"},
		{Component: "CANVAS", Box: "outbox"}:         {Component: "TAG", Box: "inbox"},
		{Component: "CANVAS", Box: "errors"}:         {Component: "ERRORS", Box: "inbox"},
		{Component: "HISTORY", Box: "errors"}:        {Component: "ERRORS", Box: "inbox"},
		{Component: "TAG", Box: "outbox"}:            {Component: "PUBLISH", Box: "inbox"},
		{Component: "CANVAS", Box: "replies"}:        {Component: "REPLY", Box: "inbox"},
		{Component: "REPLY", Box: "outbox"}:          {Component: "PUBLISH", Box: "inbox"},
		{Component: "CANVAS", Box: "updates"}:        {Component: chassis.Self, Box: "updates"},
		{Component: "HISTORY", Box: "ticker"}:        {Component: chassis.Self, Box: "ticker"},
	})
	g.SetName("whiteboard.Sketcher")
	p.sketch = g
	return g, g.SetupErr()
}

// replyEnvelope addresses a canvas's answer to the connection that asked
// (its tag is the GETIMG's argument).
func replyEnvelope(from uint64, r Reply) Envelope {
	to, err := strconv.ParseUint(r.To, 10, 64)
	if err != nil || to == 0 {
		// Not a connection's tag: a GETIMG with an argument came from
		// elsewhere (a console); answer everyone, as Kamaelia did.
		return Envelope{From: from, Msg: r.Batch.List()}
	}
	return Envelope{From: from, To: to, Msg: r.Batch.List()}
}

// connection returns the protocol of one connection (Kamaelia's
// clientconnector): lines in, token lists, envelopes to IN; WHITEBOARD and
// AUDIO, less what this connection published, out as lines. A client's
// connection (client true) shows FetchingNotice here and sends
// PictureRequest first. tag is the connection's (NewTag).
func (p *Peer) connection(tag uint64, client bool) *chassis.Graph {
	var readPreface []wire.Batch
	var writePreface []byte
	if client {
		readPreface = []wire.Batch{FetchingNotice}
		writePreface = PictureRequest.Line()
	}
	errs := newErrLog(p.log, "connection")
	subDrawing := chassis.SubscribeTo[Envelope](p.names[bpDrawing])
	subAudio := chassis.SubscribeTo[Envelope](p.names[bpAudio])
	ready := []<-chan struct{}{subDrawing.Subscribed(), subAudio.Subscribed()}
	g := chassis.Graphline(chassis.Components{
		"LINES":      framing.NewLineSplit[[]byte](framing.WithMaxLineLength(MaxLine)),
		"DECODE":     wire.NewDecoder(),
		"READ":       newIDReader(tag, ready, readPreface...),
		"PUBLISH":    chassis.PublishTo[Envelope](p.names[bpIn]),
		"WHITEBOARD": subDrawing,
		"AUDIO":      subAudio,
		"FILTER":     flow.NewFilter(func(e Envelope) bool { return e.For(tag) && !e.LocalOnly }),
		"WRITE":      newIDWriter(writePreface),
		"ERRORS":     errs,
	}, chassis.Linkages{
		{Component: chassis.Self, Box: "inbox"}:  {Component: "LINES", Box: "inbox"},
		{Component: "LINES", Box: "outbox"}:      {Component: "DECODE", Box: "inbox"},
		{Component: "DECODE", Box: "outbox"}:     {Component: "READ", Box: "inbox"},
		{Component: "DECODE", Box: "errors"}:     {Component: "ERRORS", Box: "inbox"},
		{Component: "READ", Box: "outbox"}:       {Component: "PUBLISH", Box: "inbox"},
		{Component: "WHITEBOARD", Box: "outbox"}: {Component: "FILTER", Box: "inbox"},
		{Component: "AUDIO", Box: "outbox"}:      {Component: "FILTER", Box: "inbox"},
		{Component: "FILTER", Box: "outbox"}:     {Component: "WRITE", Box: "inbox"},
		{Component: "WRITE", Box: "errors"}:      {Component: "ERRORS", Box: "inbox"},
		{Component: "WRITE", Box: "outbox"}:      {Component: chassis.Self, Box: "outbox"},
		// Shutdown runs down the chain, so that what was read before the
		// other side went away is published, and what was queued for it
		// written, before the connection ends.
		{Component: chassis.Self, Box: "control"}: {Component: "LINES", Box: "control"},
		{Component: "LINES", Box: "signal"}:       {Component: "DECODE", Box: "control"},
		{Component: "DECODE", Box: "signal"}:      {Component: "READ", Box: "control"},
		{Component: "READ", Box: "signal"}:        {Component: "PUBLISH", Box: "control"},
		{Component: "PUBLISH", Box: "signal"}:     {Component: "WHITEBOARD", Box: "control"},
		{Component: "WHITEBOARD", Box: "signal"}:  {Component: "AUDIO", Box: "control"},
		{Component: "AUDIO", Box: "signal"}:       {Component: "FILTER", Box: "control"},
		{Component: "FILTER", Box: "signal"}:      {Component: "WRITE", Box: "control"},
		{Component: "WRITE", Box: "signal"}:       {Component: "ERRORS", Box: "control"},
		{Component: "ERRORS", Box: "signal"}:      {Component: chassis.Self, Box: "signal"},
	})
	g.SetName(fmt.Sprintf("whiteboard.Connection(%d)", tag))
	return g
}

// Serve listens for peers on addr ("host:port"; port 0 picks one, which
// the returned Server's Addr reports): Kamaelia's --serveport. A peer may
// sit idle for hours between strokes, so its connections have no idle
// limit unless opts give one.
func (p *Peer) Serve(addr string, opts ...internet.ServerOption) (*chassis.Server, error) {
	opts = append([]internet.ServerOption{internet.WithIdleTimeout(0)}, opts...)
	srv, err := chassis.SimpleServer(func() axon.Component { return p.connection(p.NewTag(), false) }, addr, opts...)
	if err != nil {
		return nil, fmt.Errorf("whiteboard: serving on %s: %w", addr, err)
	}
	if err := p.adopt(srv); err != nil {
		_ = srv.Close()
		return nil, err
	}
	return srv, nil
}

// Connect connects to the peer serving at addr: Kamaelia's --connectto.
// The connection shows FetchingNotice and asks for the picture first. A
// connection that fails (cannot connect, or is cut) is logged; the peer
// goes on.
func (p *Peer) Connect(addr string, opts ...internet.ClientOption) (axon.Component, error) {
	tcp := internet.NewTCPClient(addr, opts...)
	tag := p.NewTag()
	g := chassis.Graphline(chassis.Components{
		"NETWORK":  tcp,
		"APPCOMMS": p.connection(tag, true),
	}, chassis.Linkages{
		{Component: "NETWORK", Box: "outbox"}:  {Component: "APPCOMMS", Box: "inbox"},
		{Component: "APPCOMMS", Box: "outbox"}: {Component: "NETWORK", Box: "inbox"},
		{Component: "NETWORK", Box: "signal"}:  {Component: "APPCOMMS", Box: "control"},
	})
	g.SetName("whiteboard.Client(" + addr + ")")
	if err := g.SetupErr(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	if p.clients == nil {
		p.clients = map[axon.Component]uint64{}
	}
	p.clients[g] = tag
	p.mu.Unlock()
	if err := p.adopt(g); err != nil {
		return nil, err
	}
	return g, nil
}

// adopt makes c (a server or client) a child; it starts once the peer's
// own parts are up, so that what it reads reaches the sketcher.
func (p *Peer) adopt(c axon.Component) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.net = append(p.net, c)
	if p.started {
		if err := p.AddChildren(c); err != nil {
			return err
		}
		p.ActivateChildren()
	}
	return nil
}

// Main runs the peer until told to stop.
func (p *Peer) Main(ctx context.Context) error {
	p.ActivateChildren()
	for _, ch := range p.ready {
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	p.mu.Lock()
	p.started = true
	err := p.AddChildren(p.net...)
	p.mu.Unlock()
	if err != nil {
		return err
	}
	p.ActivateChildren()
	reported := map[axon.Component]bool{}
	for {
		st := p.TakeControl(nil)
		if st.Finishing {
			return nil
		}
		p.mu.Lock()
		nets := append([]axon.Component(nil), p.net...)
		p.mu.Unlock()
		for _, c := range nets {
			core := axonCore(c)
			if core.State() == axon.Finished && !reported[c] {
				reported[c] = true
				if err := core.Err(); err != nil {
					p.log.Warn("whiteboard: connection ended", "name", core.Name(), "err", err)
				}
				p.mu.Lock()
				tag, client := p.clients[c]
				p.mu.Unlock()
				if client {
					if err := p.fetchDone.Send(ctx, tag); err != nil {
						return err
					}
				}
			}
		}
		if err := p.Wait(ctx); err != nil {
			return err
		}
	}
}

func axonCore(c axon.Component) axon.CoreComponent { return c.(axon.CoreComponent) }

// localEvents splits what reaches the sketcher from the network
// (Kamaelia's LocalPageEventsFilter): a remote page turn [["prev"]] or
// [["next"]] goes to the page history as a Local turn, everything else
// that is a drawing message to the canvas. While the peer is fetching its
// picture (it has shown FetchingNotice and no SETIMG has come since), it
// holds the picture requests of peers that join it, so that they get the
// picture and not the notice; a message on "fetchdone" (a client
// connection ended: its tag) lets them go.
//
// The notice comes from the connection through the mesh and the end from
// the peer directly, so a connection that fails at once can be reported
// ended before its notice arrives: that notice is then passed over, or
// the peer would hold requests for a fetch that will never end.
type localEvents struct {
	axon.Core
	in    *axon.Inbox[Envelope]
	out   *axon.Outbox[wire.Batch]
	pages *axon.Outbox[PageCommand]
	errs  *axon.Outbox[error]

	fetchDone *axon.Inbox[uint64]
	fetching  bool
	held      []wire.Batch
	ended     []uint64 // tags of the client connections that ended last, newest last
}

// maxEnded bounds localEvents.ended: a late notice trails its connection's
// end by a few hops, not by dozens of other connections' ends.
const maxEnded = 16

func newLocalEvents() *localEvents {
	l := &localEvents{}
	l.in = axon.NewInbox[Envelope](l, "inbox")
	l.out = axon.NewOutbox[wire.Batch](l, "outbox")
	l.pages = axon.NewOutbox[PageCommand](l, "pages")
	l.errs = axon.NewOutbox[error](l, "errors")
	l.fetchDone = axon.NewInbox[uint64](l, "fetchdone")
	return l
}

func (l *localEvents) Main(ctx context.Context) error {
	for {
		st := l.TakeControl(nil)
		if tag, ok := l.fetchDone.TryRecv(); ok {
			if l.ended = append(l.ended, tag); len(l.ended) > maxEnded {
				l.ended = l.ended[1:]
			}
			if l.fetching {
				// The connection that was fetching ended without a
				// picture: answer the requests held with what there is.
				l.fetching = false
				if err := l.release(ctx); err != nil {
					return err
				}
			}
			continue
		}
		e, ok := l.in.TryRecv()
		if ok {
			if err := l.take(ctx, e); err != nil {
				return err
			}
			continue
		}
		if st.Finishing {
			return nil
		}
		if err := l.Wait(ctx); err != nil {
			return err
		}
	}
}

func (l *localEvents) release(ctx context.Context) error {
	held := l.held
	l.held = nil
	for _, h := range held {
		if err := l.out.Send(ctx, h); err != nil {
			return err
		}
	}
	return nil
}

func (l *localEvents) take(ctx context.Context, e Envelope) error {
	b, err := wire.BatchOf(e.Msg)
	if err != nil {
		return l.errs.Send(ctx, fmt.Errorf("%w: %v", errNotDrawing, err))
	}
	switch dir, turn := b.IsPageTurn(); {
	case turn:
		return l.pages.Send(ctx, PageCommand{Op: PageOp(dir), Local: true})
	case e.LocalOnly && reflect.DeepEqual(b, FetchingNotice):
		if slices.Contains(l.ended, e.From) {
			return nil // its connection has ended already (tags are never reused)
		}
		l.fetching = true
		return l.out.Send(ctx, b)
	case l.fetching && e.LocalOnly && len(b) == 1 && b[0].Name() == "GETIMG":
		l.held = append(l.held, b)
		return nil
	case l.fetching && len(b) > 0 && b[0].Name() == "SETIMG":
		l.fetching = false
		if err := l.out.Send(ctx, b); err != nil {
			return err
		}
		return l.release(ctx)
	}
	return l.out.Send(ctx, b)
}
