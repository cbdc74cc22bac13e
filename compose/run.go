package compose

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/inspect"
	"github.com/kamaelia-go/kamaelia/launch"
)

// RunState says where a Run is.
type RunState string

// The states of a Run.
const (
	Idle     RunState = "idle"     // never run
	Running  RunState = "running"  // its components are running
	Finished RunState = "finished" // every component ended by itself, without failing
	Failed   RunState = "failed"   // it could not be built, or a component failed
	Stopped  RunState = "stopped"  // Stop ended it
)

// RunStatus is what the page shows of the last run.
type RunStatus struct {
	State RunState `json:"state"`
	// Run counts the runs started, from 1.
	Run int `json:"run"`
	// Launch is the description the run built.
	Launch string `json:"launch,omitempty"`
	// Error is why it failed, if it did.
	Error string `json:"error,omitempty"`
}

// runner runs one design at a time, each on a scheduler of its own, and
// serves the inspector of the one running.
type runner struct {
	ops    sync.Mutex // one start, stop or close at a time
	mu     sync.Mutex // the fields below
	status RunStatus
	sched  *axon.Scheduler
	insp   http.Handler
	cancel context.CancelFunc // stops the run
	done   chan struct{}      // closed when the run has ended
	views  context.Context    // ends the inspector's event streams
	endV   context.CancelFunc
	change chan struct{} // closed, and replaced, at each change of status
}

func newRunner() *runner {
	return &runner{status: RunStatus{State: Idle}, change: make(chan struct{})}
}

// setLocked changes the status and wakes those waiting for a change.
func (r *runner) setLocked(s RunStatus) {
	r.status = s
	close(r.change)
	r.change = make(chan struct{})
}

// start builds src with reg and runs it, after stopping the run before.
func (r *runner) start(reg *launch.Registry, src string) RunStatus {
	r.ops.Lock()
	defer r.ops.Unlock()
	r.stopRun()
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.status.Run + 1
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil))) // the run's error is shown instead
	l, err := reg.BuildString(src, launch.OnScheduler(s))
	if err != nil {
		r.setLocked(RunStatus{State: Failed, Run: n, Launch: src, Error: message(err)})
		return r.status
	}
	ctx, cancel := context.WithCancel(context.Background())
	if r.endV != nil {
		r.endV() // the last run's inspector streams end
	}
	r.views, r.endV = context.WithCancel(context.Background())
	r.sched, r.cancel, r.done = s, cancel, make(chan struct{})
	r.insp = inspect.Handler(s, inspect.WithInterval(250*time.Millisecond))
	r.setLocked(RunStatus{State: Running, Run: n, Launch: src})
	s.Activate(l.Component())
	done := r.done
	go func() {
		defer close(done)
		err := s.RunContext(ctx)
		r.mu.Lock()
		defer r.mu.Unlock()
		st := RunStatus{State: Finished, Run: n, Launch: src}
		switch {
		case ctx.Err() != nil:
			st.State = Stopped
			if err != nil {
				st.Error = err.Error()
			}
		case err != nil:
			st.State, st.Error = Failed, err.Error()
		}
		r.setLocked(st)
	}()
	return r.status
}

// stop stops the run, if one is running, and waits for it to end.
func (r *runner) stop() RunStatus {
	r.ops.Lock()
	defer r.ops.Unlock()
	return r.stopRun()
}

// stopRun is stop, with ops held.
func (r *runner) stopRun() RunStatus {
	r.mu.Lock()
	cancel, done := r.cancel, r.done
	r.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	return r.get()
}

// close stops the run and ends the inspector's event streams.
func (r *runner) close() {
	r.ops.Lock()
	defer r.ops.Unlock()
	r.stopRun()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.endV != nil {
		r.endV()
	}
}

func (r *runner) get() RunStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// wait returns the status once it is not Running, or when ctx ends.
func (r *runner) wait(ctx context.Context) RunStatus {
	for {
		r.mu.Lock()
		st, change := r.status, r.change
		r.mu.Unlock()
		if st.State != Running {
			return st
		}
		select {
		case <-change:
		case <-ctx.Done():
			return st
		}
	}
}

// ServeHTTP serves the inspector of the last run (404 before the first).
// Its event streams end when the run is replaced or the server closes.
func (r *runner) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	h, views := r.insp, r.views
	r.mu.Unlock()
	if h == nil {
		http.Error(w, "compose: nothing has run yet", http.StatusNotFound)
		return
	}
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	stop := context.AfterFunc(views, cancel)
	defer stop()
	h.ServeHTTP(w, req.WithContext(ctx))
}
