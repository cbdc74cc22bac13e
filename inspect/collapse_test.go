//go:build unix

package inspect_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/inspect"
	"github.com/kamaelia-go/kamaelia/internal/browsertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPageClosesTheCompositesOfABigSystemInChromium draws a system of more
// than 200 components, three composites of 70 and a monitor, and checks
// from the DOM that each composite is one closed box saying what it holds,
// that none of its children is drawn, that a link from a child inside one
// meets the composite's edge, and that a search for a child opens its
// composite and draws it.
func TestPageClosesTheCompositesOfABigSystemInChromium(t *testing.T) {
	browsertest.SkipWithout(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	s := axontest.NewScheduler(t)
	const n = 70
	var groups []*part
	var tapper *axontest.Relay[int]
	for _, name := range []string{"alpha", "beta", "gamma"} {
		var kids []*axontest.Relay[int]
		for i := range n {
			kids = append(kids, relay(fmt.Sprintf("%s %d", name, i)))
		}
		if name == "gamma" {
			tapper = kids[5]
		}
		groups = append(groups, group(name, kids...))
	}
	monitor := idle("monitor")
	axon.MustLink(axon.NewOutbox[int](tapper, "tap"), monitor.in)
	axon.MustLink(groups[0].out, groups[1].in)
	s.Activate(groups[0], groups[1], groups[2], monitor)
	total := 3*n + 4
	srv, err := inspect.Start(s, inspect.WithInterval(100*time.Millisecond))
	require.NoError(t, err)
	defer func() { require.NoError(t, srv.Close()) }()
	settle(t, ctx, srv.URL(), func(snap *axon.Snapshot) bool { return len(snap.Components) == total })

	polled := srv.URL() + "?poll=250"
	dom := string(browsertest.Chromium(t, ctx, "--virtual-time-budget=3000", "--window-size=1400,900", "--dump-dom", polled))
	assert.Contains(t, dom, `data-compact="false"`, "four boxes are drawn in full")
	for _, g := range groups {
		assert.Regexp(t, regexp.MustCompile(fmt.Sprintf(`<g class="comp collapsed"[^>]*data-id="%d" data-name="%s" data-children="%d"`, g.ID(), g.Name(), n)), dom)
	}
	assert.Contains(t, dom, fmt.Sprintf("\u25b8 %d inside: click to open", n))
	assert.NotContains(t, dom, `data-name="alpha 3"`, "a closed composite's children are not drawn")
	assert.Contains(t, dom, fmt.Sprintf(`data-from="%d.tap" data-to="%d.inbox"`, tapper.ID(), monitor.ID()),
		"a link from inside a closed composite is drawn from its edge")
	assert.Contains(t, dom, fmt.Sprintf(`data-from="%d.outbox" data-to="%d.inbox"`, groups[0].ID(), groups[1].ID()))

	dom = string(browsertest.Chromium(t, ctx, "--virtual-time-budget=3000", "--window-size=1400,900", "--dump-dom", polled+"&find=beta%207"))
	assert.Regexp(t, regexp.MustCompile(fmt.Sprintf(`<g class="comp group"[^>]*data-id="%d"`, groups[1].ID())), dom, "beta is open")
	assert.Regexp(t, `<g class="comp[^"]*match found"[^>]*data-name="beta 7"`, dom)
	assert.Contains(t, dom, `data-name="beta 69"`, "all of beta's children are drawn")
	assert.NotContains(t, dom, `data-name="alpha 3"`, "alpha stays closed")
}
