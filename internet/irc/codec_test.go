package irc

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		line string
		want Message
	}{
		{":nick!u@h PRIVMSG #c :hello there\r\n", Message{"nick!u@h", "PRIVMSG", []string{"#c", "hello there"}}},
		{":s 001 bot :Welcome", Message{"s", "001", []string{"bot", "Welcome"}}},
		{"PING :x", Message{"", "PING", []string{"x"}}},
		{"ping x", Message{"", "PING", []string{"x"}}},
		{":s MODE #c +o  bob", Message{"s", "MODE", []string{"#c", "+o", "bob"}}},
		{"@time=2020 :s NOTICE * :hi", Message{"s", "NOTICE", []string{"*", "hi"}}},
		{"PRIVMSG #c :", Message{"", "PRIVMSG", []string{"#c", ""}}},
		{"QUIT", Message{"", "QUIT", nil}},
		{"A 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", Message{"", "A", []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15 16"}}},
	} {
		got, err := Parse(c.line)
		require.NoError(t, err, c.line)
		assert.Equal(t, c.want, got, c.line)
	}
	for _, bad := range []string{"", ":prefixonly", ":p 12 x", "PRIV-MSG x", "PRIVMSG a\x00b", "A\rB", "@tags"} {
		_, err := Parse(bad)
		require.ErrorIs(t, err, ErrSyntax, "%q", bad)
	}
}

func TestFormat(t *testing.T) {
	s, err := Message{Command: "PRIVMSG", Params: []string{"#c", "hello there"}}.Format()
	require.NoError(t, err)
	assert.Equal(t, "PRIVMSG #c :hello there\r\n", s)
	s, err = Message{Prefix: "me", Command: "JOIN", Params: []string{"#c"}}.Format()
	require.NoError(t, err)
	assert.Equal(t, ":me JOIN #c\r\n", s)
	for _, bad := range []Message{
		{Command: "PRIVMSG", Params: []string{"#c", "two\r\nQUIT :x"}},
		{Command: "PRIVMSG", Params: []string{"#a b", "x"}},
		{Command: "PRIVMSG", Params: []string{"", "x"}},
		{Command: "PRIV MSG"},
		{Command: "PRIVMSG", Params: []string{"#c", strings.Repeat("x", 600)}},
	} {
		_, err := bad.Format()
		require.ErrorIs(t, err, ErrSyntax, "%v", bad.Params)
	}
}

func TestNickAndAction(t *testing.T) {
	assert.Equal(t, "nick", NickOf("nick!user@host"))
	assert.Equal(t, "nick", NickOf("nick@host"))
	assert.Equal(t, "irc.server", NickOf("irc.server"))
	a, ok := Action("\x01ACTION waves\x01")
	assert.True(t, ok)
	assert.Equal(t, "waves", a)
	_, ok = Action("waves")
	assert.False(t, ok)
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{":n!u@h PRIVMSG #c :hi there", "PING :x", ":s 001 bot :Welcome", "@a=b :s X y", "A :", "A  b   c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		m, err := Parse(line)
		if err != nil {
			return
		}
		s, err := m.Format()
		if err != nil {
			return // a parsed message may be too long, or have an empty middle parameter, to format
		}
		again, err := Parse(s)
		if err != nil {
			t.Fatalf("Format made %q, which Parse refuses: %v", s, err)
		}
		if again.Prefix != m.Prefix || again.Command != m.Command || strings.Join(again.Params, "\x00") != strings.Join(m.Params, "\x00") {
			t.Fatalf("round trip changed %#v into %#v", m, again)
		}
	})
}
