//go:build cgo

package av_test

import (
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/av"
)

// Picture in picture: the second input, scaled down, over the first's
// top left corner, encoded to H.264.
func ExampleNewVideoMultiFilter() {
	camera, slides := av.NewFileDemuxer("camera.mkv"), av.NewFileDemuxer("slides.mkv")
	dcam, dslides := av.NewPacketDecoder(), av.NewPacketDecoder()
	pip := av.NewVideoMultiFilter("[in1]scale=320:-2[small];[in0][small]overlay=16:16", 2)
	enc := av.NewEncoder("libx264")
	mux := av.NewFileMuxer("pip.mp4", "")
	axon.MustLink(camera.VideoOut, dcam.In)
	axon.MustLink(slides.VideoOut, dslides.In)
	axon.MustLink(dcam.Video, pip.In[0])
	axon.MustLink(dslides.Video, pip.In[1])
	axon.MustLink(pip.Out, enc.Video)
	axon.MustLink(enc.Out, mux.In)
	// ... and ProducerFinished to pip.Control() once both inputs have
	// ended, then to enc and mux down the line.
	_ = axon.NewScheduler().Run(camera, slides, dcam, dslides, pip, enc, mux)
}

// Two speakers mixed by FFmpeg's amix, added without normalising.
func ExampleNewAudioMultiFilter() {
	mix := av.NewAudioMultiFilter("amix=inputs=2:normalize=0", 2)
	alice, bob := av.NewAudioFilter("aresample=48000"), av.NewAudioFilter("aresample=48000")
	axon.MustLink(alice.Out, mix.In[0])
	axon.MustLink(bob.Out, mix.In[1])
	_ = axon.NewScheduler().Run(alice, bob, mix)
}
