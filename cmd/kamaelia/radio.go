package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/file"
	"github.com/kamaelia-go/kamaelia/components/radio"
)

func init() {
	commands["radio"] = command{
		summary: "community radio: the networked mixer matrix, or a node of the P2P radio swarm",
		run:     runRadio,
	}
}

const radioUsage = `usage: kamaelia radio mixer [flags]
       kamaelia radio swarm [flags]

mixer runs the networked audio mixer matrix: DJ1, DJ2 and the music feeds
connect over TCP and send raw signed 16-bit little-endian sound (48 kHz
stereo by default), listeners connect and are sent the mix, and the control
port takes one command a line:

  SWITCH <dest> DJ1|DJ2|PRERECORD|ALL ONLY|ON|OFF   -> OK or FAIL
  QUERY <dest> DJ1|DJ2|PRERECORD|ALL                -> ON, OFF, or "ON OFF ON"
  GAIN <dest> DJ1|DJ2|PRERECORD|ALL <factor>        -> OK or FAIL

  --dj1 ADDR, --dj2 ADDR, --music ADDR   the feeds (default :1701, :1702, :1703)
  --control ADDR                         the control port (default :1705)
  --listen ADDR                          the listeners (default :1700)
  --mode saturate|divide3                gains and saturating addition (default),
                                         or the original sum divided by 3
  --chunk BYTES                          bytes in each chunk of the mix (default 3840,
                                         20 ms of 48 kHz stereo)

swarm runs one node of the peer-to-peer radio swarm. Without --root it is
the root and streams --source (a file, or - for standard input) at --rate;
with --root it joins the swarm whose root's control port is there and
writes the stream it receives to standard output, while relaying it to its
own children.

  --control ADDR     the node's control port (default :1500 for the root, :0 otherwise)
  --data ADDR        the node's data port (default :1601 for the root, :0 otherwise)
  --root HOST:PORT   the root's control port: join its swarm
  --advertise H:P    the control address others reach this node at
                     (default the control port's own address)
  --max N            children before peers are sent on (default 4)
  --source FILE      the root's stream (default -, standard input)
  --rate BITS/S      the root's pace (default 0, as fast as it is read)

Each runs until SIGINT or SIGTERM, then ends gracefully. The addresses it
listens on are printed on standard error.
`

func runRadio(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("say mixer or swarm\n\n%s", radioUsage)
	}
	switch args[0] {
	case "mixer":
		return runRadioMixer(ctx, args[1:], stdout, stderr)
	case "swarm":
		return runRadioSwarm(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, radioUsage)
		return nil
	}
	return usagef("no radio command %q\n\n%s", args[0], radioUsage)
}

// parseFlags parses args into fs, refusing positional arguments; help
// reports -h.
func parseFlags(fs *flag.FlagSet, args []string, usage string) (help bool, err error) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, usagef("%v\n\n%s", err, usage)
	}
	if fs.NArg() > 0 {
		return false, usagef("unexpected argument %q\n\n%s", fs.Arg(0), usage)
	}
	return false, nil
}

func runRadioMixer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("radio mixer", flag.ContinueOnError)
	dj1 := fs.String("dj1", ":"+strconv.Itoa(radio.DJ1Port), "")
	dj2 := fs.String("dj2", ":"+strconv.Itoa(radio.DJ2Port), "")
	music := fs.String("music", ":"+strconv.Itoa(radio.MusicPort), "")
	control := fs.String("control", ":"+strconv.Itoa(radio.ControlPort), "")
	listen := fs.String("listen", ":"+strconv.Itoa(radio.ListenPort), "")
	mode := fs.String("mode", radio.Saturate.String(), "")
	chunk := fs.Int("chunk", radio.DefaultChunk, "")
	if help, err := parseFlags(fs, args, radioUsage); help || err != nil {
		if help {
			fmt.Fprint(stdout, radioUsage)
		}
		return err
	}
	m, err := radio.ParseMode(*mode)
	if err != nil {
		return usagef("%v", err)
	}
	if *chunk < 2 || *chunk%2 != 0 {
		return usagef("--chunk %d: a positive even number of bytes", *chunk)
	}
	mx, err := radio.NewMatrix(radio.MatrixConfig{
		Sources: [radio.NumSources]string{*dj1, *dj2, *music}, Control: *control, Listen: *listen,
		Mode: m, Chunk: *chunk,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "mixer: DJ1 %s DJ2 %s PRERECORD %s control %s listeners %s mode %s\n",
		mx.SourceAddr(radio.DJ1), mx.SourceAddr(radio.DJ2), mx.SourceAddr(radio.Prerecord),
		mx.ControlAddr(), mx.ListenAddr(), m)
	return runUntilInterrupt(ctx, mx)
}

