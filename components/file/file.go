// Package file has the components that read and write files: ReadFileAdaptor
// reads a file, the output of a command or standard input, by lines, by
// blocks or at a bit rate; PromptedFileReader reads as much as it is asked
// for; RateControlledFileReader reads at a rate; SimpleFileWriter writes
// what it is sent (Kamaelia's Kamaelia.File).
//
// Every reader ends with ProducerFinished{Reason: io.EOF} at the end of its
// input, and every failure (a missing file, a command that cannot run or
// exits non-zero, a write that fails) is a *axon.Failure on signal carrying
// a clear error, never a panic. Each can be given an io.Reader or io.Writer
// in place of a file, which is how their timing is tested under
// testing/synctest.
package file

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/internal/kit"
)

// Unit is what PromptedFileReader and RateControlledFileReader count in.
type Unit int

// The units of reading.
const (
	Bytes Unit = iota // n bytes
	Lines             // n lines, each with its "\n"
)

// String returns the unit's name.
func (u Unit) String() string {
	if u == Lines {
		return "lines"
	}
	return "bytes"
}

// readUnits reads n units from br: n bytes, or n lines (each with its "\n"),
// as one slice. It returns what it read, and io.EOF when the input ended
// before n units (what it read is still returned).
func readUnits(br *bufio.Reader, unit Unit, n int) ([]byte, error) {
	if unit == Lines {
		var data []byte
		for range n {
			line, err := br.ReadBytes('\n')
			data = append(data, line...)
			if err != nil {
				return data, err
			}
		}
		return data, nil
	}
	buf := make([]byte, n)
	m, err := io.ReadFull(br, buf)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return buf[:m], err
}

// source is an opened input: what to read, and how to stop it.
type source struct {
	r        io.Reader
	closer   io.Closer // nil: cannot be closed (standard input)
	cmd      *exec.Cmd
	stderr   *tail
	name     string
	waitOnce sync.Once
	waitErr  error
}

func openFile(name string) (*source, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("file: %w", err)
	}
	return &source{r: f, closer: f, name: name}, nil
}

func fromReader(r io.Reader, name string) *source {
	s := &source{r: r, name: name}
	if c, ok := r.(io.Closer); ok && r != io.Reader(os.Stdin) {
		s.closer = c
	}
	return s
}

// startCommand runs command with /bin/sh -c in a process group of its own,
// and reads its standard output.
func startCommand(command string) (*source, error) {
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("file: command %q: %w", command, err)
	}
	st := &tail{max: 2048}
	cmd.Stderr = st
	cmd.WaitDelay = 2 * time.Second // a grandchild holding stderr open cannot hang Wait
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("file: command %q: %w", command, err)
	}
	return &source{r: stdout, closer: stdout, cmd: cmd, stderr: st, name: fmt.Sprintf("command %q", command)}, nil
}

// wait reaps the command, if any, and returns a clear error if it failed.
func (s *source) wait() error {
	if s.cmd == nil {
		return nil
	}
	s.waitOnce.Do(func() {
		if err := s.cmd.Wait(); err != nil {
			msg := bytes.TrimSpace(s.stderr.bytes())
			if len(msg) > 0 {
				s.waitErr = fmt.Errorf("file: %s: %w: %s", s.name, err, msg)
			} else {
				s.waitErr = fmt.Errorf("file: %s: %w", s.name, err)
			}
		}
	})
	return s.waitErr
}

// stop ends reading early: it kills the command's process group, closes
// what can be closed and reaps the command.
func (s *source) stop() {
	s.interrupt()
	_ = s.wait()
}

// interrupt kills the command and closes what is read, which ends a read
// blocked on it.
func (s *source) interrupt() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	}
	if s.closer != nil {
		_ = s.closer.Close()
	}
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

// Write keeps the end of p.
func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tail) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]byte(nil), t.buf...)
}

// ReadMode is how a ReadFileAdaptor cuts what it reads into messages.
type ReadMode int

