package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/inspect"
)

func init() {
	commands["inspect"] = command{
		summary: "watch a running program's components live, or run a demo system to look at",
		run:     runInspect,
	}
}

// inspectUsage is the head of `kamaelia inspect --help`.
const inspectUsage = `usage: kamaelia inspect [-format text|axon|json] URL
       kamaelia inspect -demo [-addr HOST:PORT] [-axon HOST:PORT] [-axon-connect HOST:PORT]

With URL, the address of a program's inspector (what inspect.Start's
Server.URL reports, such as http://127.0.0.1:34567/), prints that program's
system each time it changes, until Ctrl-C or until the program goes:

  text  one line of counts per change, then what is wrong: deadlocked
        cycles, full inboxes, outboxes that dropped messages
  axon  Axon's introspector protocol (ADD NODE, ADD LINK, DEL ...)
  json  each snapshot as one line of JSON

With -demo, runs a small live system (pipelines, a slow consumer, a
deadlocked pair, an outbox that drops) with the inspector on, and prints
the page's address to open in a browser, until Ctrl-C.

flags:
`

// runInspect is `kamaelia inspect`.
func runInspect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kamaelia inspect", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned; help goes to stdout
	format := fs.String("format", "text", "what to print of a watched system: text, axon or json")
	demo := fs.Bool("demo", false, "run a demo system with the inspector on")
	addr := fs.String("addr", inspect.DefaultAddr, "with -demo: where the inspector serves HTTP")
	axonAddr := fs.String("axon", "", "with -demo: also serve Axon's introspector protocol here (host:port)")
	axonConnect := fs.String("axon-connect", "", "with -demo: also send Axon's introspector protocol to a viewer listening here (host:port), such as kamaelia visualise")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), inspectUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return nil
		}
		return usagef("%v (kamaelia inspect --help says how to use it)", err)
	}
	if *demo {
		if fs.NArg() > 0 {
			return usagef("-demo takes no URL (got %q)", fs.Args())
		}
		return runInspectDemo(ctx, *addr, *axonAddr, *axonConnect, stdout)
	}
	if fs.NArg() != 1 {
		return usagef("give one inspector URL (such as http://127.0.0.1:34567/), or -demo")
	}
	url := fs.Arg(0)
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return usagef("%q is not an http:// URL", url)
	}
	var print func(*axon.Snapshot) error
	switch *format {
	case "text":
		print = textPrinter(stdout)
	case "axon":
		print = axonPrinter(stdout)
	case "json":
		enc := json.NewEncoder(stdout)
		print = func(s *axon.Snapshot) error { return enc.Encode(s) }
	default:
		return usagef("-format %q: want text, axon or json", *format)
	}
	err := inspect.Watch(ctx, url, print)
	switch {
	case ctx.Err() != nil:
		return nil // Ctrl-C
	case errors.Is(err, inspect.ErrStreamEnded):
		fmt.Fprintln(stderr, "kamaelia inspect: the program closed its inspector")
		return nil
	}
	return err
}

// axonPrinter prints Axon's introspector protocol: the whole graph first,
// then the changes.
func axonPrinter(w io.Writer) func(*axon.Snapshot) error {
	var prev *axon.Snapshot
	return func(s *axon.Snapshot) error {
		lines := axon.IntrospectorDiff(prev, s)
		prev = s
		for _, l := range lines {
			if _, err := fmt.Fprintln(w, l); err != nil {
				return err
			}
		}
		return nil
	}
}

// textPrinter prints a summary each time it changes: counts on one line,
// then a line for each thing that is wrong.
func textPrinter(w io.Writer) func(*axon.Snapshot) error {
	last := ""
	return func(s *axon.Snapshot) error {
		text := summarise(s)
		if text == last {
			return nil
		}
		last = text
		_, err := fmt.Fprintf(w, "%s %s", time.Now().Format("15:04:05"), text)
		return err
	}
}

