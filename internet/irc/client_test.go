package irc

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/kamaelia-go/kamaelia/internet/irc/irctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientParsesAnswersPingAndTalks(t *testing.T) {
	h := axontest.NewHandle(t, axontest.NewScheduler(t), NewClient())
	ctx := axontest.Context(t)
	for _, piece := range []string{":nick!u@h PRIVMSG #c :hel", "lo\r\n:s 001 bot :Welcome\r\nPING :x\r", "\n:n!u@h PRIVMSG #c :\x01ACTION waves\x01\r\nPRIV-MSG x\r\n"} {
		require.NoError(t, h.Put(ctx, "inbox", []byte(piece)))
	}
	var heard []Heard
	for range 5 {
		v, err := h.Get(ctx, "heard")
		require.NoError(t, err)
		heard = append(heard, v.(Heard))
	}
	short := func(h Heard) [4]string { return [4]string{h.Command, h.Sender, h.Receiver, h.Rest} }
	assert.Equal(t, [4]string{"PRIVMSG", "nick", "#c", "hello"}, short(heard[0]))
	assert.Equal(t, [4]string{"001", "s", "bot", "Welcome"}, short(heard[1]))
	assert.Equal(t, "PING", heard[2].Command)
	assert.Equal(t, [4]string{"ACTION", "n", "#c", "waves"}, short(heard[3]))
	require.ErrorIs(t, heard[4].Err, ErrSyntax)
	assert.Equal(t, "PRIV-MSG x", heard[4].Rest)
	pong, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, "PONG x\r\n", string(pong.([]byte)))

	for _, c := range []Command{Nick("bot"), User("bot", "A Bot"), Join("#c"), Privmsg("#c", "one\ntwo"), Me("#c", "dances"), Part("#c", ""), {Verb: "TOPIC", Args: []string{"#c", "new topic"}}, Quit("bye now")} {
		require.NoError(t, h.Put(ctx, "talk", c))
	}
	var sent []string
	for {
		v, err := h.Get(ctx, "outbox")
		if err != nil {
			break
		}
		sent = append(sent, string(v.([]byte)))
	}
	assert.Equal(t, []string{"NICK bot\r\n", "USER bot 0 * :A Bot\r\n", "JOIN #c\r\n", "PRIVMSG #c one\r\n", "PRIVMSG #c two\r\n",
		"PRIVMSG #c :\x01ACTION dances\x01\r\n", "PART #c\r\n", "TOPIC #c :new topic\r\n", "QUIT :bye now\r\n"}, sent)
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.ProducerFinished{}, sig, "Quit ends the client")
}

func TestClientRefusesABadCommandAndCutsLongText(t *testing.T) {
	lines, err := Privmsg("#c", strings.Repeat("é", 500)).lines()
	require.NoError(t, err)
	require.Len(t, lines, 3)
	for _, l := range lines {
		assert.LessOrEqual(t, len(l), MaxLine)
		m, err := Parse(l)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(m.Params[1], "é"), "cut at a rune boundary")
	}
	res := axontest.RunControl[[]byte, []byte](t, func() axon.Component {
		c := NewClient()
		return c
	}(), nil, axon.ProducerFinished{})
	require.NoError(t, res.Err)
	h := axontest.NewHandle(t, axontest.NewScheduler(t), NewClient())
	ctx := axontest.Context(t)
	require.NoError(t, h.Put(ctx, "talk", Privmsg("#a b", "hi")))
	require.ErrorIs(t, h.Wait(ctx), ErrBadCommand)
}

func ngircd(t *testing.T) string { return irctest.Ngircd(t) }

// until takes heard messages from h until one satisfies ok.
func until(t *testing.T, ctx context.Context, h *axon.Handle, ok func(Heard) bool) Heard {
	t.Helper()
	for {
		v, err := h.Get(ctx, "heard")
		require.NoError(t, err)
		if hd := v.(Heard); ok(hd) {
			return hd
		}
	}
}

// login connects nick to addr, registers and joins channel.
func login(t *testing.T, ctx context.Context, s *axon.Scheduler, addr, nick, channel string) *axon.Handle {
	conn, err := Dial(addr, internet.WithDialTimeout(5*time.Second))
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, conn)
	require.NoError(t, h.Put(ctx, "talk", Nick(nick)))
	require.NoError(t, h.Put(ctx, "talk", User(nick, "Test "+nick)))
	until(t, ctx, h, func(hd Heard) bool { return hd.Command == "001" })
	require.NoError(t, h.Put(ctx, "talk", Join(channel)))
	until(t, ctx, h, func(hd Heard) bool { return hd.Command == "JOIN" && hd.Sender == nick })
	return h
}

func TestTwoClientsTalkThroughNgircd(t *testing.T) {
	addr := ngircd(t)
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	alice := login(t, ctx, s, addr, "alice", "#kamtest")
	bob := login(t, ctx, s, addr, "bob", "#kamtest")
	until(t, ctx, alice, func(hd Heard) bool { return hd.Command == "JOIN" && hd.Sender == "bob" })

	require.NoError(t, alice.Put(ctx, "talk", Privmsg("#kamtest", "hello bob")))
	got := until(t, ctx, bob, func(hd Heard) bool { return hd.Command == "PRIVMSG" })
	assert.Equal(t, [4]string{"PRIVMSG", "alice", "#kamtest", "hello bob"}, [4]string{got.Command, got.Sender, got.Receiver, got.Rest})

	require.NoError(t, bob.Put(ctx, "talk", Me("#kamtest", "waves")))
	got = until(t, ctx, alice, func(hd Heard) bool { return hd.Command == "ACTION" })
	assert.Equal(t, [4]string{"ACTION", "bob", "#kamtest", "waves"}, [4]string{got.Command, got.Sender, got.Receiver, got.Rest})

	require.NoError(t, bob.Put(ctx, "talk", Privmsg("alice", "just to you")))
	got = until(t, ctx, alice, func(hd Heard) bool { return hd.Command == "PRIVMSG" })
	assert.Equal(t, [4]string{"PRIVMSG", "bob", "alice", "just to you"}, [4]string{got.Command, got.Sender, got.Receiver, got.Rest})

	require.NoError(t, bob.Put(ctx, "talk", Quit("bye")))
	got = until(t, ctx, alice, func(hd Heard) bool { return hd.Command == "QUIT" })
	assert.Equal(t, "bob", got.Sender)
	require.NoError(t, bob.Wait(ctx))
	require.NoError(t, alice.Put(ctx, "talk", Part("#kamtest", "done")))
	until(t, ctx, alice, func(hd Heard) bool { return hd.Command == "PART" && hd.Sender == "alice" })
	require.NoError(t, alice.Put(ctx, "talk", Quit("")))
	require.NoError(t, alice.Wait(ctx))
}
