package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane/workqueue"
)

func init() {
	commands["worker"] = command{
		summary: "do jobs from a NATS JetStream work queue (kamaelia job queues them)",
		run:     runWorker,
	}
	commands["job"] = command{
		summary: "queue files as jobs on a NATS JetStream work queue, for kamaelia worker",
		run:     runJob,
	}
}

// JobHandler makes the Handler a worker runs on each job, writing what it
// commits under dir. It is the seam where a system plugs its work into
// "kamaelia worker": a file of this package registers one in workHandlers
// from its init function, and "kamaelia worker --handler NAME" runs it.
// The Handler must keep workqueue.Handler's contract: its commit is one
// idempotent step keyed by the job's ID (workqueue.CommitFile), so that a
// job handed out again after a worker died is committed once.
type JobHandler func(dir string) (workqueue.Handler, error)

// workHandlers are the handlers "kamaelia worker" knows, by name.
var workHandlers = map[string]JobHandler{
	"copy": copyHandler,
}

// copyHandler commits each job's input (its payload, or the file its path
// names) as DIR/<ID>, and its metadata as DIR/<ID>.json: the plainest
// handler, which shows the commit contract.
func copyHandler(dir string) (workqueue.Handler, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return func(ctx context.Context, j workqueue.Job) error {
		data := j.Payload
		if j.Path != "" {
			b, err := os.ReadFile(j.Path)
			if err != nil {
				return err
			}
			data = b
		}
		// The metadata first: the job is committed when its data file is
		// in place, and a later attempt finds the metadata written already
		// or writes it again, the same.
		meta := j.Meta
		if len(meta) == 0 {
			meta = json.RawMessage("null")
		}
		if _, err := writeCommit(dir, j.ID+".json", meta); err != nil {
			return err
		}
		_, err := writeCommit(dir, j.ID, data)
		return err
	}, nil
}

// writeCommit writes data to a file of its own in dir and commits it as
// dir/name (workqueue.CommitFile).
func writeCommit(dir, name string, data []byte) (bool, error) {
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return false, err
	}
	_, werr := f.Write(data)
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		_ = os.Remove(f.Name())
		return false, err
	}
	return workqueue.CommitFile(f.Name(), filepath.Join(dir, name))
}

const workerUsage = `usage: kamaelia worker (--nats URL | --embedded DIR) [flags]

Takes jobs from a NATS JetStream work queue, runs a handler on each, and
acknowledges each once the handler has committed it; a job whose worker
dies is handed to another worker after the ack deadline. Prints "done ID",
"retry ID: error" or "failed ID: error" for each job.

  --nats URL          a NATS server with JetStream (a cluster: comma-separated URLs)
  --embedded DIR      run a NATS server with JetStream in this process, keeping
                      the queue in DIR; its URL is printed on standard error
  --stream NAME       the queue's stream (default JOBS)
  --handler NAME      what to do with each job (default copy: its input to
                      DIR/<ID>, its metadata to DIR/<ID>.json)
  --dir DIR           where the handler commits (default .)
  --concurrency N     jobs at once (default 1)
  --ack-wait D        the ack deadline (default 30s)
`

const jobUsage = `usage: kamaelia job (--nats URL) [flags] FILE...

Queues each FILE as a job on a NATS JetStream work queue and prints
"queued ID" (or "duplicate ID" for a job of that ID queued before).

  --nats URL      the server (a cluster: comma-separated URLs)
  --stream NAME   the queue's stream (default JOBS)
  --meta JSON     each job's metadata (default none)
  --path          send the file's path (on storage the workers share) instead
                  of its bytes
  --id ID         the job's ID, for one FILE (default the file's base name)
`

