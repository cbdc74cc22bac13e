package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/kamaelia-go/kamaelia/axon"
)

// runDraining waits for the system on s to end, as `launch -e`
// does (gst-launch's -e, end of stream on shutdown). The first interrupt
// (SIGINT or SIGTERM, or ctx ending) drains the system: its sources are told
// ProducerFinished (Scheduler.FinishAll) and finish what they have, and each
// tells the next. A second interrupt stops it now (Shutdown).
func runDraining(ctx context.Context, s *axon.Scheduler, stderr io.Writer, name string) error {
	// Signals are counted here, not by ctx alone: main's ctx ends at the
	// first and hears no more.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	finish, drain := context.WithCancel(ctx)
	defer drain()
	stop, stopNow := context.WithCancel(context.WithoutCancel(ctx))
	defer stopNow()
	done := make(chan struct{})
	defer close(done)
	go func() {
		for n := 1; ; n++ {
			select {
			case <-sigs:
			case <-done:
				return
			}
			if n > 1 {
				stopNow()
				return
			}
			drain()
		}
	}()
	err := s.Wait(finish)
	if finish.Err() == nil || err != finish.Err() {
		return err
	}
	fmt.Fprintf(stderr, "%s launch: finishing; interrupt again to stop now\n", name)
	return s.FinishAll(stop)
}
