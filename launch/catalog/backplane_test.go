package catalog_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/kamaelia-go/kamaelia/launch/catalog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLaunchBackplaneEndsAtTheEndOfInput runs a launch line that publishes
// standard input through a Backplane: at the end of input the reader ends,
// its PublishTo ends, the Backplane ends with its last publisher, and its
// subscriber and the echoer after it end, so the whole line ends by itself.
func TestLaunchBackplaneEndsAtTheEndOfInput(t *testing.T) {
	ctx := axontest.Context(t)
	stdin, typing := io.Pipe()
	var stdout bytes.Buffer
	e := catalog.Env{Stdin: stdin, Stdout: &stdout, Stderr: io.Discard}
	s := axontest.NewScheduler(t)
	l, err := newCatalog(e).BuildString(`ConsoleReader prompt="" ! ToBytes ! PublishTo topic=NEWS  Backplane name=bp topic=NEWS
		SubscribeTo name=sub topic=NEWS ! ToString ! ConsoleEchoer`, launch.OnScheduler(s))
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, l.Component())
	select {
	case <-l.Element("sub").(*chassis.Subscriber[[]byte]).Subscribed():
	case <-ctx.Done():
		t.Fatal("the subscriber did not join")
	}
	_, err = io.WriteString(typing, "one\ntwo\n")
	require.NoError(t, err)
	require.NoError(t, typing.Close())
	require.NoError(t, h.Wait(ctx), "the line ends by itself at the end of input")
	assert.Equal(t, "one\ntwo\n", stdout.String())
	assert.Equal(t, axon.Finished, l.Element("bp").(*chassis.Backplane[[]byte]).State())
}
