//go:build cgo

package whiteboard

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/flow"
	wb "github.com/kamaelia-go/kamaelia/components/whiteboard"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/sdl"
)

// FrontEnd says what NewFrontEnd gives a peer.
type FrontEnd struct {
	// Client hides the paging, clear, deck and delete buttons (a peer
	// that joined another), as Kamaelia did.
	Client bool
	// Decks is the directory Save Deck writes YYYYmmdd-HHMMSS.zip into
	// and Load Deck loads the newest deck of; "" disables both.
	Decks string
	// Audio gives the peer a microphone and a speaker (PeerAudio).
	Audio bool
	// Microphone names the capture device ("" the default one).
	Microphone string
	// Quit is called when the Quit button is clicked or the window is
	// closed.
	Quit func()
}

// NewFrontEnd gives a Whiteboard peer its window (and, with f.Audio, its
// sound): an SDL Display published in s's registry, a Window of
// Kamaelia's geometry linked to the peer's boxes (mouse, colour, erase,
// pages, draw in; updates, ticker out), and the buttons turned into page
// commands. It returns the components to activate on s with the peer.
func NewFrontEnd(s *axon.Scheduler, p *wb.Peer, f FrontEnd) ([]axon.Component, error) {
	d := sdl.NewDisplay(sdl.DisplayConfig{Width: wb.WindowWidth, Height: wb.WindowHeight, Title: "Whiteboard", FontSize: 10})
	if err := d.Publish(s.Services()); err != nil {
		return nil, err
	}
	w := NewWindow(WhiteboardTools(f.Client))
	b := newButtons(f)
	links := [][2]axon.Box{
		{w.Mouse, boxOf(p, "mouse", true)},
		{w.Colour, boxOf(p, "colour", true)},
		{w.Erase, boxOf(p, "erase", true)},
		{w.Buttons, b.In},
		{b.Pages, boxOf(p, "pages", true)},
		{b.Draw, boxOf(p, "draw", true)},
		{b.Ticker, w.Ticker},
		{boxOf(p, "updates", false), w.In},
		{boxOf(p, "ticker", false), w.Ticker},
	}
	for _, l := range links {
		if l[1] == nil || l[0] == nil {
			return nil, errors.New("whiteboard: front end: the peer lacks a box it documents")
		}
		if _, err := axon.Link(l[0], l[1]); err != nil {
			return nil, err
		}
	}
	comps := []axon.Component{d, w, b}
	if f.Audio {
		mic, err := NewMicrophone(f.Microphone)
		if err != nil {
			return nil, err
		}
		pa, err := NewPeerAudio(p, mic)
		if err != nil {
			return nil, err
		}
		speaker := sdl.NewAudioPlayer()
		speaker.Buffer = FrameSamples // 20 ms: what it adds to the latency
		if _, err := axon.LinkByName(pa, "outbox", speaker, "inbox"); err != nil {
			return nil, err
		}
		comps = append(comps, pa, speaker)
	}
	return comps, nil
}

// boxOf returns c's inbox (in) or outbox of that name, or nil.
func boxOf(c axon.CoreComponent, name string, in bool) axon.Box {
	var b axon.Box
	var ok bool
	if in {
		b, ok = c.Inbox(name)
	} else {
		b, ok = c.Outbox(name)
	}
	if !ok {
		return nil
	}
	return b
}

// buttons turns the Window's buttons into the peer's page commands.
type buttons struct {
	axon.Core
	In     *axon.Inbox[string]
	Pages  *axon.Outbox[wb.PageCommand]
	Draw   *axon.Outbox[wire.Batch]
	Ticker *axon.Outbox[string]
	f      FrontEnd
}

func newButtons(f FrontEnd) *buttons {
	b := &buttons{f: f}
	b.In = axon.NewInbox[string](b, "inbox")
	b.Pages = axon.NewOutbox[wb.PageCommand](b, "pages")
	b.Draw = axon.NewOutbox[wire.Batch](b, "draw")
	b.Ticker = axon.NewOutbox[string](b, "ticker")
	return b
}

