package framing_test

import (
	"bytes"
	"encoding/gob"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet/framing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type reading struct {
	Sensor string
	Values []float64
	Tags   map[string]string
}

var readings = []reading{
	{Sensor: "thermo", Values: []float64{20.5, 21}, Tags: map[string]string{"room": "kitchen"}},
	{Sensor: "baro", Values: []float64{1013.25}},
}

func TestCodecsRoundTrip(t *testing.T) {
	for name, codec := range map[string]framing.Codec[reading]{"gob": framing.Gob[reading]{}, "json": framing.JSON[reading]{}} {
		t.Run(name, func(t *testing.T) {
			enc := axontest.Run[reading, []byte](t, framing.NewMarshaller(codec), readings...)
			require.NoError(t, enc.Err)
			require.Len(t, enc.Outputs, 2)
			dec := axontest.Run[[]byte, reading](t, framing.NewDeMarshaller(codec), enc.Outputs...)
			require.NoError(t, dec.Err)
			assert.Equal(t, []any{axon.ProducerFinished{}}, dec.Signals)
			assert.Equal(t, readings, dec.Outputs)
		})
	}
}

func TestDeMarshallerFailsOnABadMessage(t *testing.T) {
	good, err := framing.JSON[reading]{}.Marshal(readings[0])
	require.NoError(t, err)
	res := axontest.Run[[]byte, reading](t, framing.NewDeMarshaller[reading](framing.JSON[reading]{}),
		good, []byte(`{"Sensor": 12}`), good)
	assert.Equal(t, readings[:1], res.Outputs)
	var ce *framing.CodecError
	require.ErrorAs(t, res.Err, &ce)
	assert.Equal(t, int64(1), ce.Index)
	assert.Contains(t, ce.Error(), "framing: message 1 (framing_test.reading)")
}

func TestCodecsRefuseTrailingData(t *testing.T) {
	g, err := framing.Gob[reading]{}.Marshal(readings[0])
	require.NoError(t, err)
	_, err = framing.Gob[reading]{}.Unmarshal(append(g, g...))
	assert.ErrorIs(t, err, framing.ErrTrailingData)
	_, err = framing.JSON[reading]{}.Unmarshal([]byte(`{"Sensor":"a"} {}`))
	assert.Error(t, err)
}

func TestGobRefusesALengthLargerThanTheData(t *testing.T) {
	// A message claiming 2^40 bytes: gob would allocate before noticing.
	bad := []byte{0xfb, 0x01, 0x00, 0x00, 0x00, 0x00, 0x41}
	_, err := framing.Gob[reading]{}.Unmarshal(bad)
	assert.ErrorIs(t, err, framing.ErrBadLength)
	_, err = framing.Gob[reading]{}.Unmarshal([]byte{0x80})
	assert.Error(t, err)
}

func TestMarshallerFailsOnAValueItCannotEncode(t *testing.T) {
	res := axontest.Run[any, []byte](t, framing.NewMarshaller[any](framing.JSON[any]{}), "fine", make(chan int))
	assert.Len(t, res.Outputs, 1)
	var ce *framing.CodecError
	require.ErrorAs(t, res.Err, &ce)
	assert.Equal(t, int64(1), ce.Index)
}

func TestGobMessagesStandAlone(t *testing.T) {
	// Each message carries its type: the second decodes without the first.
	a, err := framing.Gob[reading]{}.Marshal(readings[0])
	require.NoError(t, err)
	b, err := framing.Gob[reading]{}.Marshal(readings[1])
	require.NoError(t, err)
	v, err := framing.Gob[reading]{}.Unmarshal(b)
	require.NoError(t, err)
	assert.Equal(t, readings[1], v)
	var direct reading
	require.NoError(t, gob.NewDecoder(bytes.NewReader(a)).Decode(&direct))
	assert.Equal(t, readings[0], direct)
}
