package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Reply is what the client components send for each fetch: a Head, then
// the body as Chunk messages, then End; or Failed when the fetch could not
// be made (SimpleClient only: SingleShotClient ends with the error).
type Reply interface{ reply() }

// Head is the head of a response, after redirects were followed.
type Head struct {
	// URL is the URL the response came from: the last of the redirects.
	URL string
	// StatusCode is the status, e.g. 200; Status its line, "200 OK".
	StatusCode int
	Status     string
	Header     http.Header
	// ContentLength is the body's length, -1 if not known.
	ContentLength int64
}

// Failed is a fetch of SimpleClient that went wrong: the request could not
// be sent, or the body broke off (after its Head and some Chunks).
type Failed struct {
	URL string
	Err error
}

func (Head) reply()   {}
func (Chunk) reply()  {}
func (End) reply()    {}
func (Failed) reply() {}

// Fetch is a request for SimpleClient: Get and Post make them (Post is
// Kamaelia's HTTPMakePostRequest).
type Fetch struct {
	Method string // "" means GET
	URL    string
	// Type is the body's Content-Type; Body the body, nil for none.
	Type string
	Body []byte
	// Header holds more request headers.
	Header http.Header
}

// Get returns a Fetch of url.
func Get(url string) Fetch { return Fetch{Method: http.MethodGet, URL: url} }

// Post returns a Fetch that posts body, of type typ, to url.
func Post(url, typ string, body []byte) Fetch {
	return Fetch{Method: http.MethodPost, URL: url, Type: typ, Body: body}
}

// fetch makes f with c and sends its Head, Chunks and End on out. The
// error is the fetch's; a send's error (Shutdown) is returned as is.
func fetch(ctx context.Context, c *http.Client, f Fetch, out *axon.Outbox[Reply]) (sendErr, fetchErr error) {
	var body io.Reader
	if f.Body != nil {
		body = bytes.NewReader(f.Body)
	}
	method := f.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, f.URL, body)
	if err != nil {
		return nil, fmt.Errorf("web: fetch %s: %w", f.URL, err)
	}
	for k, vs := range f.Header {
		req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if f.Type != "" {
		req.Header.Set("Content-Type", f.Type)
	}
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err(), nil
		}
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	head := Head{URL: resp.Request.URL.String(), StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header, ContentLength: resp.ContentLength}
	if err := out.Send(ctx, head); err != nil {
		return err, nil
	}
	for {
		buf := make([]byte, ChunkSize)
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if serr := out.Send(ctx, Chunk(buf[:n])); serr != nil {
				return serr, nil
			}
		}
		if err == io.EOF {
			return out.Send(ctx, End{}), nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err(), nil
			}
			return nil, fmt.Errorf("web: fetch %s: reading the body: %w", f.URL, err)
		}
	}
}

// SingleShotClient fetches one URL and sends the response as it arrives
// (Kamaelia's SingleShotHTTPClient): its Head, its body in chunks of at
// most ChunkSize bytes (never the whole body at once), then End. Redirects
// (Location) are followed, at most ten; Head.URL is where the body came
// from. A status other than 2xx is not an error: it is in the Head.
//
// Boxes:
//
//	inbox   (any)    not used
//	control (any)    Shutdown
//	outbox  (Reply)  Head, Chunk..., End
//	signal  (any)    how it ended
//
// Example:
//
//	page := web.NewSingleShotClient(nil, web.Get("http://example.org/"))
//
// Shutdown: it ends after End with ProducerFinished, or with the error of
// a fetch that failed (the request could not be made, the body broke off).
// Shutdown stops it at once, cancelling the request.
type SingleShotClient struct {
	axon.Core
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out    *axon.Outbox[Reply]
	client *http.Client
	f      Fetch
}

// NewSingleShotClient returns a SingleShotClient that makes f with c
// (http.DefaultClient if nil).
func NewSingleShotClient(c *http.Client, f Fetch) *SingleShotClient {
	if c == nil {
		c = http.DefaultClient
	}
	s := &SingleShotClient{client: c, f: f}
	s.Out = axon.NewOutbox[Reply](s, "outbox")
	return s
}

// Main makes the fetch.
func (s *SingleShotClient) Main(ctx context.Context) error {
	sendErr, err := fetch(ctx, s.client, s.f, s.Out)
	if sendErr != nil {
		return sendErr
	}
	return err
}

// SimpleClient makes the fetches it is sent, one after another, and sends
// each response as SingleShotClient does (Kamaelia's SimpleHTTPClient,
// which also took POST requests).
//
// Boxes:
//
//	inbox   (Fetch)  Get(url), Post(url, type, body), or any Fetch
//	control (any)    ProducerFinished, Shutdown
//	outbox  (Reply)  per fetch: Head, Chunk..., End; or Failed
//	signal  (any)    how it ended
//
// A fetch that fails sends Failed (after what it sent of the response)
// and the client goes on with the next.
//
// Example:
//
//	client := web.NewSimpleClient(nil)
//	// send it web.Get(url) and web.Post(url, "application/x-bittorrent", data)
//
// Shutdown: ProducerFinished on control makes it make the fetches waiting
// and end. Shutdown stops it at once, cancelling the fetch under way.
type SimpleClient struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[Fetch]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out    *axon.Outbox[Reply]
	client *http.Client
}

// NewSimpleClient returns a SimpleClient that fetches with c
// (http.DefaultClient if nil).
func NewSimpleClient(c *http.Client) *SimpleClient {
	if c == nil {
		c = http.DefaultClient
	}
	s := &SimpleClient{client: c}
	s.In = axon.NewInbox[Fetch](s, "inbox")
	s.Out = axon.NewOutbox[Reply](s, "outbox")
	return s
}

// Main fetches until told to stop.
func (s *SimpleClient) Main(ctx context.Context) error {
	for f := range s.In.Messages(ctx) {
		sendErr, err := fetch(ctx, s.client, f, s.Out)
		if sendErr != nil {
			return sendErr
		}
		if err != nil {
			if err := s.Out.Send(ctx, Failed{URL: f.URL, Err: err}); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}
