package framing_test

import (
	"bytes"
	"fmt"
)

// splits cuts b into pieces: of size n, or, for n == 0, one piece.
func splits(b []byte, n int) [][]byte {
	if n == 0 {
		return [][]byte{bytes.Clone(b)}
	}
	var out [][]byte
	for len(b) > 0 {
		k := min(n, len(b))
		out = append(out, bytes.Clone(b[:k]))
		b = b[k:]
	}
	return out
}

// seededSplits cuts b into pieces whose sizes come from seed: the same
// seed, the same cuts.
func seededSplits(b []byte, seed []byte) [][]byte {
	var out [][]byte
	for i := 0; len(b) > 0; i++ {
		k := 1
		if len(seed) > 0 {
			k = int(seed[i%len(seed)])%17 + 1
		}
		k = min(k, len(b))
		out = append(out, bytes.Clone(b[:k]))
		b = b[k:]
	}
	return out
}

func strs(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return fmt.Sprint(err)
}