func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	url := fs.String("nats", "", "")
	embedded := fs.String("embedded", "", "")
	stream := fs.String("stream", "", "")
	handler := fs.String("handler", "copy", "")
	dir := fs.String("dir", ".", "")
	conc := fs.Int("concurrency", 1, "")
	ackWait := fs.Duration("ack-wait", 30*time.Second, "")
	if help, err := parseFlags(fs, args, workerUsage); help || err != nil {
		if help {
			fmt.Fprint(stdout, workerUsage)
		}
		return err
	}
	if (*url == "") == (*embedded == "") {
		return usagef("give one of --nats and --embedded\n\n%s", workerUsage)
	}
	if *conc < 1 {
		return usagef("--concurrency %d: at least 1", *conc)
	}
	if *ackWait <= 0 {
		return usagef("--ack-wait %v: more than 0", *ackWait)
	}
	mk, ok := workHandlers[*handler]
	if !ok {
		names := make([]string, 0, len(workHandlers))
		for n := range workHandlers {
			names = append(names, n)
		}
		sort.Strings(names)
		return usagef("no handler %q (there are: %s)", *handler, strings.Join(names, ", "))
	}
	h, err := mk(*dir)
	if err != nil {
		return err
	}
	if *embedded != "" {
		srv, err := natsplane.StartServer(natsplane.ServerConfig{JetStreamDir: *embedded})
		if err != nil {
			return err
		}
		defer srv.Shutdown()
		*url = srv.ClientURL()
		fmt.Fprintf(stderr, "worker: NATS with JetStream at %s\n", *url)
	}
	cfg := workqueue.Config{Stream: *stream, AckWait: *ackWait}
	q, err := workqueue.Open(ctx, *url, cfg)
	if err != nil {
		return err
	}
	defer q.Close()
	fmt.Fprintf(stderr, "worker: taking jobs from stream %s on %s\n", q.Config().Stream, *url)
	var mu sync.Mutex
	return q.Work(ctx, h, workqueue.WorkOptions{Concurrency: *conc, Results: func(r workqueue.Result) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Err == nil:
			fmt.Fprintf(stdout, "done %s\n", r.Job.ID)
		case r.Final:
			fmt.Fprintf(stdout, "failed %s: %v\n", r.Job.ID, r.Err)
		default:
			fmt.Fprintf(stdout, "retry %s: %v\n", r.Job.ID, r.Err)
		}
	}})
}

func runJob(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("job", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	url := fs.String("nats", "", "")
	stream := fs.String("stream", "", "")
	meta := fs.String("meta", "", "")
	byPath := fs.Bool("path", false, "")
	id := fs.String("id", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, jobUsage)
			return nil
		}
		return usagef("%v\n\n%s", err, jobUsage)
	}
	files := fs.Args()
	switch {
	case *url == "":
		return usagef("--nats is needed\n\n%s", jobUsage)
	case len(files) == 0:
		return usagef("no FILE\n\n%s", jobUsage)
	case *id != "" && len(files) > 1:
		return usagef("--id names one job: give one FILE")
	case *meta != "" && !json.Valid([]byte(*meta)):
		return usagef("--meta is not JSON: %q", *meta)
	}
	q, err := workqueue.Open(ctx, *url, workqueue.Config{Stream: *stream})
	if err != nil {
		return err
	}
	defer q.Close()
	for _, f := range files {
		j := workqueue.Job{ID: *id, Meta: json.RawMessage(*meta)}
		if j.ID == "" {
			j.ID = filepath.Base(f)
		}
		if *byPath {
			abs, err := filepath.Abs(f)
			if err != nil {
				return err
			}
			if _, err := os.Stat(abs); err != nil {
				return err
			}
			j.Path = abs
		} else {
			if j.Payload, err = os.ReadFile(f); err != nil {
				return err
			}
		}
		ack, err := q.Publish(ctx, j)
		if err != nil {
			return err
		}
		if ack.Duplicate {
			fmt.Fprintf(stdout, "duplicate %s\n", ack.ID)
		} else {
			fmt.Fprintf(stdout, "queued %s\n", ack.ID)
		}
	}
	return nil
}
