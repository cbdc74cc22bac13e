package inspect

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// collect parses stream and returns its events and readEvents' error.
func collect(stream string) ([]event, error) {
	var evs []event
	err := readEvents(strings.NewReader(stream), func(ev event) error {
		evs = append(evs, ev)
		return nil
	})
	return evs, err
}

func TestReadEventsFollowsTheEventStreamFormat(t *testing.T) {
	for _, tc := range []struct {
		name, stream string
		want         []event
	}{
		{"named", "event: snapshot\ndata: {}\n\n", []event{{"snapshot", "{}"}}},
		{"unnamed is a message", "data: x\n\n", []event{{"message", "x"}}},
		{"data lines join", "data: a\ndata: b\ndata\n\n", []event{{"message", "a\nb\n"}}},
		{"one space is stripped", "data:  two\ndata:none\n\n", []event{{"message", " two\nnone"}}},
		{"CRLF and CR end lines", "event: e\r\ndata: 1\r\rdata: 2\r\n\r\n", []event{{"e", "1"}, {"message", "2"}}},
		{"comments and other fields", ": hi\nretry: 10\nid: 7\nfoo: bar\ndata: z\n\n", []event{{"message", "z"}}},
		{"no data, no event", "event: snapshot\n\n", nil},
		{"a BOM first", "\xef\xbb\xbfdata: b\n\n", []event{{"message", "b"}}},
		{"an unfinished event is dropped", "data: done\n\ndata: half", []event{{"message", "done"}}},
		{"the type resets", "event: a\ndata: 1\n\ndata: 2\n\n", []event{{"a", "1"}, {"message", "2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := collect(tc.stream)
			require.ErrorIs(t, err, ErrStreamEnded)
			assert.Equal(t, tc.want, evs)
		})
	}
}

func TestReadEventsRejectsWhatIsNotAnEventStream(t *testing.T) {
	_, err := collect("data: \xff\xfe\n\n")
	require.ErrorContains(t, err, "not UTF-8")

	_, err = collect("data: " + strings.Repeat("x", maxEventSize) + "\n\n")
	require.ErrorContains(t, err, "a line longer than")

	line := "data: " + strings.Repeat("x", maxEventSize/2) + "\n"
	_, err = collect(line + line + line + "\n")
	require.ErrorContains(t, err, "an event longer than")
}

func TestReadEventsStopsAtTheCallbacksError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := readEvents(strings.NewReader("data: 1\n\ndata: 2\n\n"), func(event) error {
		n++
		return stop
	})
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 1, n)
}

// FuzzReadEvents feeds readEvents arbitrary streams: it must never panic,
// must end with an error, and must hand over only valid UTF-8 without the
// line ends that separate fields.
func FuzzReadEvents(f *testing.F) {
	for _, seed := range []string{
		"event: snapshot\ndata: {\"components\":[]}\n\n",
		"retry: 2000\n\n: keep-alive\n\n",
		"data: a\r\ndata: b\r\r\n",
		"\xef\xbb\xbfdata\n\n",
		"data: \xff\n\n",
		"event\ndata:\n\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, stream string) {
		err := readEvents(strings.NewReader(stream), func(ev event) error {
			if !utf8.ValidString(ev.data) || !utf8.ValidString(ev.typ) {
				t.Fatalf("invalid UTF-8 in %q", ev)
			}
			if strings.ContainsAny(ev.typ, "\r\n") || strings.ContainsRune(ev.data, '\r') {
				t.Fatalf("a line end inside a field: %q", ev)
			}
			if ev.typ == "" {
				t.Fatal("an event without a type")
			}
			return nil
		})
		if err == nil {
			t.Fatal("readEvents returned nil: it ends with ErrStreamEnded or another error")
		}
	})
}
