package catalog

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/console"
	"github.com/kamaelia-go/kamaelia/components/file"
	"github.com/kamaelia-go/kamaelia/components/flow"
	"github.com/kamaelia-go/kamaelia/components/framing"
	"github.com/kamaelia-go/kamaelia/components/process"
	"github.com/kamaelia-go/kamaelia/components/source"
	"github.com/kamaelia-go/kamaelia/components/timing"
	"github.com/kamaelia-go/kamaelia/components/web"
	"github.com/kamaelia-go/kamaelia/components/xmlparse"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/kamaelia-go/kamaelia/internet/irc"
	"github.com/kamaelia-go/kamaelia/launch"
)

// Env is what the catalogue's components read and write instead of the
// process's own streams (ConsoleReader, ConsoleEchoer, ReadFileAdaptor with
// no file, the servers' "listening on" lines), so that a program can run
// them in-process with streams of its own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Stdio returns the Env of the process's own standard streams.
func Stdio() Env { return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr} }

// orStdio fills what e leaves nil with the process's own streams.
func (e Env) orStdio() Env {
	if e.Stdin == nil {
		e.Stdin = os.Stdin
	}
	if e.Stdout == nil {
		e.Stdout = os.Stdout
	}
	if e.Stderr == nil {
		e.Stderr = os.Stderr
	}
	return e
}

// New returns a Registry holding the standard catalogue (Register).
func New(e Env) *launch.Registry {
	r := launch.NewRegistry()
	Register(r, e)
	return r
}

// Register adds the standard catalogue to r: console, files, transforms,
// timing, processes, TCP, Backplanes, the web server, XML and IRC. It
// panics if r already holds one of their names (a bug in the program, as
// for launch.Registry.MustRegister). A nil stream of e is the process's own.
func Register(r *launch.Registry, e Env) {
	e = e.orStdio()
	registerConsole(r, e)
	registerFiles(r, e)
	registerFlow(r)
	registerTee(r)
	registerTiming(r)
	registerProcess(r)
	registerNetwork(r, e)
	registerBackplane(r)
	registerWeb(r, e)
}

// Box types the entries use.
var (
	anyType    = launch.TypeOf[any]()
	bytesType  = launch.TypeOf[[]byte]()
	stringType = launch.TypeOf[string]()
)

// Positive is a launch.Param Check: an int, float or duration more than 0.
func Positive(v any) error {
	switch n := v.(type) {
	case int:
		if n <= 0 {
			return errors.New("must be more than 0")
		}
	case float64:
		if n <= 0 {
			return errors.New("must be more than 0")
		}
	case time.Duration:
		if n <= 0 {
			return errors.New("must be more than 0")
		}
	}
	return nil
}

// NotNegative is a launch.Param Check: an int, float or duration of 0 or
// more.
func NotNegative(v any) error {
	switch n := v.(type) {
	case int:
		if n < 0 {
			return errors.New("must not be negative")
		}
	case float64:
		if n < 0 {
			return errors.New("must not be negative")
		}
	case time.Duration:
		if n < 0 {
			return errors.New("must not be negative")
		}
	}
	return nil
}

// Preroll is a launch.Param Check for a rate limiter's pre-roll buffer, an
// int: 0 to timing.MaxPreroll.
func Preroll(v any) error {
	if err := NotNegative(v); err != nil {
		return err
	}
	return timing.CheckPreroll(v.(int))
}

// Port is a launch.Param Check for an int TCP or UDP port: 0 to 65535.
func Port(v any) error {
	if n := v.(int); n < 0 || n > 65535 {
		return errors.New("a port is from 0 to 65535 (0 picks a free one)")
	}
	return nil
}

// OneOf returns a launch.Param Check for a string that must be one of
// choices.
func OneOf(choices ...string) func(any) error {
	return func(v any) error {
		for _, c := range choices {
			if v.(string) == c {
				return nil
			}
		}
		return fmt.Errorf("%q is not one of %s", v, strings.Join(choices, ", "))
	}
}

