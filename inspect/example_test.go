package inspect_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/inspect"
)

// station is a component that holds what it is sent until it is shut down.
type station struct {
	axon.Core
	in  *axon.Inbox[string]
	out *axon.Outbox[string]
}

func newStation(name string) *station {
	s := &station{}
	s.SetName(name)
	s.in = axon.NewInbox[string](s, "inbox")
	s.out = axon.NewOutbox[string](s, "outbox")
	return s
}

func (s *station) Main(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// One call makes a running system watchable: open the URL in a browser for
// the live graph, or read its JSON as here.
func Example() {
	s := axon.NewScheduler()
	camera, recorder := newStation("camera"), newStation("recorder")
	axon.MustLink(camera.out, recorder.in)
	for _, frame := range []string{"frame 1", "frame 2", "frame 3"} {
		_ = camera.out.Send(context.Background(), frame)
	}
	s.Activate(camera, recorder)

	srv, err := inspect.Start(s) // on 127.0.0.1, a free port
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	resp, err := http.Get(srv.URL() + "snapshot.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	var snap axon.Snapshot
	err = json.NewDecoder(resp.Body).Decode(&snap)
	resp.Body.Close()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range snap.Components {
		fmt.Println(c.Name, c.State)
	}
	for _, b := range snap.Boxes {
		if b.Inbox && b.Len > 0 {
			fmt.Printf("%s: %d of %d waiting\n", b.Name, b.Len, b.Cap)
		}
	}
	for _, l := range snap.Links {
		fmt.Println(l.FromBox, "->", l.ToBox)
	}

	s.ShutdownAll(axon.Shutdown{})
	_ = s.Wait(context.Background())
	http.DefaultClient.CloseIdleConnections()
	// Output:
	// camera running
	// recorder running
	// inbox: 3 of 64 waiting
	// outbox -> inbox
}

// A program that serves HTTP already mounts the inspector on its own mux,
// under any prefix.
func ExampleHandler() {
	s := axon.NewScheduler()
	s.Activate(newStation("camera"))

	mux := http.NewServeMux()
	mux.Handle("/debug/axon/", http.StripPrefix("/debug/axon", inspect.Handler(s)))
	web := httptest.NewServer(mux)
	defer web.Close()

	resp, err := http.Get(web.URL + "/debug/axon/graph.dot")
	if err != nil {
		fmt.Println(err)
		return
	}
	dot, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, line := range strings.Split(string(dot), "\n") {
		if strings.HasPrefix(line, "digraph") || strings.Contains(line, "label=\"camera") {
			fmt.Println(strings.TrimSpace(line))
		}
	}

	s.ShutdownAll(axon.Shutdown{})
	_ = s.Wait(context.Background())
	http.DefaultClient.CloseIdleConnections()
	// Output:
	// digraph axon {
	// label="camera (running)";
}
