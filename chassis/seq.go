package chassis

import (
	"context"
	"fmt"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Sequence runs components one after another (Kamaelia's Seq): the value Seq
// returns.
//
// # Boxes
//
//	inbox    forwarded to the inbox of the component running now (typed like the first's)
//	control  see Shutdown
//	outbox   the outbox of the component running now, forwarded out (typed like the first's)
//	signal   the Sequence's outcome
//
// While a component runs, the Sequence's inbox and outbox are passthrough
// links to its own, so messages cross the Sequence with no hop. What is sent
// to the Sequence between two components waits in its inbox; what one
// component left in its inbox, not yet taken, goes to the next, in order.
// The components' signals are not passed on: a component downstream of a
// Sequence must not stop when the first of them ends.
//
// # Shutdown
//
// When the last component has ended the Sequence sends ProducerFinished.
// ProducerFinished on control is passed to the component running now and,
// as each later one starts, to it too: they finish what they have and the
// sequence runs on to its end. Other control messages go to the component
// running now. Shutdown stops the running component at once and the
// Sequence with it, starting no more. If a component fails, the Sequence
// fails with a *ChildError naming it ("step 2") and starts no more.
type Sequence struct {
	axon.Core
	steps    []member
	setupErr error
	in, out  axon.Box
	grace    time.Duration
}

// SetGrace sets how long the Sequence waits for its running step to end
// once told to stop, before it gives up on it and fails with a *axon.StuckError
// (the scheduler's grace period unless set). Call it before activating the Sequence.
func (s *Sequence) SetGrace(d time.Duration) *Sequence {
	s.grace = d
	return s
}

// Seq runs the components one after another, each once the one before has
// ended, with the Sequence's inbox and outbox passed through to the one
// running:
//
//	chassis.Pipeline(
//		chassis.Seq(source.NewOneShot("Hello"), source.NewOneShot("World")),
//		console.NewEchoer(),
//	).Run()
//
// The components' inbox and outbox types must suit the Sequence's (those of
// the first component); a mismatch is a setup error naming the step and the
// types: SetupErr returns it and the Sequence fails with it when activated.
func Seq(steps ...axon.Component) *Sequence {
	s := &Sequence{}
	s.setupErr = s.setup(steps)
	return s
}

func (s *Sequence) setup(comps []axon.Component) error {
	if len(comps) == 0 {
		return ErrNoChildren
	}
	var ins, outs []axon.Box
	seen := map[axon.Component]bool{}
	for i, c := range comps {
		m, err := asMember(c)
		if err != nil {
			return fmt.Errorf("chassis: seq step %d: %w", i+1, err)
		}
		if seen[c] {
			return fmt.Errorf("chassis: seq step %d (%s) is given twice", i+1, m.Name())
		}
		seen[c] = true
		in, err := inboxOf(m, "inbox")
		if err != nil {
			return fmt.Errorf("chassis: seq step %d: %w", i+1, err)
		}
		out, err := outboxOf(m, "outbox")
		if err != nil {
			return fmt.Errorf("chassis: seq step %d: %w", i+1, err)
		}
		s.steps = append(s.steps, m)
		ins, outs = append(ins, in), append(outs, out)
	}
	var err error
	if s.in, err = axon.NewInboxLike(s, "inbox", ins[0]); err != nil {
		return fmt.Errorf("chassis: seq: %w", err)
	}
	if s.out, err = axon.NewOutboxLike(s, "outbox", outs[0]); err != nil {
		return fmt.Errorf("chassis: seq: %w", err)
	}
	for i := range s.steps {
		if !assignable(s.in.Type(), ins[i].Type()) {
			return fmt.Errorf("chassis: seq step %d: %w: the Seq's inbox carries %s but %s takes %s",
				i+1, axon.ErrTypeMismatch, s.in.Type(), ins[i], ins[i].Type())
		}
		if !assignable(outs[i].Type(), s.out.Type()) {
			return fmt.Errorf("chassis: seq step %d: %w: %s carries %s but the Seq's outbox takes %s",
				i+1, axon.ErrTypeMismatch, outs[i], outs[i].Type(), s.out.Type())
		}
	}
	return nil
}

// SetupErr returns the error found when the Sequence was built, or nil.
func (s *Sequence) SetupErr() error { return s.setupErr }

// Run activates the Sequence on the default scheduler and waits until every
// component activated there has finished (axon.Run).
func (s *Sequence) Run() error { return axon.Run(s) }

// RunContext is Run that shuts everything down when ctx is done.
func (s *Sequence) RunContext(ctx context.Context) error { return axon.RunContext(ctx, s) }

// Main runs the steps in turn. See Sequence.
func (s *Sequence) Main(ctx context.Context) error {
	if s.setupErr != nil {
		return s.setupErr
	}
	finishing := false
	for i, st := range s.steps {
		// ShuttingDown, not ctx.Err: the runtime stops the running step
		// before it sets ctx's error, and the step's end may wake the
		// Sequence in between. A Sequence told to stop starts no more.
		if s.ShuttingDown() {
			return ctx.Err()
		}
		in, _ := inboxOf(st, "inbox")
		out, _ := outboxOf(st, "outbox")
		// Linking moves what waits in the Seq's inbox to the step: what the
		// step before left there (the runtime gives it back when a step
		// ends), then what came after.
		// Made now, not with the Sequence, so that a Handle on the Sequence
		// does not take it for an output.
		ctl := axon.NewOutbox[any](s, fmt.Sprintf("_control.%d", i+1))
		var links []*axon.Linkage
		for _, pair := range [][2]axon.Box{{s.in, in}, {out, s.out}, {ctl, st.Control()}} {
			l, err := s.Link(pair[0], pair[1])
			if err != nil {
				return fmt.Errorf("chassis: seq step %d: %w", i+1, err)
			}
			links = append(links, l)
		}
		if finishing {
			_ = ctl.TrySend(axon.ProducerFinished{})
		}
		s.AddChildren(st)
		s.ActivateChildren()
		for st.State() != axon.Finished {
			finishing = s.passControl(ctx, ctl, finishing)
			if err := s.WaitFor(ctx, s.Control()); err != nil {
				// Told to stop: the step was stopped with the Sequence.
				if !awaitEnd(st, graceOr(s, s.grace)) {
					s.RemoveChild(st)
					return &axon.StuckError{Components: []string{fmt.Sprintf("step %d", i+1)}, Grace: graceOr(s, s.grace)}
				}
				return err
			}
		}
		finishing = s.passControl(ctx, ctl, finishing)
		for _, l := range links {
			_ = axon.Unlink(l)
		}
		_ = s.RemoveBox(ctl)
		if err := st.Err(); err != nil {
			return &ChildError{Child: fmt.Sprintf("step %d", i+1), Err: err}
		}
	}
	return nil
}

// passControl passes the Sequence's control messages to the running step and
// reports whether ProducerFinished has been seen.
func (s *Sequence) passControl(ctx context.Context, ctl *axon.Outbox[any], finishing bool) bool {
	st := s.TakeControl(func(m any) {
		if ctx.Err() == nil {
			_ = ctl.Send(ctx, m)
		}
	})
	return finishing || st.Finishing
}
