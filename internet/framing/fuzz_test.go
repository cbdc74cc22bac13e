package framing_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kamaelia-go/kamaelia/internet/framing"
)

// The fuzz targets feed arbitrary bytes, cut at arbitrary places (from the
// seed argument), to each decoder. Each checks that the decoder never
// panics, that what it makes of the stream does not depend on how it was
// cut, that it keeps its limit, and, where the input can be read as
// messages, that encoding then decoding gives them back. `make fuzz` runs
// them for a bounded time; the f.Add calls are the seed corpus.

// fuzzMax is the frame limit in the fuzz targets: small, so that the
// fuzzer reaches it.
const fuzzMax = 64

// messagesFrom reads data as messages: each a length byte (mod fuzzMax+1)
// and that many bytes.
func messagesFrom(data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		n := min(int(data[0])%(fuzzMax+1), len(data)-1)
		out = append(out, bytes.Clone(data[1:1+n]))
		data = data[1+n:]
	}
	return out
}

func FuzzLengthDecoder(f *testing.F) {
	f.Add(lengthStream([]byte("hello"), nil, []byte("world")), []byte{3, 1})
	f.Add([]byte{0, 0, 0, 65, 1, 2}, []byte{1})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff}, []byte{})
	f.Add([]byte{0, 0}, []byte{0})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		whole, werr := decodeLength(fuzzMax, [][]byte{data})
		cut, cerr := decodeLength(fuzzMax, seededSplits(data, cuts))
		if errString(werr) != errString(cerr) || !equal(whole, cut) {
			t.Fatalf("cutting changed the result: whole %q %v; cut %q %v", whole, werr, cut, cerr)
		}
		var fe *framing.FrameError
		if werr != nil && !errors.As(werr, &fe) {
			t.Fatalf("error is not a *FrameError: %v", werr)
		}
		total := 0
		for _, p := range whole {
			if len(p) > fuzzMax {
				t.Fatalf("payload of %d bytes passed a limit of %d", len(p), fuzzMax)
			}
			total += framing.HeaderSize + len(p)
		}
		if werr == nil && total != len(data) {
			t.Fatalf("clean end but %d of %d bytes accounted for", total, len(data))
		}
		// Round trip: the input read as messages, framed, cut, decoded.
		msgs := messagesFrom(data)
		back, err := decodeLength(fuzzMax, seededSplits(lengthStream(msgs...), cuts))
		if err != nil || !equal(msgs, back) {
			t.Fatalf("round trip: sent %q, got %q, %v", msgs, back, err)
		}
	})
}

func FuzzDelimDecoder(f *testing.F) {
	f.Add([]byte("a\r\nb\r\n\r\nlast"), []byte{2}, []byte("\r\n"))
	f.Add([]byte("\n\n\n"), []byte{1}, []byte("\n"))
	f.Add(bytes.Repeat([]byte("x"), 100), []byte{7}, []byte("END"))
	f.Fuzz(func(t *testing.T, data, cuts, delim []byte) {
		if len(delim) == 0 || len(delim) > 8 {
			return
		}
		d := string(delim)
		whole, werr := decodeDelim(d, fuzzMax, [][]byte{data})
		cut, cerr := decodeDelim(d, fuzzMax, seededSplits(data, cuts))
		if errString(werr) != errString(cerr) || !equal(whole, cut) {
			t.Fatalf("cutting changed the result: whole %q %v; cut %q %v", whole, werr, cut, cerr)
		}
		for _, r := range whole {
			if len(r) > fuzzMax || bytes.Contains(r, delim) {
				t.Fatalf("bad record %q (limit %d, delimiter %q)", r, fuzzMax, delim)
			}
		}
		if werr == nil {
			if got := bytes.Join(whole, delim); len(whole) > 0 && !bytes.Equal(append(got, delim...), data) {
				t.Fatalf("records %q do not make up the stream %q", whole, data)
			}
		}
		// Round trip through the framer's rule: what it accepts comes back.
		var msgs [][]byte
		var stream []byte
		for _, m := range messagesFrom(data) {
			framed := append(bytes.Clone(m), delim...)
			if bytes.Index(framed, delim) == len(m) {
				msgs = append(msgs, m)
				stream = append(stream, framed...)
			}
		}
		back, err := decodeDelim(d, fuzzMax, seededSplits(stream, cuts))
		if err != nil || !equal(msgs, back) {
			t.Fatalf("round trip: sent %q, got %q, %v", msgs, back, err)
		}
	})
}

