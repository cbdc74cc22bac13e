package framing_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet/framing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pairs are the framings, each a framer and its de-framer made with opts.
var pairs = []struct {
	name string
	make func(opts ...framing.Option) (framer, deframer axon.Component)
}{
	{"length", func(opts ...framing.Option) (axon.Component, axon.Component) {
		return framing.NewFramer(opts...), framing.NewDeFramer(opts...)
	}},
	{"delim", func(opts ...framing.Option) (axon.Component, axon.Component) {
		return framing.NewDelimFramer([]byte("\r\n"), opts...), framing.NewDelimDeFramer([]byte("\r\n"), opts...)
	}},
	{"chunk", func(opts ...framing.Option) (axon.Component, axon.Component) {
		return framing.NewDataChunker(opts...), framing.NewDataDeChunker(opts...)
	}},
}

// TestEveryFramingHasADefaultLimitThatCanBeTurnedOff: a message of 2 MiB
// is refused by each framer and de-framer by default (1 MiB), and goes
// through both with WithoutMaxFrameSize, or with a limit of math.MaxInt.
func TestEveryFramingHasADefaultLimitThatCanBeTurnedOff(t *testing.T) {
	big := bytes.Repeat([]byte("z"), 2<<20)
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			framer, _ := p.make()
			res := axontest.Run[[]byte, []byte](t, framer, big)
			var fe *framing.FrameError
			require.ErrorAs(t, res.Err, &fe)
			require.ErrorIs(t, res.Err, framing.ErrFrameTooLarge)
			assert.Equal(t, framing.DefaultMaxFrameSize, fe.Limit)

			framer, _ = p.make(framing.WithoutMaxFrameSize())
			res = axontest.Run[[]byte, []byte](t, framer, big)
			require.NoError(t, res.Err)
			stream := bytes.Join(res.Outputs, nil)

			_, deframer := p.make()
			res = axontest.Run[[]byte, []byte](t, deframer, splits(stream, 64<<10)...)
			assert.Empty(t, res.Outputs, "refused by default")
			if p.name != "chunk" { // the de-chunker reports on "errors" and goes on
				require.ErrorIs(t, res.Err, framing.ErrFrameTooLarge)
			}

			for _, opt := range []framing.Option{framing.WithoutMaxFrameSize(), framing.WithMaxFrameSize(math.MaxInt)} {
				_, deframer = p.make(opt)
				res = axontest.Run[[]byte, []byte](t, deframer, splits(stream, 64<<10)...)
				require.NoError(t, res.Err)
				require.Len(t, res.Outputs, 1)
				assert.True(t, bytes.Equal(big, res.Outputs[0]))
			}
		})
	}
}

// TestDecodersTakeMaxIntAsNoLimit: a decoder made with math.MaxInt as its
// limit splits as one with no limit, its sums of limit and delimiter or
// checksum not overflowing.
func TestDecodersTakeMaxIntAsNoLimit(t *testing.T) {
	var records []string
	emit := func(b []byte) error { records = append(records, string(b)); return nil }

	d := framing.NewDelimDecoder([]byte("\r\n"), math.MaxInt)
	require.NoError(t, d.Feed([]byte("ab\r\ncd"), emit))
	require.NoError(t, d.Feed([]byte("\r\n"), emit))
	require.NoError(t, d.End())
	assert.Equal(t, []string{"ab", "cd"}, records)

	records = nil
	l := framing.NewLengthDecoder(math.MaxInt)
	require.NoError(t, l.Feed(framing.AppendFrame(nil, []byte("ef")), emit))
	require.NoError(t, l.End())
	assert.Equal(t, []string{"ef"}, records)

	records = nil
	c := framing.NewChunkDecoder(math.MaxInt)
	res := axontest.Run[[]byte, []byte](t, framing.NewDataChunker(), []byte("gh"))
	require.NoError(t, res.Err)
	for _, piece := range res.Outputs {
		require.NoError(t, c.Feed(piece, emit, func(fe *framing.FrameError) { t.Errorf("reported: %v", fe) }))
	}
	assert.Equal(t, []string{"gh"}, records)
}
