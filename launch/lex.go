package launch

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// tokKind is what a token is.
type tokKind uint8

const (
	tokEOF    tokKind = iota
	tokWord           // a run of word characters: names, references, bare values
	tokString         // a quoted string, its escapes undone
	tokBang           // !
	tokEquals         // =
	tokLBrace         // {
	tokRBrace         // }
	tokComma          // ,
)

// describe names a token kind for error messages.
func (k tokKind) describe() string {
	switch k {
	case tokEOF:
		return "end of input"
	case tokWord:
		return "a word"
	case tokString:
		return "a quoted string"
	case tokBang:
		return "'!'"
	case tokEquals:
		return "'='"
	case tokLBrace:
		return "'{'"
	case tokRBrace:
		return "'}'"
	default:
		return "','"
	}
}

type token struct {
	kind tokKind
	text string // the word, or the string's content
	pos  Pos
}

// describe names the token for error messages, with its text.
func (t token) describe() string {
	switch t.kind {
	case tokWord:
		return fmt.Sprintf("%q", t.text)
	case tokString:
		return fmt.Sprintf("the quoted string %q", t.text)
	default:
		return t.kind.describe()
	}
}

// isWordRune reports whether r may be part of a bare word: anything but
// white space, the punctuation of the syntax and the quote.
func isWordRune(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '!', '=', '{', '}', ',', '"':
		return false
	}
	return true
}

// punctuation is the one-character tokens.
var punctuation = map[rune]tokKind{'!': tokBang, '=': tokEquals, '{': tokLBrace, '}': tokRBrace, ',': tokComma}

// escapes is what each escape in a quoted string stands for.
var escapes = map[rune]string{'"': `"`, '\\': `\`, 'n': "\n", 't': "\t", 'r': "\r"}

// lexer cuts a description into tokens, tracking line and column.
type lexer struct {
	src  string
	off  int // byte offset of the next rune
	line int
	col  int
}

func newLexer(src string) *lexer { return &lexer{src: src, line: 1, col: 1} }

// peekRune returns the next rune without taking it (utf8.RuneError, 0 at the end).
func (l *lexer) peekRune() (rune, int) {
	if l.off >= len(l.src) {
		return utf8.RuneError, 0
	}
	return utf8.DecodeRuneInString(l.src[l.off:])
}

// advance takes the rune r of size n.
func (l *lexer) advance(r rune, n int) {
	l.off += n
	if r == '\n' {
		l.line++
		l.col = 1
	} else {
		l.col++
	}
}

func (l *lexer) pos() Pos { return Pos{Line: l.line, Col: l.col} }

// next returns the next token.
func (l *lexer) next() (token, error) {
	for {
		r, n := l.peekRune()
		if n == 0 {
			return token{kind: tokEOF, pos: l.pos()}, nil
		}
		if r == utf8.RuneError && n == 1 {
			return token{}, &Error{Pos: l.pos(), Msg: "invalid UTF-8 in the description", Err: ErrSyntax}
		}
		switch r {
		case ' ', '\t', '\n', '\r':
			l.advance(r, n)
			continue
		case '#':
			for n > 0 && r != '\n' {
				l.advance(r, n)
				r, n = l.peekRune()
			}
			continue
		}
		break
	}
	start := l.pos()
	r, n := l.peekRune()
	if k, ok := punctuation[r]; ok {
		l.advance(r, n)
		return token{kind: k, text: string(r), pos: start}, nil
	}
	if r == '"' {
		return l.quoted(start)
	}
	begin := l.off
	for n > 0 && isWordRune(r) {
		if r == utf8.RuneError && n == 1 {
			return token{}, &Error{Pos: l.pos(), Msg: "invalid UTF-8 in the description", Err: ErrSyntax}
		}
		l.advance(r, n)
		r, n = l.peekRune()
	}
	return token{kind: tokWord, text: l.src[begin:l.off], pos: start}, nil
}

// quoted reads a quoted string whose opening quote is at start.
func (l *lexer) quoted(start Pos) (token, error) {
	r, n := l.peekRune()
	l.advance(r, n) // the opening quote
	var b strings.Builder
	for {
		r, n = l.peekRune()
		switch {
		case n == 0:
			return token{}, &Error{Pos: start, Msg: "quoted string not closed: expected '\"' before the end of input", Err: ErrSyntax}
		case r == utf8.RuneError && n == 1:
			return token{}, &Error{Pos: l.pos(), Msg: "invalid UTF-8 in the description", Err: ErrSyntax}
		case r == '"':
			l.advance(r, n)
			return token{kind: tokString, text: b.String(), pos: start}, nil
		case r == '\\':
			at := l.pos()
			l.advance(r, n)
			e, en := l.peekRune()
			unescaped, ok := escapes[e]
			if en == 0 || !ok {
				what := "the end of input"
				if en > 0 {
					what = fmt.Sprintf("%q", e)
				}
				return token{}, &Error{Pos: at, Msg: fmt.Sprintf(`unknown escape: expected \", \\, \n, \t or \r, found '\' then %s`, what), Err: ErrSyntax}
			}
			l.advance(e, en)
			b.WriteString(unescaped)
		default:
			l.advance(r, n)
			b.WriteRune(r)
		}
	}
}