// The read modes of ReadFileAdaptor.
const (
	// LineMode sends each line, with its "\n" (the last may lack it).
	LineMode ReadMode = iota
	// BlockMode sends blocks of ReadSize bytes (the last may be shorter).
	BlockMode
	// BitrateMode sends chunks ChunkRate times a second, sized so that the
	// bytes add up to Bitrate bits a second.
	BitrateMode
)

// ReadFileAdaptor reads a file, the output of a command, an io.Reader or
// standard input, and sends what it reads in lines, in blocks, or at a bit
// rate (Kamaelia's ReadFileAdaptor).
//
// Boxes:
//
//	inbox   (any)     not used: anything sent here is dropped
//	control (any)     ProducerFinished, Shutdown
//	outbox  ([]byte)  the lines, blocks or chunks read; each is the receiver's
//	signal  (any)     how it ended
//
// The source is standard input unless WithFilename, WithCommand (run with
// /bin/sh -c, in a process group of its own) or WithReader says otherwise.
// The mode is LineMode unless WithMode or WithBitrate says otherwise. With
// WithStepTime, lines and blocks are sent one every step; with WithBitrate,
// chunks are sent ChunkRate times a second (24 unless WithChunkRate says
// otherwise) and chunk k is sized so that the first k chunks hold exactly
// floor(k·bitrate/8/chunkRate) bytes: the bit rate is exact, with no
// drift. The pacing never bursts: a chunk late by more than a step (a slow
// source, a consumer that is behind) restarts the schedule from its own
// time.
//
// Reading runs in a helper goroutine that reads ahead a few messages, so a
// read that blocks (a pipe, a terminal) never delays shutdown.
//
// Example: the article's video source, 400 kbit/s in 24 chunks a second:
//
//	src := file.NewReadFileAdaptor(file.WithFilename("video.drc"), file.WithBitrate(400000))
//
// Shutdown: at the end of the input it ends with ProducerFinished{Reason:
// io.EOF}. A file that cannot be opened, a read error, or a command that
// cannot start or exits non-zero (the error then wraps *exec.ExitError and
// ends with what the command wrote on standard error) is a *axon.Failure
// on signal. ProducerFinished on control makes it send what it has already
// read (at its pace), then end cleanly without reading more. Shutdown
// stops it at once: it kills the command's process group, closes the file
// or pipe (a reader given with WithReader is closed if it is an io.Closer;
// standard input never is, and a read blocked on it keeps the helper
// goroutine until it returns).
type ReadFileAdaptor struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[any]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out  *axon.Outbox[[]byte]
	feed *axon.Feed[[]byte]
	cfg  adaptorConfig
}

type adaptorConfig struct {
	filename, command string
	reader            io.Reader
	mode              ReadMode
	readSize          int
	step              time.Duration
	bitrate           float64
	chunkRate         float64
}

// AdaptorOption configures a ReadFileAdaptor.
type AdaptorOption func(*adaptorConfig)

// WithFilename reads the file called name.
func WithFilename(name string) AdaptorOption {
	return func(c *adaptorConfig) { c.filename, c.command, c.reader = name, "", nil }
}

// WithCommand reads the standard output of command, run with /bin/sh -c.
func WithCommand(command string) AdaptorOption {
	return func(c *adaptorConfig) { c.filename, c.command, c.reader = "", command, nil }
}

// WithReader reads r.
func WithReader(r io.Reader) AdaptorOption {
	return func(c *adaptorConfig) { c.filename, c.command, c.reader = "", "", r }
}

// WithMode sets the read mode.
func WithMode(m ReadMode) AdaptorOption { return func(c *adaptorConfig) { c.mode = m } }

// WithReadSize sets the size of the blocks of BlockMode (default 1450 bytes).
func WithReadSize(n int) AdaptorOption { return func(c *adaptorConfig) { c.readSize = n } }

// WithStepTime sends a line or block every step instead of as fast as they
// can be read.
func WithStepTime(step time.Duration) AdaptorOption { return func(c *adaptorConfig) { c.step = step } }

// WithBitrate sets BitrateMode at bitsPerSecond.
func WithBitrate(bitsPerSecond float64) AdaptorOption {
	return func(c *adaptorConfig) { c.mode, c.bitrate = BitrateMode, bitsPerSecond }
}

