package web

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// icyBlock is a metadata block: length byte, text padded to 16s.
func icyBlock(text string) []byte {
	n := (len(text) + 15) / 16
	b := append([]byte{byte(n)}, text...)
	return append(b, make([]byte, n*16-len(text))...)
}

func TestIcecastClientSeparatesMetadataFromAudio(t *testing.T) {
	const metaint = 10
	var stream bytes.Buffer
	var audio bytes.Buffer
	for i, title := range []string{"StreamTitle='One';StreamUrl='http://x';", "", "StreamTitle='Two';"} {
		a := bytes.Repeat([]byte{byte('a' + i)}, metaint)
		audio.Write(a)
		stream.Write(a)
		if title == "" {
			stream.WriteByte(0)
		} else {
			stream.Write(icyBlock(title))
		}
	}
	stream.WriteString("tail")
	audio.WriteString("tail")
	radio := func(*Request) (axon.Component, error) {
		return NewHandler(func(ctx context.Context, h *Handler, req *Request) error {
			if req.Header.Get("Icy-MetaData") != "1" {
				return h.Respond(ctx, 400, "text/plain", []byte("no metadata asked for"))
			}
			if err := h.Out.Send(ctx, Resource{Type: "audio/mpeg", Headers: http.Header{"Icy-Metaint": {"10"}, "Icy-Name": {"Test FM"}}}); err != nil {
				return err
			}
			// Pieces of 7 bytes: blocks and audio are cut anywhere.
			s := stream.Bytes()
			for len(s) > 0 {
				n := min(7, len(s))
				if err := h.Out.Send(ctx, Chunk(bytes.Clone(s[:n]))); err != nil {
					return err
				}
				s = s[n:]
			}
			return nil
		}), nil
	}
	addr := serve(t, NewServer(axontest.NewScheduler(t), Limits{}, Route{Prefix: "/", New: radio}))
	h := axontest.NewHandle(t, axontest.NewScheduler(t), NewIcecastClient(nil, "http://"+addr+"/stream"))
	ctx := axontest.Context(t)
	got, err := axontest.Collect[[]byte](ctx, h, "outbox")
	require.NoError(t, err)
	assert.Equal(t, audio.String(), string(bytes.Join(got, nil)))
	metas, err := axontest.Collect[IcyMeta](ctx, h, "metadata")
	require.NoError(t, err)
	require.Len(t, metas, 3, "an empty block (no change) is not reported")
	assert.Equal(t, "Test FM", metas[0].Fields["icy-name"])
	assert.Equal(t, map[string]string{"StreamTitle": "One", "StreamUrl": "http://x"}, metas[1].Fields)
	assert.Equal(t, "Two", metas[2].Fields["StreamTitle"])
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.ProducerFinished{}, sig)
}

func TestIcecastClientRefusesABadMetaint(t *testing.T) {
	bad := func(*Request) (axon.Component, error) {
		return NewHandler(func(ctx context.Context, h *Handler, req *Request) error {
			return h.Out.Send(ctx, Resource{Type: "audio/mpeg", LengthKnown: true, Headers: http.Header{"Icy-Metaint": {"lots"}}})
		}), nil
	}
	addr := serve(t, NewServer(axontest.NewScheduler(t), Limits{}, Route{Prefix: "/", New: bad}))
	res := axontest.Run[any, []byte](t, NewIcecastClient(nil, "http://"+addr+"/"))
	require.Error(t, res.Err)
	assert.True(t, strings.Contains(res.Err.Error(), `icy-metaint "lots"`), res.Err.Error())
}
