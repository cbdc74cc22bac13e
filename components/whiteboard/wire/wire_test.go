package wire

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

var (
	_ axon.CoreComponent = (*Decoder)(nil)
	_ axon.CoreComponent = (*Encoder)(nil)
)

// toList turns what encoding/json decodes into a List.
func toList(t *testing.T, v any) List {
	t.Helper()
	items, ok := v.([]any)
	require.True(t, ok, "fixture holds %T, not a list", v)
	out := List{}
	for _, it := range items {
		switch x := it.(type) {
		case string:
			out = append(out, x)
		case []any:
			out = append(out, toList(t, x))
		default:
			t.Fatalf("fixture element %T", it)
		}
	}
	return out
}

type fixture struct {
	Message      any    `json:"message"`
	Line         string `json:"line"`
	Demarshalled any    `json:"demarshalled"`
}

// The fixtures are what a Python 2.7 port of Kamaelia's marshaller made of
// each message (testdata/gen_fixtures.py), and what it read back from each
// line: Marshal must give the same bytes, and Unmarshal the same lists.
func TestFixturesFromPython(t *testing.T) {
	raw, err := os.ReadFile("testdata/fixtures.json")
	require.NoError(t, err)
	var fx []fixture
	require.NoError(t, json.Unmarshal(raw, &fx))
	require.Greater(t, len(fx), 20)
	for _, f := range fx {
		if f.Message != nil {
			line, err := Marshal(toList(t, f.Message))
			require.NoError(t, err)
			assert.Equal(t, f.Line, string(line), "marshalling %v", f.Message)
		}
		got, err := Unmarshal([]byte(f.Line))
		require.NoError(t, err, "line %q", f.Line)
		assert.Equal(t, toList(t, f.Demarshalled), got, "unmarshalling %q", f.Line)
	}
}

// Each escaped character, alone and inside a token, byte for byte.
func TestEscapeEveryCharacter(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{"%", "%25"},
		{"\x00", "%0"},
		{"9", "%39"},
		{"\n", "%a"},
		{"\r", "%d"},
		{" ", "%20"},
		{"[", "%5b"},
		{"]", "%5d"},
		{"\t", "\t"}, // the quirk: TAB was meant, the digit 9 is escaped instead
		{"a%b", "a%25b"},
		{"19 ]", "1%39%20%5d"},
		{"%0", "%250"},
	} {
		assert.Equal(t, c.out, Escape(c.in), "escape %q", c.in)
		assert.Equal(t, c.in, Unescape(c.out), "unescape %q", c.out)
		line, err := Marshal(List{List{"T", c.in}})
		require.NoError(t, err)
		assert.Equal(t, "[ T "+c.out+" ] \n", string(line))
	}
}

// The table of the protocol: a stroke segment, a batch of two commands, a
// picture request, a page turn, audio.
func TestMarshalProtocolTable(t *testing.T) {
	for _, c := range []struct {
		msg  List
		line string
	}{
		{Batch{{"LINE", "0", "0", "0", "190", "29", "191", "30"}}.List(), "[ LINE 0 0 0 1%390 2%39 1%391 30 ] \n"},
		{Batch{{"LINE", "0", "0", "0", "1", "2", "3", "4"}, {"CIRCLE", "255", "255", "255", "5", "6", "8"}}.List(),
			"[ LINE 0 0 0 1 2 3 4 ] [ CIRCLE 255 255 255 5 6 8 ] \n"},
		{Batch{{"GETIMG"}}.List(), "[ GETIMG ] \n"},
		{Batch{{"next"}}.List(), "[ next ] \n"},
		{Sound([]byte{0, ' ', '9', 0xff}), "SOUND %0%20%39\xff \n"},
	} {
		line, err := Marshal(c.msg)
		require.NoError(t, err)
		assert.Equal(t, c.line, string(line))
		back, err := Unmarshal(line)
		require.NoError(t, err)
		assert.Equal(t, c.line, string(mustMarshal(t, back)), "round trip")
	}
}

func mustMarshal(t *testing.T, l List) []byte {
	t.Helper()
	b, err := Marshal(l)
	require.NoError(t, err)
	return b
}

func TestUnmarshalErrors(t *testing.T) {
	_, err := Unmarshal([]byte("[ LINE ] ] \n"))
	assert.ErrorIs(t, err, ErrBadLine)
	_, err = Unmarshal([]byte("[ [ LINE ] \n"))
	assert.ErrorIs(t, err, ErrBadLine)
	_, err = Marshal(List{List{"x", 3}})
	assert.ErrorIs(t, err, ErrBadItem)
	self := List{nil}
	self[0] = self
	_, err = Marshal(self)
	assert.ErrorIs(t, err, ErrBadItem)
}

