package irc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/internet"
)

// Command is what the client is told to say on its talk inbox (Kamaelia's
// command tuples). Nick, User, Join, Part, Privmsg, Me and Quit make the
// usual ones; any other Verb is sent as that IRC command with Args as its
// parameters.
type Command struct {
	Verb string
	Args []string
}

// Nick sets the nickname: NICK name.
func Nick(name string) Command { return Command{"NICK", []string{name}} }

// User registers the connection: USER user 0 * :realName.
func User(user, realName string) Command { return Command{"USER", []string{user, realName}} }

// Join joins a channel.
func Join(channel string) Command { return Command{"JOIN", []string{channel}} }

// Part leaves a channel, saying msg ("" for none).
func Part(channel, msg string) Command { return Command{"PART", []string{channel, msg}} }

// Privmsg says text to a channel or a nick. Text of several lines is sent
// as one message per line; a line too long for one message is cut into
// several.
func Privmsg(to, text string) Command { return Command{"PRIVMSG", []string{to, text}} }

// Me says an action ("/me waves") as a CTCP ACTION.
func Me(to, action string) Command { return Command{"ME", []string{to, action}} }

// Quit leaves the server, saying msg; the client then ends.
func Quit(msg string) Command { return Command{"QUIT", []string{msg}} }

// Heard is a message from the server, as the client reports it (Kamaelia's
// (command, sender, receiver, rest) tuples): a PRIVMSG that is a CTCP
// ACTION is reported with Command "ACTION" and the action as Rest.
type Heard struct {
	// Command is the message's command ("PRIVMSG", "JOIN", "001").
	Command string
	// Sender is the nick of the prefix (or the server's name), "" if none.
	Sender string
	// Receiver is the first parameter (a channel, or the nick the message
	// is for), "" if none.
	Receiver string
	// Rest is the last parameter when there are two or more, "" otherwise.
	Rest string
	// Msg is the whole message.
	Msg Message
	// Err, when set, says why a line from the server did not parse; the
	// other fields are empty then but for Rest, the line.
	Err error
}

// ErrBadCommand is wrapped by the error of a Command the client cannot
// send.
var ErrBadCommand = errors.New("irc: bad command")

// maxText is how many bytes of text go in one PRIVMSG: the server adds
// the sender's prefix when it relays the message, and the whole must fit
// in MaxLine.
const maxText = 400

// MaxServerLine is the longest line the client takes from the server.
const MaxServerLine = 64 << 10

// lines turns a command into the lines it sends.
func (c Command) lines() ([]string, error) {
	bad := func(format string, args ...any) ([]string, error) {
		return nil, fmt.Errorf("%w: %s %q: %s", ErrBadCommand, c.Verb, c.Args, fmt.Sprintf(format, args...))
	}
	verb := strings.ToUpper(c.Verb)
	var msgs []Message
	switch verb {
	case "USER":
		if len(c.Args) != 2 {
			return bad("want user and real name")
		}
		msgs = []Message{{Command: "USER", Params: []string{c.Args[0], "0", "*", c.Args[1]}}}
	case "PART", "QUIT":
		params := c.Args
		if len(params) > 0 && params[len(params)-1] == "" {
			params = params[:len(params)-1]
		}
		msgs = []Message{{Command: verb, Params: params}}
	case "PRIVMSG", "ME":
		if len(c.Args) != 2 {
			return bad("want a receiver and a text")
		}
		for _, line := range strings.Split(c.Args[1], "\n") {
			line = strings.TrimSuffix(line, "\r")
			for _, piece := range cut(line, maxText) {
				if verb == "ME" {
					piece = ctcpAction + piece + "\x01"
				}
				msgs = append(msgs, Message{Command: "PRIVMSG", Params: []string{c.Args[0], piece}})
			}
		}
	default:
		msgs = []Message{{Command: verb, Params: c.Args}}
	}
	var out []string
	for _, m := range msgs {
		s, err := m.Format()
		if err != nil {
			return bad("%v", err)
		}
		out = append(out, s)
	}
	return out, nil
}

// cut cuts s into pieces of at most n bytes, at rune boundaries.
func cut(s string, n int) []string {
	var out []string
	for len(s) > n {
		i := n
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return append(out, s)
}

// heardOf makes the Heard of m.
func heardOf(m Message) Heard {
	h := Heard{Command: m.Command, Sender: NickOf(m.Prefix), Msg: m}
	if len(m.Params) > 0 {
		h.Receiver = m.Params[0]
	}
	if len(m.Params) > 1 {
		h.Rest = m.Params[len(m.Params)-1]
	}
	if m.Command == "PRIVMSG" {
		if a, ok := Action(h.Rest); ok {
			h.Command, h.Rest = "ACTION", a
		}
	}
	return h
}

// Client speaks IRC over a connection's bytes (Kamaelia's IRC_Client):
// link its outbox to a TCPClient's inbox and the TCPClient's outbox to its
// inbox, or use Dial, which does.
//
// Boxes:
//
//	inbox   ([]byte)   bytes from the server, in pieces of any size
//	talk    (Command)  what to say: Nick, User, Join, Part, Privmsg, Me, Quit...
//	control (any)      ProducerFinished, Shutdown
//	outbox  ([]byte)   lines to the server, one per message, with CR LF
//	heard   (Heard)    every message from the server, parsed
//	signal  (any)      how it ended
//
// It answers the server's PING with PONG itself (and reports the PING on
// heard too). It does not log in by itself: send Nick and User first, and
// Join once Heard reports "001". A line from the server that does not
// parse is reported as a Heard with Err set and the line as Rest, and the
// client goes on.
//
// Example:
//
//	talk := []irc.Command{irc.Nick("kamaelia"), irc.User("kamaelia", "Kamaelia bot")}
//
// Shutdown: Quit sends QUIT and ends it with ProducerFinished (in Dial's
// graph, the connection then closes). ProducerFinished on control makes it
// send what talk holds, report what inbox holds, and end. Shutdown stops
// it at once. A Command it cannot send (an unknown verb with bad
// parameters, a receiver with a space, NUL in text) ends it with an error
// wrapping ErrBadCommand; a server line longer than MaxServerLine, with
// one wrapping ErrSyntax.
type Client struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[[]byte]
	// Talk is the inbox called "talk": see the type's doc for what it carries.
	Talk *axon.Inbox[Command]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[[]byte]
	// HeardOut is the outbox called "heard": see the type's doc for what it carries.
	HeardOut *axon.Outbox[Heard]
}