// WithChunkRate sets how many chunks a second BitrateMode sends (default 24).
func WithChunkRate(chunksPerSecond float64) AdaptorOption {
	return func(c *adaptorConfig) { c.chunkRate = chunksPerSecond }
}

// NewReadFileAdaptor returns a ReadFileAdaptor configured by opts: by
// default it reads standard input line by line, as fast as it can.
func NewReadFileAdaptor(opts ...AdaptorOption) *ReadFileAdaptor {
	a := &ReadFileAdaptor{cfg: adaptorConfig{readSize: 1450, bitrate: 65536, chunkRate: 24}}
	for _, o := range opts {
		o(&a.cfg)
	}
	a.In = axon.NewInbox[any](a, "inbox")
	a.Out = axon.NewOutbox[[]byte](a, "outbox")
	a.feed = axon.NewFeed[[]byte](a, "_read", 4)
	return a
}

func (a *ReadFileAdaptor) check() error {
	c := a.cfg
	switch c.mode {
	case LineMode:
	case BlockMode:
		if c.readSize <= 0 {
			return fmt.Errorf("file: read size %d: want > 0", c.readSize)
		}
	case BitrateMode:
		if !(c.chunkRate > 0) || !(c.bitrate/8/c.chunkRate >= 1) {
			return fmt.Errorf("file: bit rate %v at %v chunks a second makes chunks of under a byte", c.bitrate, c.chunkRate)
		}
	default:
		return fmt.Errorf("file: unknown read mode %d", c.mode)
	}
	if c.step < 0 {
		return fmt.Errorf("file: step time %v: want >= 0", c.step)
	}
	return nil
}

func (a *ReadFileAdaptor) open() (*source, error) {
	switch c := a.cfg; {
	case c.filename != "":
		return openFile(c.filename)
	case c.command != "":
		return startCommand(c.command)
	case c.reader != nil:
		return fromReader(c.reader, "reader"), nil
	default:
		return fromReader(os.Stdin, "standard input"), nil
	}
}

