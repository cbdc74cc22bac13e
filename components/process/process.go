// Package process runs Unix processes as components: UnixProcess (and its
// older name, Pipethrough) feeds what it is sent to a command's standard
// input and sends what the command writes, as Kamaelia's
// Kamaelia.File.UnixProcess did, so that a program can sit in a pipeline:
//
//	src := file.NewReadFileAdaptor(file.WithFilename("video.drc"), file.WithBitrate(400000))
//	player := process.Pipethrough("mplayer -")
//	axon.MustLink(src.Out, player.In)
//	axon.MustLink(src.Signal(), player.Control())
//
// The command runs in a process group of its own, which Shutdown kills.
package process

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"

	"github.com/kamaelia-go/kamaelia/axon"
)

// DefaultChunkSize is the most a message on outbox or stderr holds.
const DefaultChunkSize = 32 << 10

// UnixProcess runs a command and joins its standard streams to its boxes
// (Kamaelia's UnixProcess).
//
// Boxes:
//
//	inbox   ([]byte)  data for the command's standard input, all of it, in order
//	control (any)     ProducerFinished, Shutdown
//	outbox  ([]byte)  what the command writes on standard output, in chunks
//	stderr  ([]byte)  what the command writes on standard error, in chunks
//	signal  (any)     how it ended: the exit status
//
// Nothing is dropped: data for standard input waits in the inbox while the
// command does not read (Kamaelia's truncated its buffer), and every byte
// the command writes is sent before the component ends. Each chunk is the
// receiver's. The command starts when the component does.
//
// It is a composite: three children write standard input and read
// standard output and standard error, each blocking on its own pipe, so
// that a command that neither reads nor writes for a while holds nothing
// else up.
//
// Example:
//
//	upper := process.NewUnixProcess("tr a-z A-Z")
//
// Shutdown: ProducerFinished on control makes it write everything waiting
// for standard input, close standard input, and wait for the command to
// exit, sending all it writes. The component ends when the command has
// exited and its output is drained (also when the command exits by itself
// first, without reading all its input: the rest is dropped, as when a Unix
// pipe's reader exits). Exit status 0 ends it with ProducerFinished; a
// command that cannot start (not found) or that exits non-zero or is killed
// by a signal is a *axon.Failure on signal, whose error wraps the
// *exec.ExitError (or exec's start error) and ends with the last of what
// the command wrote on standard error. Shutdown kills the command's whole
// process group with SIGKILL at once and ends with the Shutdown.
type UnixProcess struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[[]byte]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[[]byte]
	// Stderr is the outbox called "stderr": see the type's doc for what it carries.
	Stderr  *axon.Outbox[[]byte]
	toStdin *axon.Outbox[any] // ProducerFinished to the stdin writer

	argv []string
	name string
	dir  string
	env  []string

	stdinW  *stdinWriter
	stdoutR *pipeReader
	stderrR *pipeReader
}

// Option configures a UnixProcess.
type Option func(*UnixProcess)

// WithChunkSize sets the most a message on outbox or stderr holds (default
// DefaultChunkSize).
func WithChunkSize(n int) Option {
	return func(p *UnixProcess) {
		p.stdoutR.size = n
		p.stderrR.size = n
	}
}

// WithDir runs the command in dir.
func WithDir(dir string) Option { return func(p *UnixProcess) { p.dir = dir } }

// WithEnv runs the command with env (as exec.Cmd.Env) instead of the
// program's environment.
func WithEnv(env []string) Option { return func(p *UnixProcess) { p.env = env } }

// NewUnixProcess returns a component that runs command with /bin/sh -c, as
// Kamaelia did.
func NewUnixProcess(command string, opts ...Option) *UnixProcess {
	return newProcess([]string{"/bin/sh", "-c", command}, command, opts)
}

// NewExec returns a component that runs argv[0] with the arguments argv[1:],
// with no shell (argv[0] is looked up in PATH when it has no slash).
func NewExec(argv []string, opts ...Option) *UnixProcess {
	return newProcess(argv, strings.Join(argv, " "), opts)
}

// Pipethrough is NewUnixProcess, by the name of Kamaelia's older component
// and of the article's Pipethrough("mplayer -").
func Pipethrough(command string, opts ...Option) *UnixProcess {
	return NewUnixProcess(command, opts...)
}

