// Command irclogger logs an IRC channel to dated files (the Kamaelia
// Logger): a connection to the server and the channel logger, wired as a
// Graphline.
//
//	Graphline(IRC = irc.Dial(server), LOG = irc.Logger(channel),
//	          IRC.heard -> LOG.inbox, LOG.outbox -> IRC.talk, IRC.signal -> LOG.control)
//
// The conversation goes to <channel>DD-MM-YYYY.log and joins, parts and
// quits to <channel>DD-MM-YYYY.info in -dir, a new pair each day; lines
// starting [off] are not logged. In the channel, "<nick>: help" lists what
// the bot answers. The server closing the connection ends the program;
// Ctrl-C (SIGINT) or SIGTERM stops it at once.
//
// Usage:
//
//	go run ./examples/irclogger -server 127.0.0.1:6667 -channel '#kamaelia' [-nick kamlog] [-dir .]
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/examples/internal/cli"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/kamaelia-go/kamaelia/internet/irc"
)

func main() { cli.Main("irclogger", run) }

// run logs the channel until the connection ends or ctx is done.
func run(ctx context.Context, args []string, _ io.Reader, _, stderr io.Writer) error {
	fs := flag.NewFlagSet("irclogger", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", "127.0.0.1:6667", "IRC server `host:port`")
	nick := fs.String("nick", "kamlog", "the bot's `nickname`")
	channel := fs.String("channel", "", "the `channel` to log, e.g. '#kamaelia'")
	dir := fs.String("dir", ".", "`directory` of the log files")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *channel == "" {
		fs.Usage()
		return errors.New("irclogger: -channel is needed")
	}
	conn, err := irc.Dial(*server, internet.WithDialTimeout(10*time.Second))
	if err != nil {
		return err
	}
	g, err := chassis.NewGraphline(chassis.Components{
		"IRC": conn,
		"LOG": irc.NewLogger(irc.LoggerConfig{Nick: *nick, Channel: *channel, Dir: *dir}),
	}, chassis.Linkages{
		{Component: "IRC", Box: "heard"}:  {Component: "LOG", Box: "inbox"},
		{Component: "LOG", Box: "outbox"}: {Component: "IRC", Box: "talk"},
		{Component: "IRC", Box: "signal"}: {Component: "LOG", Box: "control"},
	})
	if err != nil {
		return err
	}
	return axon.NewScheduler().RunContext(ctx, g)
}
