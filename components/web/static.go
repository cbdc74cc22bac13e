package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
)

// ChunkSize is the size of the chunks the static file handler sends.
const ChunkSize = 32 << 10

// Static returns a Factory of handler components that serve the files
// under root (Kamaelia's Minimal handler): the request's Suffix, cleaned,
// names a file under root; a directory is served as its index.html. The
// type comes from the file's extension (mime.TypeByExtension), or from
// its first bytes when the extension says nothing. GET and HEAD only (405
// otherwise).
//
// No path escapes root: the suffix is cleaned (so "..", "%2e%2e" and
// "..%2f" go no higher than root) and files are opened through an
// os.Root, which also refuses symbolic links that lead out of root. What
// cannot be opened is answered 404.
//
// A Range header of one range ("bytes=0-99", "bytes=100-", "bytes=-50")
// gets 206 with that part and Content-Range; a range that starts past the
// end gets 416; several ranges get the whole file (200), as HTTP allows.
// Responses say Accept-Ranges: bytes and Last-Modified.
//
// Example:
//
//	files, err := web.Static("/var/www")
//	srv := web.NewServer(nil, web.Limits{}, web.Route{Prefix: "/", New: files})
//
// root is opened once: it is an error if it is not a directory. Each
// component ends once it has sent its file, or at Shutdown.
func Static(root string) (Factory, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("web: static root: %w", err)
	}
	return func(req *Request) (axon.Component, error) {
		return NewHandler(func(ctx context.Context, h *Handler, req *Request) error {
			return serveFile(ctx, h, r, req)
		}), nil
	}, nil
}

// page sends a small HTML error page.
func page(ctx context.Context, h *Handler, status int, msg string) error {
	body := fmt.Sprintf("<html><head><title>%d %s</title></head><body><h1>%d %s</h1><p>%s</p></body></html>\n",
		status, http.StatusText(status), status, http.StatusText(status), msg)
	return h.Out.Send(ctx, Resource{Status: status, Type: "text/html", Charset: "utf-8", Length: int64(len(body)), LengthKnown: true, Data: []byte(body)})
}

func serveFile(ctx context.Context, h *Handler, root *os.Root, req *Request) error {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return h.Out.Send(ctx, Resource{Status: http.StatusMethodNotAllowed, Type: "text/plain", Length: 0, LengthKnown: true,
			Headers: http.Header{"Allow": {"GET, HEAD"}}})
	}
	name := strings.TrimPrefix(path.Clean("/"+req.Suffix), "/")
	if name == "" {
		name = "."
	}
	f, err := root.Open(name)
	if err != nil {
		return page(ctx, h, http.StatusNotFound, "The requested resource was not found on this server.")
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		_ = f.Close()
		name = path.Join(name, "index.html")
		if f, err = root.Open(name); err == nil {
			st, err = f.Stat()
		}
	}
	if err != nil || !st.Mode().IsRegular() {
		return page(ctx, h, http.StatusNotFound, "The requested resource was not found on this server.")
	}
	size := st.Size()
	typ := mime.TypeByExtension(path.Ext(name))
	if typ == "" {
		var head [512]byte
		n, _ := io.ReadFull(f, head[:])
		typ = http.DetectContentType(head[:n])
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
	}
	hdr := http.Header{
		"Accept-Ranges": {"bytes"},
		"Last-Modified": {st.ModTime().UTC().Format(http.TimeFormat)},
	}
	status, start, n := http.StatusOK, int64(0), size
	if rg := req.Header.Get("Range"); rg != "" {
		s, l, ok, err := parseRange(rg, size)
		switch {
		case err != nil:
			hdr.Set("Content-Range", fmt.Sprintf("bytes */%d", size))
			return h.Out.Send(ctx, Resource{Status: http.StatusRequestedRangeNotSatisfiable, Type: "text/plain", LengthKnown: true, Headers: hdr})
		case ok:
			status, start, n = http.StatusPartialContent, s, l
			hdr.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", s, s+l-1, size))
		}
	}
	if err := h.Out.Send(ctx, Resource{Status: status, Type: typ, Length: n, LengthKnown: true, Headers: hdr}); err != nil {
		return err
	}
	if req.Method == http.MethodHead {
		return nil
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return err
	}
	for n > 0 {
		buf := make([]byte, min(n, ChunkSize))
		k, err := io.ReadFull(f, buf)
		if k > 0 {
			if err := h.Out.Send(ctx, Chunk(buf[:k])); err != nil {
				return err
			}
			n -= int64(k)
		}
		if err != nil {
			// The file shrank under us: the response cannot be whole.
			return fmt.Errorf("web: reading %s: %w", name, err)
		}
	}
	return nil
}

// errRange is a range that cannot be satisfied.
var errRange = errors.New("web: range not satisfiable")

// parseRange reads a Range header of one byte range over size bytes: the
// start and length, ok false when the header is to be ignored (not bytes,
// several ranges, malformed), or errRange.
func parseRange(h string, size int64) (start, n int64, ok bool, err error) {
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, nil
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false, nil
	}
	if a == "" { // the last b bytes
		k, e := strconv.ParseInt(b, 10, 64)
		if e != nil || k < 0 {
			return 0, 0, false, nil
		}
		if k == 0 || size == 0 {
			return 0, 0, false, errRange
		}
		k = min(k, size)
		return size - k, k, true, nil
	}
	s, e := strconv.ParseInt(a, 10, 64)
	if e != nil || s < 0 {
		return 0, 0, false, nil
	}
	if s >= size {
		return 0, 0, false, errRange
	}
	end := size - 1
	if b != "" {
		x, e := strconv.ParseInt(b, 10, 64)
		if e != nil || x < s {
			return 0, 0, false, nil
		}
		end = min(x, size-1)
	}
	return s, end - s + 1, true, nil
}
