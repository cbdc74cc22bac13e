package xmlparse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/kamaelia-go/kamaelia/axon"
)

// consume hands fn each event that arrives on in, in order, until the
// input ends (ProducerFinished: nil), Shutdown (ctx's error), fn fails, or a
// *axon.Failure arrives on control: the parser upstream failed, and its
// failure is the reader's error.
func consume(ctx context.Context, c *axon.Core, in *axon.Inbox[Event], fn func(Event) error) error {
	// finishing is what TakeControl reported when it took the control
	// messages: Finishing asked after the inbox was found empty could tell
	// of a ProducerFinished that came since, with events sent before it
	// still waiting (see axon's Core.Finishing).
	finishing := false
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if v, ok := in.TryRecv(); ok {
			if err := fn(v); err != nil {
				return err
			}
			continue
		}
		if c.Control().Len() > 0 {
			st := c.TakeControl(nil)
			if st.Failure != nil {
				return fmt.Errorf("xmlparse: the input failed: %w", st.Failure)
			}
			finishing = finishing || st.Finishing
			continue
		}
		if finishing {
			return nil
		}
		if err := c.WaitFor(ctx, in, c.Control()); err != nil {
			return err
		}
	}
}

// Edit is one edit of an edit decision list: source frames Start to End
// (inclusive, numbered from 0) of the file FileID, cropped to the
// rectangle from (Left, Top) to (Right, Bottom) in pixels, (0,0) the top
// left corner and Right, Bottom the right and bottom bounds.
type Edit struct {
	FileID                   string
	Start, End               int
	Left, Top, Right, Bottom int
}

// String returns the edit as "FILE: frames S..E, crop L,T-R,B" (without
// "FILE: " when FileID is empty).
func (e Edit) String() string {
	s := fmt.Sprintf("frames %d..%d, crop %d,%d-%d,%d", e.Start, e.End, e.Left, e.Top, e.Right, e.Bottom)
	if e.FileID != "" {
		s = e.FileID + ": " + s
	}
	return s
}

// Frames returns how many frames the edit gives.
func (e Edit) Frames() int { return e.End - e.Start + 1 }

// Contains reports whether source frame n is in the edit.
func (e Edit) Contains(n int) bool { return n >= e.Start && n <= e.End }

// EDLError is an edit decision list that is not valid: Edit is the number
// of the edit at fault, counting from 1 (0: the list as a whole).
type EDLError struct {
	Edit int
	Msg  string
}

// Error names the edit.
func (e *EDLError) Error() string {
	if e.Edit == 0 {
		return "xmlparse: EDL: " + e.Msg
	}
	return fmt.Sprintf("xmlparse: EDL edit %d: %s", e.Edit, e.Msg)
}

// edlState reads an edit decision list from parser events:
//
//	<EDL><FileID>name</FileID>
//	  <Edit><Start frame="0"/><End frame="24"/><Crop x1="0" y1="0" x2="400" y2="100"/></Edit>
//	  ...
//	</EDL>
type edlState struct {
	depth    int
	inFileID bool
	fileID   strings.Builder
	n        int   // edits begun
	cur      *Edit // the edit being read
	have     map[string]bool
	done     bool // </EDL> seen
}

func (s *edlState) fail(format string, args ...any) error {
	return &EDLError{Edit: s.n, Msg: fmt.Sprintf(format, args...)}
}

func (s *edlState) ints(e StartElement, dst ...any) error {
	for i := 0; i < len(dst); i += 2 {
		name := dst[i].(string)
		v, ok := e.Attr[name]
		if !ok {
			return s.fail("<%s> has no %s attribute", e.Name, name)
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return s.fail("<%s %s=%q>: want a whole number >= 0", e.Name, name, v)
		}
		*dst[i+1].(*int) = n
	}
	return nil
}

