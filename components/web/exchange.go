package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// exchange serves one request: it feeds the handler component the request
// and its body and writes the handler's parts to the client. It is a
// component's Core that is never activated: ServeHTTP's goroutine drives
// it, as a Handle's caller drives a Handle, which saves two goroutine
// switches a request.
type exchange struct {
	axon.Core
	srv     *Server
	w       http.ResponseWriter
	r       *http.Request
	req     *Request
	comp    axon.Component
	session bool

	toH     *axon.Outbox[Incoming]
	toCtl   *axon.Outbox[any] // the handler's control, for a per-request handler
	fromH   *axon.Inbox[Part]
	hSig    *axon.Inbox[any]
	links   []*axon.Linkage
	body    *axon.Inbox[bodyItem] // the request body, read by bodyReader
	bodyOut *axon.Outbox[bodyItem]
	bodyEnd chan struct{} // closed when the body reader has returned
	bodyCut context.CancelFunc
	bodyBox axon.Box

	rc      *http.ResponseController
	broken  func() // for a session: forget it, before it is told Shutdown
	release func() // for a session: set it free for its next request
	started bool
	abort   bool // the response began and cannot be finished: cut it

	// A session's response of known length is not let complete on the
	// wire before the session is free: its last bytes wait in held until
	// the session's End (see writeData).
	length int64 // the Resource's length, -1 when not known
	sent   int64 // bytes of the body taken from the handler
	held   []byte
	freed  bool // the session finished this response and was set free

	// When the client's side of the connection ended, and when the
	// handler's last part came after that (see waitContext).
	clientEnd, lastPart time.Time
}

type boxer interface {
	Inbox(name string) (axon.Box, bool)
	Outbox(name string) (axon.Box, bool)
}

func newExchange(srv *Server, w http.ResponseWriter, r *http.Request, req *Request, comp axon.Component, session bool) (*exchange, error) {
	x := &exchange{srv: srv, w: w, r: r, req: req, comp: comp, session: session, rc: http.NewResponseController(w), length: -1}
	x.SetName("web.exchange")
	x.toH = axon.NewOutbox[Incoming](x, "_toHandler")
	x.toCtl = axon.NewOutbox[any](x, "_toControl")
	x.fromH = axon.NewInbox[Part](x, "_fromHandler")
	x.fromH.SetCapacity(srv.limits.HandlerQueue)
	x.hSig = axon.NewInbox[any](x, "_handlerSignal")
	if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
		x.body = axon.NewInbox[bodyItem](x, "_body")
		x.body.SetCapacity(4)
		x.bodyOut = axon.NewOutbox[bodyItem](x, "_bodyOut")
		if _, err := x.Link(x.bodyOut, x.body); err != nil {
			return nil, err
		}
		x.bodyBox = x.body
	}
	b, ok := comp.(boxer)
	if !ok {
		return nil, fmt.Errorf("web: handler %T has no boxes (does it embed axon.Core?)", comp)
	}
	in, ok1 := b.Inbox("inbox")
	out, ok2 := b.Outbox("outbox")
	sig, ok3 := b.Outbox("signal")
	ctl, ok4 := b.Inbox("control")
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, fmt.Errorf("web: handler %T lacks an inbox, outbox or signal box", comp)
	}
	pairs := [][2]axon.Box{{x.toH, in}, {out, x.fromH}, {sig, x.hSig}, {x.toCtl, ctl}}
	for _, p := range pairs {
		l, err := x.Link(p[0], p[1])
		if err != nil {
			x.unlink() // so that a session can be linked again
			return nil, fmt.Errorf("web: handler for %s: %w", req.Path, err)
		}
		x.links = append(x.links, l)
	}
	return x, nil
}

// unlink removes the exchange's links: a session may then be linked to
// the next request's.
func (x *exchange) unlink() {
	for _, l := range x.links {
		_ = axon.Unlink(l)
	}
	x.links = nil
}

// Main is never run: ServeHTTP calls serve.
func (x *exchange) Main(context.Context) error { return errors.New("web: an exchange is not run") }

