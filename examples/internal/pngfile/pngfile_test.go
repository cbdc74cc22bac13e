package pngfile

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestWriteReadsBack(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.SetRGBA(2, 1, color.RGBA{10, 20, 30, 255})
	path := filepath.Join(t.TempDir(), "a.png")
	require.NoError(t, Write(path, img))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	got, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, img.Bounds(), got.Bounds())
	r, g, b, _ := got.At(2, 1).RGBA()
	assert.Equal(t, []uint32{10, 20, 30}, []uint32{r >> 8, g >> 8, b >> 8})
}

func TestWriteToMissingDirectory(t *testing.T) {
	err := Write(filepath.Join(t.TempDir(), "no", "such", "a.png"), image.NewGray(image.Rect(0, 0, 1, 1)))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestWriteAnEmptyPictureFails(t *testing.T) {
	err := Write(filepath.Join(t.TempDir(), "a.png"), image.NewGray(image.Rect(0, 0, 0, 0)))
	assert.Error(t, err, "PNG has no empty pictures")
}