func registerConsole(r *launch.Registry, e Env) {
	r.MustRegister(launch.Entry{
		Name:    "ConsoleReader",
		Summary: "sends each line typed on standard input (Kamaelia's ConsoleReader)",
		Params: []launch.Param{
			{Name: "prompt", Kind: launch.String, Default: "", Doc: "written to standard error before each line"},
			{Name: "eol", Kind: launch.String, Default: "\n", Doc: "added to the end of each line sent"},
		},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: anyType, Doc: "not used"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: stringType, Doc: "each line, then eol"}},
		New: func(a *launch.Args) (axon.Component, error) {
			opts := []console.ReaderOption{console.WithPrompt(a.String("prompt")), console.WithPromptOutput(e.Stderr), console.WithEOL(a.String("eol"))}
			if e.Stdin != os.Stdin { // the Reader would close a reader given it; it never closes standard input
				opts = append(opts, console.WithInput(e.Stdin))
			}
			return console.NewReader(opts...), nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:    "ConsoleEchoer",
		Summary: "writes what it is sent to standard output (Kamaelia's ConsoleEchoer)",
		Params: []launch.Param{
			{Name: "tag", Kind: launch.String, Default: "", Doc: "written before each message"},
			{Name: "eol", Kind: launch.String, Default: "", Doc: `written after each message (lines from ConsoleReader end in "\n" already)`},
			{Name: "repr", Kind: launch.Bool, Default: "false", Doc: "write messages as Go syntax (%#v), as Kamaelia's use_repr"},
			{Name: "forward", Kind: launch.Bool, Default: "false", Doc: "also send each message on outbox"},
		},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: anyType, Doc: "messages to write: text as it is, anything else as fmt.Sprint writes it"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: anyType, Doc: "each message, with forward=true"}},
		New: func(a *launch.Args) (axon.Component, error) {
			opts := []console.EchoerOption{console.WithOutput(e.Stdout), console.WithTag(a.String("tag")), console.WithNewline(a.String("eol"))}
			if a.Bool("repr") {
				opts = append(opts, console.WithRepr())
			}
			if a.Bool("forward") {
				opts = append(opts, console.WithForwarding())
			}
			return console.NewEchoer(opts...), nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:     "DataSource",
		Summary:  "sends each item of a list, then ends (Kamaelia's DataSource)",
		Params:   []launch.Param{{Name: "items", Kind: launch.Strings, Required: true, Doc: "the messages, such as {hello, \"big world\"}"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: stringType, Doc: "the items, in order"}},
		New: func(a *launch.Args) (axon.Component, error) {
			return source.NewDataSource(a.Strings("items")), nil
		},
	})
}

func registerFiles(r *launch.Registry, e Env) {
	r.MustRegister(launch.Entry{
		Name:    "ReadFileAdaptor",
		Summary: "reads a file, a command's output or standard input, by lines, blocks or at a bit rate",
		Params: []launch.Param{
			{Name: "filename", Kind: launch.String, Default: "", Doc: "the file to read (standard input when neither filename nor command is given)"},
			{Name: "command", Kind: launch.String, Default: "", Doc: "a shell command whose output to read instead"},
			{Name: "mode", Kind: launch.String, Default: "line", Check: OneOf("line", "block", "bitrate"), Doc: "line, block (readsize bytes) or bitrate (set by bitrate=)"},
			{Name: "readsize", Kind: launch.Int, Default: "1450", Check: Positive, Doc: "the size of a block, in bytes"},
			{Name: "bitrate", Kind: launch.Float, Default: "0", Check: NotNegative, Doc: "bits a second; more than 0 reads at that rate (mode bitrate)"},
			{Name: "chunkrate", Kind: launch.Float, Default: "24", Check: Positive, Doc: "chunks a second at a bit rate"},
			{Name: "steptime", Kind: launch.Duration, Default: "0s", Check: NotNegative, Doc: "send a line or block every steptime instead of at once"},
		},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: bytesType, Doc: "the lines, blocks or chunks read"}},
		New: func(a *launch.Args) (axon.Component, error) {
			var opts []file.AdaptorOption
			switch name, cmd := a.String("filename"), a.String("command"); {
			case name != "" && cmd != "":
				return nil, errors.New("give filename= or command=, not both")
			case name != "":
				opts = append(opts, file.WithFilename(name))
			case cmd != "":
				opts = append(opts, file.WithCommand(cmd))
			case e.Stdin != os.Stdin:
				opts = append(opts, file.WithReader(io.NopCloser(e.Stdin)))
			}
			switch a.String("mode") {
			case "block":
				opts = append(opts, file.WithMode(file.BlockMode))
			case "bitrate":
				if a.Float("bitrate") == 0 {
					return nil, errors.New("mode=bitrate needs bitrate= (bits a second)")
				}
			}
			opts = append(opts, file.WithReadSize(a.Int("readsize")), file.WithChunkRate(a.Float("chunkrate")))
			if a.Float("bitrate") > 0 {
				opts = append(opts, file.WithBitrate(a.Float("bitrate")))
			}
			if a.Duration("steptime") > 0 {
				opts = append(opts, file.WithStepTime(a.Duration("steptime")))
			}
			return file.NewReadFileAdaptor(opts...), nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:    "SimpleFileWriter",
		Summary: "writes what it is sent to a file, and closes it at the end (Kamaelia's SimpleFileWriter)",
		Params: []launch.Param{
			{Name: "filename", Kind: launch.String, Required: true, Doc: "the file to write"},
			{Name: "append", Kind: launch.Bool, Default: "false", Doc: "add to the end of the file instead of emptying it"},
		},
		Inboxes: []launch.BoxDoc{{Name: "inbox", Type: bytesType, Doc: "data to write"}},
		New: func(a *launch.Args) (axon.Component, error) {
			mode := file.Truncate
			if a.Bool("append") {
				mode = file.Append
			}
			return file.NewSimpleFileWriter[[]byte](a.String("filename"), mode), nil
		},
	})
}

