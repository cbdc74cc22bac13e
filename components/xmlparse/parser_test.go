package xmlparse

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// chunks cuts s into pieces of n bytes.
func chunks(s string, n int) []string {
	var out []string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	return append(out, s)
}

// merged joins adjacent CharData events: the decoder may cut text where it
// likes, so only the joined text is compared.
func merged(evs []Event) []Event {
	var out []Event
	for _, ev := range evs {
		if c, ok := ev.(CharData); ok && len(out) > 0 {
			if prev, ok := out[len(out)-1].(CharData); ok {
				out[len(out)-1] = CharData{Text: prev.Text + c.Text}
				continue
			}
		}
		out = append(out, ev)
	}
	return out
}

func sample(t testing.TB, name string) string {
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(b)
}

func TestParserEventsDoNotDependOnChunking(t *testing.T) {
	doc := sample(t, "sample.edl")
	whole := axontest.Run[string, Event](t, NewParser[string](), doc)
	require.NoError(t, whole.Err)
	require.Equal(t, []any{axon.ProducerFinished{}}, whole.Signals)
	evs := whole.Outputs
	require.Equal(t, StartDocument{}, evs[0])
	require.Equal(t, EndDocument{}, evs[len(evs)-1])
	assert.Contains(t, evs, StartElement{Name: "Crop", Attr: map[string]string{"x1": "80", "y1": "40", "x2": "480", "y2": "140"}})
	assert.Contains(t, evs, CharData{Text: "interview.mp4"})

	for _, n := range []int{1, 7, 100} {
		byN := axontest.Run[[]byte, Event](t, NewParser[[]byte](), func() [][]byte {
			var bs [][]byte
			for _, c := range chunks(doc, n) {
				bs = append(bs, []byte(c))
			}
			return bs
		}()...)
		require.NoError(t, byN.Err)
		assert.Equal(t, merged(evs), merged(byN.Outputs), "chunks of %d bytes", n)
	}
	fromEvents, err := Events(strings.NewReader(doc))
	require.NoError(t, err)
	assert.Equal(t, merged(evs), merged(fromEvents))
}

func TestParserSplitsInsideAUTF8Sequence(t *testing.T) {
	doc := `<p title="café">naïve ☃</p>`
	res := axontest.Run[[]byte, Event](t, NewParser[[]byte](), []byte(doc[:12]), []byte(doc[12:13]), []byte(doc[13:26]), []byte(doc[26:]))
	require.NoError(t, res.Err)
	assert.Equal(t, []Event{StartDocument{}, StartElement{Name: "p", Attr: map[string]string{"title": "café"}}, CharData{Text: "naïve ☃"}, EndElement{Name: "p"}, EndDocument{}}, merged(res.Outputs))
}

func TestParserNamespacesAndEntities(t *testing.T) {
	doc := `<r xmlns:k="urn:k"><k:a k:x="1" y="&lt;2&gt;">a&amp;b<![CDATA[<c>]]></k:a><!-- skipped --><?pi skipped?></r>`
	res := axontest.Run[string, Event](t, NewParser[string](), doc)
	require.NoError(t, res.Err)
	assert.Equal(t, []Event{
		StartDocument{},
		StartElement{Name: "r", Attr: map[string]string{"xmlns:k": "urn:k"}},
		StartElement{Name: "a", Space: "urn:k", Attr: map[string]string{"urn:k:x": "1", "y": "<2>"}},
		CharData{Text: "a&b<c>"},
		EndElement{Name: "a", Space: "urn:k"},
		EndElement{Name: "r"},
		EndDocument{},
	}, merged(res.Outputs))
}

func TestParserShutdownStopsWithoutEndDocument(t *testing.T) {
	res := axontest.RunControl[string, Event](t, NewParser[string](), []string{"<a><b>x</b>"}, axon.Shutdown{})
	require.NoError(t, res.Err)
	assert.NotContains(t, res.Outputs, EndDocument{})
	require.Len(t, res.Signals, 1)
	assert.IsType(t, axon.Shutdown{}, res.Signals[0])
}

