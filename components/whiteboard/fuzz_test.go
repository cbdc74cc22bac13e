package whiteboard

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"github.com/stretchr/testify/require"
)

// FuzzParseEntry: any recording line is read or refused with
// ErrBadRecording; what is read writes back to a line that reads the same.
func FuzzParseEntry(f *testing.F) {
	f.Add([]byte("0.125000 [ LINE 1 2 3 4 5 6 7 ] \n"))
	f.Add([]byte("x"))
	f.Add([]byte("1e9 y"))
	f.Fuzz(func(t *testing.T, line []byte) {
		e, err := ParseEntry(line)
		if err != nil {
			require.ErrorIs(t, err, ErrBadRecording)
			return
		}
		if bytes.ContainsAny(e.Line, "\n") {
			return // not a line a recorder writes
		}
		back, err := ParseEntry(AppendEntry(nil, e))
		require.NoError(t, err)
		require.Equal(t, e.Line, back.Line)
		require.InDelta(t, e.At.Seconds(), back.At.Seconds(), 1e-6)
	})
}

// FuzzSplitWords: a console line splits or is refused for an open quote;
// words never hold the quotes themselves.
func FuzzSplitWords(f *testing.F) {
	f.Add(`load "my file.png"`)
	f.Add(`a "b`)
	f.Fuzz(func(t *testing.T, line string) {
		w, err := SplitWords(line)
		if err != nil {
			require.Equal(t, 1, strings.Count(line, `"`)%2)
			return
		}
		for _, word := range w {
			require.NotContains(t, word, `"`)
		}
	})
}

// FuzzCanvasExec: any drawing command (but the file ones) is carried out or
// refused with ErrBadCommand, never a crash, and the picture stays opaque.
func FuzzCanvasExec(f *testing.F) {
	f.Add("[ LINE 0 0 0 1 2 300 400 ] ")
	f.Add("[ CIRCLE 1 2 3 -5 -5 100 ] [ WRITE 1 1 30 0 0 0 hi ] ")
	f.Add("[ SETIMG x 1 1 RGB ] [ CLEAR 1 2 3 ] [ NEW ] [ GETIMG ] ")
	f.Fuzz(func(t *testing.T, line string) {
		l, err := wire.Unmarshal([]byte(line))
		if err != nil {
			return
		}
		b, err := wire.BatchOf(l)
		if err != nil {
			return
		}
		c := NewCanvas(64, 48)
		for _, cmd := range b {
			switch cmd.Name() {
			case "LOAD", "SAVE":
				continue // they touch files
			}
			if _, err := c.Exec(cmd); err != nil && !errors.Is(err, ErrBadCommand) {
				t.Fatalf("%v: %v", cmd, err)
			}
		}
		for i := 3; i < len(c.Image().Pix); i += 4 {
			require.Equal(t, uint8(255), c.Image().Pix[i])
		}
	})
}