// produce reads src in the configured mode and emits each message.
func (a *ReadFileAdaptor) produce(r io.Reader, emit func([]byte) bool) error {
	c := a.cfg
	br := bufio.NewReaderSize(r, max(c.readSize, 4096))
	switch c.mode {
	case LineMode:
		for {
			line, err := br.ReadBytes('\n')
			if len(line) > 0 && !emit(line) {
				return nil
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	default:
		var next func() int
		if c.mode == BitrateMode {
			next = kit.NewPortions(c.bitrate / 8 / c.chunkRate).Next
		} else {
			next = func() int { return c.readSize }
		}
		for {
			data, err := readUnits(br, Bytes, next())
			if len(data) > 0 && !emit(data) {
				return nil
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	}
}

// Main reads and sends until the end of the input or shutdown.
func (a *ReadFileAdaptor) Main(ctx context.Context) error {
	if err := a.check(); err != nil {
		return err
	}
	src, err := a.open()
	if err != nil {
		return err
	}
	if src.closer != nil {
		a.feed.Start(func(ctx context.Context, emit func([]byte) bool) error {
			// Stopping the reading (ProducerFinished, Shutdown, the end of
			// Main) ends a blocked read.
			stop := context.AfterFunc(ctx, src.interrupt)
			defer stop()
			return a.produce(src.r, emit)
		})
	} else {
		// Standard input: nothing can end a blocked read, so the adaptor
		// does not wait for it when it ends.
		a.feed.StartDetached(func(emit func([]byte) bool) error { return a.produce(src.r, emit) })
	}
	defer func() {
		a.feed.Stop()
		src.stop()
	}()
	var pace *kit.Pacer
	if a.cfg.mode == BitrateMode || a.cfg.step > 0 {
		rate := a.rate()
		pace = kit.NewPacer(rate, kit.Offset(1, rate)) // a step of lateness is made up
	}
	finishing := false
	for {
		finishing = a.TakeControl(nil).Finishing || finishing
		kit.Discard(a.In)
		if finishing {
			a.feed.Stop() // read no more: send what was read, then end
		}
		it, ok := a.feed.TryRecv()
		if !ok {
			if finishing {
				return nil
			}
			if err := a.Wait(ctx); err != nil {
				return err
			}
			continue
		}
		if it.End {
			if it.Err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return fmt.Errorf("file: reading %s: %w", src.name, it.Err)
			}
			if err := src.wait(); err != nil {
				return err
			}
			return axon.Finish(io.EOF)
		}
		if pace != nil {
			if err := pace.Wait(ctx); err != nil {
				return err
			}
		}
		if err := a.Out.Send(ctx, it.V); err != nil {
			return err
		}
		if pace != nil {
			pace.Done(time.Now())
		}
	}
}

func (a *ReadFileAdaptor) rate() float64 {
	if a.cfg.mode == BitrateMode {
		return a.cfg.chunkRate
	}
	return float64(time.Second) / float64(a.cfg.step)
}

// PromptedFileReader reads from a file as much as it is asked for: n bytes
// or n lines for each n sent to its inbox (Kamaelia's PromptedFileReader).
// Link a timing.ByteRateRequestControl to it to read at a rate, or use
// RateControlledFileReader.
//
// Boxes:
//
//	inbox   (int)     how many bytes or lines to read next
//	control (any)     ProducerFinished, Shutdown
//	outbox  ([]byte)  what was read for each request, as one slice
//	signal  (any)     how it ended
//
// A request that finds fewer bytes or lines than asked for sends what it
// found. A request for 0 or fewer is ignored. The file is opened when the
// component starts and closed when it ends.
//
// Example:
//
//	r := file.NewPromptedFileReader("notes.txt", file.Lines)
//
// Shutdown: it ends with ProducerFinished{Reason: io.EOF} as soon as it
// knows the file has ended: after a request that found less than it asked
// for, or none at all. A file that cannot be opened, or a read error, is a
// *axon.Failure. ProducerFinished on control makes it answer the requests
// waiting, then end cleanly. Shutdown stops it at once; it closes the file
// (or a reader that is an io.Closer), which ends a read that was blocked.
type PromptedFileReader struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[int]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out      *axon.Outbox[[]byte]
	filename string
	reader   io.Reader
	unit     Unit
}

// NewPromptedFileReader returns a reader of the file called filename, in unit.
func NewPromptedFileReader(filename string, unit Unit) *PromptedFileReader {
	return newPrompted(filename, nil, unit)
}

// NewPromptedReader returns a PromptedFileReader that reads r instead of a
// file; it closes r when it ends if r is an io.Closer.
func NewPromptedReader(r io.Reader, unit Unit) *PromptedFileReader {
	return newPrompted("", r, unit)
}

func newPrompted(filename string, r io.Reader, unit Unit) *PromptedFileReader {
	p := &PromptedFileReader{filename: filename, reader: r, unit: unit}
	p.In = axon.NewInbox[int](p, "inbox")
	p.Out = axon.NewOutbox[[]byte](p, "outbox")
	return p
}

func openReader(filename string, r io.Reader) (*source, error) {
	if r != nil {
		return fromReader(r, "reader"), nil
	}
	return openFile(filename)
}

// Main answers requests until the end of the file or shutdown.
func (p *PromptedFileReader) Main(ctx context.Context) error {
	src, err := openReader(p.filename, p.reader)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, src.stop) // ends a blocked read on Shutdown
	defer func() {
		if stop() {
			src.stop()
		}
	}()
	br := bufio.NewReader(src.r)
	for {
		n, err := p.In.Recv(ctx)
		if errors.Is(err, axon.ErrFinished) {
			return nil
		}
		if err != nil {
			return err
		}
		if n <= 0 {
			continue
		}
		data, rerr := readUnits(br, p.unit, n)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if len(data) > 0 {
			if err := p.Out.Send(ctx, data); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return axon.Finish(io.EOF)
		}
		if rerr != nil {
			return fmt.Errorf("file: reading %s: %w", src.name, rerr)
		}
	}
}

// RateControlledFileReader reads a file at a rate: rate bytes or lines a
// second, in chunkRate chunks a second (Kamaelia's RateControlledFileReader,
// which was a PromptedFileReader driven by a ByteRate_RequestControl; here
// it is one component).
//
// Boxes:
//
//	inbox   (any)     not used: anything sent here is dropped
//	control (any)     ProducerFinished, Shutdown
//	outbox  ([]byte)  each chunk read
//	signal  (any)     how it ended
//
// The first chunk is read and sent at once, chunk k at k/chunkRate
// seconds; chunk sizes carry their remainders, so that the first k chunks
// hold exactly floor(k·rate/chunkRate) units. A chunk late by more than a
// step restarts the schedule from its own time: it never bursts.
//
// Example: 10 lines a second, 5 at a time:
//
//	r := file.NewRateControlledFileReader("log.txt", file.Lines, 10, file.WithChunkSize(5))
//
// Shutdown: it ends with ProducerFinished{Reason: io.EOF} at the end of
// the file; a file that cannot be opened, or a read error, is a
// *axon.Failure. ProducerFinished on control ends it at once, cleanly (it
// holds nothing: chunks are read when due). Shutdown stops it at once; it
// closes the file, which ends a read that was blocked.
type RateControlledFileReader struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[any]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out      *axon.Outbox[[]byte]
	filename string
	reader   io.Reader
	unit     Unit

	rate, chunkSize, chunkRate float64
}