func TestParserProducerFinishedOnIncompleteDocumentIsAnError(t *testing.T) {
	res := axontest.Run[string, Event](t, NewParser[string](), "<a><b>x</b>")
	var se *SyntaxError
	require.ErrorAs(t, res.Err, &se)
	assert.Contains(t, se.Msg, "unexpected EOF")
	assert.Equal(t, []Event{StartDocument{}, StartElement{Name: "a", Attr: map[string]string{}}, StartElement{Name: "b", Attr: map[string]string{}}, CharData{Text: "x"}, EndElement{Name: "b"}}, merged(res.Outputs))
	assert.NotContains(t, res.Outputs, EndDocument{})
}

func TestParserEmptyInputHasNoRoot(t *testing.T) {
	res := axontest.Run[string, Event](t, NewParser[string]())
	require.ErrorIs(t, res.Err, ErrNoRoot)
	assert.Empty(t, res.Outputs)
}

func TestParserMalformedNamesLineAndColumnAfterEarlierEvents(t *testing.T) {
	doc := "<a>\n  <b>text</b>\n  <c>oops</d>\n</a>"
	res := axontest.Run[string, Event](t, NewParser[string](), chunks(doc, 5)...)
	require.Error(t, res.Err)
	var f *axon.Failure
	require.True(t, errors.As(res.Signals[len(res.Signals)-1].(error), &f), "the failure is on signal: %v", res.Signals)
	var se *SyntaxError
	require.ErrorAs(t, f, &se)
	assert.Equal(t, 3, se.Line)
	assert.Equal(t, 14, se.Column, "just after </d>")
	assert.Contains(t, se.Error(), "line 3, column 14")
	assert.Contains(t, se.Msg, "element <c> closed by </d>")
	want := []Event{
		StartDocument{},
		StartElement{Name: "a", Attr: map[string]string{}}, CharData{Text: "\n  "},
		StartElement{Name: "b", Attr: map[string]string{}}, CharData{Text: "text"}, EndElement{Name: "b"},
		CharData{Text: "\n  "}, StartElement{Name: "c", Attr: map[string]string{}}, CharData{Text: "oops"},
	}
	assert.Equal(t, want, merged(res.Outputs))
}

// slowSink takes one message each time it is told to, into an inbox of
// capacity 1: the parser must wait for it.
type slowSink struct {
	axon.Core
	In   *axon.Inbox[Event]
	take chan struct{}
	got  chan Event
}

func (s *slowSink) Main(ctx context.Context) error {
	for {
		select {
		case <-s.take:
		case <-ctx.Done():
			return ctx.Err()
		}
		ev, err := s.In.Recv(ctx)
		if err != nil {
			return err
		}
		s.got <- ev
		if _, ok := ev.(EndDocument); ok {
			return nil
		}
	}
}

func TestParserHonoursBackPressure(t *testing.T) {
	var doc strings.Builder
	doc.WriteString("<list>")
	for i := range 300 {
		fmt.Fprintf(&doc, `<item n="%d">%d</item>`, i, i)
	}
	doc.WriteString("</list>")
	want, err := Events(strings.NewReader(doc.String()))
	require.NoError(t, err)

	s := axontest.NewScheduler(t)
	p := NewParser[string]()
	sink := &slowSink{take: make(chan struct{}), got: make(chan Event)}
	sink.In = axon.NewInbox[Event](sink, "inbox")
	sink.In.SetCapacity(1)
	_, err = axon.Link(p.Out, sink.In)
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, p, "inbox", "control", "signal")
	s.Activate(sink)
	ctx := axontest.Context(t)
	// The parser's own inbox is bounded too: the feeding waits for it.
	fed := make(chan error, 1)
	go func() {
		for _, c := range chunks(doc.String(), 50) {
			if err := h.Put(ctx, "inbox", c); err != nil {
				fed <- err
				return
			}
		}
		fed <- h.Finish(ctx)
	}()
	var got []Event
	for range want {
		select {
		case sink.take <- struct{}{}:
		case <-ctx.Done():
			t.Fatalf("the sink stopped after %d events", len(got))
		}
		if len(got) == 10 {
			// 11 events out of 600: the parser is waiting for room.
			assert.Equal(t, axon.Running, p.State(), "the parser waits for the slow sink")
			assert.LessOrEqual(t, sink.In.Len(), 1)
		}
		got = append(got, <-sink.got)
	}
	assert.Equal(t, merged(want), merged(got))
	require.NoError(t, <-fed)
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.ProducerFinished{}, sig)
	<-sink.Done()
}

