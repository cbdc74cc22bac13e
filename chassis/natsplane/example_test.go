package natsplane_test

import (
	"context"
	"fmt"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/kamaelia-go/kamaelia/internet/framing"
)

// Reading is what the example's sensors publish.
type Reading struct {
	Sensor string
	Value  float64
}

// A Backplane on an embedded NATS server: any process given srv.ClientURL()
// could make the same Backplane and join in. The publishers and subscribers
// are those of an in-process Backplane.
func Example() {
	srv, err := natsplane.StartServer(natsplane.ServerConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	s := axon.NewScheduler()
	s.Activate(chassis.NewBackplane[Reading]("READINGS", chassis.OnScheduler(s),
		chassis.WithTransport(natsplane.Dial(srv.ClientURL())),
		chassis.WithCodec(framing.JSON[Reading]{})))
	sub := chassis.SubscribeTo[Reading]("READINGS")
	readings, _ := axon.NewHandle(s, sub)
	sensor, _ := axon.NewHandle(s, chassis.PublishTo[Reading]("READINGS"))
	<-sub.Subscribed()

	_ = sensor.Put(ctx, "inbox", Reading{"kitchen", 21.5})
	_ = sensor.Put(ctx, "inbox", Reading{"cellar", 12})
	for range 2 {
		r, _ := readings.Get(ctx, "outbox")
		fmt.Printf("%+v\n", r)
	}
	s.ShutdownAll(axon.Shutdown{})
	_ = s.Wait(ctx)
	// Output:
	// {Sensor:kitchen Value:21.5}
	// {Sensor:cellar Value:12}
}
