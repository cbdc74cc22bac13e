package workqueue_test

import (
	"context"
	"fmt"
	"os"

	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane/workqueue"
)

// A capture side queues a job and a worker does it, on an embedded NATS
// server with JetStream.
func Example() {
	dir, _ := os.MkdirTemp("", "jobs")
	defer os.RemoveAll(dir)
	srv, err := natsplane.StartServer(natsplane.ServerConfig{JetStreamDir: dir})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	q, err := workqueue.Open(ctx, srv.ClientURL(), workqueue.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer q.Close()
	ack, _ := q.Publish(ctx, workqueue.Job{ID: "bbc-two-1", Meta: []byte(`{"name":"Newsnight"}`), Path: "/captures/bbc-two-1.ts"})
	fmt.Println("queued", ack.ID)

	_ = q.Work(ctx, func(ctx context.Context, j workqueue.Job) error {
		fmt.Printf("transcoding %s (%s) from %s\n", j.ID, j.Meta, j.Path)
		return nil // committed
	}, workqueue.WorkOptions{Results: func(r workqueue.Result) {
		fmt.Println("done", r.Job.ID, r.Err)
		cancel()
	}})
	// Output:
	// queued bbc-two-1
	// transcoding bbc-two-1 ({"name":"Newsnight"}) from /captures/bbc-two-1.ts
	// done bbc-two-1 <nil>
}
