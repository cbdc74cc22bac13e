package workqueue_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/chassis/natsplane/workqueue"
	"github.com/stretchr/testify/require"
)

// The environment of a worker process.
const (
	urlEnv    = "WORKQUEUE_TEST_URL"
	streamEnv = "WORKQUEUE_TEST_STREAM"
	dirEnv    = "WORKQUEUE_TEST_DIR"
)

// childAckWait is the ack deadline of the queue the worker processes share:
// a killed worker's job is handed out again this long after its last "in
// progress".
const childAckWait = time.Second

func childConfig(stream string) workqueue.Config {
	return workqueue.Config{Stream: stream, AckWait: childAckWait}
}

func runChild(role string) int {
	run := runWorker
	switch role {
	case "worker":
	case "benchworker":
		run = runBenchWorker
	default:
		fmt.Fprintf(os.Stderr, "unknown role %q\n", role)
		return 2
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	return 0
}

// runWorker is a worker process, driven by the test over stdio: for each
// job it prints "start ID ATTEMPT" and waits for "go"; writes the job's
// payload to a file of its own and commits it as DIR/ID, printing "commit
// ID new" or "commit ID dup"; waits for "ack"; returns, and prints "done
// ID" once the acknowledgement is confirmed. The end of stdin stops it.
func runWorker() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	lines := make(chan string)
	go func() {
		defer cancel() // the test closed stdin: stop
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	await := func(want string) error {
		select {
		case l := <-lines:
			if l != want {
				return fmt.Errorf("told %q, want %q", l, want)
			}
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	q, err := workqueue.Open(ctx, os.Getenv(urlEnv), childConfig(os.Getenv(streamEnv)))
	if err != nil {
		return err
	}
	defer q.Close()
	dir := os.Getenv(dirEnv)
	fmt.Println("ready")
	handler := func(ctx context.Context, j workqueue.Job) error {
		fmt.Printf("start %s %d\n", j.ID, j.Attempt)
		if err := await("go"); err != nil {
			return err
		}
		f, err := os.CreateTemp(dir, j.ID+".*.tmp")
		if err != nil {
			return err
		}
		if _, err := f.Write(j.Payload); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		committed, err := workqueue.CommitFile(f.Name(), filepath.Join(dir, j.ID))
		if err != nil {
			return err
		}
		how := "dup"
		if committed {
			how = "new"
		}
		fmt.Printf("commit %s %s\n", j.ID, how)
		return await("ack")
	}
	var failed error
	err = q.Work(ctx, handler, workqueue.WorkOptions{Results: func(r workqueue.Result) {
		if r.Err != nil {
			failed = r.Err
			cancel()
			return
		}
		fmt.Printf("done %s\n", r.Job.ID)
	}})
	if failed != nil {
		return failed
	}
	return err
}

// worker is a worker process.
type worker struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
}

func startWorker(t testing.TB, url, stream, dir string, env ...string) *worker {
	t.Helper()
	w := &worker{cmd: exec.Command(os.Args[0]), lines: make(chan string, 64)}
	w.cmd.Env = append(os.Environ(), childEnv+"=worker", urlEnv+"="+url, streamEnv+"="+stream, dirEnv+"="+dir)
	w.cmd.Env = append(w.cmd.Env, env...)
	w.cmd.Stderr = os.Stderr
	var err error
	w.stdin, err = w.cmd.StdinPipe()
	require.NoError(t, err)
	out, err := w.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, w.cmd.Start())
	go func() {
		defer close(w.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			w.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		_ = w.cmd.Process.Kill()
		_ = w.cmd.Wait()
	})
	require.Equal(t, "ready", w.next(t))
	return w
}

// next returns the worker's next line.
func (w *worker) next(t testing.TB) string {
	t.Helper()
	select {
	case l, ok := <-w.lines:
		require.True(t, ok, "the worker ended")
		return l
	case <-time.After(30 * time.Second):
		t.Fatal("the worker said nothing for 30 s")
		return ""
	}
}

func (w *worker) tell(t *testing.T, line string) {
	t.Helper()
	_, err := io.WriteString(w.stdin, line+"\n")
	require.NoError(t, err)
}

// kill kills the worker at once (SIGKILL: no goodbye to the server) and
// waits for it.
func (w *worker) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, w.cmd.Process.Kill())
	_ = w.cmd.Wait()
}

func TestJobSurvivesAWorkerKilledMidJobAndIsCommittedOnce(t *testing.T) {
	ctx := t.Context()
	srv := startServer(t)
	dir := t.TempDir()
	const stream = "KILL"
	q, err := workqueue.Open(ctx, srv.ClientURL(), childConfig(stream))
	require.NoError(t, err)
	defer q.Close()
	const jobs = 4
	payload := func(id string) []byte { return []byte("the capture of " + id) }
	for i := range jobs {
		id := "prog" + strconv.Itoa(i)
		ack, err := q.Publish(ctx, workqueue.Job{ID: id, Meta: []byte(`{"n":` + strconv.Itoa(i) + `}`), Payload: payload(id)})
		require.NoError(t, err)
		require.False(t, ack.Duplicate)
	}

	// A takes a job and is killed before it commits.
	a := startWorker(t, srv.ClientURL(), stream, dir)
	var lostID string
	var attempt int
	_, err = fmt.Sscanf(a.next(t), "start %s %d", &lostID, &attempt)
	require.NoError(t, err)
	require.Equal(t, 1, attempt)
	a.kill(t)

	// B takes a job, commits it and is killed before it acknowledges.
	b := startWorker(t, srv.ClientURL(), stream, dir)
	var dupID string
	_, err = fmt.Sscanf(b.next(t), "start %s %d", &dupID, &attempt)
	require.NoError(t, err)
	b.tell(t, "go")
	require.Equal(t, "commit "+dupID+" new", b.next(t))
	b.kill(t)

	// C does everything, including the two jobs handed out again.
	c := startWorker(t, srv.ClientURL(), stream, dir)
	commits := map[string][]string{dupID: {"new"}} // B's
	attempts := map[string]int{}
	done := map[string]bool{}
	for len(done) < jobs {
		f := strings.Fields(c.next(t))
		require.Len(t, f, map[string]int{"start": 3, "commit": 3, "done": 2}[f[0]], "%q", f)
		switch f[0] {
		case "start":
			attempts[f[1]], _ = strconv.Atoi(f[2])
			c.tell(t, "go")
		case "commit":
			commits[f[1]] = append(commits[f[1]], f[2])
			c.tell(t, "ack")
		case "done":
			require.False(t, done[f[1]], "%s done twice", f[1])
			done[f[1]] = true
		}
	}
	require.NoError(t, c.stdin.Close())
	require.NoError(t, c.cmd.Wait(), "the worker ends cleanly when told")

	require.GreaterOrEqual(t, attempts[lostID], 2, "the killed worker's job was handed out again")
	require.Equal(t, []string{"new", "dup"}, commits[dupID], "the job committed before the kill is found committed")
	news := 0
	for id, cs := range commits {
		for _, how := range cs {
			if how == "new" {
				news++
			}
		}
		require.Equal(t, "new", cs[0], id)
	}
	require.Equal(t, jobs, news, "each job committed exactly once: %v", commits)
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	require.Len(t, names, jobs, "one file a job, no attempt's leftovers: %v", names)
	for i := range jobs {
		id := "prog" + strconv.Itoa(i)
		b, err := os.ReadFile(filepath.Join(dir, id))
		require.NoError(t, err)
		require.Equal(t, payload(id), b)
	}
	n, err := q.Pending(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "every job acknowledged and gone from the queue")
}
