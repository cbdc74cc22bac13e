package launch

import (
	"fmt"
	"strings"
)

// Parse reads a description. Its error, if any, is an *Error wrapping
// ErrSyntax that says where the text went wrong and what was expected there:
//
//	1:17: expected a component name or a reference such as src. after '!', found end of input
func Parse(src string) (*Description, error) {
	p := &parser{lex: newLexer(src)}
	d, err := p.description()
	if err != nil {
		return nil, err
	}
	return d, nil
}

// parser is a recursive-descent parser with two tokens of lookahead (a word
// followed by '=' is a property; any other word starts the next chain).
type parser struct {
	lex *lexer
	buf []token
}

// peek returns the i'th token ahead (0: the next).
func (p *parser) peek(i int) (token, error) {
	for len(p.buf) <= i {
		t, err := p.lex.next()
		if err != nil {
			return token{}, err
		}
		p.buf = append(p.buf, t)
	}
	return p.buf[i], nil
}

// take returns the next token and moves past it.
func (p *parser) take() (token, error) {
	t, err := p.peek(0)
	if err != nil {
		return token{}, err
	}
	p.buf = p.buf[1:]
	return t, nil
}

func syntaxErr(at Pos, format string, args ...any) error {
	return &Error{Pos: at, Msg: fmt.Sprintf(format, args...), Err: ErrSyntax}
}

// description := chain { chain }
func (p *parser) description() (*Description, error) {
	d := &Description{}
	for {
		t, err := p.peek(0)
		if err != nil {
			return nil, err
		}
		if t.kind == tokEOF {
			if len(d.Chains) == 0 {
				return nil, syntaxErr(t.pos, "empty description: expected a component name")
			}
			return d, nil
		}
		c, err := p.chain()
		if err != nil {
			return nil, err
		}
		d.Chains = append(d.Chains, c)
	}
}

// chain := node { '!' node }
func (p *parser) chain() (Chain, error) {
	var c Chain
	n, err := p.node("at the start of a chain")
	if err != nil {
		return c, err
	}
	c.Nodes = append(c.Nodes, n)
	for {
		t, err := p.peek(0)
		if err != nil {
			return c, err
		}
		if t.kind != tokBang {
			break
		}
		if _, err := p.take(); err != nil {
			return c, err
		}
		n, err := p.node("after '!'")
		if err != nil {
			return c, err
		}
		c.Nodes = append(c.Nodes, n)
		c.Links = append(c.Links, t.pos)
	}
	t, err := p.peek(0)
	if err != nil {
		return c, err
	}
	if t.kind != tokEOF && t.kind != tokWord {
		return c, syntaxErr(t.pos, "expected '!', a property or the next element, found %s", t.describe())
	}
	last := len(c.Nodes) - 1
	for i, n := range c.Nodes {
		switch {
		case !n.IsRef():
		case last == 0:
			return c, syntaxErr(n.Pos, "the reference %s is linked to nothing: expected '!' before or after it", n)
		case i > 0 && i < last && n.Box != "":
			return c, syntaxErr(n.Pos, "%s is in the middle of a chain: a box can be named only at an end of a chain (write %s. here)", n, n.Ref)
		}
	}
	return c, nil
}

// node := element | reference
func (p *parser) node(where string) (Node, error) {
	t, err := p.take()
	if err != nil {
		return Node{}, err
	}
	if t.kind != tokWord {
		return Node{}, syntaxErr(t.pos, "expected a component name or a reference such as src. %s, found %s", where, t.describe())
	}
	if name, box, ok := strings.Cut(t.text, "."); ok {
		if !isIdent(name) {
			return Node{}, syntaxErr(t.pos, "bad reference %q: expected an element name (letters, digits, '_', not starting with a digit) before the '.'", t.text)
		}
		if box != "" && !isBoxName(box) {
			return Node{}, syntaxErr(t.pos, "bad reference %q: expected a box name (letters, digits, '_', '-') after the '.'", t.text)
		}
		return Node{Pos: t.pos, Ref: name, Box: box}, nil
	}
	if !isIdent(t.text) {
		return Node{}, syntaxErr(t.pos, "expected a component name (letters, digits, '_', not starting with a digit) or a reference such as src. %s, found %q", where, t.text)
	}
	n := Node{Pos: t.pos, Component: t.text}
	for {
		k, err := p.peek(0)
		if err != nil {
			return n, err
		}
		eq, err := p.peek(1)
		if err != nil {
			return n, err
		}
		if k.kind != tokWord || eq.kind != tokEquals {
			return n, nil
		}
		p.buf = p.buf[2:]
		if !isIdent(k.text) {
			return n, syntaxErr(k.pos, "bad property name %q: expected letters, digits, '_' or '-', not starting with a digit", k.text)
		}
		v, err := p.value()
		if err != nil {
			return n, err
		}
		n.Props = append(n.Props, Prop{Pos: k.pos, Name: k.text, Value: v})
	}
}

// value := word | string | '{' [ scalar { ',' scalar } ] '}'
func (p *parser) value() (Value, error) {
	t, err := p.take()
	if err != nil {
		return Value{}, err
	}
	switch t.kind {
	case tokWord, tokString:
		return Value{Pos: t.pos, Text: t.text}, nil
	case tokLBrace:
	default:
		return Value{}, syntaxErr(t.pos, "expected a value after '=' (a word, a quoted string or a list such as {a, b}), found %s", t.describe())
	}
	v := Value{Pos: t.pos, IsList: true, List: []Value{}}
	for first := true; ; first = false {
		e, err := p.take()
		if err != nil {
			return v, err
		}
		if e.kind == tokRBrace && first {
			return v, nil
		}
		if e.kind != tokWord && e.kind != tokString {
			return v, syntaxErr(e.pos, "expected a list element (a word or a quoted string), found %s", e.describe())
		}
		v.List = append(v.List, Value{Pos: e.pos, Text: e.text})
		sep, err := p.take()
		if err != nil {
			return v, err
		}
		switch sep.kind {
		case tokRBrace:
			return v, nil
		case tokComma:
		default:
			return v, syntaxErr(sep.pos, "expected ',' or '}' in the list opened at %s, found %s", t.pos, sep.describe())
		}
	}
}

// isIdent reports whether s is a name: an ASCII letter or '_', then letters,
// digits, '_' and '-'.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// isBoxName reports whether s can name a box in a reference.
func isBoxName(s string) bool { return isIdent(s) }
