package irc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// LoggerConfig says what Logger logs and where.
type LoggerConfig struct {
	// Nick is the bot's nickname; RealName its real name ("" means
	// "Kamaelia logger").
	Nick, RealName string
	// Channel is the channel to join and log ("#kamaelia").
	Channel string
	// Dir is the directory of the log files ("" means the current one).
	Dir string
	// Now is the clock (time.Now if nil); Location the zone whose midnight
	// starts a new file (time.Local if nil).
	Now      func() time.Time
	Location *time.Location
}

// OffRecord starts a line the logger does not log.
const OffRecord = "[off]"

// Logger logs an IRC channel to dated files (the Kamaelia-Logger
// application): the conversation to <channel>DD-MM-YYYY.log, joins,
// parts, quits, nick and topic changes to <channel>DD-MM-YYYY.info, each
// line stamped [HH:MM]. The first line after midnight (in the config's
// Location) goes into the next day's files. Lines that start with [off]
// are not logged.
//
// It answers in the channel when addressed as "<nick>: command" (or
// "<nick>, command"): help (lists the commands), logfile and infofile
// (today's file names), date, time, and dance (an action: "does the
// macarena"); anything else gets a pointer to help. Its answers are
// logged as its own lines.
//
// Boxes:
//
//	inbox   (Heard)    what a Client (or Dial's graph) heard
//	control (any)      ProducerFinished, Shutdown
//	outbox  (Command)  to the Client's talk: Nick and User at once, Join on
//	                   the server's welcome (001), then the answers
//	signal  (any)      how it ended
//
// The Client answers the server's PINGs; the logger has nothing to do
// with them.
//
// Example:
//
//	conn, _ := irc.Dial("irc.example.org:6667")
//	logger := irc.NewLogger(irc.LoggerConfig{Nick: "kamlog", Channel: "#kamaelia", Dir: "logs"})
//	// link conn's heard to logger's inbox, logger's outbox to conn's talk
//
// Shutdown: ProducerFinished on control makes it log what inbox holds,
// close its files and end. Shutdown stops it at once (the files are
// closed). A file that cannot be written ends it with that error.
type Logger struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[Heard]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[Command]
	cfg LoggerConfig

	day        string // the date of the open files, DD-MM-YYYY
	log, info  *os.File
	logN, infN string
}

