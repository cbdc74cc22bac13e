package tutorial_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/file"
	"github.com/kamaelia-go/kamaelia/internet"
)

// tutorial:begin servebackplane
// serveBackplane makes, on the scheduler s, a Backplane called name and a
// SimpleServer on a free port of 127.0.0.1 that gives each client a
// subscriber to it: Kamaelia's SimpleServer(protocol=SubscribeTo(name)).
// Each subscriber is also sent on joined, for awaitClient.
func serveBackplane(s *axon.Scheduler, name string, joined chan<- *chassis.Subscriber[[]byte]) (*chassis.Server, error) {
	server, err := chassis.SimpleServer(func() axon.Component {
		sub := chassis.SubscribeTo[[]byte](name)
		joined <- sub
		return sub
	}, "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.Activate(chassis.NewBackplane[[]byte](name, chassis.OnScheduler(s)), server)
	return server, nil
}

// tutorial:end servebackplane

// writeVideo writes size bytes that stand for a video file into dir.
func writeVideo(dir string, size int) (string, []byte, error) {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7 % 251)
	}
	name := filepath.Join(dir, "video.drc")
	return name, data, os.WriteFile(name, data, 0o644)
}

// The core of the article's peer-to-peer video system, on three schedulers
// that stand for three machines.
func Example_p2p() {
	dir, err := os.MkdirTemp("", "tutorial-p2p")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	videoFile, video, err := writeVideo(dir, 32<<10)
	if err != nil {
		fmt.Println(err)
		return
	}

	// tutorial:begin p2p
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	origin, peer, player := axon.NewScheduler(), axon.NewScheduler(), axon.NewScheduler()

	// The origin serves its VIDEO Backplane.
	originJoined := make(chan *chassis.Subscriber[[]byte], 1)
	originServer, err := serveBackplane(origin, "VIDEO", originJoined)
	if err != nil {
		fmt.Println(err)
		return
	}

	// The peer relays what it reads from the origin into a VIDEO Backplane
	// of its own (another scheduler: another set of services), and serves it.
	peerJoined := make(chan *chassis.Subscriber[[]byte], 1)
	peerServer, err := serveBackplane(peer, "VIDEO", peerJoined)
	if err != nil {
		fmt.Println(err)
		return
	}
	peer.Activate(chassis.Pipeline(
		internet.NewTCPClient(originServer.Addr().String()),
		chassis.PublishTo[[]byte]("VIDEO"),
	))
	if err := awaitClient(ctx, originJoined); err != nil {
		fmt.Println(err)
		return
	}

	// The player reads from the peer. A real one decodes and shows the
	// video: Pipeline(TCPClient, DiracDecoder, MessageRateLimit, VideoOverlay).
	screen, _ := axon.NewHandle(player, internet.NewTCPClient(peerServer.Addr().String()))
	if err := awaitClient(ctx, peerJoined); err != nil {
		fmt.Println(err)
		return
	}

	// Only now does the origin start to play the file, at 4 Mbit/s.
	origin.Activate(chassis.Pipeline(
		file.NewReadFileAdaptor(file.WithFilename(videoFile), file.WithBitrate(4_000_000)),
		chassis.PublishTo[[]byte]("VIDEO"),
	))

	var got []byte
	for len(got) < len(video) {
		chunk, err := screen.Get(ctx, "outbox")
		if err != nil {
			fmt.Println(err)
			return
		}
		got = append(got, chunk.([]byte)...)
	}
	fmt.Printf("the player got %d bytes, as sent: %v\n", len(got), bytes.Equal(got, video))

	for _, machine := range []*axon.Scheduler{player, peer, origin} {
		machine.ShutdownAll(axon.Shutdown{}) // stop now; a shutdown is no failure
		if err := machine.RunContext(ctx); err != nil {
			fmt.Println(err)
		}
	}
	// tutorial:end p2p

	// Output:
	// the player got 32768 bytes, as sent: true
}