func FuzzChunkDecoder(f *testing.F) {
	f.Add(chunkStream([]byte("one"), awkward), []byte{5})
	f.Add(append([]byte("junk"), chunkStream([]byte("x"))...), []byte{1, 2})
	f.Add([]byte{framing.Flag, framing.Escape, framing.Flag, 1, 2, 3, 4, 5, framing.Flag}, []byte{3})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		whole, wrep := decodeChunks(fuzzMax, [][]byte{data})
		cut, crep := decodeChunks(fuzzMax, seededSplits(data, cuts))
		if !equal(whole, cut) || len(wrep) != len(crep) {
			t.Fatalf("cutting changed the result: whole %q %v; cut %q %v", whole, wrep, cut, crep)
		}
		for i := range wrep {
			if wrep[i] != crep[i] {
				t.Fatalf("cutting changed report %d: %v, %v", i, wrep[i], crep[i])
			}
		}
		var skipped int64
		for _, r := range wrep {
			skipped += r.Size
		}
		if skipped > int64(len(data)) {
			t.Fatalf("reported %d bytes skipped of %d", skipped, len(data))
		}
		for _, p := range whole {
			if len(p) > fuzzMax {
				t.Fatalf("payload of %d bytes passed a limit of %d", len(p), fuzzMax)
			}
		}
		// Round trip, with garbage (the input itself, flags removed)
		// between the chunks: every message comes back.
		msgs := messagesFrom(data)
		noise := bytes.ReplaceAll(data, []byte{framing.Flag}, nil)
		var stream []byte
		for _, m := range msgs {
			stream = framing.AppendChunk(stream, m)
			stream = append(stream, noise[:min(len(noise), 3)]...)
		}
		back, _ := decodeChunks(fuzzMax, seededSplits(stream, cuts))
		if !equal(msgs, back) {
			t.Fatalf("round trip: sent %q, got %q", msgs, back)
		}
	})
}

// fuzzValue is what the codec fuzz targets decode into.
type fuzzValue struct {
	Name  string
	N     int64
	Data  []byte
	Kids  []fuzzValue
	Attrs map[string]float64
	Ptr   *int
}

func FuzzGobUnmarshal(f *testing.F) {
	good, _ := framing.Gob[fuzzValue]{}.Marshal(fuzzValue{Name: "a", N: -3, Data: []byte{1}, Kids: []fuzzValue{{Name: "kid"}}})
	f.Add(good)
	f.Add([]byte{0xfb, 1, 0, 0, 0, 0, 0x41})
	f.Add([]byte{0x80})
	f.Add(good[:len(good)/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := framing.Gob[fuzzValue]{}.Unmarshal(data)
		if err != nil {
			return
		}
		// What decoded encodes and decodes to the same again.
		again, err := framing.Gob[fuzzValue]{}.Marshal(v)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", v, err)
		}
		if _, err := (framing.Gob[fuzzValue]{}).Unmarshal(again); err != nil {
			t.Fatalf("re-decoding: %v", err)
		}
	})
}

func FuzzJSONUnmarshal(f *testing.F) {
	f.Add([]byte(`{"Name":"a","N":1,"Data":"AQI=","Kids":[{"Name":"b"}],"Attrs":{"x":1.5}}`))
	f.Add([]byte(`{"N": 1e400}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := framing.JSON[fuzzValue]{}.Unmarshal(data)
		if err != nil {
			return
		}
		again, err := framing.JSON[fuzzValue]{}.Marshal(v)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", v, err)
		}
		if _, err := (framing.JSON[fuzzValue]{}).Unmarshal(again); err != nil {
			t.Fatalf("re-decoding %s: %v", again, err)
		}
	})
}

func equal(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
