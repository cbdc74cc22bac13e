// Package xmlparse has the XML components of kamaelia-go: Parser, a
// streaming parser that turns XML text arriving in chunks of any size into
// typed events (Kamaelia's SimpleXMLParser), and readers built on its
// events: EDLReader for the reframer's edit decision lists and
// SlidesReader for graph slides (topology commands, one list per slide).
//
// The tokens come from encoding/xml's Decoder; the package adds the
// component around it, not a parser of its own.
package xmlparse

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Bytes is the type of the chunks of XML text Parser takes.
type Bytes interface{ ~string | ~[]byte }

// Event is one thing Parser reports about the document: StartDocument,
// StartElement, CharData, EndElement or EndDocument.
type Event interface{ xmlEvent() }

// StartDocument is the first event of a document, sent when its first
// bytes arrive (Kamaelia's ("document",)).
type StartDocument struct{}

// EndDocument is the last event of a document, sent when the input ended
// (ProducerFinished) after a complete document (Kamaelia's ("/document",)).
type EndDocument struct{}

// StartElement is an opening tag (Kamaelia's ("element", name, attrs)).
type StartElement struct {
	// Name is the element's local name; Space its namespace URL, "" if none.
	Name, Space string
	// Attr maps each attribute's name to its value: the local name for an
	// attribute without a namespace, "space:local" (space the namespace URL)
	// for one with. Namespace declarations (xmlns) are included as written.
	Attr map[string]string
}

// CharData is text between tags (Kamaelia's ("chars", text)). The text of
// an element may come in several CharData events (around comments, CDATA
// sections, or where the decoder chose to cut it); whitespace is kept.
type CharData struct{ Text string }

// EndElement is a closing tag (Kamaelia's ("/element", name)); for an
// empty element <a/> it follows its StartElement at once.
type EndElement struct{ Name, Space string }

func (StartDocument) xmlEvent() {}
func (EndDocument) xmlEvent()   {}
func (StartElement) xmlEvent()  {}
func (CharData) xmlEvent()      {}
func (EndElement) xmlEvent()    {}

// SyntaxError is malformed XML: what is wrong and where, counting lines
// and columns from 1 (a column counts bytes). errors.As finds it in the
// *axon.Failure Parser ends with.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

// Error names the line and column.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("xmlparse: line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// ErrNoRoot is wrapped by the error of a document that ended before it had
// an element.
var ErrNoRoot = errors.New("xmlparse: document has no root element")

// batchSize is how many events Parser gathers before it sends them as one
// batch; whatever it has is sent before it waits for more input.
const batchSize = 64

// Parser parses the XML document it is sent in chunks and sends its events
// (Kamaelia's SimpleXMLParser, with typed events instead of tuples).
//
// Boxes:
//
//	inbox   (T)      XML text, split anywhere (even inside a tag or a
//	                 UTF-8 sequence)
//	control (any)    ProducerFinished, Shutdown
//	outbox  (Event)  StartDocument, then StartElement, CharData and
//	                 EndElement in document order, then EndDocument
//	signal  (any)    how it ended
//
// Events go out in batches with back-pressure: when the receiver's inbox is
// full the parser waits, so it stops taking text, and nothing is lost or
// reordered. Every event parsed is sent before the parser waits for more
// text, so a receiver sees an element as soon as its tag has arrived
// (text, as soon as the tag after it has begun). Comments, processing
// instructions and directives (<!DOCTYPE ...>) are read and not reported.
// Entities are expanded; the standard ones and character references only.
// Text is UTF-8 unless the XML declaration names ISO-8859-1 (Latin-1, as
// Kamaelia's tools wrote their lists) or ASCII; events always carry UTF-8,
// and any other declared encoding is a *SyntaxError naming it.
//
// Example:
//
//	p := xmlparse.NewParser[[]byte]()
//	// link a file reader's outbox to p.In, p.Out to an EDLReader's inbox
//
// Shutdown: ProducerFinished on control makes it parse what is waiting,
// send the rest of the events, then EndDocument, and end with
// ProducerFinished; if the document is incomplete there it ends with a
// *SyntaxError instead, and no EndDocument. Shutdown stops it at once, with
// no EndDocument. Malformed XML ends it with a *SyntaxError naming line and
// column (in an *axon.Failure on signal), after every event before the
// fault has been sent.
type Parser[T Bytes] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[T]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[Event]
}

// NewParser returns a Parser for chunks of type T.
func NewParser[T Bytes]() *Parser[T] {
	p := &Parser[T]{}
	p.In = axon.NewInbox[T](p, "inbox")
	p.Out = axon.NewOutbox[Event](p, "outbox")
	return p
}

