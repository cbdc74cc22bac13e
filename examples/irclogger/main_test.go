package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/kamaelia-go/kamaelia/internet/irc"
	"github.com/kamaelia-go/kamaelia/internet/irc/irctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// heard takes what h heard until ok says so.
func heard(t *testing.T, ctx context.Context, h *axon.Handle, ok func(irc.Heard) bool) irc.Heard {
	t.Helper()
	for {
		v, err := h.Get(ctx, "heard")
		require.NoError(t, err)
		if hd := v.(irc.Heard); ok(hd) {
			return hd
		}
	}
}

func TestLogsAChannelOfARealServer(t *testing.T) {
	addr := irctest.Ngircd(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	// A user joins first, so that she sees the logger join.
	conn, err := irc.Dial(addr, internet.WithDialTimeout(5*time.Second))
	require.NoError(t, err)
	user := axontest.NewHandle(t, axontest.NewScheduler(t), conn)
	require.NoError(t, user.Put(ctx, "talk", irc.Nick("ann")))
	require.NoError(t, user.Put(ctx, "talk", irc.User("ann", "Ann")))
	heard(t, ctx, user, func(h irc.Heard) bool { return h.Command == "001" })
	require.NoError(t, user.Put(ctx, "talk", irc.Join("#log")))
	heard(t, ctx, user, func(h irc.Heard) bool { return h.Command == "JOIN" })

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	var stderr bytes.Buffer
	go func() {
		done <- run(runCtx, []string{"-server", addr, "-channel", "#log", "-nick", "logbot", "-dir", dir}, nil, nil, &stderr)
	}()
	heard(t, ctx, user, func(h irc.Heard) bool { return h.Command == "JOIN" && h.Sender == "logbot" })
	for _, line := range []string{"good morning", "[off] not this", "logbot: date"} {
		require.NoError(t, user.Put(ctx, "talk", irc.Privmsg("#log", line)))
	}
	date := heard(t, ctx, user, func(h irc.Heard) bool { return h.Command == "PRIVMSG" && h.Sender == "logbot" }).Rest
	stop()
	require.NoError(t, <-done, "stopped, as by Ctrl-C")

	b, err := os.ReadFile(filepath.Join(dir, "#log"+date+".log"))
	require.NoError(t, err)
	log := string(b)
	assert.Contains(t, log, "<ann> good morning\n")
	assert.Contains(t, log, "<logbot> "+date+"\n")
	assert.NotContains(t, log, "not this")
	assert.Equal(t, 3, strings.Count(log, "\n"), log)
	require.NoError(t, user.Put(ctx, "talk", irc.Quit("")))
	require.NoError(t, user.Wait(ctx))
}

func TestNeedsAChannel(t *testing.T) {
	var stderr bytes.Buffer
	err := run(t.Context(), nil, nil, nil, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-channel is needed")
	assert.Contains(t, stderr.String(), "-server")
}
