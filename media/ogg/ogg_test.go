package ogg_test

import (
	"bytes"
	"testing"

	"github.com/kamaelia-go/kamaelia/media/ogg"
	"github.com/stretchr/testify/require"
)

func packets(t *testing.T, in []byte, chunk int) ([]ogg.Packet, error) {
	t.Helper()
	var r ogg.Reader
	var out []ogg.Packet
	for len(in) > 0 {
		n := min(chunk, len(in))
		r.Write(in[:n])
		in = in[n:]
		for {
			p, ok, err := r.Next()
			if err != nil {
				return out, err
			}
			if !ok {
				break
			}
			out = append(out, p)
		}
	}
	return out, r.Flush()
}

func TestWriterAndReaderRoundTrip(t *testing.T) {
	w := ogg.Writer{Serial: 42}
	data := [][]byte{[]byte("first"), bytes.Repeat([]byte("x"), 255), bytes.Repeat([]byte("y"), 70000), {}}
	var stream []byte
	for i, d := range data {
		stream = append(stream, w.Page(d, int64(i*100), i == len(data)-1)...)
	}
	for _, chunk := range []int{1, 100, len(stream)} {
		ps, err := packets(t, stream, chunk)
		require.NoError(t, err)
		require.Len(t, ps, len(data))
		for i, p := range ps {
			require.True(t, bytes.Equal(data[i], p.Data), "packet %d", i)
			require.Equal(t, int64(i*100), p.Granule)
		}
		require.True(t, ps[0].BOS)
		require.True(t, ps[3].EOS)
	}
}

func TestReaderFindsDamage(t *testing.T) {
	w := ogg.Writer{}
	stream := append(w.Page([]byte("one"), 0, false), w.Page([]byte("two"), 1, false)...)
	stream = append(stream, w.Page([]byte("three"), 2, true)...)
	bad := bytes.Clone(stream)
	bad[30] ^= 0x10
	_, err := packets(t, bad, 9)
	require.ErrorContains(t, err, "checksum")

	lost := append(bytes.Clone(stream[:31]), stream[62:]...) // drop page 2
	_, err = packets(t, lost, 9)
	require.ErrorContains(t, err, "pages lost")

	_, err = packets(t, stream[:len(stream)-2], 9)
	require.ErrorIs(t, err, ogg.ErrTruncated)
}

func TestReaderSkipsOtherStreams(t *testing.T) {
	a, b := ogg.Writer{Serial: 1}, ogg.Writer{Serial: 2}
	stream := append(a.Page([]byte("a1"), 0, false), b.Page([]byte("b1"), 0, false)...)
	stream = append(stream, a.Page([]byte("a2"), 1, true)...)
	var r ogg.Reader
	r.Write(stream)
	var got []string
	for {
		p, ok, err := r.Next()
		require.NoError(t, err)
		if !ok {
			break
		}
		got = append(got, string(p.Data))
	}
	require.Equal(t, []string{"a1", "a2"}, got)
	require.Equal(t, 1, r.SkippedPages())
}

// FuzzReader feeds any bytes, in chunks, to the Reader: it must never
// panic, and errors must stick.
func FuzzReader(f *testing.F) {
	w := ogg.Writer{}
	f.Add(append(w.Page([]byte("hello"), 0, false), w.Page(bytes.Repeat([]byte("z"), 600), 9, true)...), uint8(5))
	f.Add([]byte("OggS\x00\x02"), uint8(0))
	f.Fuzz(func(t *testing.T, in []byte, chunk uint8) {
		r := ogg.Reader{MaxPacketSize: 1 << 20}
		c := int(chunk) + 1
		var failed error
		for len(in) > 0 {
			n := min(c, len(in))
			r.Write(in[:n])
			in = in[n:]
			for {
				_, ok, err := r.Next()
				if err != nil {
					if failed != nil && err != failed {
						t.Fatalf("error changed: %v then %v", failed, err)
					}
					failed = err
					break
				}
				if !ok {
					break
				}
			}
		}
		_ = r.Flush()
	})
}
