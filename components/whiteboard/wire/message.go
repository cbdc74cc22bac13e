package wire

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Command is one drawing command: its name ("LINE", "CLEAR", "prev", ...)
// and its arguments, all tokens.
type Command []string

// Name returns the command's name in upper case ("" for an empty command):
// the canvas matches names without regard to case.
func (c Command) Name() string {
	if len(c) == 0 {
		return ""
	}
	return strings.ToUpper(c[0])
}

// Args returns the command's arguments.
func (c Command) Args() []string {
	if len(c) == 0 {
		return nil
	}
	return c[1:]
}

// Batch is a drawing message: the commands one peer produced at once,
// sent as one line ("[ LINE ... ] [ CIRCLE ... ] ").
type Batch []Command

// List returns the batch as a token list: a List of Lists of strings, as
// Unmarshal returns it.
func (b Batch) List() List {
	l := make(List, len(b))
	for i, c := range b {
		l[i] = List(stringsToAny(c))
	}
	return l
}

// Line returns the batch's line, ending in "\n".
func (b Batch) Line() []byte {
	// A Batch holds only tokens, so marshalling cannot fail.
	line, _ := Marshal(b.List())
	return line
}

// IsPageTurn reports whether the batch is a remote page turn, [["prev"]] or
// [["next"]] exactly (as Kamaelia compares it), and which.
func (b Batch) IsPageTurn() (string, bool) {
	if len(b) == 1 && len(b[0]) == 1 && (b[0][0] == "prev" || b[0][0] == "next") {
		return b[0][0], true
	}
	return "", false
}

// FrameTurn returns the batch a Video Whiteboard sends just before a remote
// page turn (new in kamaelia-go): [["FRAME", n]], the number (from 1) of
// the frame it turns from, so that a peer showing another frame turns from
// the same one. A Kamaelia 1.x peer's canvas, like every canvas here, takes
// it for an unknown command and does nothing, so the turn that follows is
// still understood by every peer.
func FrameTurn(n int) Batch { return Batch{{"FRAME", strconv.Itoa(n)}} }

// IsFrameTurn reports whether the batch is FrameTurn's, and its frame
// number: exactly one FRAME command with one argument, a number from 1.
func (b Batch) IsFrameTurn() (int, bool) {
	if len(b) != 1 || len(b[0]) != 2 || b[0].Name() != "FRAME" {
		return 0, false
	}
	n, err := strconv.Atoi(b[0][1])
	if err != nil || n < 1 {
		return 0, false
	}
	return n, true
}

// ErrNotBatch is wrapped by BatchOf's error: a list that is not a list of
// commands.
var ErrNotBatch = errors.New("wire: not a drawing message")

// BatchOf returns l as a drawing message: every element of l must be a
// list of tokens.
func BatchOf(l List) (Batch, error) {
	b := make(Batch, 0, len(l))
	for i, it := range l {
		sub, ok := it.(List)
		if !ok {
			return nil, fmt.Errorf("%w: element %d is a token, not a command", ErrNotBatch, i)
		}
		c := make(Command, len(sub))
		for j, t := range sub {
			s, ok := t.(string)
			if !ok {
				return nil, fmt.Errorf("%w: command %d holds a nested list at %d", ErrNotBatch, i, j)
			}
			c[j] = s
		}
		b = append(b, c)
	}
	return b, nil
}

// SoundTag is the first token of an audio message.
const SoundTag = "SOUND"

// IsSound reports whether l is an audio message: a flat list whose first
// token is "SOUND" (the test Kamaelia's router makes).
func IsSound(l List) bool {
	if len(l) == 0 {
		return false
	}
	s, ok := l[0].(string)
	return ok && s == SoundTag
}

// Sound returns the audio message carrying payload: ["SOUND", payload].
func Sound(payload []byte) List { return List{SoundTag, string(payload)} }

// SoundPayload returns the encoded audio of an audio message, or an error
// when l is not one.
func SoundPayload(l List) ([]byte, error) {
	if !IsSound(l) || len(l) < 2 {
		return nil, fmt.Errorf("wire: not an audio message (%d elements)", len(l))
	}
	s, ok := l[1].(string)
	if !ok {
		return nil, errors.New("wire: audio message whose payload is a list")
	}
	return []byte(s), nil
}