// feed takes one event and returns the edit it completes, if any.
func (s *edlState) feed(ev Event) (*Edit, error) {
	switch e := ev.(type) {
	case StartElement:
		s.depth++
		switch {
		case s.depth == 1:
			if e.Name != "EDL" {
				return nil, s.fail("the root element is <%s>, want <EDL>", e.Name)
			}
		case s.depth == 2 && e.Name == "FileID":
			s.inFileID = true
		case s.depth == 2 && e.Name == "Edit":
			s.n++
			s.cur = &Edit{FileID: strings.TrimSpace(s.fileID.String())}
			s.have = map[string]bool{}
			if s.cur.FileID == "" {
				return nil, s.fail("no <FileID> before it")
			}
		case s.depth == 3 && s.cur != nil:
			if s.have[e.Name] {
				return nil, s.fail("two <%s> elements", e.Name)
			}
			s.have[e.Name] = true
			switch e.Name {
			case "Start":
				return nil, s.ints(e, "frame", &s.cur.Start)
			case "End":
				return nil, s.ints(e, "frame", &s.cur.End)
			case "Crop":
				return nil, s.ints(e, "x1", &s.cur.Left, "y1", &s.cur.Top, "x2", &s.cur.Right, "y2", &s.cur.Bottom)
			}
			return nil, s.fail("unexpected <%s>", e.Name)
		default:
			return nil, s.fail("unexpected <%s>", e.Name)
		}
	case CharData:
		if s.inFileID {
			s.fileID.WriteString(e.Text)
		}
	case EndElement:
		s.depth--
		switch {
		case s.depth == 0:
			s.done = true
		case s.depth == 1 && s.inFileID:
			s.inFileID = false
		case s.depth == 1 && s.cur != nil:
			edit := s.cur
			s.cur = nil
			for _, need := range []string{"Start", "End", "Crop"} {
				if !s.have[need] {
					return nil, s.fail("no <%s>", need)
				}
			}
			if edit.End < edit.Start {
				return nil, s.fail("End frame %d is before Start frame %d", edit.End, edit.Start)
			}
			if edit.Right <= edit.Left || edit.Bottom <= edit.Top {
				return nil, s.fail("empty crop (%d,%d)-(%d,%d)", edit.Left, edit.Top, edit.Right, edit.Bottom)
			}
			return edit, nil
		}
	}
	return nil, nil
}

// end checks the list is complete once the input has ended.
func (s *edlState) end() error {
	if !s.done {
		return &EDLError{Msg: "the input ended before </EDL>"}
	}
	if s.n == 0 {
		return &EDLError{Msg: "no <Edit>"}
	}
	return nil
}

// EDLReader reads an edit decision list from Parser's events and sends its
// edits, in list order (the reframer's EDLParser). The list is XML:
//
//	<EDL>
//	  <FileID>interview.mp4</FileID>
//	  <Edit>
//	    <Start frame="0"/> <End frame="24"/>
//	    <Crop x1="0" y1="0" x2="400" y2="100"/>
//	  </Edit>
//	  ...
//	</EDL>
//
// Boxes:
//
//	inbox   (Event)  a Parser's events
//	control (any)    ProducerFinished, Shutdown, or the parser's *axon.Failure
//	outbox  (Edit)   each edit, as soon as its </Edit> arrives
//	signal  (any)    how it ended
//
// Start and End frames are inclusive, numbered from 0; End before Start, a
// missing element or attribute, or a crop with no area is an *EDLError
// naming the edit.
//
// Example:
//
//	edits, err := chassis.NewPipeline(xmlparse.NewParser[[]byte](), xmlparse.NewEDLReader())
//
// Shutdown: ProducerFinished on control makes it read the events waiting
// and end, with ProducerFinished if a whole list with at least one edit
// arrived, with an *EDLError otherwise. A *axon.Failure on control (the
// parser's, when its signal is linked to this control) ends it with an
// error wrapping that failure. Shutdown stops it at once.
type EDLReader struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[Event]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[Edit]
}

// NewEDLReader returns an EDLReader.
func NewEDLReader() *EDLReader {
	r := &EDLReader{}
	r.In = axon.NewInbox[Event](r, "inbox")
	r.Out = axon.NewOutbox[Edit](r, "outbox")
	return r
}

// Main reads the list until its input ends.
func (r *EDLReader) Main(ctx context.Context) error {
	var s edlState
	err := consume(ctx, &r.Core, r.In, func(ev Event) error {
		edit, err := s.feed(ev)
		if err != nil || edit == nil {
			return err
		}
		return r.Out.Send(ctx, *edit)
	})
	if err != nil {
		return err
	}
	return s.end()
}

// ReadEDL reads a whole edit decision list from r, for plain Go code: the
// edits EDLReader would send, or its error (or Parser's *SyntaxError).
func ReadEDL(r io.Reader) ([]Edit, error) {
	evs, err := Events(r)
	if err != nil {
		return nil, err
	}
	var s edlState
	var edits []Edit
	for _, ev := range evs {
		edit, err := s.feed(ev)
		if err != nil {
			return nil, err
		}
		if edit != nil {
			edits = append(edits, *edit)
		}
	}
	return edits, s.end()
}

