package topology

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
)

// MaxLineLength is the longest command line the server reads; a longer
// one is refused with an ERROR reply and the connection is closed.
const MaxLineLength = 64 << 10

// Tokenize splits one line of the text protocol into tokens the way
// Kamaelia's lines_to_tokenlists does: tokens are separated by white
// space; a token that starts with a double or single quote runs to the
// matching unescaped quote, and inside it a backslash makes the next
// character literal (so `\"` is a quote, `\\` a backslash and `\t` the
// letter t). Any other byte, a tab or a control character included, stands
// for itself inside quotes. An unquoted token runs to the next white space
// and takes backslashes literally. A line of only white space has no
// tokens. An unterminated quote, or a quoted token followed by something
// other than white space, is an error, where Kamaelia silently dropped the
// whole line.
func Tokenize(line string) ([]string, error) {
	var toks []string
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return toks, nil
		}
		q := line[i]
		if q != '"' && q != '\'' {
			j := i
			for j < len(line) && !isSpace(line[j]) {
				j++
			}
			toks = append(toks, line[i:j])
			i = j
			continue
		}
		var b strings.Builder
		j := i + 1
		closed := false
		for j < len(line) {
			c := line[j]
			if c == '\\' && j+1 < len(line) {
				b.WriteByte(line[j+1])
				j += 2
				continue
			}
			if c == '\\' {
				break // a backslash escapes nothing at the end of the line
			}
			if c == q {
				closed = true
				j++
				break
			}
			b.WriteByte(c)
			j++
		}
		if !closed {
			return nil, fmt.Errorf("unterminated %c-quoted token at byte %d", q, i)
		}
		if j < len(line) && !isSpace(line[j]) {
			return nil, fmt.Errorf("quoted token at byte %d runs into %q without a space", i, line[j])
		}
		toks = append(toks, b.String())
		i = j
	}
}

// isSpace is Python's \s for the bytes a line can hold (a line never holds
// "\n"; Kamaelia's chunks_to_lines removes every "\r").
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// Quote returns s as one double-quoted token that Tokenize, and Kamaelia's
// lines_to_tokenlists, read back as s: a backslash and a double quote are
// escaped with a backslash, and every other byte stands for itself, a tab
// or other control character included (escaping a tab as `\t` would make
// it the letter t). Carriage return and line feed cannot cross the
// protocol, which is split into lines at "\n" after every "\r" is removed:
// they become the symbols ␍ (U+240D) and ␊ (U+240A), so that a name keeps
// its shape and the line stays one line. It is the quoting of Axon's
// introspector protocol (axon.IntrospectorQuote), which this viewer reads.
func Quote(s string) string { return axon.IntrospectorQuote(s) }

// FormatLine joins tokens into one line of the protocol (without its
// "\n"): keywords and numbers as they are, everything else quoted.
func FormatLine(tokens []string) string {
	var b strings.Builder
	for i, t := range tokens {
		if i > 0 {
			b.WriteByte(' ')
		}
		if isBare(t) {
			b.WriteString(t)
		} else {
			b.WriteString(Quote(t))
		}
	}
	return b.String()
}

// isBare says whether t reads back as itself unquoted: not empty, no white
// space, no quote or backslash, nothing outside printable ASCII.
func isBare(t string) bool {
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\' {
			return false
		}
	}
	return true
}

// errEmpty is what Apply says of a command with no tokens.
var errEmpty = errors.New("empty command")
