package framing

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Codec turns values of T into bytes and back. Unmarshal must return an
// error, never panic, for bytes that are not a T, and must take all of
// them: trailing bytes are an error.
type Codec[T any] interface {
	Marshal(v T) ([]byte, error)
	Unmarshal(data []byte) (T, error)
}

// CodecError is the failure of a Marshaller or DeMarshaller: which message
// (counted from 0) could not be converted, and why.
type CodecError struct {
	Index int64        // the message's index, from 0
	Type  reflect.Type // T
	Err   error        // the codec's error
}

// Error describes the message and the trouble.
func (e *CodecError) Error() string {
	return fmt.Sprintf("framing: message %d (%s): %v", e.Index, e.Type, e.Err)
}

// Unwrap returns Err.
func (e *CodecError) Unwrap() error { return e.Err }

// ErrTrailingData is wrapped when bytes are left over after the value.
var ErrTrailingData = errors.New("trailing data after the value")

// ErrBadLength is wrapped when a gob message announces more bytes than
// there are.
var ErrBadLength = errors.New("gob message length exceeds the data")

// Gob is the Codec of encoding/gob. Each value is encoded on its own, with
// its type, so each message decodes without the ones before it. Types sent
// as interface values must be registered with gob.Register.
type Gob[T any] struct{}

// Marshal encodes v.
func (Gob[T]) Marshal(v T) ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(&v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Unmarshal decodes one value that takes all of data.
func (Gob[T]) Unmarshal(data []byte) (T, error) {
	var v T
	// gob trusts the length in front of each of its messages, and would
	// allocate what a corrupt one announces (up to gigabytes) before it
	// finds the data short: check them against the data first.
	if err := checkGobLengths(data); err != nil {
		return v, err
	}
	r := bytes.NewReader(data)
	if err := gob.NewDecoder(r).Decode(&v); err != nil {
		return v, err
	}
	if r.Len() > 0 {
		return v, fmt.Errorf("gob: %w (%d bytes)", ErrTrailingData, r.Len())
	}
	return v, nil
}

// checkGobLengths walks the messages of a gob stream: each is an unsigned
// count in gob's encoding (one byte below 128, else a byte holding minus the
// count of big-endian bytes that follow), then that many bytes.
func checkGobLengths(data []byte) error {
	for len(data) > 0 {
		n, size := uint64(data[0]), 1
		if n >= 0x80 {
			k := 256 - int(data[0]) // the byte is -k
			if k > 8 || len(data) < 1+k {
				return fmt.Errorf("gob: bad message length")
			}
			n = 0
			for _, b := range data[1 : 1+k] {
				n = n<<8 | uint64(b)
			}
			size = 1 + k
		}
		if n > uint64(len(data)-size) {
			return fmt.Errorf("gob: %w (%d announced, %d left)", ErrBadLength, n, len(data)-size)
		}
		data = data[size+int(n):]
	}
	return nil
}

// JSON is the Codec of encoding/json.
type JSON[T any] struct{}

// Marshal encodes v.
func (JSON[T]) Marshal(v T) ([]byte, error) { return json.Marshal(v) }

// Unmarshal decodes one value that takes all of data (but white space).
func (JSON[T]) Unmarshal(data []byte) (T, error) {
	var v T
	err := json.Unmarshal(data, &v)
	return v, err
}

// Marshaller turns each value it is given into bytes with a Codec:
// Kamaelia's Marshaller.
//
// Boxes:
//
//	inbox   T        values
//	control any      ProducerFinished: marshal what is queued, end; Shutdown: end now
//	outbox  []byte   one message per value
//	signal  any      the outcome (below)
//
// Example: typed values over a framed connection.
//
//	m := framing.NewMarshaller[Reading](framing.JSON[Reading]{})
//	f := framing.NewFramer()
//	axon.MustLink(m.Out, f.In)
//
// Shutdown: as Framer. A value the codec cannot encode ends it with a
// *CodecError on signal.
type Marshaller[T any] struct {
	axon.Core
	// In is the "inbox": values.
	In *axon.Inbox[T]
	// Out is the "outbox": messages.
	Out *axon.Outbox[[]byte]

	codec Codec[T]
}

// NewMarshaller returns a Marshaller that encodes with codec.
func NewMarshaller[T any](codec Codec[T]) *Marshaller[T] {
	m := &Marshaller[T]{codec: codec}
	m.In = axon.NewInbox[T](m, "inbox")
	m.Out = axon.NewOutbox[[]byte](m, "outbox")
	return m
}

// Main encodes until told to stop; see Marshaller.
func (m *Marshaller[T]) Main(ctx context.Context) error {
	var i int64
	for v := range m.In.Messages(ctx) {
		b, err := m.codec.Marshal(v)
		if err != nil {
			return &CodecError{Index: i, Type: reflect.TypeFor[T](), Err: err}
		}
		if err := m.Out.Send(ctx, b); err != nil {
			return err
		}
		i++
	}
	return ctx.Err()
}

// DeMarshaller turns each message it is given back into a value with a
// Codec: Kamaelia's DeMarshaller.
//
// Boxes:
//
//	inbox   []byte   messages, one value each
//	control any      ProducerFinished: decode what is queued, end; Shutdown: end now
//	outbox  T        values
//	signal  any      the outcome (below)
//
// Example:
//
//	d := framing.NewDeFramer()
//	u := framing.NewDeMarshaller[Reading](framing.JSON[Reading]{})
//	axon.MustLink(d.Out, u.In)
//
// Shutdown: as DeFramer. A message that does not decode (or leaves bytes
// over) ends it with a *CodecError on signal naming the message's index; a
// server's connection is then closed.
type DeMarshaller[T any] struct {
	axon.Core
	// In is the "inbox": messages.
	In *axon.Inbox[[]byte]
	// Out is the "outbox": values.
	Out *axon.Outbox[T]

	codec Codec[T]
}

// NewDeMarshaller returns a DeMarshaller that decodes with codec.
func NewDeMarshaller[T any](codec Codec[T]) *DeMarshaller[T] {
	d := &DeMarshaller[T]{codec: codec}
	d.In = axon.NewInbox[[]byte](d, "inbox")
	d.Out = axon.NewOutbox[T](d, "outbox")
	return d
}

// Main decodes until told to stop; see DeMarshaller.
func (d *DeMarshaller[T]) Main(ctx context.Context) error {
	var i int64
	for b := range d.In.Messages(ctx) {
		v, err := d.codec.Unmarshal(b)
		if err != nil {
			return &CodecError{Index: i, Type: reflect.TypeFor[T](), Err: err}
		}
		if err := d.Out.Send(ctx, v); err != nil {
			return err
		}
		i++
	}
	return ctx.Err()
}
