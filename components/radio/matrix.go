package radio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/internet"
)

// The original matrix's ports.
const (
	ListenPort  = 1700 // listeners: the mix
	DJ1Port     = 1701 // DJ1's feed
	DJ2Port     = 1702 // DJ2's feed
	MusicPort   = 1703 // the music (PRERECORD) feed
	ControlPort = 1705 // the control protocol
)

// DefaultListenerQueue is how many chunks of the mix a listener that does
// not keep up may have waiting before the oldest are dropped: a second at
// DefaultChunk.
const DefaultListenerQueue = 50

// DefaultGrace bounds how long a Matrix told ProducerFinished waits for its
// feeds and control connections to end.
const DefaultGrace = 2 * time.Second

// MatrixConfig says where a Matrix listens and how it mixes.
type MatrixConfig struct {
	// Sources are the addresses ("host:port") the feeds of DJ1, DJ2 and the
	// music connect to; port 0 takes a free one. Each takes one connection
	// at a time: another is closed at once while one is open.
	Sources [NumSources]string
	// Control is the address of the control protocol (see Desk.Command).
	Control string
	// Listen is the address listeners connect to, to be sent the mix.
	Listen string
	// Desk holds the switches and gains; a new one (all on) if nil.
	Desk *Desk
	// Mode, Chunk and Latency are the Mixer's.
	Mode           Mode
	Chunk, Latency int
	// ListenerQueue is how many chunks a slow listener may have waiting
	// before the oldest are dropped for it (chassis.WithDropOldest); 0 is
	// DefaultListenerQueue. A listener that stops reading altogether is
	// closed after the servers' write timeout (internet.WithWriteTimeout).
	ListenerQueue int
	// Grace bounds a graceful end (ProducerFinished); 0 is DefaultGrace.
	Grace time.Duration
	// ServerOptions apply to every server of the matrix (limits, timeouts,
	// TLS).
	ServerOptions []internet.ServerOption
}

// Matrix is the networked audio mixer matrix: three feeds (DJ1, DJ2 and the
// music) connect over TCP and send raw signed 16-bit little-endian sound; a
// Mixer mixes the feeds that are on; listeners connect and are sent the
// mix; a control port takes the SWITCH and QUERY commands of Desk.Command,
// one a line, each answered with a line.
//
//	DJ1 feed   --> feeder --\
//	DJ2 feed   --> feeder ---> Mixer --> PublishTo(mix)   Backplane(mix)
//	music feed --> feeder --/                             SimpleServer(SubscribeTo(mix)) --> listeners
//	control    --> Desk.Command (the Mixer reads the Desk for each chunk)
//
// Each listener is a subscriber of the mix's Backplane with the DropOldest
// policy: one that does not keep up loses the oldest chunks of its own
// queue (counted), and never holds up the mixer or the other listeners; one
// that stops reading is closed by its server's write timeout. A listener
// hears the mix from when it connects.
//
// Boxes:
//
//	inbox    not used
//	control  ProducerFinished, Shutdown
//	outbox   not used
//	signal   the outcome
//
// Listening starts when the Matrix is made, so the addresses of ports 0
// are known before it runs; Close one that is never activated.
//
// Shutdown: ProducerFinished stops taking connections, lets the feeds and
// control connections end (within Grace, then closes them), mixes what was
// buffered, sends it to the listeners, closes their connections and ends.
// Shutdown stops everything at once. A part that fails (a server, the
// mixer) is the Matrix's failure.
type Matrix struct {
	axon.Core

	cfg       MatrixConfig
	desk      *Desk
	mixer     *Mixer
	feeds     [NumSources]*chassis.Server
	control   *chassis.Server
	listen    *chassis.Server
	mixName   string
	mixerCtl  *axon.Outbox[any]
	live      [NumSources]atomic.Int32
	listeners gauge // listeners subscribed to the mix now
	bp        atomic.Pointer[chassis.Backplane[[]byte]]
}

var matrixCount atomic.Uint64

