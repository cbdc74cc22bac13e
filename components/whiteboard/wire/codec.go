package wire

import (
	"errors"
	"fmt"
	"strings"
)

// Substitutions is the set of characters escaped besides "%", in the order
// they are escaped and unescaped: NUL, the digit 9 (Kamaelia's quirk: TAB
// was meant), LF, CR, space, "[" and "]".
const Substitutions = "\x009\n\r []"

// escapes holds, in order, each substituted character and its escape.
var escapes = func() [][2]string {
	var out [][2]string
	for _, c := range []byte(Substitutions) {
		out = append(out, [2]string{string(c), fmt.Sprintf("%%%x", c)})
	}
	return out
}()

// Escape escapes one token: "%" becomes "%25", then each character of
// Substitutions becomes "%" and its lower-case hex code.
func Escape(tok string) string {
	if !needsEscape(tok) {
		return tok
	}
	s := strings.ReplaceAll(tok, "%", "%25")
	for _, e := range escapes {
		s = strings.ReplaceAll(s, e[0], e[1])
	}
	return s
}

func needsEscape(tok string) bool {
	return strings.ContainsAny(tok, "%"+Substitutions)
}

// Unescape undoes Escape: each escape of Substitutions, in the same order,
// becomes its character, then "%25" becomes "%". Like Kamaelia's, it is a
// sequence of plain replacements, so a token no Escape made (a stray "%")
// is taken as it is.
func Unescape(tok string) string {
	if !strings.Contains(tok, "%") {
		return tok
	}
	s := tok
	for _, e := range escapes {
		s = strings.ReplaceAll(s, e[1], e[0])
	}
	return strings.ReplaceAll(s, "%25", "%")
}

// List is one message: each element is a token (a string, which may hold
// any bytes) or a nested List. Marshal also takes []byte tokens and
// Command, Batch and []string lists.
type List []any

// ErrBadLine is wrapped by the errors of Unmarshal: a line whose brackets
// do not balance.
var ErrBadLine = errors.New("wire: malformed token list")

// ErrBadItem is wrapped by the errors of Marshal: an element that is
// neither a token nor a list.
var ErrBadItem = errors.New("wire: element is neither a token nor a list")

// Marshal returns the line for l, ending in "\n".
func Marshal(l List) ([]byte, error) { return AppendMarshal(nil, l) }

// AppendMarshal appends the line for l, ending in "\n", to dst.
func AppendMarshal(dst []byte, l List) ([]byte, error) {
	dst, err := appendItems(dst, []any(l), 0)
	if err != nil {
		return nil, err
	}
	return append(dst, '\n'), nil
}

// maxDepth bounds the nesting Marshal follows, so a list that holds itself
// is an error, not a crash.
const maxDepth = 64

func appendItems(dst []byte, items []any, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d", ErrBadItem, maxDepth)
	}
	var err error
	for i, it := range items {
		switch v := it.(type) {
		case string:
			dst = append(append(dst, Escape(v)...), ' ')
		case []byte:
			dst = append(append(dst, Escape(string(v))...), ' ')
		case List:
			dst, err = appendNested(dst, []any(v), depth)
		case []any:
			dst, err = appendNested(dst, v, depth)
		case Command:
			dst, err = appendNested(dst, stringsToAny(v), depth)
		case []string:
			dst, err = appendNested(dst, stringsToAny(v), depth)
		case Batch:
			dst, err = appendNested(dst, []any(v.List()), depth)
		default:
			return nil, fmt.Errorf("%w: element %d is %T", ErrBadItem, i, it)
		}
		if err != nil {
			return nil, err
		}
	}
	return dst, nil
}

func appendNested(dst []byte, items []any, depth int) ([]byte, error) {
	dst = append(dst, "[ "...)
	dst, err := appendItems(dst, items, depth+1)
	if err != nil {
		return nil, err
	}
	return append(dst, "] "...), nil
}

func stringsToAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// Unmarshal returns the List a line holds. The line may end in "\n" or
// not; every "\r" in it is dropped first. Nested lists come back as List,
// tokens as string.
func Unmarshal(line []byte) (List, error) {
	s := strings.ReplaceAll(string(line), "\r", "")
	s = strings.TrimSuffix(s, "\n")
	out := List{}
	var stack []List
	for piece := range strings.SplitSeq(s, " ") {
		switch piece {
		case "", "\n":
			continue
		case "[":
			stack = append(stack, out)
			out = List{}
		case "]":
			if len(stack) == 0 {
				return nil, fmt.Errorf("%w: \"]\" with no \"[\" open", ErrBadLine)
			}
			parent := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			out = append(parent, out)
		default:
			out = append(out, Unescape(piece))
		}
	}
	if len(stack) != 0 {
		return nil, fmt.Errorf("%w: %d \"[\" never closed", ErrBadLine, len(stack))
	}
	return out, nil
}
