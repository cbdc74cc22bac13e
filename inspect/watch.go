package inspect

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/kamaelia-go/kamaelia/axon"
)

// maxEventSize bounds one event of a stream Watch reads: a snapshot of
// a very large system is a few megabytes; a stream that sends more in one
// event is not an inspector's.
const maxEventSize = 32 << 20

// ErrStreamEnded is returned by Watch when the inspector ends the event
// stream: the program watched has closed its inspector or exited.
var ErrStreamEnded = errors.New("inspect: the inspector ended the event stream")

// Watch follows the inspector whose page is at url (a Server's URL, or
// wherever a program mounted Handler, ending in "/") and calls fn with
// each snapshot of the system it sends: the current one at once, then one
// each time the system changes. It returns when ctx ends (ctx's error),
// when fn returns an error (that error), or when the stream ends or is
// malformed (an error saying so, wrapping ErrStreamEnded when it simply
// ended).
func Watch(ctx context.Context, url string, fn func(*axon.Snapshot) error) error {
	if !strings.HasSuffix(url, "/") {
		url += "/"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"events", nil)
	if err != nil {
		return fmt.Errorf("inspect: %w", err)
	}
	req.Header.Set("Accept", "text/event-stream")
	// A transport of its own, closed on return, so that a Watch leaves no
	// idle connection (and its goroutines) behind.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("inspect: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("inspect: %s: %s", req.URL, resp.Status)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		return fmt.Errorf("inspect: %s is not an inspector's event stream (Content-Type %q)", req.URL, mt)
	}
	err = readEvents(resp.Body, func(ev event) error {
		if ev.typ != "snapshot" {
			return nil
		}
		var snap axon.Snapshot
		if err := json.Unmarshal([]byte(ev.data), &snap); err != nil {
			return fmt.Errorf("inspect: a snapshot event that is not a snapshot: %w", err)
		}
		return fn(&snap)
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// event is one Server-Sent Event: its type ("message" unless named) and
// its data, data lines joined by "\n".
type event struct {
	typ  string
	data string
}

// readEvents parses a text/event-stream (the WHATWG HTML standard's
// "event stream interpretation") from r and calls fn with each event, in
// order, until r ends (an error wrapping ErrStreamEnded), fn fails (its
// error) or the stream breaks the rules this reader keeps (an error): a
// line or an event longer than maxEventSize, or bytes that are not UTF-8.
// Comments, "id" and "retry" fields, unknown fields, and events with no
// data are ignored, as a browser's EventSource ignores them.
func readEvents(r io.Reader, fn func(event) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxEventSize)
	sc.Split(scanSSELines)
	var (
		typ     string
		data    strings.Builder
		hasData bool
		first   = true
	)
	for sc.Scan() {
		line := sc.Bytes()
		if first {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")) // a leading BOM
			first = false
		}
		if !utf8.Valid(line) {
			return errors.New("inspect: event stream: a line that is not UTF-8")
		}
		if len(line) == 0 {
			if hasData {
				if err := fn(event{typ: cmp.Or(typ, "message"), data: data.String()}); err != nil {
					return err
				}
			}
			typ, hasData = "", false
			data.Reset()
			continue
		}
		if line[0] == ':' {
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "event":
			typ = string(value)
		case "data":
			if data.Len()+len(value)+1 > maxEventSize {
				return fmt.Errorf("inspect: event stream: an event longer than %d bytes", maxEventSize)
			}
			if hasData {
				data.WriteByte('\n')
			}
			data.Write(value)
			hasData = true
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("inspect: event stream: a line longer than %d bytes", maxEventSize)
		}
		return fmt.Errorf("inspect: event stream: %w", err)
	}
	return ErrStreamEnded
}

// scanSSELines is a bufio.SplitFunc for event-stream lines, which end in
// "\r\n", "\n" or "\r". A final line with no end is still a line.
func scanSSELines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	i := bytes.IndexAny(data, "\r\n")
	if i < 0 {
		if atEOF && len(data) > 0 {
			return len(data), data, nil
		}
		return 0, nil, nil
	}
	if data[i] == '\n' {
		return i + 1, data[:i], nil
	}
	// A '\r': it may be the first half of "\r\n".
	if i+1 < len(data) {
		if data[i+1] == '\n' {
			return i + 2, data[:i], nil
		}
		return i + 1, data[:i], nil
	}
	if atEOF {
		return i + 1, data[:i], nil
	}
	return 0, nil, nil
}