func TestBatchAndSound(t *testing.T) {
	l, err := Unmarshal([]byte("[ line 1 2 3 4 5 6 7 ] [ GETIMG ] \n"))
	require.NoError(t, err)
	b, err := BatchOf(l)
	require.NoError(t, err)
	assert.Equal(t, "LINE", b[0].Name())
	assert.Equal(t, []string{"1", "2", "3", "4", "5", "6", "7"}, b[0].Args())
	assert.Equal(t, "[ line 1 2 3 4 5 6 7 ] [ GETIMG ] \n", string(b.Line()))
	_, turn := b.IsPageTurn()
	assert.False(t, turn)
	dir, turn := Batch{{"prev"}}.IsPageTurn()
	assert.True(t, turn)
	assert.Equal(t, "prev", dir)

	assert.Equal(t, "[ FRAME 12 ] \n", string(FrameTurn(12).Line()))
	n, ok := FrameTurn(12).IsFrameTurn()
	assert.True(t, ok)
	assert.Equal(t, 12, n)
	for _, bad := range []Batch{{{"FRAME"}}, {{"FRAME", "0"}}, {{"FRAME", "x"}}, {{"FRAME", "1", "2"}}, {{"FRAME", "1"}, {"next"}}} {
		_, ok := bad.IsFrameTurn()
		assert.False(t, ok, "%v", bad)
	}

	_, err = BatchOf(List{"SOUND", "x"})
	assert.ErrorIs(t, err, ErrNotBatch)
	_, err = BatchOf(List{List{"A", List{"b"}}})
	assert.ErrorIs(t, err, ErrNotBatch)

	s := Sound([]byte("\x00abc 9"))
	assert.True(t, IsSound(s))
	assert.False(t, IsSound(b.List()))
	p, err := SoundPayload(s)
	require.NoError(t, err)
	assert.Equal(t, []byte("\x00abc 9"), p)
	_, err = SoundPayload(List{"SOUND"})
	assert.Error(t, err)
}

func TestDecoderAndEncoderComponents(t *testing.T) {
	dec := axontest.Run[[]byte, List](t, NewDecoder(),
		[]byte("[ GETIMG ] \r\n"), []byte("] bad"), []byte("SOUND %39 "))
	require.NoError(t, dec.Err)
	assert.Equal(t, []List{{List{"GETIMG"}}, {"SOUND", "9"}}, dec.Outputs)

	enc := axontest.Run[List, []byte](t, NewEncoder(), List{List{"next"}}, List{1}, List{"SOUND", "a b"})
	require.NoError(t, enc.Err)
	assert.Equal(t, [][]byte{[]byte("[ next ] \n"), []byte("SOUND a%20b \n")}, enc.Outputs)
}

// A bad line is reported on errors, not dropped in silence.
func TestDecoderReportsBadLines(t *testing.T) {
	d := NewDecoder()
	h, err := axon.NewHandle(axon.NewScheduler(), d)
	require.NoError(t, err)
	ctx := t.Context()
	require.NoError(t, h.Put(ctx, "inbox", []byte("[ x ] ] ")))
	v, err := h.Get(ctx, "errors")
	require.NoError(t, err)
	e, ok := v.(error)
	require.True(t, ok)
	assert.True(t, errors.Is(e, ErrBadLine))
	require.NoError(t, h.Finish(ctx))
	require.NoError(t, h.Wait(ctx))
}

// dropEmpty removes the empty tokens, which the line format cannot carry.
func dropEmpty(l List) List {
	out := List{}
	for _, it := range l {
		switch x := it.(type) {
		case string:
			if x != "" {
				out = append(out, x)
			}
		case List:
			out = append(out, dropEmpty(x))
		}
	}
	return out
}

// FuzzRoundTrip: any tokens, marshalled and read back, are the same
// tokens (less empty ones); the line has no raw LF, CR or NUL but its end;
// and any line Unmarshal takes marshals to a line it reads the same way.
func FuzzRoundTrip(f *testing.F) {
	f.Add("LINE", "1%390", " [ ]\n\r\x009", []byte("[ a ] b"))
	f.Add("", "%25", "%0%39", []byte("] ["))
	f.Fuzz(func(t *testing.T, a, b, c string, line []byte) {
		msg := List{a, List{b, List{c}}, c}
		out, err := Marshal(msg)
		require.NoError(t, err)
		for _, ch := range out[:len(out)-1] {
			require.NotContains(t, []byte{'\n', '\r', 0}, ch)
		}
		back, err := Unmarshal(out)
		require.NoError(t, err)
		require.Equal(t, dropEmpty(msg), back)

		got, err := Unmarshal(line)
		if err != nil {
			require.ErrorIs(t, err, ErrBadLine)
			return
		}
		again, err := Unmarshal(mustMarshal(t, got))
		require.NoError(t, err)
		require.Equal(t, dropEmpty(got), again)
	})
}
