package whiteboard

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// historyRig drives a History with the test as its canvas: every batch
// the History sends is carried out on a real Canvas, and SAVEs are
// reported back as the CanvasComponent reports them.
type historyRig struct {
	t      *testing.T
	h      *axon.Handle
	tap    *tap
	canvas *Canvas
	dir    string
	sent   []wire.Batch // what the History sent to the canvas for the last op
}

func newHistoryRig(t *testing.T) *historyRig {
	dir := t.TempDir()
	hist, err := NewHistory(dir)
	require.NoError(t, err)
	s := axon.NewScheduler()
	tp := newTap()
	axon.MustLink(hist.Out, tp.batch)
	axon.MustLink(hist.Ticker, tp.tick)
	s.Activate(tp)
	h, err := axon.NewHandle(s, hist, "inbox", "dirty", "errors", "control", "signal")
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx := context.Background()
		_ = h.Finish(ctx)
		_ = h.Wait(ctx)
		s.ShutdownAll(axon.Shutdown{})
		<-tp.Done()
	})
	return &historyRig{t: t, h: h, tap: tp, canvas: NewCanvas(40, 30), dir: dir}
}

// colour paints the whole page, as a user drawing would, and marks it
// dirty as the canvas does.
func (r *historyRig) colour(v uint8) {
	_, err := r.canvas.Exec(wire.Command{"CLEAR", "0", "0", strconv.Itoa(int(v))})
	require.NoError(r.t, err)
	require.NoError(r.t, r.h.Put(r.t.Context(), "dirty", Dirty))
}

// tap carries what a component sends on two outboxes to the test, in the
// order it sent them: it drains "batch" before "tick", and a component
// sends its batches before the ticker message that ends an operation.
type tap struct {
	axon.Core
	batch *axon.Inbox[wire.Batch]
	tick  *axon.Inbox[string]
	out   chan any
}

func newTap() *tap {
	t := &tap{out: make(chan any, 100)}
	t.batch = axon.NewInbox[wire.Batch](t, "batch")
	t.tick = axon.NewInbox[string](t, "tick")
	return t
}

func (t *tap) Main(ctx context.Context) error {
	for {
		st := t.TakeControl(nil)
		moved := false
		for {
			b, ok := t.batch.TryRecv()
			if !ok {
				break
			}
			moved = true
			t.out <- b
		}
		if s, ok := t.tick.TryRecv(); ok {
			moved = true
			t.out <- s
		}
		if moved {
			continue
		}
		if st.Finishing {
			return nil
		}
		if err := t.Wait(ctx); err != nil {
			return nil
		}
	}
}

// op sends cmd and carries out what the History asks of the canvas until
// it reports the command done on its ticker.
func (r *historyRig) op(cmd PageCommand) string {
	r.t.Helper()
	ctx := r.t.Context()
	require.NoError(r.t, r.h.Put(ctx, "inbox", cmd))
	r.sent = nil
	for {
		var v any
		select {
		case v = <-r.tap.out:
		case <-ctx.Done():
			r.t.Fatal("no ticker message")
		}
		switch m := v.(type) {
		case string:
			return m
		case wire.Batch:
			r.sent = append(r.sent, m)
			for _, c := range m {
				_, _ = r.canvas.Exec(c)
				if c.Name() == "SAVE" {
					require.NoError(r.t, r.h.Put(ctx, "dirty", Saved))
				}
			}
		}
	}
}

// pageBlue returns the blue of page n's file.
func (r *historyRig) pageBlue(n int) int {
	r.t.Helper()
	c := NewCanvas(40, 30)
	_, err := c.Exec(wire.Command{"LOAD", PageFile(r.dir, n), "nopropogate"})
	require.NoError(r.t, err, "page %d", n)
	return int(c.Image().RGBAAt(1, 1).B)
}

func (r *historyRig) pages() []int {
	p, err := Pages(r.dir)
	require.NoError(r.t, err)
	return p
}

