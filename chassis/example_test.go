package chassis_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
)

// count sends 1, 2, ... n, then ends.
type count struct {
	axon.Core
	out *axon.Outbox[int]
	n   int
}

func newCount(n int) *count {
	c := &count{n: n}
	c.out = axon.NewOutbox[int](c, "outbox")
	return c
}

func (c *count) Main(ctx context.Context) error {
	for i := 1; i <= c.n; i++ {
		if err := c.out.Send(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

// times multiplies every int by k.
type times struct {
	axon.Core
	in  *axon.Inbox[int]
	out *axon.Outbox[int]
	k   int
}

func newTimes(k int) *times {
	t := &times{k: k}
	t.in = axon.NewInbox[int](t, "inbox")
	t.out = axon.NewOutbox[int](t, "outbox")
	return t
}

func (t *times) Main(ctx context.Context) error {
	for v := range t.in.Messages(ctx) {
		if err := t.out.Send(ctx, v*t.k); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// printer prints what it is sent, as it comes or, sorted, at the end.
type printer struct {
	axon.Core
	in     *axon.Inbox[int]
	sorted bool
}

func newPrinter() *printer {
	p := &printer{}
	p.in = axon.NewInbox[int](p, "inbox")
	return p
}

func (p *printer) Main(ctx context.Context) error {
	var all []int
	for v := range p.in.Messages(ctx) {
		if !p.sorted {
			fmt.Println(v)
		}
		all = append(all, v)
	}
	if p.sorted {
		slices.Sort(all)
		fmt.Println(all)
	}
	return ctx.Err()
}

// A pipeline reads like the diagram of the system. Run activates it on the
// default scheduler and returns when everything has finished: the count ends,
// and its ProducerFinished drains the pipeline from its head.
func ExamplePipeline() {
	err := chassis.Pipeline(
		newCount(3),
		newTimes(10),
		newPrinter(),
	).Run()
	fmt.Println(err)
	// Output:
	// 10
	// 20
	// 30
	// <nil>
}

// Neighbours whose box types differ are an error when the pipeline is built.
func ExampleNewPipeline() {
	words := newRelay[string]()
	words.SetName("words")
	double := newTimes(2)
	double.SetName("double")
	_, err := chassis.NewPipeline(words, double)
	fmt.Println(err)
	// Output:
	// chassis: pipeline stage 1 (words) to stage 2 (double): axon: box types do not match: words.outbox carries string but double.inbox takes int
}

// A ring: what the last stage sends goes back to the first.
func ExampleCircularPipeline() {
	u := &until{limit: 1000, reached: make(chan int, 1)}
	u.in = axon.NewInbox[int](u, "inbox")
	u.out = axon.NewOutbox[int](u, "outbox")
	s := axon.NewScheduler()
	h, _ := axon.NewHandle(s, chassis.CircularPipeline(newTimes(2), u))
	_ = h.Put(context.Background(), "inbox", 1)
	fmt.Println(<-u.reached) // 1 doubled round the ring until it reached 1000
	fmt.Println(s.Run())
	// Output:
	// 1024
	// <nil>
}

// A Graphline wires named components by a table of linkages, as Kamaelia's
// did. Nothing is wired to its control or signal, so it says
// ProducerFinished when all its children have ended.
func ExampleGraphline() {
	err := chassis.Graphline(chassis.Components{
		"COUNT": newCount(3),
		"TIMES": newTimes(7),
		"PRINT": newPrinter(),
	}, chassis.Linkages{
		{"COUNT", "outbox"}: {"TIMES", "inbox"},
		{"COUNT", "signal"}: {"TIMES", "control"},
		{"TIMES", "outbox"}: {"PRINT", "inbox"},
		{"TIMES", "signal"}: {"PRINT", "control"},
	}).Run()
	fmt.Println(err)
	// Output:
	// 7
	// 14
	// 21
	// <nil>
}

// parser passes numbers on; "bad" makes it panic.
type parser struct {
	axon.Core
	in  *axon.Inbox[string]
	out *axon.Outbox[string]
}

func newParser() *parser {
	p := &parser{}
	p.in = axon.NewInbox[string](p, "inbox")
	p.out = axon.NewOutbox[string](p, "outbox")
	return p
}

func (p *parser) Main(ctx context.Context) error {
	for v := range p.in.Messages(ctx) {
		if v == "bad" {
			panic("cannot parse " + v)
		}
		if err := p.out.Send(ctx, "parsed "+v); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Under supervision a child that panics is replaced by a fresh one from its
// factory, linked as the old one was; the system goes on.
func ExampleSupervisedGraphline() {
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.DiscardHandler)) // the panic is logged as a failure
	made := make(chan struct{}, 4)
	g := chassis.SupervisedGraphline(chassis.Factories{
		"PARSE": func() axon.Component { made <- struct{}{}; return newParser() },
	}, chassis.Linkages{
		{"self", "inbox"}:   {"PARSE", "inbox"},
		{"PARSE", "outbox"}: {"self", "outbox"},
	}, chassis.Restart{Strategy: chassis.OneForOne, MaxRestarts: 3, Period: time.Minute})
	<-made // the first parser, made with the Graphline

	ctx := context.Background()
	h, _ := axon.NewHandle(s, g)
	_ = h.Put(ctx, "inbox", "1")
	fmt.Println(h.Get(ctx, "outbox"))
	_ = h.Put(ctx, "inbox", "bad")
	<-made // the parser panicked and was replaced
	_ = h.Put(ctx, "inbox", "2")
	fmt.Println(h.Get(ctx, "outbox"))
	fmt.Println(h.Close())
	// Output:
	// parsed 1 <nil>
	// parsed 2 <nil>
	// <nil>
}

// chooser sends an item each time it is asked, and ends when it has none
// left (Kamaelia's Chooser, for a Carousel's requestNext).
type chooser struct {
	axon.Core
	in    *axon.Inbox[string]
	out   *axon.Outbox[int]
	items []int
}

func newChooser(items ...int) *chooser {
	c := &chooser{items: items}
	c.in = axon.NewInbox[string](c, "inbox")
	c.out = axon.NewOutbox[int](c, "outbox")
	return c
}

func (c *chooser) Main(ctx context.Context) error {
	for range c.in.Messages(ctx) {
		if len(c.items) == 0 {
			return nil
		}
		if err := c.out.Send(ctx, c.items[0]); err != nil {
			return err
		}
		c.items = c.items[1:]
	}
	return ctx.Err()
}

// A Carousel makes a child from each message on "next": here a count to
// each number the chooser gives, one after another, asking for the next with
// "NEXT" when each ends.
func ExampleNewCarousel() {
	err := chassis.Graphline(chassis.Components{
		"CHOOSE": newChooser(2, 3),
		"COUNTS": chassis.NewCarousel[int, any, int](func(n int) axon.Component {
			return newCount(n)
		}, chassis.RequestFirst()),
		"PRINT": newPrinter(),
	}, chassis.Linkages{
		{"COUNTS", "requestNext"}: {"CHOOSE", "inbox"},
		{"CHOOSE", "outbox"}:      {"COUNTS", "next"},
		{"CHOOSE", "signal"}:      {"COUNTS", "control"},
		{"COUNTS", "outbox"}:      {"PRINT", "inbox"},
		{"COUNTS", "signal"}:      {"PRINT", "control"},
	}).Run()
	fmt.Println(err)
	// Output:
	// 1
	// 2
	// 1
	// 2
	// 3
	// <nil>
}

// Seq runs its components one after another, as if they were one.
func ExampleSeq() {
	err := chassis.Pipeline(
		chassis.Seq(newCount(2), newCount(3)),
		newPrinter(),
	).Run()
	fmt.Println(err)
	// Output:
	// 1
	// 2
	// 1
	// 2
	// 3
	// <nil>
}

// PAR runs its components side by side: each gets every message of its
// inbox (by default) and their outputs fan in.
func ExamplePAR() {
	sorted := newPrinter()
	sorted.sorted = true // the children run side by side: sort to print
	err := chassis.Pipeline(
		newCount(3),
		chassis.PAR(newTimes(10), newTimes(100)),
		sorted,
	).Run()
	fmt.Println(err)
	// Output:
	// [10 20 30 100 200 300]
	// <nil>
}

// A Backplane is a named hub: PublishTo sends to it and every SubscribeTo of
// the same name receives, from wherever they are in the system.
func ExampleNewBackplane() {
	s := axon.NewScheduler()
	ctx := context.Background()
	plane := chassis.NewBackplane[int]("numbers", chassis.OnScheduler(s))
	hb, _ := axon.NewHandle(s, plane) // to tell it to finish, below

	sub := chassis.SubscribeTo[int]("numbers")
	s.Activate(chassis.Pipeline(sub, newTimes(3), newPrinter()))
	<-sub.Subscribed() // it hears what is published from now on

	publisher := chassis.Pipeline(newCount(3), chassis.PublishTo[int]("numbers"))
	s.Activate(publisher)
	<-publisher.Done()

	_ = hb.Finish(ctx) // deliver what it has, then end, and end its subscribers
	fmt.Println(s.Run())
	// Output:
	// 3
	// 6
	// 9
	// <nil>
}
