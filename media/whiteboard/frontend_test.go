//go:build cgo

package whiteboard_test

import (
	"bufio"
	"context"
	"image"
	"net"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	wb "github.com/kamaelia-go/kamaelia/components/whiteboard"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"github.com/kamaelia-go/kamaelia/media/sdl"
	"github.com/kamaelia-go/kamaelia/media/whiteboard"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawPeer is a plain TCP client of the line protocol, as a Kamaelia 1.x
// peer is.
type rawPeer struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dialPeer(t *testing.T, addr string) *rawPeer {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return &rawPeer{t, c, bufio.NewReaderSize(c, 1<<20)}
}

// next returns the next drawing message, passing over MSGID lines.
func (r *rawPeer) next() wire.Batch {
	r.t.Helper()
	require.NoError(r.t, r.c.SetReadDeadline(time.Now().Add(10*time.Second)))
	for {
		line, err := r.r.ReadBytes('\n')
		require.NoError(r.t, err)
		l, err := wire.Unmarshal(line)
		require.NoError(r.t, err)
		if _, ok := wb.ParseID(l); ok {
			continue
		}
		b, err := wire.BatchOf(l)
		require.NoError(r.t, err)
		return b
	}
}

// A peer with its window: a stroke drawn with the mouse reaches a peer
// over TCP and shows in the window; Clear clears everywhere; Quit quits.
func TestFrontEndDrawsForThePeers(t *testing.T) {
	s := axon.NewScheduler()
	p, err := wb.NewPeer(wb.Config{Dir: t.TempDir(), Scheduler: s})
	require.NoError(t, err)
	srv, err := p.Serve("127.0.0.1:0")
	require.NoError(t, err)
	quit := make(chan struct{}, 1)
	comps, err := whiteboard.NewFrontEnd(s, p, whiteboard.FrontEnd{Quit: func() { quit <- struct{}{} }})
	require.NoError(t, err)
	s.Activate(p)
	s.Activate(comps...)
	t.Cleanup(func() {
		s.ShutdownAll(axon.Shutdown{})
		_ = s.Wait(context.Background())
	})
	var win *whiteboard.Window
	var disp *sdl.Display
	for _, c := range comps {
		switch c := c.(type) {
		case *whiteboard.Window:
			win = c
		case *sdl.Display:
			disp = c
		}
	}
	require.NotNil(t, win)
	require.NotNil(t, disp)
	<-win.Ready()
	raw := dialPeer(t, srv.Addr().String())
	_, err = raw.c.Write(wb.PictureRequest.Line()) // join: the picture first
	require.NoError(t, err)
	require.Equal(t, "SETIMG", raw.next()[0][0])

	// Relays into the running Display and Window: what the test sends.
	toDisplay := axontest.NewRelay[sdl.Request](0)
	axon.MustLink(toDisplay.Out, disp.In)
	hd, err := axon.NewHandle(s, toDisplay, "inbox")
	require.NoError(t, err)
	defer hd.Close()
	toWindow := axontest.NewRelay[sdl.Screenshot](0)
	axon.MustLink(toWindow.Out, win.Shots)
	hw, err := axon.NewHandle(s, toWindow, "inbox")
	require.NoError(t, err)
	defer hw.Close()
	replies := axontest.NewRelay[*image.RGBA](0)
	hr, err := axon.NewHandle(s, replies)
	require.NoError(t, err)
	defer hr.Close()
	shot := func() *image.RGBA {
		t.Helper()
		require.NoError(t, hw.Put(t.Context(), "inbox", sdl.Screenshot{Reply: replies.In}))
		return get[*image.RGBA](t, hr, "outbox")
	}
	inject := func(ev sdl.Event) {
		t.Helper()
		require.NoError(t, hd.Put(t.Context(), "inbox", sdl.Request(sdl.Inject{Event: ev})))
	}
	y := wb.CanvasY
	inject(sdl.Event{Kind: sdl.MouseDown, X: 50, Y: y + 60, Button: 1})
	inject(sdl.Event{Kind: sdl.MouseMove, X: 250, Y: y + 60})
	inject(sdl.Event{Kind: sdl.MouseUp, X: 250, Y: y + 60, Button: 1})
	assert.Equal(t, wire.Command{"LINE", "0", "0", "0", "50", "60", "250", "60"}, raw.next()[0], "the stroke reaches the peer")
	// The window shows it (the canvas draws on its own time).
	ctx := t.Context()
	for rgb(shot(), 150, y+60) != (wb.Palette[0]) {
		require.NoError(t, ctx.Err())
	}
	assert.Equal(t, wb.White, rgb(shot(), 150, y+61))

	// Clear: on every peer.
	inject(sdl.Event{Kind: sdl.MouseDown, X: whiteboard.ToolX + 64*5 + 30, Y: 15, Button: 1})
	for b := raw.next(); b[0][0] != "CLEAR"; b = raw.next() {
	}
	for rgb(shot(), 150, y+60) != wb.White {
		require.NoError(t, ctx.Err())
	}
	inject(sdl.Event{Kind: sdl.MouseDown, X: whiteboard.ToolX + 64*10 + 30, Y: 15, Button: 1})
	<-quit
}