// Slide is one slide of a graph-slides document: the topology commands of
// its text, one per non-blank line, each split into tokens.
type Slide struct {
	// Number counts the slides from 1.
	Number int
	// Attr holds the <slide> element's attributes (a title, say).
	Attr map[string]string
	// Commands are the slide's lines, each split into tokens at spaces and
	// tabs; single or double quotes make one token of what they enclose,
	// as the TopologyViewer's command lines do: ADD NODE 1 "Web server"
	// auto - gives [ADD NODE 1 Web server auto -].
	Commands [][]string
}

// ErrQuote is wrapped by the error of a slide line with an unclosed quote.
var ErrQuote = errors.New("xmlparse: unclosed quote")

// Tokens splits a command line into tokens the way Slide.Commands are
// split.
func Tokens(line string) ([]string, error) {
	var toks []string
	var cur strings.Builder
	inTok := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inTok = r, true
		case unicode.IsSpace(r):
			if inTok {
				toks = append(toks, cur.String())
				cur.Reset()
				inTok = false
			}
		default:
			cur.WriteRune(r)
			inTok = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("%w in %q", ErrQuote, line)
	}
	if inTok {
		toks = append(toks, cur.String())
	}
	return toks, nil
}

// slidesState reads <graphslides><slide>commands</slide>...</graphslides>.
type slidesState struct {
	depth int
	cur   *Slide
	text  strings.Builder
	n     int
	done  bool
}

func (s *slidesState) feed(ev Event) (*Slide, error) {
	switch e := ev.(type) {
	case StartElement:
		s.depth++
		switch {
		case s.depth == 1 && e.Name != "graphslides":
			return nil, fmt.Errorf("xmlparse: graph slides: the root element is <%s>, want <graphslides>", e.Name)
		case s.depth == 2 && e.Name == "slide":
			s.n++
			s.cur = &Slide{Number: s.n, Attr: e.Attr}
			s.text.Reset()
		case s.depth >= 2:
			return nil, fmt.Errorf("xmlparse: graph slides: slide %d: unexpected <%s>", s.n+1, e.Name)
		}
	case CharData:
		if s.cur != nil {
			s.text.WriteString(e.Text)
		}
	case EndElement:
		s.depth--
		if s.depth == 0 {
			s.done = true
		}
		if s.depth == 1 && s.cur != nil {
			slide := s.cur
			s.cur = nil
			slide.Commands = [][]string{}
			for line := range strings.Lines(s.text.String()) {
				toks, err := Tokens(line)
				if err != nil {
					return nil, fmt.Errorf("xmlparse: graph slides: slide %d: %w", slide.Number, err)
				}
				if len(toks) > 0 {
					slide.Commands = append(slide.Commands, toks)
				}
			}
			return slide, nil
		}
	}
	return nil, nil
}

// SlidesReader reads a graph-slides document from Parser's events and
// sends each slide's topology commands (the presentation tool's
// GraphSlides). The document is
//
//	<graphslides>
//	  <slide title="one">
//	    ADD NODE 1 Kamaelia auto -
//	    ADD NODE 2 "Go port" auto -
//	    ADD LINK 1 2
//	  </slide>
//	  <slide> DEL ALL </slide>
//	</graphslides>
//
// Boxes:
//
//	inbox   (Event)  a Parser's events
//	control (any)    ProducerFinished, Shutdown, or the parser's *axon.Failure
//	outbox  (Slide)  each slide, as soon as its </slide> arrives
//	signal  (any)    how it ended
//
// Slides go out one at a time with back-pressure: a viewer that links
// outbox to an inbox of capacity 1 and takes a slide when the presenter
// asks for the next one paces the reader.
//
// Example:
//
//	slides := xmlparse.NewSlidesReader()
//
// Shutdown: ProducerFinished on control makes it read the events waiting
// and end, with ProducerFinished if </graphslides> arrived, with an error
// otherwise. A *axon.Failure on control ends it with an error wrapping it.
// Shutdown stops it at once.
type SlidesReader struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[Event]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[Slide]
}

// NewSlidesReader returns a SlidesReader.
func NewSlidesReader() *SlidesReader {
	r := &SlidesReader{}
	r.In = axon.NewInbox[Event](r, "inbox")
	r.Out = axon.NewOutbox[Slide](r, "outbox")
	return r
}

// Main reads slides until the input ends.
func (r *SlidesReader) Main(ctx context.Context) error {
	var s slidesState
	err := consume(ctx, &r.Core, r.In, func(ev Event) error {
		slide, err := s.feed(ev)
		if err != nil || slide == nil {
			return err
		}
		return r.Out.Send(ctx, *slide)
	})
	if err != nil {
		return err
	}
	if !s.done {
		return errors.New("xmlparse: graph slides: the input ended before </graphslides>")
	}
	return nil
}