// summarise describes a snapshot for a person: counts, deadlocked cycles,
// full inboxes and outboxes that dropped messages, by name.
func summarise(s *axon.Snapshot) string {
	names := map[uint64]string{}
	blocked := 0
	for _, c := range s.Components {
		names[c.ID] = c.Name
		if c.BlockedOn != "" {
			blocked++
		}
	}
	var full, dropped []string
	for _, b := range s.Boxes {
		if b.Inbox && b.Cap > 0 && b.Len >= b.Cap {
			full = append(full, fmt.Sprintf("%s.%s %d/%d", names[b.Component], b.Name, b.Len, b.Cap))
		}
		if b.Dropped > 0 {
			dropped = append(dropped, fmt.Sprintf("%s.%s %d", names[b.Component], b.Name, b.Dropped))
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d components, %d links, %d blocked sending, %d full inboxes, %d deadlocks\n",
		len(s.Components), len(s.Links), blocked, len(full), len(s.Deadlocks))
	for _, cyc := range s.Deadlocks {
		var path []string
		for _, id := range append(cyc, cyc[0]) {
			path = append(path, names[id])
		}
		fmt.Fprintf(&sb, "  deadlock: %s\n", strings.Join(path, " -> "))
	}
	if len(full) > 0 {
		fmt.Fprintf(&sb, "  full: %s\n", strings.Join(full, ", "))
	}
	if len(dropped) > 0 {
		fmt.Fprintf(&sb, "  dropped: %s\n", strings.Join(dropped, ", "))
	}
	return sb.String()
}

// runInspectDemo runs the demo system with the inspector on until ctx ends.
func runInspectDemo(ctx context.Context, addr, axonAddr, axonConnect string, stdout io.Writer) error {
	s := axon.NewScheduler()
	s.Activate(demoSystem()...)
	opts := []inspect.Option{inspect.WithAddr(addr)}
	if axonAddr != "" {
		opts = append(opts, inspect.WithAxonProtocol(axonAddr))
	}
	if axonConnect != "" {
		opts = append(opts, inspect.WithAxonConnect(axonConnect))
	}
	srv, err := inspect.Start(s, opts...)
	if err != nil {
		s.ShutdownAll(axon.Shutdown{})
		return errors.Join(err, s.Wait(context.Background()))
	}
	fmt.Fprintf(stdout, "inspector: %s\n", srv.URL())
	if a := srv.AxonAddr(); a != "" {
		fmt.Fprintf(stdout, "axon protocol: %s\n", a)
	}
	fmt.Fprintln(stdout, "Ctrl-C stops the demo.")
	<-ctx.Done()
	err = srv.Close()
	s.ShutdownAll(axon.Shutdown{})
	return errors.Join(err, s.Wait(context.Background()))
}

// demoPart is a component of the demo system whose behaviour is a
// function of it and its context.
//
// Boxes:
//
//	inbox   int  numbers to work on (demoStage)
//	control any  Shutdown stops it (the demo sends it to all at the end)
//	outbox  int  numbers (demoTicker, demoWorker, demoPusher)
//	signal  any  how it ended
//
// Shutdown: every part returns when its context ends; none ends by itself.
type demoPart struct {
	axon.Core
	in   *axon.Inbox[int]
	out  *axon.Outbox[int]
	main func(ctx context.Context, p *demoPart) error
}

func newDemoPart(name string, main func(ctx context.Context, p *demoPart) error) *demoPart {
	p := &demoPart{main: main}
	p.SetName(name)
	p.in = axon.NewInbox[int](p, "inbox")
	p.out = axon.NewOutbox[int](p, "outbox")
	return p
}

func (p *demoPart) Main(ctx context.Context) error { return p.main(ctx, p) }

// demoTicker sends 0, 1, 2... every period.
func demoTicker(name string, period time.Duration) *demoPart {
	return newDemoPart(name, func(ctx context.Context, p *demoPart) error {
		t := time.NewTicker(period)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
			}
			if err := p.out.Send(ctx, i); err != nil {
				return err
			}
		}
	})
}

// demoWorker takes each message, works on it for cost, and passes it on.
func demoWorker(name string, cost time.Duration) *demoPart {
	return demoStage(name, cost, true)
}

// demoSink takes each message and works on it for cost.
func demoSink(name string, cost time.Duration) *demoPart {
	return demoStage(name, cost, false)
}

func demoStage(name string, cost time.Duration, passOn bool) *demoPart {
	return newDemoPart(name, func(ctx context.Context, p *demoPart) error {
		for v := range p.in.Messages(ctx) {
			if cost > 0 {
				t := time.NewTimer(cost)
				select {
				case <-ctx.Done():
					t.Stop()
					return ctx.Err()
				case <-t.C:
				}
			}
			if !passOn {
				continue
			}
			if err := p.out.Send(ctx, v); err != nil {
				return err
			}
		}
		return ctx.Err()
	})
}

// demoPusher sends for ever as fast as it may and takes nothing.
func demoPusher(name string) *demoPart {
	return newDemoPart(name, func(ctx context.Context, p *demoPart) error {
		for i := 0; ; i++ {
			if err := p.out.Send(ctx, i); err != nil {
				return err
			}
		}
	})
}

// demoSystem returns the demo's components, linked:
//
//	camera -> encoder -> recorder   (the recorder is slower: its inbox fills)
//	sensor -> filter -> display     (keeps up)
//	logger -> (nothing)             (drops, and counts it)
//	ping <-> pong                   (each sends to the other, neither reads)
func demoSystem() []axon.Component {
	camera, encoder := demoTicker("camera", 50*time.Millisecond), demoWorker("encoder", 0)
	recorder := demoSink("recorder", 120*time.Millisecond)
	recorder.in.SetCapacity(16)
	axon.MustLink(camera.out, encoder.in)
	axon.MustLink(encoder.out, recorder.in)

	sensor, filter, display := demoTicker("sensor", 300*time.Millisecond), demoWorker("filter", 20*time.Millisecond), demoSink("display", 0)
	axon.MustLink(sensor.out, filter.in)
	axon.MustLink(filter.out, display.in)

	logger := demoTicker("logger", 500*time.Millisecond)

	ping, pong := demoPusher("ping"), demoPusher("pong")
	ping.in.SetCapacity(4)
	pong.in.SetCapacity(4)
	axon.MustLink(ping.out, pong.in)
	axon.MustLink(pong.out, ping.in)

	return []axon.Component{camera, encoder, recorder, sensor, filter, display, logger, ping, pong}
}
