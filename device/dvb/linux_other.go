//go:build !(linux && (cgo || amd64 || arm))

package dvb

import (
	"fmt"
	"io"
)

// LinuxAdapter returns Linux DVB adapter n. On this platform it cannot be
// opened: every Open fails with ErrNoLinuxDVB.
func LinuxAdapter(n int) Device { return noAdapter(fmt.Sprintf("adapter%d", n)) }

type noAdapter string

func (a noAdapter) Name() string { return string(a) }

func (a noAdapter) OpenFrontend() (Frontend, error) {
	return nil, fmt.Errorf("%s: %w", a, ErrNoLinuxDVB)
}

func (a noAdapter) OpenFilter([]uint16) (Filter, error) {
	return nil, fmt.Errorf("%s: %w", a, ErrNoLinuxDVB)
}

func (a noAdapter) OpenDVR() (io.ReadCloser, error) {
	return nil, fmt.Errorf("%s: %w", a, ErrNoLinuxDVB)
}