// NewClient returns a Client.
func NewClient() *Client {
	c := &Client{}
	c.In = axon.NewInbox[[]byte](c, "inbox")
	c.Talk = axon.NewInbox[Command](c, "talk")
	c.Out = axon.NewOutbox[[]byte](c, "outbox")
	c.HeardOut = axon.NewOutbox[Heard](c, "heard")
	return c
}

// Main speaks until told to stop or Quit.
func (c *Client) Main(ctx context.Context) error {
	var buf []byte
	finishing := false
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		busy := false
		if b, ok := c.In.TryRecv(); ok {
			busy = true
			buf = append(buf, b...)
			for {
				i := bytes.IndexByte(buf, '\n')
				if i < 0 {
					break
				}
				line := string(buf[:i])
				buf = buf[i+1:]
				if err := c.hear(ctx, line); err != nil {
					return err
				}
			}
			if len(buf) > MaxServerLine {
				return fmt.Errorf("%w: a line from the server of over %d bytes", ErrSyntax, MaxServerLine)
			}
			buf = bytes.Clone(buf) // let go of the pieces taken
		}
		if cmd, ok := c.Talk.TryRecv(); ok {
			busy = true
			lines, err := cmd.lines()
			if err != nil {
				return err
			}
			for _, l := range lines {
				if err := c.Out.Send(ctx, []byte(l)); err != nil {
					return err
				}
			}
			if strings.EqualFold(cmd.Verb, "QUIT") {
				return nil
			}
		}
		if c.Control().Len() > 0 {
			busy = true
			finishing = c.TakeControl(nil).Finishing || finishing
		}
		if busy {
			continue
		}
		if finishing { // TakeControl's answer, not Finishing now: see axon's Core.Finishing
			return nil
		}
		if err := c.Wait(ctx); err != nil {
			return err
		}
	}
}

// hear handles one line from the server.
func (c *Client) hear(ctx context.Context, line string) error {
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return nil
	}
	m, err := Parse(line)
	if err != nil {
		return c.HeardOut.Send(ctx, Heard{Rest: line, Err: err})
	}
	if m.Command == "PING" {
		pong, err := Message{Command: "PONG", Params: m.Params}.Format()
		if err == nil {
			if err := c.Out.Send(ctx, []byte(pong)); err != nil {
				return err
			}
		}
	}
	return c.HeardOut.Send(ctx, heardOf(m))
}

// Dial returns a component that connects to the IRC server at address
// and speaks IRC over the connection (Kamaelia's SimpleIRCClientPrefab): a
// Graphline of an internet.TCPClient (with opts) and a Client, whose boxes
// are the Client's talk and heard.
//
// Boxes:
//
//	talk    (Command)  what to say, as Client's
//	control (any)      ProducerFinished, Shutdown
//	heard   (Heard)    what the server says, as Client's
//	signal  (any)      how it ended
//
// Example:
//
//	conn, err := irc.Dial("127.0.0.1:6667", internet.WithDialTimeout(5*time.Second))
//
// Shutdown: Quit on talk, or ProducerFinished on control, ends the Client,
// which closes the connection; the server closing it ends the Client. A
// connection that cannot be made fails the graph with the TCPClient's
// *internet.DialError. Shutdown stops both at once.
func Dial(address string, opts ...internet.ClientOption) (*chassis.Graph, error) {
	self := func(box string) chassis.Port { return chassis.Port{Component: chassis.Self, Box: box} }
	return chassis.NewGraphline(chassis.Components{
		"TCP": internet.NewTCPClient(address, opts...),
		"IRC": NewClient(),
	}, chassis.Linkages{
		{Component: "TCP", Box: "outbox"}: {Component: "IRC", Box: "inbox"},
		{Component: "IRC", Box: "outbox"}: {Component: "TCP", Box: "inbox"},
		{Component: "IRC", Box: "signal"}: {Component: "TCP", Box: "control"},
		{Component: "TCP", Box: "signal"}: {Component: "IRC", Box: "control"},
		self("talk"):                      {Component: "IRC", Box: "talk"},
		{Component: "IRC", Box: "heard"}:  self("heard"),
		self("control"):                   {Component: "IRC", Box: "control"},
	})
}