func FuzzParser(f *testing.F) {
	f.Add([]byte("<a x='1'>t<b/>u</a>"), uint8(3))
	f.Add([]byte("<a><b></a>"), uint8(1))
	f.Add([]byte(`<?xml version="1.0"?><r><![CDATA[x]]><!--c--></r>`), uint8(7))
	f.Add([]byte("<a>caf\xc3\xa9</a>"), uint8(5))
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"latin1\"?><a b=\"\xe9\">caf\xe9 \xff</a>"), uint8(2))
	f.Fuzz(func(t *testing.T, doc []byte, size uint8) {
		n := int(size%32) + 1
		var pieces [][]byte
		for p := doc; len(p) > 0; {
			k := min(n, len(p))
			pieces = append(pieces, p[:k])
			p = p[k:]
		}
		res := axontest.Run[[]byte, Event](t, NewParser[[]byte](), pieces...)
		want, werr := Events(bytes.NewReader(doc))
		if werr == nil {
			if res.Err != nil {
				t.Fatalf("Events parsed it, the component failed: %v", res.Err)
			}
			if !equalEvents(merged(want), merged(res.Outputs)) {
				t.Fatalf("events differ:\n%v\n%v", want, res.Outputs)
			}
			return
		}
		if res.Err == nil {
			t.Fatalf("Events failed (%v), the component did not", werr)
		}
		var se1, se2 *SyntaxError
		if errors.As(werr, &se1) != errors.As(res.Err, &se2) || (se1 != nil && *se1 != *se2) {
			t.Fatalf("errors differ: %v, %v", werr, res.Err)
		}
		if !equalEvents(merged(want), merged(res.Outputs)) {
			t.Fatalf("events before the error differ:\n%v\n%v", want, res.Outputs)
		}
	})
}

func equalEvents(a, b []Event) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

// bigDocument is a generated document of about size bytes.
func bigDocument(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?><catalogue>`)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "\n <item id=\"%d\" kind=\"clip\"><title>Programme %d</title><start frame=\"%d\"/><note>some &amp; text</note></item>", i, i, i*25)
	}
	b.WriteString("\n</catalogue>\n")
	return b.Bytes()
}

const benchSize = 8 << 20

// BenchmarkDecoder is the baseline: encoding/xml's Decoder reading every
// token of the document and copying what the Parser would send.
func BenchmarkDecoder(b *testing.B) {
	doc := bigDocument(benchSize)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		d := xml.NewDecoder(bytes.NewReader(doc))
		n := 0
		for {
			tok, err := d.Token()
			if err != nil {
				break
			}
			if eventOf(tok) != nil {
				n++
			}
		}
		if n == 0 {
			b.Fatal("no tokens")
		}
	}
}

// BenchmarkParser is the Parser component fed 64 KiB chunks, its events
// taken by a Handle.
func BenchmarkParser(b *testing.B) {
	doc := bigDocument(benchSize)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		s := axon.NewScheduler()
		p := NewParser[[]byte]()
		h, err := axon.NewHandle(s, p, "inbox", "control")
		if err != nil {
			b.Fatal(err)
		}
		sink := &countSink{}
		sink.In = axon.NewInbox[Event](sink, "inbox")
		axon.MustLink(p.Out, sink.In)
		s.Activate(sink)
		ctx := context.Background()
		go func() {
			for _, c := range chunks(string(doc), 64<<10) {
				_ = h.Put(ctx, "inbox", []byte(c))
			}
			_ = h.Finish(ctx)
		}()
		<-sink.Done()
		if sink.n == 0 || !sink.end {
			b.Fatalf("%d events, end %v", sink.n, sink.end)
		}
	}
}

type countSink struct {
	axon.Core
	In  *axon.Inbox[Event]
	n   int
	end bool
}

func (c *countSink) Main(ctx context.Context) error {
	buf := make([]Event, 0, batchSize)
	for {
		var err error
		buf, err = c.In.RecvBatch(ctx, buf[:0], batchSize)
		if err != nil {
			return err
		}
		c.n += len(buf)
		if _, ok := buf[len(buf)-1].(EndDocument); ok {
			c.end = true
			return nil
		}
	}
}