// transform registers a flow.PureTransformer from In to Out.
func transform[In, Out any](r *launch.Registry, name, summary, in, out string, f func(In) Out) {
	r.MustRegister(launch.Entry{
		Name:     name,
		Summary:  summary,
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: launch.TypeOf[In](), Doc: in}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: launch.TypeOf[Out](), Doc: out}},
		New: func(*launch.Args) (axon.Component, error) {
			return flow.NewPureTransformer(f), nil
		},
	})
}

func registerFlow(r *launch.Registry) {
	transform(r, "ToString", "turns bytes into text, to link a []byte outbox to a string inbox",
		"bytes", "the same bytes as a string", func(b []byte) string { return string(b) })
	transform(r, "ToBytes", "turns text into bytes, to link a string outbox to a []byte inbox",
		"text", "the same text as bytes", func(s string) []byte { return []byte(s) })
	transform(r, "Upper", "turns text into upper case", "text", "the text in upper case", strings.ToUpper)
	transform(r, "Lower", "turns text into lower case", "text", "the text in lower case", strings.ToLower)
	r.MustRegister(launch.Entry{
		Name:    "Grep",
		Summary: "passes on the texts that match a regular expression (a Filter)",
		Params: []launch.Param{
			{Name: "pattern", Kind: launch.String, Required: true, Doc: "a Go regular expression (regexp syntax)", Check: func(v any) error {
				_, err := regexp.Compile(v.(string))
				return err
			}},
			{Name: "invert", Kind: launch.Bool, Default: "false", Doc: "pass on the texts that do not match instead"},
		},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: stringType, Doc: "texts (lines, from ConsoleReader or LineSplit and ToString)"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: stringType, Doc: "the texts kept"}},
		New: func(a *launch.Args) (axon.Component, error) {
			re := regexp.MustCompile(a.String("pattern")) // checked when the value was
			invert := a.Bool("invert")
			return flow.NewFilter(func(s string) bool { return re.MatchString(s) != invert }), nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:    "LineSplit",
		Summary: "cuts a byte stream into lines (Kamaelia's LineSplit)",
		Params: []launch.Param{
			{Name: "newlines", Kind: launch.Bool, Default: "false", Doc: `keep the "\n" at the end of each line`},
			{Name: "maxline", Kind: launch.Int, Default: strconv.Itoa(framing.DefaultMaxLineLength), Check: NotNegative,
				Doc: `the longest line, in bytes: a longer one stops it with an error (0: no limit, for a trusted stream)`},
		},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: bytesType, Doc: "pieces of the stream"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: bytesType, Doc: "each line"}},
		New: func(a *launch.Args) (axon.Component, error) {
			opts := []framing.LineOption{framing.WithMaxLineLength(a.Int("maxline"))}
			if a.Int("maxline") == 0 {
				opts = []framing.LineOption{framing.WithoutMaxLineLength()}
			}
			if a.Bool("newlines") {
				opts = append(opts, framing.WithNewlines())
			}
			return framing.NewLineSplit[[]byte](opts...), nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:     "Chunkifier",
		Summary:  "cuts a byte stream into chunks of a size (Kamaelia's Chunkifier)",
		Params:   []launch.Param{{Name: "size", Kind: launch.Int, Required: true, Check: Positive, Doc: "bytes a chunk"}},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: bytesType, Doc: "pieces of the stream"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: bytesType, Doc: "chunks of size bytes (the last may be shorter)"}},
		New: func(a *launch.Args) (axon.Component, error) {
			return framing.NewChunkifier[[]byte](a.Int("size")), nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:     "PassThrough",
		Summary:  "passes bytes on unchanged: a join point for several producers",
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: bytesType, Doc: "bytes"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: bytesType, Doc: "the same bytes"}},
		New:      func(*launch.Args) (axon.Component, error) { return flow.NewPassThrough[[]byte](), nil },
	})
	r.MustRegister(launch.Entry{
		Name:    "NullSink",
		Summary: "takes everything it is sent and drops it (Kamaelia's NullSink)",
		Inboxes: []launch.BoxDoc{{Name: "inbox", Type: anyType, Doc: "messages, dropped"}},
		New:     func(*launch.Args) (axon.Component, error) { return flow.NewNullSink(), nil },
	})
}

