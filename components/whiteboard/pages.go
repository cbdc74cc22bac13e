package whiteboard

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
)

// PageFile returns the file of page n in dir: dir/slide.n.png.
func PageFile(dir string, n int) string {
	return filepath.Join(dir, "slide."+strconv.Itoa(n)+".png")
}

var pageName = regexp.MustCompile(`^slide\.([1-9][0-9]{0,5})\.png$`)

// Pages returns the page numbers that have a file in dir, in order.
func Pages(dir string) ([]int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range ents {
		if m := pageName.FindStringSubmatch(e.Name()); m != nil && e.Type().IsRegular() {
			n, _ := strconv.Atoi(m[1])
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

// CountPages returns how many pages dir holds: the Whiteboard's page count
// at start.
func CountPages(dir string) (int, error) {
	p, err := Pages(dir)
	return len(p), err
}

// DeletePage removes page n of dir and renumbers the pages after it down
// by one, so that the pages stay numbered 1..last (Kamaelia's
// fixNumbering).
func DeletePage(dir string, n int) error {
	if err := os.Remove(PageFile(dir, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	pages, err := Pages(dir)
	if err != nil {
		return err
	}
	for _, p := range pages {
		if p > n {
			if err := os.Rename(PageFile(dir, p), PageFile(dir, p-1)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ClearPages removes every page of dir.
func ClearPages(dir string) error {
	pages, err := Pages(dir)
	if err != nil {
		return err
	}
	for _, p := range pages {
		if err := os.Remove(PageFile(dir, p)); err != nil {
			return err
		}
	}
	return nil
}

// DeckName returns the file name Save Deck gives a deck made at t:
// YYYYmmdd-HHMMSS.zip.
func DeckName(t time.Time) string { return t.Format("20060102-150405") + ".zip" }

// SaveDeck writes the pages of dir into the zip file deck (Kamaelia's Save
// Deck), each under its own name.
func SaveDeck(dir, deck string) error {
	pages, err := Pages(dir)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(deck), ".deck-*")
	if err != nil {
		return err
	}
	zw := zip.NewWriter(tmp)
	err = func() error {
		for _, p := range pages {
			w, err := zw.Create(filepath.Base(PageFile(dir, p)))
			if err != nil {
				return err
			}
			f, err := os.Open(PageFile(dir, p))
			if err != nil {
				return err
			}
			_, err = io.Copy(w, f)
			f.Close()
			if err != nil {
				return err
			}
		}
		return zw.Close()
	}()
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), deck)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("whiteboard: saving deck %s: %w", deck, err)
	}
	return nil
}

// MaxPageBytes bounds the size of one page read from a deck.
const MaxPageBytes = 64 << 20

// LoadDeck replaces the pages of dir with those of the zip file deck
// (Kamaelia's Load Deck) and returns how many there are now. Only entries
// named slide.N.png are taken, by their base name; their numbers are made
// 1..n in order, whatever gaps the deck had.
func LoadDeck(deck, dir string) (int, error) {
	zr, err := zip.OpenReader(deck)
	if err != nil {
		return 0, fmt.Errorf("whiteboard: loading deck: %w", err)
	}
	defer zr.Close()
	type entry struct {
		n int
		f *zip.File
	}
	var ents []entry
	for _, f := range zr.File {
		if m := pageName.FindStringSubmatch(f.Name); m != nil {
			n, _ := strconv.Atoi(m[1])
			ents = append(ents, entry{n, f})
		}
	}
	if len(ents) == 0 {
		return 0, fmt.Errorf("whiteboard: deck %s holds no slide.N.png pages", deck)
	}
	slices.SortFunc(ents, func(a, b entry) int { return a.n - b.n })
	if err := ClearPages(dir); err != nil {
		return 0, err
	}
	for i, e := range ents {
		if err := extract(e.f, PageFile(dir, i+1)); err != nil {
			return 0, fmt.Errorf("whiteboard: loading deck %s: %w", deck, err)
		}
	}
	return len(ents), nil
}

func extract(f *zip.File, to string) error {
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := os.Create(to)
	if err != nil {
		return err
	}
	n, err := io.Copy(w, io.LimitReader(r, MaxPageBytes+1))
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > MaxPageBytes {
		err = fmt.Errorf("page %s is larger than %d bytes", f.Name, MaxPageBytes)
	}
	return err
}

// PageOp is what a PageCommand asks of the page history.
type PageOp string

// The operations of the page history (the buttons of the toolbar, the
// remote page turns, the deck manager).
const (
	OpPrev       PageOp = "prev"       // previous page
	OpNext       PageOp = "next"       // next page
	OpCheckpoint PageOp = "checkpoint" // keep this page, go on to a fresh one
	OpNew        PageOp = "new"        // a new blank page after the last
	OpUndo       PageOp = "undo"       // reload this page from its file
	OpDelete     PageOp = "delete"     // delete this page, renumber the rest
	OpReset      PageOp = "reset"      // back to a single page 1
	OpSaveDeck   PageOp = "savedeck"   // Arg: the zip file to write
	OpLoadDeck   PageOp = "loaddeck"   // Arg: the zip file to read
	OpCloseDeck  PageOp = "closedeck"  // delete every page and reset
)

// PageCommand is a message to the page history. Local marks a page turn a
// peer asked for (a remote [["prev"]] or [["next"]]): the page is loaded
// without sending the picture on, since the peer turns its own page.
type PageCommand struct {
	Op    PageOp
	Local bool
	Arg   string
}

// History is the Whiteboard's page history (Kamaelia's CheckpointSequencer
// and deck manager): pages numbered from 1 kept as PageFile(dir, n), a
// current page and a last one, and a dirty flag the canvas sets. It tells
// the canvas to SAVE and LOAD pages as the user moves among them:
//
//	prev, next        if dirty, SAVE the current page; move one page
//	                  within 1..last; LOAD it (the picture goes to the
//	                  peers); a Local turn LOADs with "nopropogate"
//	checkpoint        SAVE the current page as a new last page, and go on
//	                  to a page after it
//	new               SAVE the current page, last+1, NEW (blank here and on
//	                  the peers), SAVE
//	undo              LOAD the current page again
//	delete            delete the page's file and renumber the rest, show
//	                  the previous page (the next, on page 1); on the only
//	                  page, delete it and clear the page everywhere (NEW)
//	reset             current = last = 1, LOAD page 1
//	savedeck F        SAVE the page if dirty, then, once the canvas has
//	                  written every page asked of it, zip the pages into F
//	loaddeck F        replace the pages with those of F, LOAD page 1
//	closedeck         delete every page, reset, and clear the page (NEW)
//
// Boxes:
//
//	inbox   PageCommand  what to do
//	dirty   string       the canvas's surfacechanged: Dirty (the page
//	                     changed) or Saved (a SAVE was carried out)
//	outbox  wire.Batch   SAVE, LOAD, NEW for the canvas
//	ticker  string       what it did, for the status line: one message per
//	                     command, once it is done
//	errors  error        what failed (a file, a deck)
//	control, signal as usual
type History struct {
	axon.Core
	// In is the inbox called "inbox".
	In *axon.Inbox[PageCommand]
	// Dirty is the inbox called "dirty".
	Dirty *axon.Inbox[string]
	// Out is the outbox called "outbox".
	Out *axon.Outbox[wire.Batch]
	// Ticker is the outbox called "ticker".
	Ticker *axon.Outbox[string]
	// Errs is the outbox called "errors".
	Errs *axon.Outbox[error]

	dir           string
	current, last int
	dirty         bool
	saving        int    // SAVEs sent that the canvas has not yet reported
	deck          string // a deck to write once saving is 0
}

// NewHistory returns the page history of the pages in dir, on page 1, with
// as many pages as dir holds (at least one).
func NewHistory(dir string) (*History, error) {
	n, err := CountPages(dir)
	if err != nil {
		return nil, fmt.Errorf("whiteboard: page directory: %w", err)
	}
	h := &History{dir: dir, current: 1, last: max(n, 1)}
	h.In = axon.NewInbox[PageCommand](h, "inbox")
	h.Dirty = axon.NewInbox[string](h, "dirty")
	h.Out = axon.NewOutbox[wire.Batch](h, "outbox")
	h.Ticker = axon.NewOutbox[string](h, "ticker")
	h.Errs = axon.NewOutbox[error](h, "errors")
	return h, nil
}

// Main keeps the history until told to stop.
func (h *History) Main(ctx context.Context) error {
	for {
		st := h.TakeControl(nil)
		for {
			m, ok := h.Dirty.TryRecv()
			if !ok {
				break
			}
			if m == Saved {
				h.saving = max(h.saving-1, 0)
				continue
			}
			h.dirty = true
		}
		if h.deck != "" && h.saving == 0 {
			if err := h.writeDeck(ctx); err != nil {
				return err
			}
		}
		cmd, ok := h.In.TryRecv()
		if ok {
			if err := h.do(ctx, cmd); err != nil {
				return err
			}
			continue
		}
		if st.Finishing && h.deck == "" {
			return nil
		}
		if err := h.Wait(ctx); err != nil {
			return err
		}
	}
}

func (h *History) send(ctx context.Context, b wire.Batch) error { return h.Out.Send(ctx, b) }

func (h *History) save(ctx context.Context, n int) error {
	h.dirty = false
	h.saving++
	return h.send(ctx, wire.Batch{{"SAVE", PageFile(h.dir, n)}})
}

func (h *History) load(ctx context.Context, n int, local bool) error {
	c := wire.Command{"LOAD", PageFile(h.dir, n)}
	if local {
		c = append(c, "nopropogate")
	}
	return h.send(ctx, wire.Batch{c})
}

func (h *History) tell(ctx context.Context, s string) error { return h.Ticker.Send(ctx, s) }

func (h *History) fail(ctx context.Context, err error) error { return h.Errs.Send(ctx, err) }

func (h *History) turn(ctx context.Context, to int, local bool) error {
	if to < 1 || to > h.last {
		return h.tell(ctx, fmt.Sprintf("Page %d of %d", h.current, h.last))
	}
	if h.dirty {
		if err := h.save(ctx, h.current); err != nil {
			return err
		}
	}
	h.current = to
	if err := h.load(ctx, to, local); err != nil {
		return err
	}
	return h.tell(ctx, fmt.Sprintf("Page %d of %d", h.current, h.last))
}

func (h *History) do(ctx context.Context, cmd PageCommand) error {
	switch cmd.Op {
	case OpPrev:
		return h.turn(ctx, h.current-1, cmd.Local)
	case OpNext:
		return h.turn(ctx, h.current+1, cmd.Local)
	case OpCheckpoint:
		if h.current != h.last {
			h.last++
			h.current = h.last
		}
		if err := h.save(ctx, h.current); err != nil {
			return err
		}
		h.last++
		h.current = h.last
		return h.tell(ctx, fmt.Sprintf("Checkpoint: page %d of %d", h.current, h.last))
	case OpNew:
		if err := h.save(ctx, h.current); err != nil {
			return err
		}
		h.last++
		h.current = h.last
		if err := h.send(ctx, wire.Batch{{"NEW"}}); err != nil {
			return err
		}
		if err := h.save(ctx, h.current); err != nil {
			return err
		}
		return h.tell(ctx, fmt.Sprintf("New page %d", h.current))
	case OpUndo:
		h.dirty = false
		if err := h.load(ctx, h.current, false); err != nil {
			return err
		}
		return h.tell(ctx, fmt.Sprintf("Page %d reloaded", h.current))
	case OpDelete:
		if err := h.delete(ctx); err != nil {
			return err
		}
		return h.tell(ctx, fmt.Sprintf("Page deleted: page %d of %d", h.current, h.last))
	case OpReset:
		h.current, h.last, h.dirty = 1, 1, false
		if err := h.load(ctx, 1, false); err != nil {
			return err
		}
		return h.tell(ctx, "Page 1 of 1")
	case OpSaveDeck:
		if h.dirty {
			if err := h.save(ctx, h.current); err != nil {
				return err
			}
		}
		// The canvas writes the pages: the deck is zipped once it has
		// reported every SAVE sent to it.
		h.deck = cmd.Arg
		if h.saving == 0 {
			return h.writeDeck(ctx)
		}
		return nil
	case OpLoadDeck:
		n, err := LoadDeck(cmd.Arg, h.dir)
		if err != nil {
			if err := h.fail(ctx, err); err != nil {
				return err
			}
			return h.tell(ctx, "Deck not loaded")
		}
		h.current, h.last, h.dirty = 1, n, false
		if err := h.load(ctx, 1, false); err != nil {
			return err
		}
		return h.tell(ctx, fmt.Sprintf("Deck loaded: %d pages", n))
	case OpCloseDeck:
		if err := ClearPages(h.dir); err != nil {
			if err := h.fail(ctx, err); err != nil {
				return err
			}
		}
		h.current, h.last, h.dirty = 1, 1, false
		if err := h.send(ctx, wire.Batch{{"NEW"}}); err != nil {
			return err
		}
		return h.tell(ctx, "Deck closed")
	}
	if err := h.fail(ctx, fmt.Errorf("whiteboard: unknown page operation %q", cmd.Op)); err != nil {
		return err
	}
	return h.tell(ctx, "Unknown page operation "+string(cmd.Op))
}

func (h *History) writeDeck(ctx context.Context) error {
	deck := h.deck
	h.deck = ""
	if err := SaveDeck(h.dir, deck); err != nil {
		if err := h.fail(ctx, err); err != nil {
			return err
		}
		return h.tell(ctx, "Deck not saved")
	}
	return h.tell(ctx, "Deck saved to "+deck)
}

func (h *History) delete(ctx context.Context) error {
	switch {
	case h.last > 1 && h.current > 1:
		if err := DeletePage(h.dir, h.current); err != nil {
			return h.fail(ctx, err)
		}
		h.last--
		h.current--
		h.dirty = false
		return h.load(ctx, h.current, false)
	case h.last > 1: // page 1 of several: the next becomes page 1
		if err := DeletePage(h.dir, 1); err != nil {
			return h.fail(ctx, err)
		}
		h.last--
		h.dirty = false
		return h.load(ctx, 1, false)
	default:
		if err := ClearPages(h.dir); err != nil {
			return h.fail(ctx, err)
		}
		h.dirty = false
		return h.send(ctx, wire.Batch{{"NEW"}})
	}
}
