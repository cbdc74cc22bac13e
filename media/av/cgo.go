//go:build cgo

package av

/*
#cgo pkg-config: libavcodec libavutil
#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include <string.h>

static int kg_interlaced(AVFrame *f) { return f->interlaced_frame; }
static int kg_top_field_first(AVFrame *f) { return f->top_field_first; }
static void kg_set_interlaced(AVFrame *f, int interlaced, int tff) {
	f->interlaced_frame = interlaced;
	f->top_field_first = tff;
}
static void kg_copy_plane_in(AVFrame *f, int i, const uint8_t *src, int src_stride, int row_bytes, int rows) {
	av_image_copy_plane(f->data[i], f->linesize[i], src, src_stride, row_bytes, rows);
}
static uint8_t *kg_plane(AVFrame *f, int i) { return f->extended_data[i]; }
static int kg_nb_channels(AVFrame *f) { return f->ch_layout.nb_channels; }
*/
import "C"

import (
	"unsafe"

	"github.com/asticode/go-astiav"
)

// The few things go-astiav v0.16.0 does not reach: a frame's interlacing,
// writing pixels into a frame, and reading and writing audio planes. Each
// works on the AVFrame that astiav's Frame wraps.

func cFrame(f *astiav.Frame) *C.AVFrame { return (*C.AVFrame)(f.UnsafePointer()) }

func interlacing(f *astiav.Frame) (interlaced, topFieldFirst bool) {
	c := cFrame(f)
	return C.kg_interlaced(c) != 0, C.kg_top_field_first(c) != 0
}

func setInterlacing(f *astiav.Frame, interlaced, topFieldFirst bool) {
	b := func(v bool) C.int {
		if v {
			return 1
		}
		return 0
	}
	C.kg_set_interlaced(cFrame(f), b(interlaced), b(topFieldFirst))
}

// copyPlaneIn copies rows rows of rowBytes bytes from src (stride apart)
// into plane i of f, which must be allocated and writable.
func copyPlaneIn(f *astiav.Frame, i int, src []byte, stride, rowBytes, rows int) {
	if rows == 0 || rowBytes == 0 {
		return
	}
	C.kg_copy_plane_in(cFrame(f), C.int(i), (*C.uint8_t)(unsafe.Pointer(&src[0])), C.int(stride), C.int(rowBytes), C.int(rows))
}

// audioPlaneOut copies n bytes of audio plane i of f into Go memory.
func audioPlaneOut(f *astiav.Frame, i, n int) []byte {
	return C.GoBytes(unsafe.Pointer(C.kg_plane(cFrame(f), C.int(i))), C.int(n))
}

// audioPlaneIn copies src into audio plane i of f.
func audioPlaneIn(f *astiav.Frame, i int, src []byte) {
	if len(src) == 0 {
		return
	}
	C.memcpy(unsafe.Pointer(C.kg_plane(cFrame(f), C.int(i))), unsafe.Pointer(&src[0]), C.size_t(len(src)))
}

func frameChannels(f *astiav.Frame) int { return int(C.kg_nb_channels(cFrame(f))) }