// NewLogger returns a Logger. It panics if the config has no Nick or
// Channel: that is a program's mistake.
func NewLogger(cfg LoggerConfig) *Logger {
	if cfg.Nick == "" || cfg.Channel == "" {
		panic("irc: NewLogger: Nick and Channel are needed")
	}
	if cfg.RealName == "" {
		cfg.RealName = "Kamaelia logger"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	l := &Logger{cfg: cfg}
	l.In = axon.NewInbox[Heard](l, "inbox")
	l.Out = axon.NewOutbox[Command](l, "outbox")
	return l
}

// Main logs until told to stop.
func (l *Logger) Main(ctx context.Context) (err error) {
	defer func() { err = errors.Join(err, l.close()) }()
	for _, c := range []Command{Nick(l.cfg.Nick), User(l.cfg.Nick, l.cfg.RealName)} {
		if err := l.Out.Send(ctx, c); err != nil {
			return err
		}
	}
	for h := range l.In.Messages(ctx) {
		if err := l.heard(ctx, h); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func (l *Logger) now() time.Time { return l.cfg.Now().In(l.cfg.Location) }

func (l *Logger) close() error {
	var errs []error
	for _, f := range []*os.File{l.log, l.info} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	l.log, l.info, l.day = nil, nil, ""
	return errors.Join(errs...)
}

// files opens the files of the day of t, closing yesterday's.
func (l *Logger) files(t time.Time) error {
	day := t.Format("02-01-2006")
	if day == l.day {
		return nil
	}
	if err := l.close(); err != nil {
		return err
	}
	base := filepath.Join(l.cfg.Dir, l.cfg.Channel+day)
	var err error
	if l.log, err = os.OpenFile(base+".log", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err != nil {
		return err
	}
	if l.info, err = os.OpenFile(base+".info", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err != nil {
		return err
	}
	l.day, l.logN, l.infN = day, filepath.Base(base+".log"), filepath.Base(base+".info")
	return nil
}

// write stamps line and appends it to the log (or the info file).
func (l *Logger) write(info bool, line string) error {
	t := l.now()
	if err := l.files(t); err != nil {
		return err
	}
	f := l.log
	if info {
		f = l.info
	}
	_, err := fmt.Fprintf(f, "[%s] %s\n", t.Format("15:04"), line)
	return err
}

func (l *Logger) heard(ctx context.Context, h Heard) error {
	ch := l.cfg.Channel
	toChannel := strings.EqualFold(h.Receiver, ch)
	switch h.Command {
	case "001":
		return l.Out.Send(ctx, Join(ch))
	case "PRIVMSG":
		if !toChannel || strings.HasPrefix(h.Rest, OffRecord) {
			return nil
		}
		if err := l.write(false, fmt.Sprintf("<%s> %s", h.Sender, h.Rest)); err != nil {
			return err
		}
		if cmd, ok := l.addressed(h.Rest); ok {
			return l.answer(ctx, cmd)
		}
	case "ACTION":
		if toChannel && !strings.HasPrefix(h.Rest, OffRecord) {
			return l.write(false, fmt.Sprintf("* %s %s", h.Sender, h.Rest))
		}
	case "JOIN":
		if toChannel {
			return l.write(true, fmt.Sprintf("%s has joined %s", h.Sender, ch))
		}
	case "PART":
		if toChannel {
			return l.write(true, fmt.Sprintf("%s has left %s", h.Sender, ch))
		}
	case "QUIT":
		return l.write(true, fmt.Sprintf("%s has quit (%s)", h.Sender, lastParam(h.Msg)))
	case "NICK":
		return l.write(true, fmt.Sprintf("%s is now known as %s", h.Sender, h.Receiver))
	case "TOPIC":
		if toChannel {
			return l.write(true, fmt.Sprintf("%s changed the topic to: %s", h.Sender, h.Rest))
		}
	}
	return nil
}

func lastParam(m Message) string {
	if len(m.Params) == 0 {
		return ""
	}
	return m.Params[len(m.Params)-1]
}

// addressed returns the command of a line addressed to the bot.
func (l *Logger) addressed(text string) (string, bool) {
	for _, sep := range []string{":", ","} {
		if rest, ok := strings.CutPrefix(text, l.cfg.Nick+sep); ok {
			return strings.ToLower(strings.TrimSpace(rest)), true
		}
	}
	return "", false
}

// answer answers a command in the channel, and logs the answer.
func (l *Logger) answer(ctx context.Context, cmd string) error {
	t := l.now()
	if err := l.files(t); err != nil {
		return err
	}
	var reply string
	switch cmd {
	case "help":
		reply = "I log this channel. Ask me: help, logfile, infofile, date, time, dance. Lines starting " + OffRecord + " are not logged."
	case "logfile":
		reply = l.logN
	case "infofile":
		reply = l.infN
	case "date":
		reply = t.Format("02-01-2006")
	case "time":
		reply = t.Format("15:04:05")
	case "dance":
		if err := l.Out.Send(ctx, Me(l.cfg.Channel, "does the macarena")); err != nil {
			return err
		}
		return l.write(false, fmt.Sprintf("* %s does the macarena", l.cfg.Nick))
	default:
		reply = fmt.Sprintf("I don't know %q; try \"%s: help\".", cmd, l.cfg.Nick)
	}
	if err := l.Out.Send(ctx, Privmsg(l.cfg.Channel, reply)); err != nil {
		return err
	}
	return l.write(false, fmt.Sprintf("<%s> %s", l.cfg.Nick, reply))
}
