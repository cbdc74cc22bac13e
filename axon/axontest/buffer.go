package axontest

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer that components, helper goroutines and the
// copying goroutines of os/exec may write while the test reads it. Its
// zero value is ready to use.
type Buffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // closed at the first write of any bytes
}

// Write appends p; it never fails.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(p) > 0 && b.b.Len() == 0 {
		close(b.writtenLocked())
	}
	return b.b.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Written returns a channel closed once any bytes have been written: a
// test waits on it for a program's first line instead of polling.
func (b *Buffer) Written() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.writtenLocked()
}

func (b *Buffer) writtenLocked() chan struct{} {
	if b.written == nil {
		b.written = make(chan struct{})
	}
	return b.written
}
