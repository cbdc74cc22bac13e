package xmlparse

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// charsetReader lets the decoder read the encodings besides UTF-8 that the
// documents Kamaelia's tools wrote declare: ISO-8859-1 (Latin-1, whose
// bytes are the first 256 code points) and ASCII (a part of UTF-8). Any
// other declared encoding is an error naming it.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1":
		return &latin1Reader{r: in}, nil
	case "us-ascii", "ascii":
		return in, nil
	}
	return nil, fmt.Errorf("encoding %q is not ISO-8859-1, ASCII or UTF-8", label)
}

// latin1Reader turns Latin-1 text into UTF-8 as it is read, so a document
// arriving in chunks is decoded in chunks, not read whole first.
type latin1Reader struct {
	r   io.Reader
	err error  // the source's error, returned once out is empty
	in  []byte // buffer for raw bytes
	buf []byte // buffer for converted bytes
	out []byte // the part of buf not yet returned
}

func (l *latin1Reader) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	for len(l.out) == 0 {
		if l.err != nil {
			return 0, l.err
		}
		// A Latin-1 byte is at most two UTF-8 bytes: reading half of b
		// (at least 1) keeps the converted text about b's size.
		want := max(len(b)/2, 1)
		if cap(l.in) < want {
			l.in = make([]byte, want)
		}
		n, err := l.r.Read(l.in[:want])
		l.err = err
		l.buf = l.buf[:0]
		for _, c := range l.in[:n] {
			l.buf = utf8.AppendRune(l.buf, rune(c))
		}
		l.out = l.buf
	}
	n := copy(b, l.out)
	l.out = l.out[n:]
	return n, nil
}
