package reframe_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/reframe"
	"github.com/stretchr/testify/require"
)

const sampleEDL = `<?xml version="1.0" encoding="ISO-8859-1"?>
<EDL>
    <FileID>clip.mp4</FileID>
    <Edit>
        <Start frame="0" />
        <End frame="24" />
        <Crop x1="0" y1="0" x2="400" y2="100" />
    </Edit>
    <Edit>
        <Start frame="25" />
        <End frame="49" />
        <Crop x1="80" y1="40" x2="480" y2="140" />
    </Edit>
</EDL>
`

func TestParseSampleEDL(t *testing.T) {
	edits, err := reframe.ParseEDL(strings.NewReader(sampleEDL))
	require.NoError(t, err)
	require.Equal(t, []reframe.Edit{
		{FileID: "clip.mp4", Start: 0, End: 24, Left: 0, Top: 0, Right: 400, Bottom: 100},
		{FileID: "clip.mp4", Start: 25, End: 49, Left: 80, Top: 40, Right: 480, Bottom: 140},
	}, edits)
	require.Equal(t, 25, edits[0].Frames())
	require.Equal(t, "clip.mp4: frames 25..49, crop 80,40-480,140", edits[1].String())
}

func TestParseEDLErrorsNameTheEdit(t *testing.T) {
	edit := func(body string) string {
		return `<EDL><FileID>f</FileID><Edit><Start frame="0"/><End frame="4"/><Crop x1="0" y1="0" x2="8" y2="8"/></Edit><Edit>` + body + `</Edit></EDL>`
	}
	for name, tc := range map[string]struct{ doc, want string }{
		"end before start": {edit(`<Start frame="9"/><End frame="3"/><Crop x1="0" y1="0" x2="8" y2="8"/>`), "edit 2: End frame 3 is before Start frame 9"},
		"missing attr":     {edit(`<Start frame="0"/><End frame="3"/><Crop x1="0" y1="0" x2="8"/>`), "edit 2: <Crop> has no y2 attribute"},
		"missing element":  {edit(`<Start frame="0"/><Crop x1="0" y1="0" x2="8" y2="8"/>`), "edit 2: no <End>"},
		"not a number":     {edit(`<Start frame="x"/><End frame="3"/><Crop x1="0" y1="0" x2="8" y2="8"/>`), `edit 2: <Start frame="x">: want a whole number >= 0`},
		"negative":         {edit(`<Start frame="0"/><End frame="3"/><Crop x1="-2" y1="0" x2="8" y2="8"/>`), `edit 2: <Crop x1="-2">: want a whole number >= 0`},
		"empty crop":       {edit(`<Start frame="0"/><End frame="3"/><Crop x1="8" y1="0" x2="8" y2="8"/>`), "edit 2: empty crop (8,0)-(8,8)"},
		"no edits":         {`<EDL><FileID>f</FileID></EDL>`, "no <Edit>"},
		"not xml":          {`this is not xml`, "bad edit decision list"},
		"wrong root":       {`<Edits></Edits>`, "bad edit decision list"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := reframe.ParseEDL(strings.NewReader(tc.doc))
			require.ErrorIs(t, err, reframe.ErrBadEDL)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// card returns a grey picture with a white 8x8 marker at (mx, my).
func card(w, h, mx, my int) *frame.Video {
	v := frame.NewVideo(frame.YUV420P, w, h)
	for i := range v.Planes {
		for j := range v.Planes[i] {
			v.Planes[i][j] = 128
		}
	}
	for y := my; y < my+8; y++ {
		for x := mx; x < mx+8; x++ {
			v.Planes[0][y*v.Strides[0]+x] = 235
		}
	}
	return v
}

// The marker inside the crop lands where the stretch puts it: the crop
// (100,50)-(260,130) of a 320x240 card, 160x80, stretched to 240x160 is
// 1.5 times wider and 2 times taller, so the marker at (180,90) lands at
// ((180-100)*1.5, (90-50)*2) = (120, 80), 12x16 pixels.
func TestCropScaleStretchesMarkerToScaledPlace(t *testing.T) {
	e := reframe.Edit{Start: 0, End: 0, Left: 100, Top: 50, Right: 260, Bottom: 130}
	out, err := reframe.CropScale(card(320, 240, 180, 90), e, 240, 160)
	require.NoError(t, err)
	require.Equal(t, 240, out.Width)
	require.Equal(t, 160, out.Height)
	require.Equal(t, frame.YUV420P, out.Format)
	at := func(x, y int) byte { return out.Planes[0][y*out.Strides[0]+x] }
	require.Equal(t, byte(235), at(126, 88), "the marker's middle")
	require.Equal(t, byte(128), at(110, 88), "left of it")
	require.Equal(t, byte(128), at(126, 70), "above it")
	require.Equal(t, byte(128), at(140, 88), "right of it")
	require.Equal(t, byte(128), at(126, 100), "below it")
	require.NoError(t, out.Validate())
}

func TestCropScaleRefuses(t *testing.T) {
	v := card(64, 48, 0, 0)
	_, err := reframe.CropScale(v, reframe.Edit{Right: 65, Bottom: 10}, 16, 16)
	require.ErrorContains(t, err, "outside the 64x48 picture")
	_, err = reframe.CropScale(v, reframe.Edit{Right: 8, Bottom: 8}, 15, 16)
	require.ErrorContains(t, err, "not even")
	_, err = reframe.CropScale(frame.NewVideo(frame.RGBA, 8, 8), reframe.Edit{Right: 8, Bottom: 8}, 8, 8)
	require.ErrorContains(t, err, "cannot crop rgba")
}

// numberedCard carries its number n in its luma level.
func numberedCard(n int) *frame.Video {
	v := frame.NewVideo(frame.YUV420P, 32, 32)
	for i := range v.Planes[0] {
		v.Planes[0][i] = byte(16 + 4*n)
	}
	return v
}

func TestReframerOrderAndCount(t *testing.T) {
	r, err := reframe.New([]reframe.Edit{
		{Start: 30, End: 39, Right: 32, Bottom: 32},
		{Start: 0, End: 4, Right: 16, Bottom: 16},
	}, 8, 8)
	require.NoError(t, err)
	require.Equal(t, 39, r.Last())
	for n := range 45 {
		require.NoError(t, r.Add(n, numberedCard(n)))
	}
	vs, src, err := r.Frames(frame.Rational{Num: 25, Den: 1})
	require.NoError(t, err)
	require.Equal(t, []int{30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 0, 1, 2, 3, 4}, src)
	require.Len(t, vs, 15)
	for i, v := range vs {
		require.Equal(t, byte(16+4*src[i]), v.Planes[0][0], "output %d", i)
		require.Equal(t, time.Duration(i)*40*time.Millisecond, v.PTS)
	}
}

func TestReframerEditPastTheEnd(t *testing.T) {
	r, err := reframe.New([]reframe.Edit{{Start: 0, End: 3, Right: 8, Bottom: 8}, {Start: 5, End: 20, Right: 8, Bottom: 8}}, 8, 8)
	require.NoError(t, err)
	for n := range 10 {
		require.NoError(t, r.Add(n, numberedCard(n)))
	}
	_, _, err = r.Frames(frame.Rational{Num: 25, Den: 1})
	require.ErrorContains(t, err, "edit 2 (frames 5..20, crop 0,0-8,8): frame 10 is past the end of the clip (10 frames)")
	require.ErrorContains(t, r.Add(3, numberedCard(3)), "frame 3 added after 10 frames")
	_, err = reframe.New(nil, 8, 8)
	require.Error(t, err)
	_, err = reframe.New([]reframe.Edit{{End: 1, Right: 8, Bottom: 8}}, 7, 8)
	require.ErrorContains(t, err, "not even")
}

func TestCutAudioOnFrameBoundaries(t *testing.T) {
	// One channel at 1000 Hz, 25 fps: 40 samples a frame, sample i = i.
	src := make([]float32, 400)
	for i := range src {
		src[i] = float32(i)
	}
	out := reframe.CutAudio(src, 1, 1000, 0, frame.Rational{Num: 25, Den: 1}, []int{3, 0, 9, 10})
	require.Len(t, out, 4*40)
	require.Equal(t, float32(120), out[0])
	require.Equal(t, float32(159), out[39])
	require.Equal(t, float32(0), out[40])
	require.Equal(t, float32(360), out[80])
	require.Equal(t, float32(399), out[119])
	require.Equal(t, make([]float32, 40), out[120:], "frame 10 is past the sound: silence")
}

func TestParseEDLLatin1(t *testing.T) {
	doc := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><EDL><FileID>caf\xe9.mp4</FileID><Edit><Start frame=\"0\"/><End frame=\"1\"/><Crop x1=\"0\" y1=\"0\" x2=\"8\" y2=\"8\"/></Edit></EDL>"
	edits, err := reframe.ParseEDL(strings.NewReader(doc))
	require.NoError(t, err)
	require.Equal(t, "café.mp4", edits[0].FileID)
	_, err = reframe.ParseEDL(strings.NewReader(`<?xml version="1.0" encoding="EBCDIC"?><EDL/>`))
	require.ErrorContains(t, err, `encoding "EBCDIC"`)
}
