package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/kamaelia-go/kamaelia/axon"
)

// ErrTooLarge is wrapped by Handler.ReadBody's error for a body over its
// limit.
var ErrTooLarge = errors.New("web: request body too large")

// Handler is a ready-made handler component: it calls serve for each
// *Request it is sent, and sends End when serve returns nil. serve sends
// the response on h.Out (Respond for a whole one) and may read the body
// with ReadBody or Body.
//
// Boxes:
//
//	inbox   (Incoming)  *Request, BodyChunk..., BodyEnd, from the Server
//	control (any)       ProducerFinished, Shutdown
//	outbox  (Part)      Resource, Chunk..., End, to the Server
//	signal  (any)       how it ended
//
// Used per request, it ends once its request has been served; used as a
// session (Request.Session), it serves request after request,
// keeping what serve's closure keeps. A body serve did not read is skipped
// before the next request.
//
// Example:
//
//	hello := func(*web.Request) (axon.Component, error) {
//		return web.NewHandler(func(ctx context.Context, h *web.Handler, req *web.Request) error {
//			return h.Respond(ctx, 200, "text/plain", []byte("hello\n"))
//		}), nil
//	}
//
// An error from serve is sent as Abort{Err}: the Server answers 500, or
// cuts a response that has begun; the Handler itself does not fail, so a
// session goes on with its next request.
//
// Shutdown: ProducerFinished or Shutdown on control ends it between
// requests (Shutdown at once).
type Handler struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[Incoming]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out   *axon.Outbox[Part]
	serve func(ctx context.Context, h *Handler, req *Request) error
	ended bool // this request's BodyEnd has been taken
}

// NewHandler returns a Handler that serves each request with serve.
func NewHandler(serve func(ctx context.Context, h *Handler, req *Request) error) *Handler {
	h := &Handler{serve: serve}
	h.In = axon.NewInbox[Incoming](h, "inbox")
	h.Out = axon.NewOutbox[Part](h, "outbox")
	return h
}

// Main serves requests until told to stop.
func (h *Handler) Main(ctx context.Context) error {
	for m := range h.In.Messages(ctx) {
		req, ok := m.(*Request)
		if !ok {
			continue // the rest of a body serve did not read
		}
		h.ended = req.ContentLength == 0
		var last Part = End{}
		if err := h.serve(ctx, h, req); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// The request failed, not the handler: a failure would be
			// the scheduler's to keep, one per failed request.
			last = Abort{Err: err}
		}
		if err := h.Out.Send(ctx, last); err != nil {
			return err
		}
		if !req.Session {
			return nil
		}
	}
	return ctx.Err()
}

// Respond sends a whole response: a Resource with status, type and data,
// its length known.
func (h *Handler) Respond(ctx context.Context, status int, typ string, data []byte) error {
	return h.Out.Send(ctx, Resource{Status: status, Type: typ, Length: int64(len(data)), LengthKnown: true, Data: data})
}

// Body hands fn each chunk of the request body in order; it returns the
// body's error (BodyEnd.Err), fn's, or ctx's. Call it once per request,
// from serve.
func (h *Handler) Body(ctx context.Context, fn func([]byte) error) error {
	for !h.ended {
		m, err := h.In.Recv(ctx)
		if err != nil {
			return err
		}
		switch m := m.(type) {
		case BodyChunk:
			if err := fn(m); err != nil {
				return err
			}
		case BodyEnd:
			h.ended = true
			return m.Err
		default:
			return fmt.Errorf("web: a %T in the middle of a request body", m)
		}
	}
	return nil
}

// ReadBody reads the whole request body, at most max bytes of it
// (ErrTooLarge past that).
func (h *Handler) ReadBody(ctx context.Context, max int) ([]byte, error) {
	var b bytes.Buffer
	err := h.Body(ctx, func(p []byte) error {
		if b.Len()+len(p) > max {
			return fmt.Errorf("%w: over %d bytes", ErrTooLarge, max)
		}
		b.Write(p)
		return nil
	})
	return b.Bytes(), err
}