// RateOption configures a RateControlledFileReader.
type RateOption func(*RateControlledFileReader)

// WithChunkSize sets how many units each chunk holds; the chunk rate is
// then rate/size.
func WithChunkSize(size float64) RateOption {
	return func(r *RateControlledFileReader) { r.chunkSize, r.chunkRate = size, 0 }
}

// WithChunksPerSecond sets how many chunks are read a second (default 10);
// the chunk size is then rate/chunksPerSecond.
func WithChunksPerSecond(chunksPerSecond float64) RateOption {
	return func(r *RateControlledFileReader) { r.chunkRate, r.chunkSize = chunksPerSecond, 0 }
}

// NewRateControlledFileReader returns a reader of the file called filename,
// at rate units a second.
func NewRateControlledFileReader(filename string, unit Unit, rate float64, opts ...RateOption) *RateControlledFileReader {
	return newRateControlled(filename, nil, unit, rate, opts)
}

// NewRateControlledReader returns a RateControlledFileReader that reads r
// instead of a file; it closes r when it ends if r is an io.Closer.
func NewRateControlledReader(r io.Reader, unit Unit, rate float64, opts ...RateOption) *RateControlledFileReader {
	return newRateControlled("", r, unit, rate, opts)
}

func newRateControlled(filename string, reader io.Reader, unit Unit, rate float64, opts []RateOption) *RateControlledFileReader {
	r := &RateControlledFileReader{filename: filename, reader: reader, unit: unit, rate: rate, chunkRate: 10}
	for _, o := range opts {
		o(r)
	}
	if r.chunkSize > 0 {
		r.chunkRate = rate / r.chunkSize
	} else if r.chunkRate > 0 {
		r.chunkSize = rate / r.chunkRate
	}
	r.In = axon.NewInbox[any](r, "inbox")
	r.Out = axon.NewOutbox[[]byte](r, "outbox")
	return r
}