func TestHistoryPagingTable(t *testing.T) {
	r := newHistoryRig(t)
	r.colour(1)
	// checkpoint on the last page: SAVE it, go on to page 2.
	assert.Equal(t, "Checkpoint: page 2 of 2", r.op(PageCommand{Op: OpCheckpoint}))
	// The page is named as Kamaelia's CheckpointSequencer names it,
	// slide.1.png in the page directory, spelt out here rather than
	// through PageFile, so that a change of name cannot go unseen; and
	// what is there is a PNG.
	literal := filepath.Join(r.dir, "slide.1.png")
	assert.Equal(t, []wire.Batch{{{"SAVE", literal}}}, r.sent)
	fi, err := os.Stat(literal)
	require.NoError(t, err)
	assert.True(t, fi.Mode().IsRegular())
	png, err := os.ReadFile(literal)
	require.NoError(t, err)
	assert.Equal(t, []byte("\x89PNG\r\n\x1a\n"), png[:min(8, len(png))])
	assert.Equal(t, []int{1}, r.pages())
	assert.Equal(t, 1, r.pageBlue(1))
	r.colour(2)
	// new: SAVE page 2, page 3 blank here and on the peers, SAVE it.
	assert.Equal(t, "New page 3", r.op(PageCommand{Op: OpNew}))
	assert.Contains(t, r.sent, wire.Batch{{"NEW"}})
	assert.Equal(t, []int{1, 2, 3}, r.pages())
	assert.Equal(t, 2, r.pageBlue(2))
	assert.Equal(t, 255, r.pageBlue(3))
	r.colour(3)
	// prev: the dirty page 3 is saved first, then page 2 loaded and sent on.
	assert.Equal(t, "Page 2 of 3", r.op(PageCommand{Op: OpPrev}))
	assert.Equal(t, []wire.Batch{{{"SAVE", PageFile(r.dir, 3)}}, {{"LOAD", PageFile(r.dir, 2)}}}, r.sent)
	assert.Equal(t, 3, r.pageBlue(3))
	assert.Equal(t, uint8(2), r.canvas.Image().RGBAAt(0, 0).B)
	// A remote page turn: LOAD with nopropogate (no SETIMG to the peers).
	assert.Equal(t, "Page 3 of 3", r.op(PageCommand{Op: OpNext, Local: true}))
	assert.Equal(t, []wire.Batch{{{"LOAD", PageFile(r.dir, 3), "nopropogate"}}}, r.sent)
	// Beyond the last page: nothing moves.
	assert.Equal(t, "Page 3 of 3", r.op(PageCommand{Op: OpNext}))
	assert.Empty(t, r.sent)
	// undo: reload the page from its file.
	r.colour(9)
	r.op(PageCommand{Op: OpUndo})
	assert.Equal(t, uint8(3), r.canvas.Image().RGBAAt(0, 0).B)

	// delete page 2 of 3: page 3 becomes page 2, we show page 1.
	r.op(PageCommand{Op: OpPrev})
	assert.Equal(t, "Page deleted: page 1 of 2", r.op(PageCommand{Op: OpDelete}))
	assert.Equal(t, []int{1, 2}, r.pages())
	assert.Equal(t, 1, r.pageBlue(1))
	assert.Equal(t, 3, r.pageBlue(2))
	// delete page 1 of 2: the next becomes page 1 and is shown.
	assert.Equal(t, "Page deleted: page 1 of 1", r.op(PageCommand{Op: OpDelete}))
	assert.Equal(t, []int{1}, r.pages())
	assert.Equal(t, 3, r.pageBlue(1))
	assert.Equal(t, uint8(3), r.canvas.Image().RGBAAt(0, 0).B)
	// delete the only page: every page goes, the page is cleared everywhere.
	r.op(PageCommand{Op: OpDelete})
	assert.Empty(t, r.pages())
	assert.Equal(t, []wire.Batch{{{"NEW"}}}, r.sent)
}

func TestHistoryCheckpointInTheMiddle(t *testing.T) {
	r := newHistoryRig(t)
	r.colour(1)
	r.op(PageCommand{Op: OpNew}) // pages 1, 2; on 2
	r.op(PageCommand{Op: OpPrev})
	r.colour(5)
	// checkpoint on page 1 of 2: saved as page 3, and we go on to page 4.
	assert.Equal(t, "Checkpoint: page 4 of 4", r.op(PageCommand{Op: OpCheckpoint}))
	assert.Equal(t, []int{1, 2, 3}, r.pages())
	assert.Equal(t, 1, r.pageBlue(1))
	assert.Equal(t, 5, r.pageBlue(3))
}

func TestDecks(t *testing.T) {
	r := newHistoryRig(t)
	r.colour(1)
	r.op(PageCommand{Op: OpNew})
	r.colour(2)
	deck := filepath.Join(t.TempDir(), DeckName(time.Date(2026, 12, 7, 5, 6, 7, 0, time.UTC)))
	assert.Equal(t, "20261207-050607.zip", filepath.Base(deck))
	// The dirty page 2 is saved before the zip is made.
	assert.Equal(t, "Deck saved to "+deck, r.op(PageCommand{Op: OpSaveDeck, Arg: deck}))
	assert.Equal(t, 2, r.pageBlue(2))

	assert.Equal(t, "Deck closed", r.op(PageCommand{Op: OpCloseDeck}))
	assert.Empty(t, r.pages())
	assert.Equal(t, uint8(255), r.canvas.Image().RGBAAt(0, 0).B)

	assert.Equal(t, "Deck loaded: 2 pages", r.op(PageCommand{Op: OpLoadDeck, Arg: deck}))
	assert.Equal(t, []int{1, 2}, r.pages())
	assert.Equal(t, uint8(1), r.canvas.Image().RGBAAt(0, 0).B, "page 1 shown")
	assert.Equal(t, "Page 2 of 2", r.op(PageCommand{Op: OpNext}))
	assert.Equal(t, uint8(2), r.canvas.Image().RGBAAt(0, 0).B)

	// A file that is not a deck: an error, the pages stay.
	bad := filepath.Join(t.TempDir(), "bad.zip")
	require.NoError(t, os.WriteFile(bad, []byte("not a zip"), 0o644))
	assert.Equal(t, "Deck not loaded", r.op(PageCommand{Op: OpLoadDeck, Arg: bad}))
	v, ok := r.h.TryGet("errors")
	require.True(t, ok)
	assert.Error(t, v.(error))
	assert.Equal(t, []int{1, 2}, r.pages())
}