// serve serves the request, in ServeHTTP's goroutine, until the response
// has been written or has failed; ctx is the request's. What went wrong is
// answered to the client. It reports whether the handler finished the
// response (End, or its own end).
//
// A per-request handler still running at the end is told Shutdown, and its
// links stay: its sends wait for room, then fail with the Shutdown, rather
// than go nowhere (the links go with the exchange and the handler, which
// nothing else holds). A session's links are removed, so that the next
// request can be linked; a session that did not finish the response is
// told Shutdown, so that it does not stream to nowhere.
func (x *exchange) serve(ctx context.Context) (complete bool) {
	defer func() {
		// A session set free has finished its response, even if writing
		// its last bytes then failed: it may be serving another request.
		complete = complete || x.freed
		done := x.comp.(interface{ Done() <-chan struct{} }).Done()
		if !complete && x.broken != nil {
			x.broken()
		}
		if !complete || !x.session {
			if !isClosed(done) {
				_ = x.toCtl.TrySend(axon.Shutdown{Reason: errors.New("web: the response is over")})
			}
		}
		if x.session {
			if !complete {
				// While it is linked, its sends wait and so see the
				// Shutdown; unlinked, they would go nowhere.
				<-done
			}
			x.unlink()
		}
	}()
	if x.body != nil {
		x.startBody()
		defer x.stopBody()
	}
	for {
		wctx, cancel, ok := x.waitContext(ctx)
		if !ok {
			x.abort = true
			return false
		}
		err := x.toH.Send(wctx, x.req)
		cancel()
		if err == nil {
			break
		}
		if wctx != ctx || ctx.Err() == nil {
			x.fail("web: the handler took no request: %v", err)
			return false
		}
	}
	bodyOpen := x.body != nil
	var pending Incoming // a body message waiting for room in the handler's inbox
	for {
		if done := x.writeParts(); done {
			return !x.abort
		}
		if m, ok := x.handlerEnd(); ok {
			// Its parts landed before its signal.
			if done := x.writeParts(); done {
				return !x.abort
			}
			switch m := m.(type) {
			case *axon.Failure:
				x.fail("web: the handler failed: %v", m)
			default:
				if !x.started {
					x.fail("web: the handler ended (%v) without a response", m)
				} else {
					x.finish()
				}
			}
			return true
		}
		if bodyOpen {
			if pending == nil {
				if it, ok := x.body.TryRecv(); ok {
					if it.end {
						pending = BodyEnd{Err: it.err}
					} else {
						pending = BodyChunk(it.data)
					}
				}
			}
			if pending != nil {
				err := x.toH.TrySend(pending)
				switch {
				case err == nil:
					if _, end := pending.(BodyEnd); end {
						bodyOpen = false
					}
					pending = nil
					continue
				case !errors.Is(err, axon.ErrBoxFull):
					bodyOpen = false // the handler has gone: its end is on signal
				}
			}
		}
		boxes := []axon.Box{x.fromH, x.hSig}
		if bodyOpen && pending != nil {
			boxes = append(boxes, x.toH)
		} else if bodyOpen {
			boxes = append(boxes, x.bodyBox)
		}
		wctx, cancel, ok := x.waitContext(ctx)
		if !ok {
			// The client's side ended and the handler has said nothing
			// for WriteTimeout, or the Server was closed: cut the
			// connection rather than let net/http answer 200 with nothing.
			x.abort = true
			return false
		}
		err := x.WaitFor(wctx, boxes...)
		cancel()
		if err != nil && wctx != ctx {
			x.abort = true
			return false
		}
	}
}

// waitContext returns the context the exchange waits on the handler with,
// or false when it should wait no longer.
//
// That is ctx, the request's, while it lasts. net/http ends it when the
// connection's read side ends: when the client has gone, but also when it
// has only half-closed after sending its request (nc -N, socat, a request
// then CloseWrite), and such a client is owed its whole answer. The two
// look alike until a write fails, so the exchange goes on, waiting for
// each part of the handler's for at most WriteTimeout from the client's
// end or the last part (as it waits for a slow client to take a write);
// a client that has really gone fails the next write. Server.Close ends
// the wait, and so does the end of the connection, where the server that
// made it says when that is (Protocol does, under connKey).
func (x *exchange) waitContext(ctx context.Context) (context.Context, context.CancelFunc, bool) {
	if ctx.Err() == nil {
		return ctx, func() {}, true
	}
	conn, _ := ctx.Value(connKey{}).(context.Context)
	if x.srv.closing.Err() != nil || conn != nil && conn.Err() != nil {
		return nil, nil, false
	}
	now := time.Now()
	if x.clientEnd.IsZero() {
		x.clientEnd = now
	}
	from := x.clientEnd
	if x.lastPart.After(from) {
		from = x.lastPart
	}
	until := from.Add(x.srv.limits.WriteTimeout)
	if !now.Before(until) {
		return nil, nil, false
	}
	wctx, cancel := context.WithDeadline(x.srv.closing, until)
	if conn != nil {
		unhook := context.AfterFunc(conn, cancel)
		return wctx, func() { unhook(); cancel() }, true
	}
	return wctx, cancel, true
}

// handlerEnd returns how the handler ended, if it has: what it sent on
// signal.
func (x *exchange) handlerEnd() (any, bool) { return x.hSig.TryRecv() }

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// bodyItem is a chunk of the request body, or (end) its end and why.
type bodyItem struct {
	data []byte
	err  error // with end: nil after the whole body, else what went wrong
	end  bool
}

