//go:build cgo

package main

import (
	"context"
	"image"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/topology"
	"github.com/kamaelia-go/kamaelia/media/sdl"
	"github.com/kamaelia-go/kamaelia/media/topoview"
)

func init() { windowOpener = openTopologyWindow }

// openTopologyWindow shows g in an SDL window of width x height until the
// window is closed (Esc, q, or its close button) or ctx ends; each SELECT
// a click makes goes to onSelect.
func openTopologyWindow(ctx context.Context, g *topology.Graph, width, height int, onSelect func(...topology.Reply)) error {
	s := axon.NewScheduler()
	d := sdl.NewDisplay(sdl.DisplayConfig{Width: width, Height: height, Title: "Topology Viewer"})
	if err := d.Publish(s.Services()); err != nil {
		return err
	}
	win := topoview.NewWindow(g, image.Pt(width, height))
	sink := newReplySink(onSelect)
	axon.MustLink(win.Out, sink.in)
	s.Activate(d, win, sink)
	select {
	case <-win.Done():
	case <-d.Done():
	case <-ctx.Done():
	}
	s.ShutdownAll(axon.Shutdown{})
	return s.Wait(context.WithoutCancel(ctx))
}

// replySink hands each reply it is sent to a function.
//
// Boxes:
//
//	inbox   topology.Reply  replies
//	control any             ProducerFinished, Shutdown
//	signal  any             the outcome
type replySink struct {
	axon.Core
	in *axon.Inbox[topology.Reply]
	fn func(...topology.Reply)
}

func newReplySink(fn func(...topology.Reply)) *replySink {
	r := &replySink{fn: fn}
	r.in = axon.NewInbox[topology.Reply](r, "inbox")
	r.SetName("SelectionToClients")
	return r
}

// Main passes replies on until told to stop.
func (r *replySink) Main(ctx context.Context) error {
	for rep := range r.in.Messages(ctx) {
		r.fn(rep)
	}
	return ctx.Err()
}
