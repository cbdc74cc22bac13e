//go:build cgo

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane/workqueue"
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/kamaelia-go/kamaelia/media/macro"
	"github.com/kamaelia-go/kamaelia/media/macro/macrotest"
	"github.com/nats-io/nats.go"
)

func init() {
	commands["macro"] = command{
		summary: "record every programme of a multiplex, transcode it and serve the recordings as feeds",
		run:     runMacro,
	}
}

const macroUsage = `usage: kamaelia macro [flags] (-input FILE | -adapter N -freq MHZ)
       kamaelia macro -generate FILE [-duration 20s]

Records the programmes of the services of a DVB multiplex, one file per
programme and profile, cut where the EIT's present event changes: raw
captures go to OUT/capture, files being made to OUT/encoding, and finished
recordings (file, .DONE marker, .META metadata) to OUT/finished. With -http
it serves them: / lists channels, /feeds/CHANNEL.rss and
/podcasts/CHANNEL.rss are RSS 2.0 feeds, /search?q=&genre= searches.
SIGINT or SIGTERM ends the recording: the current programmes are finished
(marked cut short) and committed, then it exits 0; a second one stops at
once.

  -input FILE       a recorded transport stream
  -rate RATE        how fast to play FILE: real (its own rate, from its
                    PCRs; the default), fast (as fast as it goes), or bit/s
  -adapter N        a DVB adapter (/dev/dvb/adapterN), with -freq
  -freq MHZ         the multiplex's frequency, such as 505.833333
  -services LIST    service ids to record, such as 4228,4351 (default all)
  -profiles LIST    LO, HI, MP3, MP2 (default LO,HI)
  -out DIR          the recording directory (default macro)
  -http ADDR        serve the front end at ADDR, such as :8080; it goes on
                    serving after FILE ends, until interrupted
  -workers N        programmes transcoded at once (default: the CPUs)
  -nats URL         do not transcode here: queue each captured programme as
                    a job on this NATS JetStream server's work queue (a
                    cluster: comma-separated URLs), for "kamaelia worker
                    --handler macro" processes, here or on other machines
  -embedded DIR     the same on a NATS server with JetStream run in this
                    process, keeping the queue in DIR; its URL is printed on
                    standard error, and once the input has ended it waits
                    until the workers have done every job
  -stream NAME      the queue's stream (default JOBS)
  -shared           with -nats or -embedded: the job names the capture's
                    path (OUT/capture is on storage every worker reaches)
                    instead of carrying its bytes, which must fit in the
                    server's max_payload
  -generate FILE    write a generated two-channel multiplex with programme
                    junctions (pictures, sound and EIT) to FILE and exit
  -duration D       its length (default 20s)
`