func newProcess(argv []string, name string, opts []Option) *UnixProcess {
	p := &UnixProcess{argv: argv, name: name}
	p.In = axon.NewInbox[[]byte](p, "inbox")
	p.Out = axon.NewOutbox[[]byte](p, "outbox")
	p.Stderr = axon.NewOutbox[[]byte](p, "stderr")
	p.toStdin = axon.NewOutbox[any](p, "_stdin_control")

	p.stdinW = &stdinWriter{}
	p.stdinW.In = axon.NewInbox[[]byte](p.stdinW, "inbox")
	p.stdoutR = newPipeReader(0)
	p.stderrR = newPipeReader(2048)
	for _, o := range opts {
		o(p)
	}
	p.AddChildren(p.stdinW, p.stdoutR, p.stderrR)
	for _, l := range [][2]axon.Box{
		{p.In, p.stdinW.In},             // the inbox forwards into the writer's
		{p.stdoutR.Out, p.Out},          // the readers send out of the outboxes
		{p.stderrR.Out, p.Stderr},       //
		{p.toStdin, p.stdinW.Control()}, // ProducerFinished reaches the writer
	} {
		if _, err := p.Link(l[0], l[1]); err != nil {
			panic(err) // fresh boxes of matching types: cannot fail
		}
	}
	return p
}

// Main runs the command until it exits, or until Shutdown kills it.
func (p *UnixProcess) Main(ctx context.Context) error {
	if len(p.argv) == 0 {
		return errors.New("process: no command")
	}
	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Dir, cmd.Env = p.dir, p.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return p.fail(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return p.fail(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return p.fail(err)
	}
	if err := cmd.Start(); err != nil {
		return p.fail(err)
	}
	pgid := cmd.Process.Pid
	defer context.AfterFunc(ctx, func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) })()

	p.stdinW.w, p.stdoutR.r, p.stderrR.r = stdin, stdout, stderr
	p.ActivateChildren()
	told, finishing := false, false
	for p.stdoutR.State() != axon.Finished || p.stderrR.State() != axon.Finished {
		finishing = p.TakeControl(nil).Finishing || finishing
		if finishing && !told {
			told = true
			// A stdin writer that has ended already needs no telling.
			if err := p.toStdin.Send(ctx, axon.ProducerFinished{}); err != nil && !errors.Is(err, axon.ErrFinished) {
				break
			}
		}
		if err := p.Wait(ctx); err != nil {
			break // Shutdown: the process group is being killed
		}
	}
	// Both readers have seen the end of their pipes (or were stopped): now
	// Wait may close them.
	werr := cmd.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if werr != nil {
		return p.fail(werr)
	}
	for _, r := range []*pipeReader{p.stdoutR, p.stderrR} {
		if err := r.Err(); err != nil {
			return fmt.Errorf("process %s: %w", p.name, err)
		}
	}
	return nil
}

// fail wraps err with the command and the last of its standard error.
func (p *UnixProcess) fail(err error) error {
	if msg := bytes.TrimSpace(p.stderrR.tail()); len(msg) > 0 {
		return fmt.Errorf("process %s: %w: %s", p.name, err, msg)
	}
	return fmt.Errorf("process %s: %w", p.name, err)
}

// stdinWriter writes what it is sent to the command's standard input and
// closes it when told ProducerFinished (or stopped).
type stdinWriter struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[[]byte]
	w  io.WriteCloser
}

// Main writes until told to stop, then closes standard input.
func (s *stdinWriter) Main(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { _ = s.w.Close() }) // ends a blocked write
	defer func() {
		if stop() {
			_ = s.w.Close()
		}
	}()
	closed := false // the command closed its standard input, or exited
	for v := range s.In.Messages(ctx) {
		if closed {
			continue // as a Unix pipe whose reader has gone: dropped
		}
		if _, err := s.w.Write(v); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, syscall.EPIPE) || errors.Is(err, os.ErrClosed) {
				closed = true
				continue
			}
			return fmt.Errorf("writing standard input: %w", err)
		}
	}
	return ctx.Err()
}

// pipeReader sends what it reads from a pipe, in chunks of at most size
// bytes, until the end of the pipe. It keeps the last keep bytes it read.
type pipeReader struct {
	axon.Core
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out  *axon.Outbox[[]byte]
	r    io.ReadCloser
	size int
	keep int

	mu   sync.Mutex
	last []byte
}

func newPipeReader(keep int) *pipeReader {
	r := &pipeReader{size: DefaultChunkSize, keep: keep}
	r.Out = axon.NewOutbox[[]byte](r, "outbox")
	return r
}

// Main reads and sends until the end of the pipe.
func (r *pipeReader) Main(ctx context.Context) error {
	defer context.AfterFunc(ctx, func() { _ = r.r.Close() })() // ends a blocked read
	buf := make([]byte, max(r.size, 1))
	for {
		n, err := r.r.Read(buf)
		if n > 0 {
			chunk := bytes.Clone(buf[:n])
			r.remember(chunk)
			if serr := r.Out.Send(ctx, chunk); serr != nil {
				return serr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("reading: %w", err)
		}
	}
}

func (r *pipeReader) remember(p []byte) {
	if r.keep == 0 {
		return
	}
	r.mu.Lock()
	r.last = append(r.last, p...)
	if len(r.last) > r.keep {
		r.last = append(r.last[:0], r.last[len(r.last)-r.keep:]...)
	}
	r.mu.Unlock()
}

func (r *pipeReader) tail() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.last...)
}