func registerTiming(r *launch.Registry) {
	r.MustRegister(launch.Entry{
		Name:    "MessageRateLimit",
		Summary: "passes byte messages on no faster than a rate, after a pre-roll (Kamaelia's MessageRateLimit)",
		Params: []launch.Param{
			{Name: "rate", Kind: launch.Float, Default: "15", Check: Positive, Doc: "messages a second"},
			{Name: "buffer", Kind: launch.Int, Default: "0", Check: Preroll, Doc: "messages gathered before the first is sent (at most " + strconv.Itoa(timing.MaxPreroll) + ")"},
		},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: bytesType, Doc: "messages to pass on"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: bytesType, Doc: "the same messages, paced"}},
		New: func(a *launch.Args) (axon.Component, error) {
			return timing.NewMessageRateLimit[[]byte](a.Float("rate"), a.Int("buffer")), nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:     "Clock",
		Summary:  "sends the time every interval (Kamaelia's CheapAndCheerfulClock)",
		Params:   []launch.Param{{Name: "interval", Kind: launch.Duration, Default: "1s", Check: Positive, Doc: "the time between ticks"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: launch.TypeOf[time.Time](), Doc: "the time of each tick"}},
		New: func(a *launch.Args) (axon.Component, error) {
			return timing.NewClock(a.Duration("interval")), nil
		},
	})
}

func registerProcess(r *launch.Registry) {
	for _, name := range []string{"UnixProcess", "Pipethrough"} {
		summary := "runs a shell command, its standard input and output joined to inbox and outbox (Kamaelia's UnixProcess)"
		if name == "Pipethrough" {
			summary = "UnixProcess by the name of the article's Pipethrough(\"mplayer -\")"
		}
		r.MustRegister(launch.Entry{
			Name:    name,
			Summary: summary,
			Params: []launch.Param{
				{Name: "command", Kind: launch.String, Required: true, Doc: "the command, run with /bin/sh -c"},
				{Name: "dir", Kind: launch.String, Default: "", Doc: "the directory to run it in (the current one when empty)"},
			},
			Inboxes: []launch.BoxDoc{{Name: "inbox", Type: bytesType, Doc: "data for the command's standard input"}},
			Outboxes: []launch.BoxDoc{
				{Name: "outbox", Type: bytesType, Doc: "what the command writes on standard output"},
				{Name: "stderr", Type: bytesType, Doc: "what the command writes on standard error"},
			},
			New: func(a *launch.Args) (axon.Component, error) {
				var opts []process.Option
				if d := a.String("dir"); d != "" {
					opts = append(opts, process.WithDir(d))
				}
				return process.NewUnixProcess(a.String("command"), opts...), nil
			},
		})
	}
}

// serverParams are the properties of both servers.
var serverParams = []launch.Param{
	{Name: "host", Kind: launch.String, Default: "127.0.0.1", Doc: "the address to listen on (0.0.0.0 or \"\": every interface)"},
	{Name: "port", Kind: launch.Int, Default: "1601", Check: Port, Doc: "the port to listen on; 0 picks a free one, which is written to standard error"},
}

func listenAddr(a *launch.Args) string {
	return net.JoinHostPort(a.String("host"), strconv.Itoa(a.Int("port")))
}