func runMacro(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	astiav.SetLogLevel(astiav.LogLevelError)
	fs := flag.NewFlagSet("macro", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	input := fs.String("input", "", "")
	rate := fs.String("rate", "real", "")
	adapter := fs.Int("adapter", -1, "")
	freq := fs.Float64("freq", 505.833333, "")
	services := fs.String("services", "", "")
	profiles := fs.String("profiles", "LO,HI", "")
	out := fs.String("out", "macro", "")
	addr := fs.String("http", "", "")
	workers := fs.Int("workers", runtime.NumCPU(), "")
	gen := fs.String("generate", "", "")
	duration := fs.Duration("duration", 20*time.Second, "")
	natsURL := fs.String("nats", "", "")
	embedded := fs.String("embedded", "", "")
	stream := fs.String("stream", "", "")
	shared := fs.Bool("shared", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, macroUsage)
			return nil
		}
		return usagef("%v\n\n%s", err, macroUsage)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q\n\n%s", fs.Args(), macroUsage)
	}
	if *gen != "" {
		st, err := macrotest.Generate(ctx, macrotest.TwoChannels(*duration))
		if err != nil {
			return err
		}
		if err := os.WriteFile(*gen, st.Bytes, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s: %d bytes, %s, %d junctions\n", *gen, len(st.Bytes), *duration, len(st.Junctions))
		return nil
	}
	var dev dvb.Device
	switch {
	case *input != "" && *adapter >= 0:
		return usagef("give -input or -adapter, not both\n\n%s", macroUsage)
	case *input != "":
		bps, err := parseRate(*rate, *input)
		if err != nil {
			return err
		}
		dev = macro.PacedFile(*input, bps)
	case *adapter >= 0:
		if *freq <= 0 {
			return usagef("-adapter needs -freq\n\n%s", macroUsage)
		}
		dev = dvb.LinuxAdapter(*adapter)
	default:
		return usagef("give -input FILE or -adapter N\n\n%s", macroUsage)
	}
	var ids []uint16
	for _, f := range strings.FieldsFunc(*services, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.ParseUint(f, 10, 16)
		if err != nil {
			return usagef("-services: %q is not a service id\n\n%s", f, macroUsage)
		}
		ids = append(ids, uint16(n))
	}
	prs, err := macro.Profiles(*profiles)
	if err != nil {
		return usagef("-profiles: %v", err)
	}
	if *workers < 1 {
		return usagef("-workers must be at least 1")
	}
	if *natsURL != "" && *embedded != "" {
		return usagef("give -nats or -embedded, not both\n\n%s", macroUsage)
	}
	if *shared && *natsURL == "" && *embedded == "" {
		return usagef("-shared needs -nats or -embedded\n\n%s", macroUsage)
	}
	var q *workqueue.Queue
	var nc *nats.Conn
	if *natsURL != "" || *embedded != "" {
		if *embedded != "" {
			ns, err := natsplane.StartServer(natsplane.ServerConfig{JetStreamDir: *embedded})
			if err != nil {
				return err
			}
			defer ns.Shutdown()
			*natsURL = ns.ClientURL()
			fmt.Fprintf(stderr, "macro: NATS with JetStream at %s\n", *natsURL)
		}
		if nc, err = nats.Connect(*natsURL, nats.Name("kamaelia macro"), nats.MaxReconnects(-1)); err != nil {
			return fmt.Errorf("connecting to %s: %w", *natsURL, err)
		}
		defer nc.Close()
		if q, err = workqueue.OpenConn(ctx, nc, workqueue.Config{Stream: *stream}); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "macro: queueing programmes on stream %s for kamaelia worker --handler macro\n", q.Config().Stream)
	}

	var srv *http.Server
	if *addr != "" {
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return err
		}
		srv = (&macro.Server{Library: macro.Library{Dir: *out}}).HTTPServer()
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		fmt.Fprintf(stdout, "serving http://%s/\n", ln.Addr())
	}

	s := axon.NewScheduler()
	m := dvb.NewMultiplex(*freq, []uint16{mpegts.AllPIDs}, dvb.Params{}, dev)
	c := macro.NewCapture(filepath.Join(*out, "capture"), ids...)
	rep := newMacroReport(stdout, stderr)
	for _, l := range [][2]axon.Box{
		{m.Out, c.In}, {m.Signal(), c.Control()}, {c.Changes, rep.changes},
	} {
		axon.MustLink(l[0], l[1])
	}
	// The transcode step: here, or queued for workers.
	var step axon.Component
	if q != nil {
		mq := newMacroQueuer(q, nc, prs, *shared)
		axon.MustLink(c.Out, mq.In)
		axon.MustLink(mq.Out, rep.queued)
		axon.MustLink(mq.Errors, rep.errs)
		axon.MustLink(c.Signal(), mq.Control())
		axon.MustLink(mq.Signal(), rep.Control())
		step = mq
	} else {
		tc := macro.NewTranscoder(*out, prs...)
		tc.Workers = *workers
		axon.MustLink(c.Out, tc.In)
		axon.MustLink(tc.Out, rep.In)
		axon.MustLink(tc.Errors, rep.errs)
		axon.MustLink(c.Signal(), tc.Control())
		axon.MustLink(tc.Signal(), rep.Control())
		step = tc
	}
	s.Activate(m, c, step, rep)
	err = s.Wait(ctx)
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		// Interrupted: finish the programmes being recorded and commit
		// them; a second interrupt stops at once.
		fmt.Fprintln(stderr, "kamaelia macro: finishing the current programmes; interrupt again to stop now")
		_ = m.Tell(axon.ProducerFinished{})
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(sigs)
		stop, stopNow := context.WithCancel(context.Background())
		defer stopNow()
		go func() {
			select {
			case <-sigs:
				stopNow()
			case <-stop.Done():
			}
		}()
		if err = s.Wait(stop); stop.Err() != nil {
			s.ShutdownAll(axon.Shutdown{Reason: errors.New("interrupted twice")})
			err = errors.Join(errors.New("stopped before the programmes were committed"), s.Wait(context.Background()))
		}
		if err == nil && rep.failed > 0 {
			return fmt.Errorf("%d programmes could not be %s", rep.failed, rep.verb(q != nil))
		}
		return err
	}
	if err != nil {
		return err
	}
	if rep.failed > 0 {
		return fmt.Errorf("%d programmes could not be %s", rep.failed, rep.verb(q != nil))
	}
	if q != nil {
		fmt.Fprintf(stdout, "queued %d programmes on stream %s\n", rep.done, q.Config().Stream)
		if *embedded != "" {
			// The workers take the jobs from this process's server:
			// it serves until they have done them all.
			if err := waitDrained(ctx, q, stdout); err != nil {
				return err
			}
		}
	} else {
		fmt.Fprintf(stdout, "recorded %d programmes into %s\n", rep.done, filepath.Join(*out, macro.FinishedDir))
	}
	if srv != nil {
		fmt.Fprintln(stdout, "serving until interrupted")
		<-ctx.Done()
	}
	return nil
}

