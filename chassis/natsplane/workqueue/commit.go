package workqueue

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// CommitFile is an idempotent commit for a Handler that writes a file: it
// puts the finished file tmp in place as final in one atomic step (a hard
// link, which fails when final exists) and removes tmp. committed is true
// when this call put it there, false when final was there already (an
// earlier attempt at the job committed it: this attempt's file is dropped,
// and the job is done). tmp and final must be on one file system; give
// each attempt a tmp of its own (os.CreateTemp in final's directory).
func CommitFile(tmp, final string) (committed bool, err error) {
	err = os.Link(tmp, final)
	switch {
	case err == nil:
		committed = true
	case errors.Is(err, fs.ErrExist):
	default:
		return false, fmt.Errorf("workqueue: committing %s: %w", final, err)
	}
	if err := os.Remove(tmp); err != nil {
		return committed, fmt.Errorf("workqueue: committed %s, but removing %s: %w", final, tmp, err)
	}
	return committed, nil
}