// feeder is the io.Reader under the decoder: it takes chunks from the
// parser's inbox, sending the events gathered before it waits for one.
type feeder[T Bytes] struct {
	ctx     context.Context
	p       *Parser[T]
	buf     []byte
	pending []Event
	started bool
	err     error // a send's error: the decoder sees it as a read error
}

func (f *feeder[T]) flush() error {
	if len(f.pending) == 0 {
		return nil
	}
	err := f.p.Out.SendBatch(f.ctx, f.pending)
	clear(f.pending)
	f.pending = f.pending[:0]
	return err
}

func (f *feeder[T]) add(ev Event) error {
	f.pending = append(f.pending, ev)
	if len(f.pending) >= batchSize {
		return f.flush()
	}
	return nil
}

func (f *feeder[T]) Read(b []byte) (int, error) {
	for len(f.buf) == 0 {
		if !f.p.In.DataReady() {
			if err := f.flush(); err != nil {
				f.err = err
				return 0, err
			}
		}
		v, err := f.p.In.Recv(f.ctx)
		if errors.Is(err, axon.ErrFinished) {
			return 0, io.EOF
		}
		if err != nil {
			f.err = err
			return 0, err
		}
		f.buf = []byte(v)
		if len(f.buf) > 0 && !f.started {
			f.started = true
			if err := f.add(StartDocument{}); err != nil {
				f.err = err
				return 0, err
			}
		}
	}
	n := copy(b, f.buf)
	f.buf = f.buf[n:]
	return n, nil
}

// Main parses until the input ends, the XML is malformed, or Shutdown.
func (p *Parser[T]) Main(ctx context.Context) error {
	f := &feeder[T]{ctx: ctx, p: p, pending: make([]Event, 0, batchSize)}
	d := xml.NewDecoder(f)
	d.CharsetReader = charsetReader
	sawRoot := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if !sawRoot {
				if err := f.flush(); err != nil {
					return err
				}
				return ErrNoRoot
			}
			if err := f.add(EndDocument{}); err != nil {
				return err
			}
			return f.flush()
		}
		if err != nil {
			if f.err != nil {
				return f.err // Shutdown, or the receiver went away
			}
			if ferr := f.flush(); ferr != nil {
				return ferr
			}
			return syntaxError(d, err)
		}
		ev := eventOf(tok)
		if ev == nil {
			continue
		}
		if _, ok := ev.(StartElement); ok {
			sawRoot = true
		}
		if err := f.add(ev); err != nil {
			return err
		}
	}
}

// eventOf turns a decoder token into an event; nil for the tokens Parser
// does not report.
func eventOf(tok xml.Token) Event {
	switch t := tok.(type) {
	case xml.StartElement:
		attr := make(map[string]string, len(t.Attr))
		for _, a := range t.Attr {
			k := a.Name.Local
			if a.Name.Space != "" {
				k = a.Name.Space + ":" + k
			}
			attr[k] = a.Value
		}
		return StartElement{Name: t.Name.Local, Space: t.Name.Space, Attr: attr}
	case xml.EndElement:
		return EndElement{Name: t.Name.Local, Space: t.Name.Space}
	case xml.CharData:
		return CharData{Text: string(t)}
	}
	return nil
}

// Events parses a whole document from r and returns its events, the way
// Parser would send them: for plain Go code (and tests) that has the
// document at hand. The error is a *SyntaxError or wraps ErrNoRoot, or is
// r's.
func Events(r io.Reader) ([]Event, error) {
	sr := &startReader{r: r}
	d := xml.NewDecoder(sr)
	d.CharsetReader = charsetReader
	var evs []Event
	sawRoot, sentStart := false, false
	for {
		tok, err := d.Token()
		// Parser sends StartDocument when the first bytes arrive, before
		// it knows whether they make a token.
		if sr.started && !sentStart {
			evs, sentStart = append(evs, StartDocument{}), true
		}
		if err == io.EOF {
			if !sawRoot {
				return evs, ErrNoRoot
			}
			return append(evs, EndDocument{}), nil
		}
		if err != nil {
			if sr.err != nil {
				return evs, sr.err
			}
			return evs, syntaxError(d, err)
		}
		if ev := eventOf(tok); ev != nil {
			if _, ok := ev.(StartElement); ok {
				sawRoot = true
			}
			evs = append(evs, ev)
		}
	}
}

// syntaxError is the decoder's error err (not a read error) with the
// decoder's position.
func syntaxError(d *xml.Decoder, err error) *SyntaxError {
	line, col := d.InputPos()
	msg := err.Error()
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		msg = se.Msg
	}
	return &SyntaxError{Line: line, Column: col, Msg: msg}
}

// startReader notes whether any bytes were read, and a read error other
// than io.EOF.
type startReader struct {
	r       io.Reader
	started bool
	err     error
}

func (s *startReader) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	if n > 0 {
		s.started = true
	}
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}