// Main reads and sends chunks until the end of the file or shutdown.
func (r *RateControlledFileReader) Main(ctx context.Context) error {
	if !(r.rate > 0) || !(r.chunkRate > 0) || !(r.chunkSize > 0) {
		return fmt.Errorf("file: rate %v, chunk size %v, chunk rate %v: want all > 0", r.rate, r.chunkSize, r.chunkRate)
	}
	src, err := openReader(r.filename, r.reader)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, src.stop)
	defer func() {
		if stop() {
			src.stop()
		}
	}()
	br := bufio.NewReader(src.r)
	portions := kit.NewPortions(r.chunkSize)
	pace := kit.NewPacer(r.chunkRate, kit.Offset(1, r.chunkRate)) // a step of lateness is made up
	for {
		if r.TakeControl(nil).Finishing {
			return nil
		}
		kit.Discard(r.In)
		if due, ok := pace.Next(); ok {
			ticked, err := kit.WaitUntil(ctx, &r.Core, due)
			if err != nil {
				return err
			}
			if !ticked {
				continue // a message came: look at control
			}
		}
		data, rerr := readUnits(br, r.unit, portions.Next())
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if len(data) > 0 {
			if err := r.Out.Send(ctx, data); err != nil {
				return err
			}
		}
		pace.Done(time.Now())
		if rerr == io.EOF {
			return axon.Finish(io.EOF)
		}
		if rerr != nil {
			return fmt.Errorf("file: reading %s: %w", src.name, rerr)
		}
	}
}

// Data is what SimpleFileWriter writes: strings or byte slices.
type Data interface{ ~string | ~[]byte }

// WriteMode is how SimpleFileWriter opens its file.
type WriteMode int

// The write modes.
const (
	Truncate WriteMode = iota // create the file, or empty it
	Append                    // create the file, or add to its end
)

// SimpleFileWriter writes every message it is sent to a file, and syncs and
// closes the file when it ends (Kamaelia's SimpleFileWriter, which never
// closed its file).
//
// Boxes:
//
//	inbox   (T: a string or []byte type)  data to write
//	control (any)                         ProducerFinished, Shutdown
//	outbox  (any)                         not used
//	signal  (any)                         how it ended
//
// The file is opened (created with mode 0666 before umask) when the
// component starts.
//
// Example:
//
//	w := file.NewSimpleFileWriter[[]byte]("copy.bin", file.Truncate)
//
// Shutdown: ProducerFinished on control makes it write every message
// waiting, sync and close the file, then end with ProducerFinished; an
// error opening, writing, syncing or closing (a full disk, a closed file)
// is a *axon.Failure on signal, and the file is closed all the same.
// Shutdown stops it at once: the messages not yet written are dropped and
// the file is closed.
type SimpleFileWriter[T Data] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In       *axon.Inbox[T]
	filename string
	mode     WriteMode
	w        io.Writer
}

// NewSimpleFileWriter returns a writer to the file called filename.
func NewSimpleFileWriter[T Data](filename string, mode WriteMode) *SimpleFileWriter[T] {
	w := &SimpleFileWriter[T]{filename: filename, mode: mode}
	w.In = axon.NewInbox[T](w, "inbox")
	return w
}

// NewSimpleWriter returns a SimpleFileWriter that writes to w instead of a
// named file. When it ends it syncs w if w has a Sync() error method (an
// *os.File) and closes w if it is an io.Closer.
func NewSimpleWriter[T Data](w io.Writer) *SimpleFileWriter[T] {
	fw := &SimpleFileWriter[T]{w: w}
	fw.In = axon.NewInbox[T](fw, "inbox")
	return fw
}

// Main writes until it is told to stop, then closes the file.
func (w *SimpleFileWriter[T]) Main(ctx context.Context) (err error) {
	out, name := w.w, "writer"
	if out == nil {
		flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		if w.mode == Append {
			flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
		}
		f, err := os.OpenFile(w.filename, flags, 0o666)
		if err != nil {
			return fmt.Errorf("file: %w", err)
		}
		out, name = f, w.filename
	}
	closed := false
	defer func() {
		if !closed {
			_ = closeWriter(out) // after a failure or Shutdown: that is the outcome
		}
	}()
	for v := range w.In.Messages(ctx) {
		if _, err := out.Write([]byte(v)); err != nil {
			return fmt.Errorf("file: writing %s: %w", name, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if s, ok := out.(interface{ Sync() error }); ok {
		if err := s.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
			return fmt.Errorf("file: syncing %s: %w", name, err)
		}
	}
	closed = true
	if err := closeWriter(out); err != nil {
		return fmt.Errorf("file: closing %s: %w", name, err)
	}
	return nil
}

func closeWriter(w io.Writer) error {
	if c, ok := w.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
