package radio

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzLineReader checks the control connections' line reader: however the
// stream is cut into reads, each line is given once, whole and in order,
// one too long is given as such, and the reader never holds more than the
// longest line taken.
func FuzzLineReader(f *testing.F) {
	f.Add("QUERY x ALL\nSWITCH x DJ1 ON\r\n", uint8(3))
	f.Add("no newline", uint8(1))
	f.Fuzz(func(t *testing.T, stream string, cut uint8) {
		step := int(cut) + 1
		var got []string
		each := func(line string, long bool) error {
			if long {
				line = "<long>"
			}
			got = append(got, line)
			return nil
		}
		var r lineReader
		for i := 0; i < len(stream); i += step {
			require.NoError(t, r.feed([]byte(stream[i:min(i+step, len(stream))]), each))
			require.LessOrEqual(t, len(r.line), maxControlLine)
		}
		require.NoError(t, r.end(each))

		lines := strings.Split(stream, "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		var want []string
		for _, l := range lines {
			if len(l) > maxControlLine {
				l = "<long>"
			}
			want = append(want, strings.TrimSuffix(l, "\r"))
		}
		require.Equal(t, want, got)
	})
}
