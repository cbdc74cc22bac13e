package chassis

import (
	"context"
	"fmt"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Pipe is a pipeline of components: the value Pipeline and NewPipeline
// return. It is a component, so a Pipe can be a stage of another Pipe, a
// child of a Graphline, and so on.
//
// # Boxes
//
//	inbox    forwarded to the first stage's inbox (typed like it)
//	control  forwarded to the first stage's control
//	outbox   the last stage's outbox, forwarded out (typed like it)
//	signal   the last stage's signal, forwarded out
//
// Inside, each stage's outbox is linked to the next stage's inbox and its
// signal to the next stage's control. Every link is made when the Pipe is
// built, so a message crosses the Pipe (and any Pipes nested in it) from
// stage to stage directly, with no hop through the Pipe itself. A circular
// Pipe (CircularPipeline) links the last stage back to the first instead of
// out of its own outbox and signal.
//
// # Shutdown
//
// ProducerFinished or Shutdown on control reaches the first stage, which
// finishes and tells the next through its signal: the pipeline drains and
// stops from its head. Shutdown of the Pipe itself (from its parent or its
// scheduler) stops every stage at once. The Pipe ends when every stage has
// ended; its signal carries the last stage's outcome. If a stage fails, the
// Pipe shuts the other stages down and fails with a *ChildError naming the
// stage; every link it made is removed when it ends.
type Pipe struct {
	axon.Core
	stages   []member
	setupErr error
}

// Pipeline links the components into a pipeline, in order: each one's
// outbox to the next one's inbox and each one's signal to the next one's
// control, with the Pipe's own boxes forwarded to the ends. It reads like
// the diagram of the system:
//
//	err := chassis.Pipeline(source, transform, sink).Run()
//
// The stages are activated when the Pipe is. A wiring error (no components,
// neighbours whose box types do not match, a box already linked) is kept:
// SetupErr returns it, and the Pipe fails with it as soon as it is
// activated. NewPipeline returns it at once instead.
func Pipeline(stages ...axon.Component) *Pipe {
	p, _ := NewPipeline(stages...)
	return p
}

// NewPipeline is Pipeline for code that checks the wiring where it builds:
// it returns the Pipe and its setup error. The error names both stages and
// both types when neighbours do not match:
//
//	chassis: pipeline stage 1 (main.Lines_3) to stage 2 (main.Sum_4): axon: box types do not match: main.Lines_3.outbox carries string but main.Sum_4.inbox takes int
func NewPipeline(stages ...axon.Component) (*Pipe, error) {
	p := &Pipe{}
	p.setupErr = p.wire(stages, false)
	return p, p.setupErr
}

// CircularPipeline links the components into a ring: as Pipeline, and the
// last stage's outbox and signal go back to the first stage's inbox and
// control, not out of the Pipe. The Pipe's inbox and control still feed the
// first stage; its outbox carries nothing, and its signal carries the Pipe's
// own outcome when every stage has ended. A ring ends when a shutdown
// message has gone round it. Wiring errors are kept as for Pipeline.
func CircularPipeline(stages ...axon.Component) *Pipe {
	p := &Pipe{}
	p.setupErr = p.wire(stages, true)
	return p
}

// wire makes every link of the pipeline, or none.
func (p *Pipe) wire(comps []axon.Component, circular bool) (err error) {
	if len(comps) == 0 {
		return ErrNoChildren
	}
	stages := make([]member, len(comps))
	for i, c := range comps {
		m, err := asMember(c)
		if err != nil {
			return fmt.Errorf("chassis: pipeline stage %d: %w", i+1, err)
		}
		stages[i] = m
	}
	var made []*axon.Linkage
	defer func() {
		if err != nil {
			for _, l := range made {
				_ = axon.Unlink(l)
			}
		}
	}()
	link := func(from, to axon.Box) error {
		l, err := p.Link(from, to)
		if err == nil {
			made = append(made, l)
		}
		return err
	}
	stage := func(i int) string { return fmt.Sprintf("stage %d (%s)", i+1, stages[i].Name()) }
	pair := func(from, to member, fromBox, toBox string) error {
		out, err := outboxOf(from, fromBox)
		if err != nil {
			return err
		}
		in, err := inboxOf(to, toBox)
		if err != nil {
			return err
		}
		return link(out, in)
	}
	for i := 0; i+1 < len(stages); i++ {
		a, b := stages[i], stages[i+1]
		if err := pair(a, b, "outbox", "inbox"); err != nil {
			return fmt.Errorf("chassis: pipeline %s to %s: %w", stage(i), stage(i+1), err)
		}
		if err := pair(a, b, "signal", "control"); err != nil {
			return fmt.Errorf("chassis: pipeline %s to %s: %w", stage(i), stage(i+1), err)
		}
	}
	first, last := stages[0], stages[len(stages)-1]
	firstIn, err := inboxOf(first, "inbox")
	if err != nil {
		return fmt.Errorf("chassis: pipeline %s: %w", stage(0), err)
	}
	lastOut, err := outboxOf(last, "outbox")
	if err != nil {
		return fmt.Errorf("chassis: pipeline %s: %w", stage(len(stages)-1), err)
	}
	// The Pipe's boxes take the types of the ends, so that linking to the
	// Pipe is checked as linking to its stages would be.
	in, err := axon.NewInboxLike(p, "inbox", firstIn)
	if err != nil {
		return fmt.Errorf("chassis: pipeline: %w", err)
	}
	out, err := axon.NewOutboxLike(p, "outbox", lastOut)
	if err != nil {
		return fmt.Errorf("chassis: pipeline: %w", err)
	}
	if err := link(in, firstIn); err != nil {
		return fmt.Errorf("chassis: pipeline inbox to %s: %w", stage(0), err)
	}
	if err := link(p.Control(), first.Control()); err != nil {
		return fmt.Errorf("chassis: pipeline control to %s: %w", stage(0), err)
	}
	if circular {
		if err := pair(last, first, "outbox", "inbox"); err != nil {
			return fmt.Errorf("chassis: pipeline %s back to %s: %w", stage(len(stages)-1), stage(0), err)
		}
		if err := pair(last, first, "signal", "control"); err != nil {
			return fmt.Errorf("chassis: pipeline %s back to %s: %w", stage(len(stages)-1), stage(0), err)
		}
	} else {
		if err := link(lastOut, out); err != nil {
			return fmt.Errorf("chassis: pipeline %s to outbox: %w", stage(len(stages)-1), err)
		}
		if err := link(last.Signal(), p.Signal()); err != nil {
			return fmt.Errorf("chassis: pipeline %s to signal: %w", stage(len(stages)-1), err)
		}
	}
	p.stages = stages
	return nil
}

// SetupErr returns the error found when the Pipe was wired, or nil. A Pipe
// with a setup error fails with it as soon as it is activated.
func (p *Pipe) SetupErr() error { return p.setupErr }

// Stages returns the Pipe's components, in order (none if wiring failed).
func (p *Pipe) Stages() []axon.Component {
	out := make([]axon.Component, len(p.stages))
	for i, m := range p.stages {
		out[i] = m
	}
	return out
}

// Run activates the Pipe on the default scheduler and waits until every
// component activated there has finished (axon.Run, Axon's run()). It
// returns their failures joined: the Pipe's setup error among them.
func (p *Pipe) Run() error { return axon.Run(p) }

// RunContext is Run that shuts everything down when ctx is done.
func (p *Pipe) RunContext(ctx context.Context) error { return axon.RunContext(ctx, p) }

// Main activates the stages and waits for them all to end. See Pipe.
func (p *Pipe) Main(ctx context.Context) error {
	if p.setupErr != nil {
		return p.setupErr
	}
	for _, m := range p.stages {
		p.AddChildren(m)
	}
	p.ActivateChildren()
	for {
		if i := failedAt(p.stages); i >= 0 {
			return &ChildError{Child: fmt.Sprintf("stage %d", i+1), Err: p.stages[i].Err()}
		}
		if allDone(p.stages) {
			return nil
		}
		// Wake when a stage ends, or when the Pipe is told to stop now.
		// (Its own boxes are forwarded, and not the Pipe's to read: what a
		// stage leaves in them when it ends waits there.)
		if err := p.WaitFor(ctx); err != nil {
			return err
		}
	}
}