func registerNetwork(r *launch.Registry, e Env) {
	r.MustRegister(launch.Entry{
		Name:    "TCPClient",
		Summary: "connects to a TCP server, writes what it is sent and sends what it reads (Kamaelia's TCPClient)",
		Params: []launch.Param{
			{Name: "host", Kind: launch.String, Default: "127.0.0.1", Doc: "the server's host name or address"},
			{Name: "port", Kind: launch.Int, Required: true, Check: Port, Doc: "the server's port"},
			{Name: "timeout", Kind: launch.Duration, Default: "5s", Check: NotNegative, Doc: "how long connecting may take (0: the system's limit)"},
			{Name: "waitforpeerclose", Kind: launch.Bool, Default: "false", Doc: "at the end of the input, read on until the server closes"},
		},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: bytesType, Doc: "bytes to write to the server"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: bytesType, Doc: "bytes read from the server"}},
		New: func(a *launch.Args) (axon.Component, error) {
			opts := []internet.ClientOption{internet.WithDialTimeout(a.Duration("timeout"))}
			if a.Bool("waitforpeerclose") {
				opts = append(opts, internet.WithWaitForPeerClose())
			}
			return internet.NewTCPClient(net.JoinHostPort(a.String("host"), strconv.Itoa(a.Int("port"))), opts...), nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:    "SingleServer",
		Summary: "a TCP server for one client at a time, through its own boxes (Kamaelia's SingleServer)",
		Params: append([]launch.Param{{Name: "once", Kind: launch.Bool, Default: "false",
			Doc: "end when the first client leaves (else serve client after client)"},
			{Name: "linger", Kind: launch.Duration, Default: chassis.DefaultHalfCloseLinger.String(), Check: NotNegative,
				Doc: "when a client half-closes (nc -N, socat), go on writing to it until nothing has come for this long (or the next client comes); 0s closes at once"}},
			serverParams...),
		Inboxes: []launch.BoxDoc{{Name: "inbox", Type: bytesType, Doc: "bytes for the client (dropped while none is connected)"}},
		Outboxes: []launch.BoxDoc{
			{Name: "outbox", Type: bytesType, Doc: "bytes the client sent"},
			{Name: "signal", Type: anyType, Doc: "the client's *SocketShutdown each time one leaves, then how the server ended"},
		},
		New: func(a *launch.Args) (axon.Component, error) {
			s, err := chassis.SingleServer(listenAddr(a))
			if err != nil {
				return nil, err
			}
			if a.Bool("once") {
				s.EndAfterFirstClient()
			}
			s.HalfCloseLinger(a.Duration("linger"))
			fmt.Fprintf(e.Stderr, "%s listening on %s\n", a.Name(), s.Addr())
			return s, nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:    "SimpleServer",
		Summary: "a TCP server that runs a protocol, itself a description, for each connection (Kamaelia's SimpleServer)",
		Params: append([]launch.Param{{Name: "protocol", Kind: launch.String, Required: true,
			Doc: "a description, built for each connection, whose inbox takes and outbox gives []uint8: \"ToString ! Upper ! ToBytes\", \"SubscribeTo topic=VIDEO\""},
			{Name: "halfclose", Kind: launch.String, Default: "reply", Check: OneOf("reply", "close"),
				Doc: "when a client half-closes (nc -N, socat): reply (write what the protocol still sends, then close) or close at once"}},
			serverParams...),
		Outboxes: []launch.BoxDoc{
			{Name: "disconnected", Type: launch.TypeOf[internet.ConnInfo](), Doc: "each connection that has ended"},
			{Name: "errors", Type: launch.TypeOf[error](), Doc: "a protocol that did not fit a connection (the server then stops)"},
		},
		New: func(a *launch.Args) (axon.Component, error) {
			return newSimpleServer(r, a, e.Stderr)
		},
	})
}

