package axon_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A scheduler keeps the first hundred failures for Run to return and
// counts the rest, so that one running for ever, under a supervisor that
// restarts a failing child again and again, does not keep them all.
func TestSchedulerKeepsAHundredFailuresAndCountsTheRest(t *testing.T) {
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.DiscardHandler))
	comps := make([]axon.Component, 150)
	for i := range comps {
		comps[i] = &funcComp{main: func(context.Context) error { return fmt.Errorf("failure %d", i) }}
	}
	err := s.Run(comps...)
	require.Error(t, err)
	var joined interface{ Unwrap() []error }
	require.True(t, errors.As(err, &joined))
	errs := joined.Unwrap()
	require.Len(t, errs, 101)
	assert.EqualError(t, errs[100], "axon: 50 more failures (logged)")
	var f *axon.Failure
	assert.ErrorAs(t, errs[0], &f)
	assert.NoError(t, s.Run(), "the count starts again")
}
