package tutorial_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/source"
	"github.com/kamaelia-go/kamaelia/internet"
)

// tutorial:begin awaitclient
// awaitClient waits until the next client of a server whose protocol is a
// subscriber has joined the Backplane: what is published before that, the
// client never sees.
func awaitClient(ctx context.Context, joined <-chan *chassis.Subscriber[[]byte]) error {
	select {
	case sub := <-joined:
		select {
		case <-sub.Subscribed():
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tutorial:end awaitclient

// A Backplane served over TCP: every client gets what is published.
func Example_backplaneServer() {
	// tutorial:begin newsserver
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := axon.NewScheduler()
	news := chassis.NewBackplane[[]byte]("NEWS", chassis.OnScheduler(s))

	// Each client gets a subscriber of its own, also sent on joined.
	joined := make(chan *chassis.Subscriber[[]byte], 1)
	protocol := func() axon.Component {
		sub := chassis.SubscribeTo[[]byte]("NEWS")
		joined <- sub
		return sub
	}
	server, err := chassis.SimpleServer(protocol, "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	newsH, _ := axon.NewHandle(s, news)
	serverH, _ := axon.NewHandle(s, server)

	client, _ := axon.NewHandle(s, internet.NewTCPClient(server.Addr().String()))
	if err := awaitClient(ctx, joined); err != nil {
		fmt.Println(err)
		return
	}

	headlines := [][]byte{[]byte("kamaelia "), []byte("in "), []byte("go\n")}
	s.Activate(chassis.Pipeline(source.NewDataSource(headlines), chassis.PublishTo[[]byte]("NEWS")))

	var got []byte
	for len(got) < len("kamaelia in go\n") {
		chunk, err := client.Get(ctx, "outbox") // TCP may cut the stream anywhere
		if err != nil {
			fmt.Println(err)
			return
		}
		got = append(got, chunk.([]byte)...)
	}
	fmt.Printf("the client read %q\n", got)

	// Finishing the Backplane ends its subscribers, and each one's end
	// closes its connection; finishing the server closes its listener.
	_ = newsH.Finish(ctx)
	_ = serverH.Finish(ctx)
	outcome, _ := client.Get(ctx, "signal")
	end, _ := outcome.(axon.ProducerFinished) // Reason: an *internet.SocketShutdown
	fmt.Println("the server closed the connection:", errors.Is(end.Reason, internet.ErrPeerClosed))
	fmt.Println("the system:", s.RunContext(ctx))
	// tutorial:end newsserver

	// Output:
	// the client read "kamaelia in go\n"
	// the server closed the connection: true
	// the system: <nil>
}