// verb says what a failed programme could not be.
func (r *macroReport) verb(queued bool) string {
	if queued {
		return "queued"
	}
	return "transcoded"
}

// parseRate reads -rate for the file at path: real, fast or bit/s.
func parseRate(s, path string) (float64, error) {
	switch s {
	case "fast":
		return 0, nil
	case "real":
		return macro.FileRate(path)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return 0, usagef("-rate: %q is not real, fast or a bit rate", s)
	}
	return v, nil
}

// waitDrained returns once q holds no job (every job done, or given up),
// asking the server every quarter second.
func waitDrained(ctx context.Context, q *workqueue.Queue, stdout io.Writer) error {
	fmt.Fprintln(stdout, "waiting for the workers")
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		n, err := q.Pending(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			fmt.Fprintln(stdout, "the workers have done every job")
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d jobs not yet done: %w", n, ctx.Err())
		case <-tick.C:
		}
	}
}

// macroReport prints what the recorder does: the junctions, each
// recording committed or programme queued, each failure.
type macroReport struct {
	axon.Core
	In      *axon.Inbox[macro.Recording]
	queued  *axon.Inbox[string]
	changes *axon.Inbox[dvb.ProgrammeChange]
	errs    *axon.Inbox[error]

	stdout, stderr io.Writer
	done, failed   int
}

func newMacroReport(stdout, stderr io.Writer) *macroReport {
	r := &macroReport{stdout: stdout, stderr: stderr}
	r.In = axon.NewInbox[macro.Recording](r, "inbox")
	r.queued = axon.NewInbox[string](r, "queued")
	r.changes = axon.NewInbox[dvb.ProgrammeChange](r, "changes")
	r.errs = axon.NewInbox[error](r, "errors")
	return r
}

// Main prints until the Transcoder has ended and everything is read.
func (r *macroReport) Main(ctx context.Context) error {
	for {
		if err := r.Wait(ctx); err != nil {
			return err
		}
		st := r.TakeControl(nil)
		for ch, ok := r.changes.TryRecv(); ok; ch, ok = r.changes.TryRecv() {
			fmt.Fprintf(r.stdout, "%s: service %d event %d %q\n", ch.Kind, ch.Service.ServiceID, ch.Now.EventID, ch.Now.Name)
		}
		for rec, ok := r.In.TryRecv(); ok; rec, ok = r.In.TryRecv() {
			r.done++
			var names []string
			for _, f := range rec.Files {
				names = append(names, f.Name)
			}
			cut := ""
			if rec.CutShort {
				cut = " (cut short)"
			}
			fmt.Fprintf(r.stdout, "finished: %s %q%s: %s\n", rec.Channel, rec.Name, cut, strings.Join(names, " "))
		}
		for id, ok := r.queued.TryRecv(); ok; id, ok = r.queued.TryRecv() {
			r.done++
			fmt.Fprintf(r.stdout, "queued: %s\n", id)
		}
		for err, ok := r.errs.TryRecv(); ok; err, ok = r.errs.TryRecv() {
			r.failed++
			fmt.Fprintf(r.stderr, "kamaelia macro: %v\n", err)
		}
		if st.Failure != nil {
			// The transcoder failed: the scheduler reports it.
			return nil
		}
		if st.Finishing && !r.In.DataReady() && !r.queued.DataReady() && !r.errs.DataReady() && !r.changes.DataReady() {
			return nil
		}
	}
}
