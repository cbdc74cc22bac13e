package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
)

// IcyMeta is one block of a SHOUTcast/Icecast stream's metadata.
type IcyMeta struct {
	// Fields holds the block's key='value'; pairs (StreamTitle,
	// StreamUrl...).
	Fields map[string]string
	// Raw is the block as it came, without its padding.
	Raw string
}

// icyDemux separates a stream's audio from the metadata blocks sent every
// metaint bytes of audio: a length byte n, then n*16 bytes of text.
type icyDemux struct {
	metaint int
	audio   int // audio bytes left before the next length byte
	meta    []byte
	need    int // metadata bytes still to come; -1: the length byte is next
}

func newIcyDemux(metaint int) *icyDemux { return &icyDemux{metaint: metaint, audio: metaint} }

// feed splits p, calling audio and meta in stream order.
func (d *icyDemux) feed(p []byte, audio func([]byte) error, meta func(IcyMeta) error) error {
	for len(p) > 0 {
		switch {
		case d.metaint == 0:
			return audio(p)
		case d.audio > 0:
			n := min(d.audio, len(p))
			if err := audio(p[:n]); err != nil {
				return err
			}
			d.audio -= n
			p = p[n:]
			if d.audio == 0 {
				d.need = -1
			}
		case d.need == -1:
			d.need = int(p[0]) * 16
			p = p[1:]
			if d.need == 0 {
				d.audio = d.metaint
			}
		default:
			n := min(d.need, len(p))
			d.meta = append(d.meta, p[:n]...)
			d.need -= n
			p = p[n:]
			if d.need == 0 {
				m := parseIcy(string(bytes.TrimRight(d.meta, "\x00")))
				d.meta = d.meta[:0]
				d.audio = d.metaint
				if err := meta(m); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// parseIcy reads "StreamTitle='a';StreamUrl='b';".
func parseIcy(raw string) IcyMeta {
	m := IcyMeta{Fields: map[string]string{}, Raw: raw}
	rest := raw
	for rest != "" {
		k, after, ok := strings.Cut(rest, "='")
		if !ok {
			break
		}
		v, next, ok := strings.Cut(after, "';")
		if !ok {
			v, next = strings.TrimSuffix(after, "'"), ""
		}
		m.Fields[k] = v
		rest = next
	}
	return m
}

// IcecastClient plays a SHOUTcast/Icecast stream (Kamaelia's
// IcecastClient with IcecastDemux): it asks the server for metadata
// ("Icy-MetaData: 1") and separates it from the audio.
//
// Boxes:
//
//	inbox    (any)      not used
//	control  (any)      Shutdown
//	outbox   ([]byte)   the audio bytes, in order, metadata taken out
//	metadata (IcyMeta)  first the response's icy- headers (icy-name,
//	                    icy-genre...) as Fields, then each metadata block
//	                    (an empty block, which means "no change", is not sent)
//	signal   (any)      how it ended
//
// Servers that answer with the old "ICY 200 OK" status line rather than
// HTTP are not understood (net/http refuses the line); Icecast 2 and
// SHOUTcast 2 answer HTTP.
//
// Example:
//
//	radio := web.NewIcecastClient(nil, "http://127.0.0.1:8000/stream.ogg")
//
// Shutdown: it ends with ProducerFinished when the stream ends; with an
// error when the fetch fails, the status is not 2xx, or icy-metaint is not
// a number. Shutdown stops it at once.
type IcecastClient struct {
	axon.Core
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[[]byte]
	// Meta is the outbox called "metadata": see the type's doc for what it carries.
	Meta   *axon.Outbox[IcyMeta]
	client *http.Client
	url    string
}

// NewIcecastClient returns an IcecastClient of url that fetches with c
// (http.DefaultClient if nil).
func NewIcecastClient(c *http.Client, url string) *IcecastClient {
	if c == nil {
		c = http.DefaultClient
	}
	ic := &IcecastClient{client: c, url: url}
	ic.Out = axon.NewOutbox[[]byte](ic, "outbox")
	ic.Meta = axon.NewOutbox[IcyMeta](ic, "metadata")
	return ic
}

// Main plays the stream until it ends.
func (ic *IcecastClient) Main(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ic.url, nil)
	if err != nil {
		return fmt.Errorf("web: icecast %s: %w", ic.url, err)
	}
	req.Header.Set("Icy-MetaData", "1")
	resp, err := ic.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("web: icecast %s: %s", ic.url, resp.Status)
	}
	metaint := 0
	if v := resp.Header.Get("Icy-Metaint"); v != "" {
		if metaint, err = strconv.Atoi(v); err != nil || metaint < 0 {
			return fmt.Errorf("web: icecast %s: icy-metaint %q is not a number of bytes", ic.url, v)
		}
	}
	head := IcyMeta{Fields: map[string]string{}}
	for k, vs := range resp.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "icy-") {
			head.Fields[lk] = strings.Join(vs, ", ")
		}
	}
	if err := ic.Meta.Send(ctx, head); err != nil {
		return err
	}
	d := newIcyDemux(metaint)
	audio := func(p []byte) error { return ic.Out.Send(ctx, bytes.Clone(p)) }
	meta := func(m IcyMeta) error { return ic.Meta.Send(ctx, m) }
	buf := make([]byte, ChunkSize)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if ferr := d.feed(buf[:n], audio, meta); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("web: icecast %s: %w", ic.url, err)
		}
	}
}
