package irc

import (
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func privmsg(from, to, text string) Heard {
	return heardOf(Message{Prefix: from + "!u@h", Command: "PRIVMSG", Params: []string{to, text}})
}

func read(t *testing.T, name string) string {
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}

func TestLoggerSwitchesFilesAtMidnight(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		// The bubble's clock starts at midnight UTC, 1 January 2000.
		time.Sleep(23*time.Hour + 58*time.Minute)
		s := axon.NewScheduler()
		h, err := axon.NewHandle(s, NewLogger(LoggerConfig{Nick: "kamlog", Channel: "#c", Dir: dir, Location: time.UTC}))
		require.NoError(t, err)
		ctx := t.Context()
		for _, want := range []Command{Nick("kamlog"), User("kamlog", "Kamaelia logger")} {
			got, err := h.Get(ctx, "outbox")
			require.NoError(t, err)
			assert.Equal(t, want, got)
		}
		require.NoError(t, h.Put(ctx, "inbox", heardOf(Message{Prefix: "s", Command: "001", Params: []string{"kamlog", "Welcome"}})))
		got, err := h.Get(ctx, "outbox")
		require.NoError(t, err)
		assert.Equal(t, Join("#c"), got)

		for _, m := range []Heard{
			heardOf(Message{Prefix: "ann!u@h", Command: "JOIN", Params: []string{"#c"}}),
			privmsg("ann", "#c", "hello"),
			privmsg("ann", "#c", "[off] not for the record"),
			privmsg("ann", "someoneelse", "private"),
			heardOf(Message{Prefix: "ann!u@h", Command: "PRIVMSG", Params: []string{"#c", "\x01ACTION waves\x01"}}),
		} {
			require.NoError(t, h.Put(ctx, "inbox", m))
		}
		require.NoError(t, h.Put(ctx, "inbox", privmsg("ann", "#c", "kamlog: logfile")))
		got, err = h.Get(ctx, "outbox")
		require.NoError(t, err)
		assert.Equal(t, Privmsg("#c", "#c01-01-2000.log"), got)

		time.Sleep(3 * time.Minute) // past midnight
		require.NoError(t, h.Put(ctx, "inbox", privmsg("ann", "#c", "kamlog, date")))
		got, err = h.Get(ctx, "outbox")
		require.NoError(t, err)
		assert.Equal(t, Privmsg("#c", "02-01-2000"), got)
		for _, ask := range []string{"time", "dance", "help", "sing"} {
			require.NoError(t, h.Put(ctx, "inbox", privmsg("ann", "#c", "kamlog: "+ask)))
			got, err = h.Get(ctx, "outbox")
			require.NoError(t, err)
			switch ask {
			case "time":
				assert.Equal(t, Privmsg("#c", "00:01:00"), got)
			case "dance":
				assert.Equal(t, Me("#c", "does the macarena"), got)
			case "help":
				assert.Contains(t, got.(Command).Args[1], "logfile, infofile, date, time, dance")
			default:
				assert.Contains(t, got.(Command).Args[1], `I don't know "sing"`)
			}
		}
		require.NoError(t, h.Finish(ctx))
		require.NoError(t, h.Wait(ctx))
	})
	assert.Equal(t, "[23:58] <ann> hello\n[23:58] * ann waves\n[23:58] <ann> kamlog: logfile\n[23:58] <kamlog> #c01-01-2000.log\n",
		read(t, filepath.Join(dir, "#c01-01-2000.log")))
	assert.Equal(t, "[23:58] ann has joined #c\n", read(t, filepath.Join(dir, "#c01-01-2000.info")))
	day2 := read(t, filepath.Join(dir, "#c02-01-2000.log"))
	assert.Contains(t, day2, "[00:01] <ann> kamlog, date\n[00:01] <kamlog> 02-01-2000\n")
	assert.Contains(t, day2, "[00:01] * kamlog does the macarena\n")
	assert.NotContains(t, day2+read(t, filepath.Join(dir, "#c01-01-2000.log")), "not for the record")
}

func TestLoggerAgainstNgircd(t *testing.T) {
	addr := ngircd(t)
	dir := t.TempDir()
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	alice := login(t, ctx, s, addr, "alice", "#kamtest")
	conn, err := Dial(addr, internet.WithDialTimeout(5*time.Second))
	require.NoError(t, err)
	logger := NewLogger(LoggerConfig{Nick: "kamlog", Channel: "#kamtest", Dir: dir, Location: time.UTC})
	_, err = axon.LinkByName(conn, "heard", logger, "inbox")
	require.NoError(t, err)
	_, err = axon.LinkByName(logger, "outbox", conn, "talk")
	require.NoError(t, err)
	lh := axontest.NewHandle(t, s, logger, "control", "signal")
	ch := axontest.NewHandle(t, s, conn, "control", "signal")

	until(t, ctx, alice, func(hd Heard) bool { return hd.Command == "JOIN" && hd.Sender == "kamlog" })
	require.NoError(t, alice.Put(ctx, "talk", Privmsg("#kamtest", "[off] secret")))
	require.NoError(t, alice.Put(ctx, "talk", Privmsg("#kamtest", "on the record")))
	require.NoError(t, alice.Put(ctx, "talk", Privmsg("#kamtest", "kamlog: logfile")))
	got := until(t, ctx, alice, func(hd Heard) bool { return hd.Command == "PRIVMSG" && hd.Sender == "kamlog" })
	name := got.Rest
	assert.Regexp(t, `^#kamtest\d\d-\d\d-\d{4}\.log$`, name)
	require.NoError(t, alice.Put(ctx, "talk", Quit("bye")))
	require.NoError(t, alice.Wait(ctx))
	require.NoError(t, ch.Put(ctx, "control", axon.Shutdown{}))
	require.NoError(t, lh.Put(ctx, "control", axon.ProducerFinished{}))
	_, err = lh.Get(ctx, "signal")
	require.NoError(t, err)
	log := read(t, filepath.Join(dir, name))
	assert.Regexp(t, `^\[\d\d:\d\d\] <alice> on the record\n\[\d\d:\d\d\] <alice> kamlog: logfile\n\[\d\d:\d\d\] <kamlog> #kamtest`, log)
	assert.NotContains(t, log, "secret")
}