// Main acts on the buttons until told to stop.
func (b *buttons) Main(ctx context.Context) error {
	for s := range b.In.Messages(ctx) {
		var err error
		switch s {
		case "prev", "next", "checkpoint", "new", "delete", "closedeck":
			err = b.Pages.Send(ctx, wb.PageCommand{Op: wb.PageOp(s)})
		case "clear":
			err = b.Draw.Send(ctx, wire.Batch{{"CLEAR"}})
		case "savedeck", "loaddeck":
			err = b.deck(ctx, s)
		case "quit":
			if b.f.Quit != nil {
				b.f.Quit()
			}
		default:
			err = fmt.Errorf("whiteboard front end: no button %q", s)
		}
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}

// deck saves a deck named by the time, or loads the newest.
func (b *buttons) deck(ctx context.Context, s string) error {
	if b.f.Decks == "" {
		return b.Ticker.Send(ctx, "No deck directory.")
	}
	if s == "savedeck" {
		name := filepath.Join(b.f.Decks, time.Now().Format("20060102-150405")+".zip")
		return b.Pages.Send(ctx, wb.PageCommand{Op: wb.OpSaveDeck, Arg: name})
	}
	entries, err := os.ReadDir(b.f.Decks)
	if err != nil {
		return b.Ticker.Send(ctx, fmt.Sprintf("No decks: %v", err))
	}
	var zips []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".zip") {
			zips = append(zips, e.Name())
		}
	}
	if len(zips) == 0 {
		return b.Ticker.Send(ctx, "No decks in "+b.f.Decks+".")
	}
	slices.Sort(zips) // named by the time: the last is the newest
	return b.Pages.Send(ctx, wb.PageCommand{Op: wb.OpLoadDeck, Arg: filepath.Join(b.f.Decks, zips[len(zips)-1])})
}

// VideoMember makes a Video Whiteboard (NewVideoWhiteboard) a member of a
// peer's mesh, drawing only, as Kamaelia's Video Whiteboard joined its
// peers: what it sends goes to every other peer, and every other peer's
// drawing comes to it. Picture requests are left to the peer's own canvas
// to answer. It returns the components to activate on the peer's
// scheduler; the Video Whiteboard's boxes must not be linked already.
func VideoMember(p *wb.Peer, vw *chassis.Graph) ([]axon.Component, error) {
	in, drawing, _ := p.Backplanes()
	tag := p.NewTag()
	sub := chassis.SubscribeTo[wb.Envelope](drawing)
	mine := flow.NewFilter(func(e wb.Envelope) bool {
		if !e.For(tag) {
			return false
		}
		for _, it := range e.Msg {
			if c, ok := it.(wire.List); ok && len(c) > 0 && c[0] == "GETIMG" {
				return false // the peer's canvas answers
			}
		}
		return true
	})
	// A message from the mesh that is not a list of commands (a 1.x peer's
	// flat list that is not SOUND) is not for a canvas: the peer's own
	// sketcher gets it too and logs it, so here it is passed over.
	toBatch := flow.NewPureTransformer(func(e wb.Envelope) wire.Batch {
		b, err := wire.BatchOf(e.Msg)
		if err != nil {
			return nil
		}
		return b
	}, flow.DropZero())
	tagged := flow.NewPureTransformer(func(b wire.Batch) wb.Envelope { return wb.Envelope{From: tag, Msg: b.List()} })
	pub := chassis.PublishTo[wb.Envelope](in)
	for _, l := range [][2]axon.Box{{boxOf(sub, "outbox", false), mine.In}, {mine.Out, toBatch.In}, {toBatch.Out, boxOf(vw, "inbox", true)},
		{boxOf(vw, "outbox", false), tagged.In}, {tagged.Out, boxOf(pub, "inbox", true)}} {
		if l[0] == nil || l[1] == nil {
			return nil, errors.New("whiteboard: video member: the video whiteboard lacks its inbox or outbox")
		}
		if _, err := axon.Link(l[0], l[1]); err != nil {
			return nil, err
		}
	}
	return []axon.Component{sub, mine, toBatch, tagged, pub}, nil
}

// LoadFrames reads what the Video Whiteboard plays: the pictures of a
// folder (LoadFolder), or the video of any file FFmpeg reads (LoadVideo,
// at the canvas's size, within DefaultVideoMemory).
func LoadFrames(ctx context.Context, path string) ([]*frame.Video, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return LoadFolder(path)
	}
	return LoadVideo(ctx, path, image.Pt(wb.CanvasWidth, wb.CanvasHeight), 0)
}