// newSimpleServer makes a chassis.SimpleServer whose protocol is built from
// a description for each connection.
func newSimpleServer(r *launch.Registry, a *launch.Args, stderr io.Writer) (axon.Component, error) {
	proto, err := launch.Parse(a.String("protocol"))
	if err == nil {
		err = r.Check(proto)
	}
	if err != nil {
		return nil, fmt.Errorf("protocol: %w", err)
	}
	sched := a.Scheduler()
	name := a.Name()
	// One built now, and thrown away, says before the server starts
	// whether the protocol fits a connection: not a refusal per client.
	probe, err := r.Build(proto, launch.OnScheduler(sched))
	if err != nil {
		return nil, fmt.Errorf("protocol: %w", err)
	}
	err = fitsConnection(probe.Component())
	_ = probe.Close()
	if err != nil {
		return nil, fmt.Errorf("protocol %q: %w", a.String("protocol"), err)
	}
	factory := func() axon.Component {
		l, err := r.Build(proto, launch.OnScheduler(sched))
		if err != nil {
			fmt.Fprintf(stderr, "%s: protocol: %v; connection refused\n", name, err)
			return nil
		}
		c := l.Component()
		if err := fitsConnection(c); err != nil {
			fmt.Fprintf(stderr, "%s: protocol %q: %v; connection refused\n", name, proto, err)
			_ = l.Close()
			return nil
		}
		return c
	}
	var opts []internet.ServerOption
	if a.String("halfclose") == "close" {
		opts = append(opts, internet.WithCloseOnPeerHalfClose())
	}
	s, err := chassis.SimpleServer(factory, listenAddr(a), opts...)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "%s listening on %s\n", name, s.Addr())
	return s, nil
}

// fitsConnection says why c cannot be a connection's protocol, if it cannot:
// the Server would refuse it without saying why.
func fitsConnection(c axon.Component) error {
	boxes, ok := c.(axon.CoreComponent)
	if !ok {
		return fmt.Errorf("%T does not embed axon.Core", c)
	}
	in, _ := boxes.Inbox("inbox")
	out, _ := boxes.Outbox("outbox")
	if in != nil && !bytesType.AssignableTo(in.Type()) {
		return fmt.Errorf("its inbox takes %s, but a connection sends []uint8", in.Type())
	}
	if out != nil && out.Type() != bytesType && out.Type() != anyType {
		return fmt.Errorf("its outbox carries %s, but a connection takes []uint8", out.Type())
	}
	return nil
}

func registerBackplane(r *launch.Registry) {
	topic := launch.Param{Name: "topic", Kind: launch.String, Required: true, Doc: "the Backplane's name (Kamaelia's Backplane(\"VIDEO\"))"}
	r.MustRegister(launch.Entry{
		Name:    "Backplane",
		Summary: "a named publish/subscribe hub of bytes: what PublishTo is sent, every SubscribeTo of its topic sends; it ends when every PublishTo that joined has ended",
		Params: []launch.Param{topic,
			{Name: "keepalive", Kind: launch.Bool, Default: "false", Doc: "outlive the publishers: end only when told to, as Kamaelia's Backplane"}},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: bytesType, Doc: "messages to publish (PublishTo forwards here)"}},
		Outboxes: []launch.BoxDoc{{Name: "disconnected", Type: stringType, Doc: "each subscriber disconnected as too slow"}},
		New: func(a *launch.Args) (axon.Component, error) {
			opts := []chassis.BackplaneOption{chassis.OnScheduler(a.Scheduler())}
			if a.Bool("keepalive") {
				opts = append(opts, chassis.KeepAlive())
			}
			b := chassis.NewBackplane[[]byte](a.String("topic"), opts...)
			if err := b.SetupErr(); err != nil {
				return nil, err
			}
			return b, nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:    "PublishTo",
		Summary: "publishes what it is sent on the Backplane of its topic (Kamaelia's PublishTo)",
		Params:  []launch.Param{topic},
		Inboxes: []launch.BoxDoc{{Name: "inbox", Type: bytesType, Doc: "messages to publish"}},
		New: func(a *launch.Args) (axon.Component, error) {
			return chassis.PublishTo[[]byte](a.String("topic")), nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:    "SubscribeTo",
		Summary: "sends what is published on the Backplane of its topic from when it joins (Kamaelia's SubscribeTo)",
		Params: []launch.Param{
			topic,
			{Name: "policy", Kind: launch.String, Default: "block", Check: OneOf("block", "dropoldest", "disconnect"), Doc: "when it falls behind: block the Backplane, drop the oldest, or disconnect"},
			{Name: "limit", Kind: launch.Int, Default: "64", Check: Positive, Doc: "messages kept for it with policy=dropoldest"},
		},
		Outboxes: []launch.BoxDoc{
			{Name: "outbox", Type: bytesType, Doc: "every message published after it joined"},
			{Name: "dropped", Type: bytesType, Doc: "what policy=dropoldest dropped"},
		},
		New: func(a *launch.Args) (axon.Component, error) {
			var opts []chassis.SubscribeOption
			switch a.String("policy") {
			case "dropoldest":
				opts = append(opts, chassis.WithDropOldest(a.Int("limit")))
			case "disconnect":
				opts = append(opts, chassis.WithDisconnect())
			}
			return chassis.SubscribeTo[[]byte](a.String("topic"), opts...), nil
		},
	})
}