// startBody reads the request body in a goroutine of the request's own into
// the exchange's "_body" inbox, four chunks ahead at most. The exchange is
// driven by the request's goroutine, as a Handle is, not run by a
// scheduler, so the reader is the request's goroutine too and not a
// component's (Core.Go): stopBody waits for it.
func (x *exchange) startBody() {
	_ = x.rc.EnableFullDuplex() // read the body while the response goes out
	body := x.r.Body
	if max := x.srv.limits.MaxBodyBytes; max > 0 {
		body = http.MaxBytesReader(x.w, body, max)
	}
	ctx, cancel := context.WithCancel(context.Background())
	x.bodyCut, x.bodyEnd = cancel, make(chan struct{})
	go func() {
		defer close(x.bodyEnd)
		for {
			buf := make([]byte, 32<<10)
			n, err := body.Read(buf)
			if n > 0 && x.bodyOut.Send(ctx, bodyItem{data: buf[:n]}) != nil {
				return
			}
			if err != nil {
				if err == io.EOF {
					err = nil
				}
				_ = x.bodyOut.Send(ctx, bodyItem{err: err, end: true})
				return
			}
		}
	}()
}

// stopBody ends the body reader; a read still blocked on the client is cut
// by a read deadline (net/http then closes the connection).
func (x *exchange) stopBody() {
	x.bodyCut()
	select {
	case <-x.bodyEnd:
		return
	default:
	}
	_ = x.rc.SetReadDeadline(time.Now())
	<-x.bodyEnd
}

func (x *exchange) writeParts() bool {
	for {
		p, ok := x.fromH.TryRecv()
		if !ok {
			return false
		}
		if !x.clientEnd.IsZero() {
			x.lastPart = time.Now()
		}
		if done := x.write(p); done {
			return true
		}
	}
}

func (x *exchange) deadline() {
	_ = x.rc.SetWriteDeadline(time.Now().Add(x.srv.limits.WriteTimeout))
}

// write writes one part; it reports whether the exchange is over.
func (x *exchange) write(p Part) bool {
	switch p := p.(type) {
	case Resource:
		if x.started {
			x.fail("web: the handler sent a second Resource")
			return true
		}
		h := x.w.Header()
		for k, vs := range p.Headers {
			h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
		}
		if p.Type != "" {
			t := p.Type
			if p.Charset != "" {
				t += "; charset=" + p.Charset
			}
			h.Set("Content-Type", t)
		}
		if p.LengthKnown {
			h.Set("Content-Length", fmt.Sprint(p.Length))
			x.length = p.Length
		}
		status := p.Status
		if status == 0 {
			status = http.StatusOK
		}
		x.started = true
		x.deadline()
		x.w.WriteHeader(status)
		return x.writeData(p.Data)
	case Chunk:
		if !x.started {
			x.fail("web: the handler sent a Chunk before its Resource")
			return true
		}
		return x.writeData(p)
	case Abort:
		x.fail("web: the handler failed: %v", p.Err)
		return true
	case End:
		if !x.started {
			x.fail("web: the handler sent End before its Resource")
			return true
		}
		x.finish()
		return true
	case nil:
		x.fail("web: the handler sent a nil Part")
		return true
	}
	x.fail("web: the handler sent a %T", p)
	return true
}

func (x *exchange) writeData(b []byte) bool {
	if x.session && x.length >= 0 && !x.freed {
		x.sent += int64(len(b))
		if x.sent >= x.length {
			// These bytes complete the response: its client would take it
			// as whole and may ask the session again at once, while the
			// session is busy with this request until its End, and would
			// be refused as busy. They go out in finish, once the session
			// is free. (Copied: the session may reuse its buffer then.)
			x.held = append(x.held, b...)
			return false
		}
	}
	x.deadline()
	if len(b) > 0 {
		if _, err := x.w.Write(b); err != nil {
			x.abort = true
			return true
		}
	}
	if err := x.rc.Flush(); err != nil {
		x.abort = true
		return true
	}
	return false
}

// finish ends a response the handler finished: a session is unlinked and
// set free, then what writeData held back is written.
func (x *exchange) finish() {
	if x.session {
		x.unlink()
		x.release()
		x.freed = true
	}
	if held := x.held; len(held) > 0 {
		x.held = nil
		x.writeData(held)
	}
}

// fail answers 500 if the response has not begun, else marks it to be cut.
func (x *exchange) fail(format string, args ...any) {
	if x.started {
		x.abort = true
		return
	}
	x.started = true
	http.Error(x.w, fmt.Sprintf(format, args...), http.StatusInternalServerError)
}