// NewMatrix makes a Matrix and starts listening on its addresses. An
// address that cannot be listened on is an error (and nothing is left
// listening).
func NewMatrix(cfg MatrixConfig) (*Matrix, error) {
	if cfg.Desk == nil {
		cfg.Desk = NewDesk()
	}
	if cfg.ListenerQueue <= 0 {
		cfg.ListenerQueue = DefaultListenerQueue
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	m := &Matrix{cfg: cfg, desk: cfg.Desk, mixName: "radio.mix." + strconv.FormatUint(matrixCount.Add(1), 10)}
	m.mixer = NewMixer(cfg.Desk, cfg.Mode)
	m.mixer.Chunk, m.mixer.Latency = cfg.Chunk, cfg.Latency
	m.mixerCtl = axon.NewOutbox[any](m, "_mixerctl")
	m.SetName("radio.Matrix")
	var made []*chassis.Server
	fail := func(err error) (*Matrix, error) {
		for _, s := range made {
			_ = s.Close()
		}
		return nil, err
	}
	for i := range NumSources {
		src := i
		s, err := chassis.ServerCore(func(internet.ConnInfo) axon.Component { return m.newFeeder(src) },
			cfg.Sources[i], cfg.ServerOptions...)
		if err != nil {
			return fail(fmt.Errorf("radio: %s feed: %w", SourceNames[i], err))
		}
		made = append(made, s)
		m.feeds[i] = s
	}
	var err error
	m.control, err = chassis.SimpleServer(func() axon.Component { return newLineProtocol("radio.control", m.desk.Command) }, cfg.Control, cfg.ServerOptions...)
	if err != nil {
		return fail(fmt.Errorf("radio: control: %w", err))
	}
	made = append(made, m.control)
	m.listen, err = chassis.SimpleServer(func() axon.Component {
		sub := chassis.SubscribeTo[[]byte](m.mixName, chassis.WithDropOldest(cfg.ListenerQueue))
		m.listeners.track(sub.Subscribed(), sub.Done())
		return sub
	}, cfg.Listen, cfg.ServerOptions...)
	if err != nil {
		return fail(fmt.Errorf("radio: listeners: %w", err))
	}
	return m, nil
}

// Desk returns the matrix's switches.
func (m *Matrix) Desk() *Desk { return m.desk }

// Mixer returns the matrix's mixer (for its Stats).
func (m *Matrix) Mixer() *Mixer { return m.mixer }

// SourceAddr returns the address the feed of source (DJ1, DJ2, Prerecord)
// connects to.
func (m *Matrix) SourceAddr(source int) net.Addr { return m.feeds[source].Addr() }

// ControlAddr returns the address of the control port.
func (m *Matrix) ControlAddr() net.Addr { return m.control.Addr() }

// ListenAddr returns the address listeners connect to.
func (m *Matrix) ListenAddr() net.Addr { return m.listen.Addr() }

// MixName returns the name of the Backplane the mix is published on, on
// the Matrix's scheduler, while it runs: SubscribeTo it to hear the mix in
// the same process.
func (m *Matrix) MixName() string { return m.mixName }

// Backplane returns the mix's Backplane once the Matrix runs, else nil.
func (m *Matrix) Backplane() *chassis.Backplane[[]byte] { return m.bp.Load() }

// Listeners returns how many listeners are being sent the mix now.
func (m *Matrix) Listeners() int { return m.listeners.get() }

// WaitListeners waits until n listeners are being sent the mix (a listener
// is from when its subscription to the mix has been made: it hears what is
// mixed from then on), or ctx is done.
func (m *Matrix) WaitListeners(ctx context.Context, n int) error {
	return m.listeners.wait(ctx, func(v int) bool { return v >= n })
}

// Close stops listening, for a Matrix that was never activated.
func (m *Matrix) Close() error {
	var errs []error
	for _, s := range append(m.feeds[:], m.control, m.listen) {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// Main runs the matrix; see Matrix.
func (m *Matrix) Main(ctx context.Context) error {
	bp := chassis.NewBackplane[[]byte](m.mixName, chassis.OnScheduler(m.Scheduler()))
	if err := bp.SetupErr(); err != nil {
		_ = m.Close()
		return err
	}
	m.bp.Store(bp)
	pub := chassis.PublishTo[[]byte](m.mixName)
	servers := append(m.feeds[:], m.control, m.listen)
	kids := []axon.Component{bp, pub, m.mixer}
	for _, s := range servers {
		kids = append(kids, s)
	}
	if err := m.AddChildren(kids...); err != nil {
		return err
	}
	pubIn, _ := pub.Inbox("inbox")
	for _, l := range [][2]axon.Box{
		{m.mixer.Out, pubIn},
		{m.mixer.Signal(), pub.Control()},
		{m.mixerCtl, m.mixer.Control()},
	} {
		if _, err := m.Link(l[0], l[1]); err != nil {
			return err
		}
	}
	m.ActivateChildren()
	for {
		if m.TakeControl(nil).Finishing {
			break
		}
		if m.ShuttingDown() {
			// Told to stop now: the runtime stops the children first.
			<-ctx.Done()
			return ctx.Err()
		}
		for _, k := range kids {
			c := k.(interface {
				State() axon.State
				Err() error
				Name() string
			})
			if c.State() == axon.Finished {
				if err := c.Err(); err != nil {
					return err
				}
				return fmt.Errorf("radio: matrix: %s ended while the matrix runs", c.Name())
			}
		}
		if err := m.Wait(ctx); err != nil {
			return err
		}
	}
	// The graceful end: the feeds and controls end, the mixer mixes what
	// it has, the Backplane delivers it and ends (its publisher ended with
	// the mixer), which ends every listener's subscriber and connection.
	gctx, cancel := context.WithTimeout(ctx, m.cfg.Grace)
	defer cancel()
	var errs []error
	for _, s := range append(m.feeds[:], m.control) {
		if err := s.Shutdown(gctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			errs = append(errs, err)
		}
	}
	if err := m.mixerCtl.Send(ctx, axon.ProducerFinished{}); err != nil && !errors.Is(err, axon.ErrFinished) {
		errs = append(errs, err)
	}
	select {
	case <-bp.Done():
	case <-ctx.Done():
		return ctx.Err()
	}
	lctx, lcancel := context.WithTimeout(ctx, m.cfg.Grace)
	defer lcancel()
	if err := m.listen.Shutdown(lctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		errs = append(errs, err)
	}
	if err := m.mixer.Err(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// newFeeder returns the protocol of a connection to source's feed, or nil
// (the connection is refused) while another is connected.
func (m *Matrix) newFeeder(source int) axon.Component {
	if !m.live[source].CompareAndSwap(0, 1) {
		return nil
	}
	f := &feeder{mixer: m.mixer, source: source, live: &m.live[source]}
	f.In = axon.NewInbox[[]byte](f, "inbox")
	axon.NewOutbox[[]byte](f, "outbox") // to the feed's client: nothing is sent back
	f.toMix = axon.NewOutbox[Input](f, "_tomix")
	f.SetName("radio.feeder(" + SourceNames[source] + ")")
	return f
}

// feeder passes what a feed's connection reads to the mixer as its
// source's Input.
type feeder struct {
	axon.Core
	In     *axon.Inbox[[]byte]
	toMix  *axon.Outbox[Input]
	mixer  *Mixer
	source int
	live   *atomic.Int32
}

// Main passes the feed on until it ends or the mixer has.
func (f *feeder) Main(ctx context.Context) error {
	defer f.live.Store(0)
	if _, err := f.Link(f.toMix, f.mixer.In); err != nil {
		return err
	}
	for b := range f.In.Messages(ctx) {
		if err := f.toMix.Send(ctx, Input{Source: f.source, Data: b}); err != nil {
			if errors.Is(err, axon.ErrFinished) {
				return nil // the mixer has ended: the matrix is stopping
			}
			return err
		}
	}
	return ctx.Err()
}

// gauge is a count that can be waited on.
type gauge struct {
	mu      sync.Mutex
	n       int
	changed chan struct{} // closed at the next change; nil when no one waits
}

func (g *gauge) add(d int) {
	g.mu.Lock()
	g.n += d
	if g.changed != nil {
		close(g.changed)
		g.changed = nil
	}
	g.mu.Unlock()
}

func (g *gauge) get() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}

// wait waits until ok(count) or ctx is done.
func (g *gauge) wait(ctx context.Context, ok func(int) bool) error {
	for {
		g.mu.Lock()
		if ok(g.n) {
			g.mu.Unlock()
			return nil
		}
		if g.changed == nil {
			g.changed = make(chan struct{})
		}
		ch := g.changed
		g.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// track counts one from when joined is closed until done is; it ends with
// done (a component's Done, which is closed however the component ends).
func (g *gauge) track(joined, done <-chan struct{}) {
	go func() {
		select {
		case <-joined:
		case <-done:
			return
		}
		g.add(1)
		<-done
		g.add(-1)
	}()
}
