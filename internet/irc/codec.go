// Package irc is an IRC client for kamaelia-go: a line codec of RFC 1459
// and RFC 2812 messages (Parse, Message.Format), a client component that
// speaks the protocol over a connection's bytes (Kamaelia's IRC_Client,
// which also answers PING here), Dial to wire it to a TCP connection
// (Kamaelia's SimpleIRCClientPrefab), and Logger, the component of the
// channel logger application (Kamaelia-Logger).
package irc

import (
	"errors"
	"fmt"
	"strings"
)

// MaxLine is the longest line RFC 1459 allows, CR LF included.
const MaxLine = 512

// MaxParams is the most parameters a message may have.
const MaxParams = 15

// ErrSyntax is wrapped by the errors of Parse and Format.
var ErrSyntax = errors.New("irc: bad message")

// Message is one IRC message: ":prefix COMMAND param param :last param".
type Message struct {
	// Prefix is where the message came from ("nick!user@host" or a server
	// name), "" if none.
	Prefix string
	// Command is the command ("PRIVMSG") or a three-digit reply ("001");
	// Parse upper-cases it.
	Command string
	// Params are the parameters; the last may hold spaces.
	Params []string
}

func syntax(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrSyntax, fmt.Sprintf(format, args...))
}

// Parse reads one line, with or without its CR LF. A line may have IRCv3
// tags ("@a=b ..."); they are skipped. The error wraps ErrSyntax: an empty
// line, a prefix with no command, a command that is neither letters nor
// three digits, NUL, CR or LF inside the line, or more than MaxParams
// parameters. Parse takes lines longer than MaxLine (servers send them);
// Format does not make them.
func Parse(line string) (Message, error) {
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	if strings.ContainsAny(line, "\x00\r\n") {
		return Message{}, syntax("NUL, CR or LF inside %q", line)
	}
	if strings.HasPrefix(line, "@") {
		_, rest, ok := strings.Cut(line, " ")
		if !ok {
			return Message{}, syntax("tags with no command: %q", line)
		}
		line = rest
	}
	line = strings.TrimLeft(line, " ")
	var m Message
	if strings.HasPrefix(line, ":") {
		p, rest, ok := strings.Cut(line[1:], " ")
		if !ok || p == "" {
			return Message{}, syntax("a prefix with no command: %q", line)
		}
		m.Prefix = p
		line = strings.TrimLeft(rest, " ")
	}
	cmd, rest, _ := strings.Cut(line, " ")
	if !validCommand(cmd) {
		return Message{}, syntax("command %q is neither letters nor three digits", cmd)
	}
	m.Command = strings.ToUpper(cmd)
	for {
		rest = strings.TrimLeft(rest, " ")
		if rest == "" {
			break
		}
		if len(m.Params) == MaxParams {
			return Message{}, syntax("more than %d parameters", MaxParams)
		}
		if rest[0] == ':' || len(m.Params) == MaxParams-1 {
			m.Params = append(m.Params, strings.TrimPrefix(rest, ":"))
			break
		}
		var p string
		p, rest, _ = strings.Cut(rest, " ")
		m.Params = append(m.Params, p)
	}
	return m, nil
}

func validCommand(c string) bool {
	if c == "" {
		return false
	}
	if len(c) == 3 && isDigit(c[0]) && isDigit(c[1]) && isDigit(c[2]) {
		return true
	}
	for i := 0; i < len(c); i++ {
		if !('a' <= c[i] && c[i] <= 'z' || 'A' <= c[i] && c[i] <= 'Z') {
			return false
		}
	}
	return true
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// Format makes the line of m, with CR LF. The error wraps ErrSyntax: a bad
// command, a prefix with a space, NUL, CR or LF anywhere, a parameter
// other than the last that is empty, holds a space or starts with ':',
// more than MaxParams parameters, or a line longer than MaxLine.
func (m Message) Format() (string, error) {
	if !validCommand(m.Command) {
		return "", syntax("command %q is neither letters nor three digits", m.Command)
	}
	if len(m.Params) > MaxParams {
		return "", syntax("%d parameters, at most %d", len(m.Params), MaxParams)
	}
	var b strings.Builder
	if m.Prefix != "" {
		if strings.ContainsAny(m.Prefix, " \x00\r\n") {
			return "", syntax("prefix %q", m.Prefix)
		}
		b.WriteString(":" + m.Prefix + " ")
	}
	b.WriteString(m.Command)
	for i, p := range m.Params {
		if strings.ContainsAny(p, "\x00\r\n") {
			return "", syntax("NUL, CR or LF in parameter %q", p)
		}
		last := i == len(m.Params)-1
		if !last && (p == "" || strings.Contains(p, " ") || p[0] == ':') {
			return "", syntax("parameter %q may only be the last", p)
		}
		b.WriteByte(' ')
		if last && (p == "" || strings.Contains(p, " ") || p[0] == ':') {
			b.WriteByte(':')
		}
		b.WriteString(p)
	}
	b.WriteString("\r\n")
	if b.Len() > MaxLine {
		return "", syntax("line of %d bytes, at most %d", b.Len(), MaxLine)
	}
	return b.String(), nil
}

// String is the line without CR LF, or a description of why m cannot be
// formatted.
func (m Message) String() string {
	s, err := m.Format()
	if err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return strings.TrimSuffix(s, "\r\n")
}

// NickOf returns the nickname of a prefix "nick!user@host" (a server name
// as it is).
func NickOf(prefix string) string {
	n, _, _ := strings.Cut(prefix, "!")
	n, _, _ = strings.Cut(n, "@")
	return n
}

// ctcpAction is how a CTCP ACTION ("/me") travels in a PRIVMSG.
const ctcpAction = "\x01ACTION "

// Action returns the text of a CTCP ACTION in a PRIVMSG's text, if it is
// one.
func Action(text string) (string, bool) {
	if !strings.HasPrefix(text, ctcpAction) {
		return "", false
	}
	return strings.TrimSuffix(strings.TrimPrefix(text, ctcpAction), "\x01"), true
}
