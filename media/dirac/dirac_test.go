package dirac_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/kamaelia-go/kamaelia/media/dirac"
	"github.com/stretchr/testify/require"
)

// unit makes a data unit with a payload of n bytes of b.
func unit(code dirac.ParseCode, prev uint32, n int, b byte) []byte {
	u := make([]byte, dirac.HeaderSize, dirac.HeaderSize+n)
	copy(u, dirac.Prefix)
	u[4] = byte(code)
	next := uint32(dirac.HeaderSize + n)
	if code == dirac.EndOfSequence {
		next = 0
	}
	binary.BigEndian.PutUint32(u[5:], next)
	binary.BigEndian.PutUint32(u[9:], prev)
	return append(u, bytes.Repeat([]byte{b}, n)...)
}

// stream is a sequence header, two pictures (one with auxiliary data
// before it) and an end of sequence.
func stream() []byte {
	seq := unit(dirac.SequenceHeader, 0, 12, 's')
	p1 := unit(0xE8, uint32(len(seq)), 100, '1')
	aux := unit(dirac.AuxiliaryData, uint32(len(p1)), 5, 'a')
	p2 := unit(0x0C, uint32(len(aux)), 70, '2')
	eos := unit(dirac.EndOfSequence, uint32(len(p2)), 0, 0)
	return bytes.Join([][]byte{seq, p1, aux, p2, eos}, nil)
}

func split(t *testing.T, s *dirac.Splitter, in []byte, chunk int) []dirac.Packet {
	t.Helper()
	var out []dirac.Packet
	for len(in) > 0 {
		n := min(chunk, len(in))
		s.Write(in[:n])
		in = in[n:]
		for {
			p, ok, err := s.Next()
			require.NoError(t, err)
			if !ok {
				break
			}
			out = append(out, p)
		}
	}
	p, ok, err := s.Flush()
	require.NoError(t, err)
	if ok {
		out = append(out, p)
	}
	return out
}

func TestSplitterGroupsUnitsBeforeEachPicture(t *testing.T) {
	in := stream()
	for _, chunk := range []int{1, 2, 13, 50, len(in)} {
		var s dirac.Splitter
		ps := split(t, &s, in, chunk)
		require.Len(t, ps, 2, "chunk %d", chunk)
		require.True(t, ps[0].Sequence)
		require.Equal(t, int64(0), ps[0].Offset)
		require.Equal(t, 25+113, len(ps[0].Data))
		require.Equal(t, dirac.ParseCode(0xE8), ps[0].Code)
		require.False(t, ps[1].Sequence)
		require.Equal(t, int64(138), ps[1].Offset)
		require.Equal(t, 18+83, len(ps[1].Data))
		require.Equal(t, int64(len(in)), s.Offset())
	}
}

func TestSplitterErrors(t *testing.T) {
	in := stream()
	var s dirac.Splitter
	s.Write(in[:len(in)-20])
	for {
		_, ok, err := s.Next()
		require.NoError(t, err)
		if !ok {
			break
		}
	}
	_, _, err := s.Flush()
	require.ErrorIs(t, err, dirac.ErrTruncated)

	bad := bytes.Clone(in)
	binary.BigEndian.PutUint32(bad[25+9:], 99) // the first picture's previous offset
	s = dirac.Splitter{}
	s.Write(bad)
	_, _, err = s.Next()
	var se *dirac.SyntaxError
	require.True(t, errors.As(err, &se))
	require.Equal(t, int64(25), se.Offset)
	require.Contains(t, err.Error(), "previous unit was 99 bytes, it was 25")

	s = dirac.Splitter{MaxUnitSize: 64}
	s.Write(in)
	_, _, err = s.Next()
	require.ErrorContains(t, err, "more than the limit of 64")
}

func TestSplitterResyncsAfterJunk(t *testing.T) {
	in := append([]byte("junk!"), stream()...)
	var s dirac.Splitter
	s.Write(in)
	_, _, err := s.Next()
	require.Error(t, err)
	require.Equal(t, 5, s.Resync())
	var n int
	for {
		_, ok, err := s.Next()
		require.NoError(t, err)
		if !ok {
			break
		}
		n++
	}
	require.Equal(t, 2, n)
}

func TestUnknownNextOffsetRunsToTheNextPrefix(t *testing.T) {
	seq := unit(dirac.SequenceHeader, 0, 12, 's')
	p := unit(0xE8, 0, 40, 'p')
	binary.BigEndian.PutUint32(p[5:], 0)
	in := append(append(bytes.Clone(seq), p...), p...)
	var s dirac.Splitter
	ps := split(t, &s, in, 7)
	require.Len(t, ps, 2)
	require.Len(t, ps[1].Data, len(p))
}

// FuzzSplitter feeds any bytes, in chunks, to the Splitter: it must never
// panic, never hand out a packet that is not whole units, and account for
// every byte.
func FuzzSplitter(f *testing.F) {
	f.Add(stream(), uint8(7))
	f.Add(append([]byte("BBCD"), stream()...), uint8(1))
	f.Add([]byte("BBCD\x08\x00\x00\x00\x00\x00\x00\x00\x00"), uint8(3))
	f.Fuzz(func(t *testing.T, in []byte, chunk uint8) {
		s := dirac.Splitter{MaxUnitSize: 1 << 16}
		c := int(chunk) + 1
		got := 0
		for len(in) > 0 {
			n := min(c, len(in))
			s.Write(in[:n])
			in = in[n:]
			for {
				p, ok, err := s.Next()
				if err != nil {
					got += s.Resync()
					continue
				}
				if !ok {
					break
				}
				if !bytes.HasPrefix(p.Data, dirac.Prefix) || !p.Code.IsPicture() {
					t.Fatalf("packet %+v", p)
				}
				got += len(p.Data)
			}
		}
		_, _, _ = s.Flush()
	})
}

func TestPacketsCarryZeroPadding(t *testing.T) {
	var s dirac.Splitter
	for _, p := range split(t, &s, stream(), 9) {
		pad := p.Data[len(p.Data) : len(p.Data)+dirac.PacketPadding]
		require.Equal(t, make([]byte, dirac.PacketPadding), pad)
	}
}
