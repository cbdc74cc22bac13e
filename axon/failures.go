package axon

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// The bounds on what a scheduler keeps and logs of its components'
// failures. A system in which thousands of components fail (a server whose
// every connection breaks) must not keep every error until Run returns, nor
// write a log line per failure.
const (
	// DefaultFailureLimit is how many failures a scheduler keeps for Run or
	// Wait to return; past it, failures are counted, and the error says how
	// many more there were (an *OmittedFailuresError).
	DefaultFailureLimit = 100

	// DefaultLogLimit is how many failures a scheduler logs in one second;
	// past it, failures are counted, and one line says how many were not
	// logged when the second is over (or when Run or Wait returns).
	DefaultLogLimit = 10
)

// logWindow is the period DefaultLogLimit counts over.
const logWindow = time.Second

// OmittedFailuresError ends the error Run or Wait returns when more
// components failed than the scheduler keeps (see SetFailureLimits): it
// counts the failures left out.
type OmittedFailuresError struct {
	Count int // failures counted but not kept
}

// Error says how many failures were left out.
func (e *OmittedFailuresError) Error() string {
	if e.Count == 1 {
		return "and 1 more failure"
	}
	return fmt.Sprintf("and %d more failures", e.Count)
}

// SetFailureLimits bounds what the scheduler keeps and logs of failures: it
// keeps the first keep failures for Run or Wait to return and counts the
// rest, and logs at most logPerSecond failures a second, followed by one line
// counting those it did not log. A value below 1 selects the default
// (DefaultFailureLimit, DefaultLogLimit).
func (s *Scheduler) SetFailureLimits(keep, logPerSecond int) {
	if keep < 1 {
		keep = DefaultFailureLimit
	}
	if logPerSecond < 1 {
		logPerSecond = DefaultLogLimit
	}
	s.mu.Lock()
	s.fails.keep = keep
	s.fails.logLimit = logPerSecond
	s.mu.Unlock()
}

// failureBook is what a scheduler holds of failures since the last Run or
// Wait returned them. Guarded by Scheduler.mu.
type failureBook struct {
	keep     int     // 0: DefaultFailureLimit
	logLimit int     // 0: DefaultLogLimit
	kept     []error // the first failures, up to keep
	omitted  int     // failures counted, not kept

	window   time.Time   // start of the current logging second
	logged   int         // lines logged in it
	unlogged int         // failures not logged since the last summary
	summary  *time.Timer // logs the summary when the window ends
}

// reported reports whether err is, or wraps, a failure the runtime made
// when a component ended: a failure every scheduler that runs the component
// records when it ends, so it is not to be recorded again.
func reported(err error) bool {
	switch e := err.(type) {
	case nil:
		return false
	case *Failure:
		if e.byRuntime {
			return true
		}
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return reported(u.Unwrap())
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if reported(e) {
				return true
			}
		}
	}
	return false
}

// record books the failure of a component and reports whether to log it,
// and how many failures went unlogged before it (to be said first). A
// failure that retells others (a composite failing with its child's
// failure) is one event, not two: it is not logged, as its child's was or
// will be, and it takes the place of the failures it wraps among those kept,
// so that Run's error shows each failure once, with its whole path.
func (b *failureBook) record(f *Failure, now time.Time) (log bool, unloggedBefore int) {
	if reported(f.Err) {
		at := -1
		for i := 0; i < len(b.kept); i++ {
			if !errors.Is(f, b.kept[i]) {
				continue
			}
			if at < 0 {
				at = i
				b.kept[i] = f
			} else {
				b.kept = append(b.kept[:i], b.kept[i+1:]...)
				i--
			}
		}
		if at < 0 && len(b.kept) < b.limit() {
			// It came before the failure it retells; that one will find
			// itself wrapped here and not be kept twice.
			b.kept = append(b.kept, f)
		}
		return false, 0
	}
	switch {
	case b.covered(f):
	case len(b.kept) < b.limit():
		b.kept = append(b.kept, f)
	default:
		b.omitted++
	}
	if b.window.IsZero() || now.Sub(b.window) >= logWindow {
		unloggedBefore = b.unlogged
		b.window, b.logged, b.unlogged = now, 0, 0
		if b.summary != nil {
			b.summary.Stop()
			b.summary = nil
		}
	}
	lim := b.logLimit
	if lim == 0 {
		lim = DefaultLogLimit
	}
	if b.logged < lim {
		b.logged++
		return true, unloggedBefore
	}
	b.unlogged++
	return false, unloggedBefore
}

func (b *failureBook) limit() int {
	if b.keep == 0 {
		return DefaultFailureLimit
	}
	return b.keep
}

// covered reports whether a kept failure already wraps f.
func (b *failureBook) covered(f *Failure) bool {
	for _, k := range b.kept {
		if k != f && errors.Is(k, f) {
			return true
		}
	}
	return false
}

// take returns the failures booked, joined, and forgets them.
func (b *failureBook) take() error {
	errs := b.kept
	if b.omitted > 0 {
		errs = append(errs, &OmittedFailuresError{Count: b.omitted})
	}
	b.kept, b.omitted = nil, 0
	return joinErrors(errs)
}

// takeUnlogged returns the count of failures not logged since the last
// summary, and starts counting again.
func (b *failureBook) takeUnlogged() int {
	n := b.unlogged
	b.unlogged = 0
	if b.summary != nil {
		b.summary.Stop()
		b.summary = nil
	}
	return n
}

// failed returns the failure of component c, whose Main returned err (or
// panicked, or left children running), as the runtime reports it.
func (c *Core) failed(err error) error {
	return &Failure{Component: c.Name(), Err: err, byRuntime: true}
}

// recordFailure books the failure of component c and logs it, within the
// bounds of the scheduler's failureBook. c is nil when there is no
// component to name (Activate given a nil one): failure is then a *Failure
// that names what there was.
func (s *Scheduler) recordFailure(c *Core, failure error) {
	f, ok := failure.(*Failure)
	if !ok {
		f = &Failure{Component: c.Name(), Err: failure}
	}
	name := f.Component
	if c != nil {
		name = c.Name()
	}
	s.mu.Lock()
	log, before := s.fails.record(f, time.Now())
	if !log && s.fails.unlogged > 0 && s.fails.summary == nil {
		// Say how many went unlogged when the second is over, even if no
		// failure comes after them.
		wait := logWindow - time.Since(s.fails.window)
		s.fails.summary = time.AfterFunc(wait, s.logUnlogged)
	}
	logger := s.loggerLocked()
	s.mu.Unlock()
	if before > 0 {
		logUnloggedCount(logger, before)
	}
	if log {
		logger.Error("component failed", "component", name, "err", failure)
	}
}

// logUnlogged logs how many failures went unlogged, if any did.
func (s *Scheduler) logUnlogged() {
	s.mu.Lock()
	n := s.fails.takeUnlogged()
	logger := s.loggerLocked()
	s.mu.Unlock()
	if n > 0 {
		logUnloggedCount(logger, n)
	}
}

func logUnloggedCount(l *slog.Logger, n int) {
	l.Error(fmt.Sprintf("%d more failures not logged", n), "count", n)
}

// currentLogger returns the scheduler's logger (slog.Default when s is nil or has
// none).
func (s *Scheduler) currentLogger() *slog.Logger {
	if s == nil {
		return slog.Default()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loggerLocked()
}

// loggerLocked returns the scheduler's logger. s.mu must be held.
func (s *Scheduler) loggerLocked() *slog.Logger {
	if s.logger == nil {
		return slog.Default()
	}
	return s.logger
}
