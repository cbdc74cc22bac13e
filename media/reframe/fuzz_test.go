package reframe_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/media/reframe"
	"github.com/stretchr/testify/require"
)

// FuzzParseEDL: any input parses to edits that keep the list's rules, or
// fails with ErrBadEDL; it never panics.
func FuzzParseEDL(f *testing.F) {
	f.Add(sampleEDL)
	f.Add(`<EDL><Edit><Start frame="3"/><End frame="1"/><Crop x1="0" y1="0" x2="1" y2="1"/></Edit></EDL>`)
	f.Add(`<?xml version="1.0" encoding="latin1"?><EDL><FileID>x</FileID></EDL>`)
	f.Fuzz(func(t *testing.T, doc string) {
		edits, err := reframe.ParseEDL(strings.NewReader(doc))
		if err != nil {
			require.True(t, errors.Is(err, reframe.ErrBadEDL) || strings.Contains(err.Error(), "encoding"), err.Error())
			return
		}
		require.NotEmpty(t, edits)
		for _, e := range edits {
			require.GreaterOrEqual(t, e.End, e.Start)
			require.GreaterOrEqual(t, e.Start, 0)
			require.Greater(t, e.Right, e.Left)
			require.Greater(t, e.Bottom, e.Top)
		}
	})
}