// registerWeb registers the web, XML and IRC components.
func registerWeb(r *launch.Registry, e Env) {
	eventType := launch.TypeOf[xmlparse.Event]()
	r.MustRegister(launch.Entry{
		Name:    "StaticWebServer",
		Summary: "an HTTP server of the files under a directory, a component per request (Kamaelia's HTTPServer with the Minimal handler)",
		Params: []launch.Param{
			{Name: "host", Kind: launch.String, Default: "127.0.0.1", Doc: "the address to listen on (0.0.0.0 or \"\": every interface)"},
			{Name: "port", Kind: launch.Int, Default: "0", Check: Port, Doc: "the port to listen on; 0 picks a free one; the address is written to standard error"},
			{Name: "root", Kind: launch.String, Default: ".", Doc: "the directory served; no request reaches outside it"},
			{Name: "prefix", Kind: launch.String, Default: "/", Doc: "the URL path prefix the files are served under"},
		},
		New: func(a *launch.Args) (axon.Component, error) {
			files, err := web.Static(a.String("root"))
			if err != nil {
				return nil, err
			}
			svc, err := web.Listen(listenAddr(a), web.NewServer(a.Scheduler(), web.Limits{}, web.Route{Prefix: a.String("prefix"), New: files}))
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(e.Stderr, "%s listening on http://%s%s\n", a.Name(), svc.Addr(), a.String("prefix"))
			return svc, nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:     "XMLParser",
		Summary:  "parses XML text arriving in pieces of any size into events: start and end of document and elements, text (Kamaelia's SimpleXMLParser)",
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: bytesType, Doc: "XML text"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: eventType, Doc: "xmlparse events, in document order"}},
		New:      func(*launch.Args) (axon.Component, error) { return xmlparse.NewParser[[]byte](), nil },
	})
	r.MustRegister(launch.Entry{
		Name:     "EDLReader",
		Summary:  "reads the reframer's edit decision list from XMLParser's events and sends each edit",
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: eventType, Doc: "XMLParser's events"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: launch.TypeOf[xmlparse.Edit](), Doc: "each edit: file, frames, crop"}},
		New:      func(*launch.Args) (axon.Component, error) { return xmlparse.NewEDLReader(), nil },
	})
	r.MustRegister(launch.Entry{
		Name:     "GraphSlidesReader",
		Summary:  "reads <graphslides> from XMLParser's events and sends each slide's topology commands",
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: eventType, Doc: "XMLParser's events"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: launch.TypeOf[xmlparse.Slide](), Doc: "each slide's commands, split into tokens"}},
		New:      func(*launch.Args) (axon.Component, error) { return xmlparse.NewSlidesReader(), nil },
	})
	r.MustRegister(launch.Entry{
		Name:    "IRCLogger",
		Summary: "logs an IRC channel to dated files, a new pair each day, [off] lines left out (the Kamaelia Logger)",
		Params: []launch.Param{
			{Name: "server", Kind: launch.String, Default: "127.0.0.1:6667", Doc: "the IRC server, host:port"},
			{Name: "channel", Kind: launch.String, Default: "#kamaelia", Doc: "the channel to join and log"},
			{Name: "nick", Kind: launch.String, Default: "kamlog", Doc: "the bot's nickname; \"<nick>: help\" in the channel lists what it answers"},
			{Name: "dir", Kind: launch.String, Default: ".", Doc: "the directory of the log files"},
		},
		New: func(a *launch.Args) (axon.Component, error) {
			conn, err := irc.Dial(a.String("server"), internet.WithDialTimeout(10*time.Second))
			if err != nil {
				return nil, err
			}
			return chassis.NewGraphline(chassis.Components{
				"IRC": conn,
				"LOG": irc.NewLogger(irc.LoggerConfig{Nick: a.String("nick"), Channel: a.String("channel"), Dir: a.String("dir")}),
			}, chassis.Linkages{
				{Component: "IRC", Box: "heard"}:  {Component: "LOG", Box: "inbox"},
				{Component: "LOG", Box: "outbox"}: {Component: "IRC", Box: "talk"},
				{Component: "IRC", Box: "signal"}: {Component: "LOG", Box: "control"},
			})
		},
	})
}
