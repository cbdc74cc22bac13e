package xmlparse

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var sampleEdits = []Edit{
	{FileID: "interview.mp4", Start: 0, End: 24, Left: 0, Top: 0, Right: 400, Bottom: 100},
	{FileID: "interview.mp4", Start: 25, End: 49, Left: 80, Top: 40, Right: 480, Bottom: 140},
}

// parsed runs doc through a Parser in 7-byte chunks and returns its events.
func parsed(t *testing.T, doc string) []Event {
	res := axontest.Run[string, Event](t, NewParser[string](), chunks(doc, 7)...)
	require.NoError(t, res.Err)
	return res.Outputs
}

func TestEDLReaderReadsTheSample(t *testing.T) {
	res := axontest.Run[Event, Edit](t, NewEDLReader(), parsed(t, sample(t, "sample.edl"))...)
	require.NoError(t, res.Err)
	assert.Equal(t, sampleEdits, res.Outputs)
	assert.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)

	edits, err := ReadEDL(strings.NewReader(sample(t, "sample.edl")))
	require.NoError(t, err)
	assert.Equal(t, sampleEdits, edits)
}

func TestEDLReaderErrorsNameTheEdit(t *testing.T) {
	edit := func(inner string) string {
		return `<EDL><FileID>f</FileID><Edit><Start frame="0"/><End frame="1"/><Crop x1="0" y1="0" x2="2" y2="2"/></Edit><Edit>` + inner + `</Edit></EDL>`
	}
	for _, c := range []struct{ doc, want string }{
		{edit(`<Start frame="5"/><End frame="4"/><Crop x1="0" y1="0" x2="2" y2="2"/>`), "EDL edit 2: End frame 4 is before Start frame 5"},
		{edit(`<Start/><End frame="4"/><Crop x1="0" y1="0" x2="2" y2="2"/>`), "EDL edit 2: <Start> has no frame attribute"},
		{edit(`<Start frame="1"/><End frame="4"/><Crop x1="0" y1="0" x2="2"/>`), "EDL edit 2: <Crop> has no y2 attribute"},
		{edit(`<Start frame="1"/><Crop x1="0" y1="0" x2="2" y2="2"/>`), "EDL edit 2: no <End>"},
		{edit(`<Start frame="x"/><End frame="4"/><Crop x1="0" y1="0" x2="2" y2="2"/>`), `EDL edit 2: <Start frame="x">: want a whole number >= 0`},
		{edit(`<Start frame="1"/><End frame="4"/><Crop x1="3" y1="0" x2="2" y2="2"/>`), "EDL edit 2: empty crop"},
		{`<EDL><FileID>f</FileID></EDL>`, "EDL: no <Edit>"},
		{`<Edl/>`, "the root element is <Edl>"},
	} {
		res := axontest.Run[Event, Edit](t, NewEDLReader(), parsed(t, c.doc)...)
		require.Error(t, res.Err, c.doc)
		assert.Contains(t, res.Err.Error(), c.want)
		_, err := ReadEDL(strings.NewReader(c.doc))
		require.Error(t, err)
		assert.Contains(t, err.Error(), c.want)
	}
}

func TestEDLReaderStopsOnTheParsersFailure(t *testing.T) {
	f := &axon.Failure{Component: "parser", Err: &SyntaxError{Line: 1, Column: 3, Msg: "bad"}}
	res := axontest.RunControl[Event, Edit](t, NewEDLReader(), []Event{StartDocument{}}, f)
	var se *SyntaxError
	require.ErrorAs(t, res.Err, &se)
	assert.Equal(t, 3, se.Column)
}

func TestSlidesReaderGivesEachSlidesCommands(t *testing.T) {
	res := axontest.Run[Event, Slide](t, NewSlidesReader(), parsed(t, sample(t, "graphs.xml"))...)
	require.NoError(t, res.Err)
	assert.Equal(t, []Slide{
		{Number: 1, Attr: map[string]string{"title": "A component"}, Commands: [][]string{{"DEL", "ALL"}, {"ADD", "NODE", "1", "Producer", "auto", "-"}}},
		{Number: 2, Attr: map[string]string{"title": "A pipeline"}, Commands: [][]string{{"ADD", "NODE", "2", "Console echoer", "auto", "-"}, {"ADD", "LINK", "1", "2"}}},
		{Number: 3, Attr: map[string]string{"title": "Empty"}, Commands: [][]string{}},
	}, res.Outputs)
}

func TestSlidesReaderErrors(t *testing.T) {
	res := axontest.Run[Event, Slide](t, NewSlidesReader(), parsed(t, `<graphslides><slide>ADD NODE 1 "oops</slide></graphslides>`)...)
	require.ErrorIs(t, res.Err, ErrQuote)
	assert.Contains(t, res.Err.Error(), "slide 1")
	res = axontest.Run[Event, Slide](t, NewSlidesReader(), parsed(t, `<slides/>`)...)
	require.Error(t, res.Err)
	assert.Contains(t, res.Err.Error(), "want <graphslides>")
	res = axontest.Run[Event, Slide](t, NewSlidesReader(), StartDocument{}, StartElement{Name: "graphslides"})
	require.Error(t, res.Err)
	assert.Contains(t, res.Err.Error(), "ended before </graphslides>")
}

func TestTokens(t *testing.T) {
	toks, err := Tokens(`  ADD NODE 'a b' "c'd" e  `)
	require.NoError(t, err)
	assert.Equal(t, []string{"ADD", "NODE", "a b", "c'd", "e"}, toks)
	toks, err = Tokens(`x ""`)
	require.NoError(t, err)
	assert.Equal(t, []string{"x", ""}, toks)
}

// A list written in ISO-8859-1, as Kamaelia's tools wrote them, reads the
// same whether it arrives whole or a byte at a time, and its names come out
// in UTF-8; an encoding the package cannot read is an error naming it.
func TestLatin1ListsReadInAnyChunking(t *testing.T) {
	doc := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><EDL><FileID>caf\xe9 \xbd.mp4</FileID>" +
		"<Edit><Start frame=\"0\"/><End frame=\"1\"/><Crop x1=\"0\" y1=\"0\" x2=\"8\" y2=\"8\"/></Edit></EDL>"
	edits, err := ReadEDL(strings.NewReader(doc))
	require.NoError(t, err)
	require.Equal(t, "café ½.mp4", edits[0].FileID)
	for _, size := range []int{1, 2, 3, 7, len(doc)} {
		edits, err := ReadEDL(iotest.HalfReader(&chunkReader{s: doc, size: size}))
		require.NoError(t, err, "chunks of %d", size)
		require.Equal(t, "café ½.mp4", edits[0].FileID, "chunks of %d", size)
	}
	// The Parser component, fed 7 bytes at a time, gives UTF-8 text too.
	var text string
	for _, ev := range parsed(t, doc) {
		if c, ok := ev.(CharData); ok {
			text += c.Text
		}
	}
	require.Equal(t, "café ½.mp4", text)
	_, err = ReadEDL(strings.NewReader(`<?xml version="1.0" encoding="EBCDIC"?><EDL/>`))
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	require.ErrorContains(t, err, `encoding "EBCDIC"`)
}

// chunkReader gives s at most size bytes a read.
type chunkReader struct {
	s    string
	size int
}

func (c *chunkReader) Read(b []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	n := copy(b[:min(len(b), c.size)], c.s)
	c.s = c.s[n:]
	return n, nil
}