// runUntilInterrupt runs comp on a scheduler of its own until it ends or
// ctx does; then it tells it ProducerFinished and waits for it (a second
// bound of 10 s, then Shutdown).
func runUntilInterrupt(ctx context.Context, comp axon.Component) error {
	s := axon.NewScheduler()
	h, err := axon.NewHandle(s, comp, "control")
	if err != nil {
		return err
	}
	select {
	case <-h.Done():
	case <-ctx.Done():
		stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = h.Finish(stop)
		if err := h.Wait(stop); err != nil {
			_ = h.Close()
			return err
		}
	}
	return h.Wait(context.WithoutCancel(ctx))
}

func runRadioSwarm(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("radio swarm", flag.ContinueOnError)
	control := fs.String("control", "", "")
	data := fs.String("data", "", "")
	root := fs.String("root", "", "")
	advertise := fs.String("advertise", "", "")
	maxKids := fs.Int("max", radio.DefaultMaxChildren, "")
	source := fs.String("source", "-", "")
	rate := fs.Float64("rate", 0, "")
	if help, err := parseFlags(fs, args, radioUsage); help || err != nil {
		if help {
			fmt.Fprint(stdout, radioUsage)
		}
		return err
	}
	if *maxKids < 1 {
		return usagef("--max %d: at least 1", *maxKids)
	}
	if *rate < 0 {
		return usagef("--rate %v: not negative", *rate)
	}
	if *control == "" {
		*control = ":0"
		if *root == "" {
			*control = ":" + strconv.Itoa(radio.SwarmControlPort)
		}
	}
	if *data == "" {
		*data = ":0"
		if *root == "" {
			*data = ":" + strconv.Itoa(radio.SwarmDataPort)
		}
	}
	node, err := radio.NewSwarmNode(radio.SwarmConfig{Control: *control, Data: *data, Root: *root,
		Advertise: *advertise, MaxChildren: *maxKids})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "swarm: control %s data %s\n", node.ControlAddr(), node.DataAddr())
	if *root == "" {
		opts := []file.AdaptorOption{file.WithMode(file.BlockMode), file.WithReadSize(4096)}
		if *source != "-" {
			opts = append(opts, file.WithFilename(*source))
		} else {
			opts = append(opts, file.WithReader(os.Stdin))
		}
		if *rate > 0 {
			opts = append(opts, file.WithBitrate(*rate))
		}
		p, err := chassis.NewPipeline(file.NewReadFileAdaptor(opts...), node)
		if err != nil {
			_ = node.Close()
			return err
		}
		return runUntilInterrupt(ctx, p)
	}
	// A peer: what it receives goes to standard output.
	s := axon.NewScheduler()
	h, err := axon.NewHandle(s, node, "outbox", "control", "signal")
	if err != nil {
		return err
	}
	go func() { // ends when the node has
		select {
		case <-ctx.Done():
			stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			_ = h.Finish(stop)
		case <-h.Done():
		}
	}()
	for {
		v, err := h.Get(context.WithoutCancel(ctx), "outbox")
		if errors.Is(err, axon.ErrFinished) {
			return h.Wait(context.WithoutCancel(ctx))
		}
		if err != nil {
			return err
		}
		if _, err := stdout.Write(v.([]byte)); err != nil {
			_ = h.Close()
			return err
		}
	}
}
