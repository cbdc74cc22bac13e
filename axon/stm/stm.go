// Package stm is a small software-transactional-memory store: the Go
// counterpart of Kamaelia's Axon.STM.
//
// A [Store] maps string keys to versioned values. Concurrency control is
// optimistic: a reader checks out a copy of a value together with the version
// it was read at, changes the copy privately, and then commits it. The commit
// succeeds only if nobody else has committed that key in the meantime (the
// version in the store still equals the version that was read). On success
// the value is stored and its version is bumped; otherwise the commit fails
// with an error wrapping [ErrConcurrentUpdate] and nothing is changed. There
// are no locks held between reading and committing, so nobody ever blocks
// waiting for a slow transaction; instead, callers that lose a race re-read
// and retry. [Store.Update] and [Store.UpdateContext] wrap that retry loop.
//
// Single keys are handled with [Store.Get] and [Store.Commit], which exchange
// [Var] values. Several keys can be read as one consistent snapshot with
// [Store.Using] and committed atomically, all or nothing, with
// [Collection.Commit].
//
// Versions start at 0 for a key that has never been committed, so reading an
// unknown key yields a Var at version 0 holding the zero value, and committing
// it creates the key at version 1.
//
// # Values and copies
//
// By default values are handed out as they are stored. That is right for
// values that are immutable (numbers, strings, structs without pointers or
// slices, or reference types that everyone agrees never to mutate). For
// mutable values such as slices, maps or pointers to structs, pass
// [WithCopy] to [New]: the store then hands out copies on every read and
// keeps a private copy of every committed value, so mutating what was read
// never changes the store behind its back.
//
// All methods of [Store] are safe for concurrent use, and commits are
// linearizable. A [Var] or [Collection] is a private working copy belonging
// to one goroutine and is not safe for concurrent use.
package stm

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrConcurrentUpdate is wrapped by the error returned when a commit fails
// because a key was committed by someone else after it was read. The caller
// should read again and retry. Use errors.Is to test for it, or errors.As
// with a *[ConflictError] to learn which key conflicted.
var ErrConcurrentUpdate = errors.New("stm: concurrent update")

// ErrNotInCollection is wrapped by the error returned by [Collection.Get]
// for, and by [Collection.Commit] after a [Collection.Set] of, a key that was
// not named in the [Store.Using] call that created the collection.
var ErrNotInCollection = errors.New("stm: key not in collection")

// ErrForeignVar is wrapped by the error returned by [Store.Commit] when the
// [Var] is nil or was not checked out from that store with [Store.Get].
var ErrForeignVar = errors.New("stm: var does not belong to this store")

// ConflictError describes a failed commit: the key whose version in the store
// no longer matched the version it had been read at. It unwraps to
// [ErrConcurrentUpdate].
type ConflictError struct {
	// Key is the key that had been changed by someone else.
	Key string
	// ReadVersion is the version the key had when it was read.
	ReadVersion uint64
	// StoreVersion is the version the key had in the store at commit time.
	StoreVersion uint64
}

// Error implements the error interface.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("stm: concurrent update of key %q: read at version %d, store is at version %d",
		e.Key, e.ReadVersion, e.StoreVersion)
}

// Unwrap returns [ErrConcurrentUpdate], so that
// errors.Is(err, ErrConcurrentUpdate) holds for every *ConflictError.
func (e *ConflictError) Unwrap() error { return ErrConcurrentUpdate }

// Option configures a [Store] created by [New].
type Option[V any] func(*Store[V])

// WithCopy makes the store copy values with fn: every value handed out by a
// read ([Store.Get], [Store.Using], and the argument passed to the function
// given to [Store.Update]) is a fresh copy, and every committed value is
// copied before it is stored. Use it for mutable values such as slices, maps
// or pointers; fn must return a deep enough copy that mutating it cannot
// affect the original. A nil fn means no copying.
func WithCopy[V any](fn func(V) V) Option[V] {
	return func(s *Store[V]) { s.copy = fn }
}

// entry is a stored value and its version. Stored values are never mutated
// in place: a commit replaces the whole entry.
type entry[V any] struct {
	value   V
	version uint64
}

// Store is a versioned key/value store with optimistic, transactional
// commits. Create one with [New]. The zero value is also an empty store ready
// to use, equivalent to New with no options (values are returned as is, not
// copied). A Store must not be copied after first use.
type Store[V any] struct {
	mu   sync.RWMutex
	data map[string]entry[V]
	copy func(V) V // nil: values are shared, not copied
}

// New returns an empty store configured by opts.
func New[V any](opts ...Option[V]) *Store[V] {
	s := &Store[V]{data: make(map[string]entry[V])}
	for _, opt := range opts {
		if opt != nil {
			opt(s)
		}
	}
	return s
}

// clone returns a copy of v if the store copies values, else v itself.
func (s *Store[V]) clone(v V) V {
	if s.copy == nil {
		return v
	}
	return s.copy(v)
}

// read returns the entry for key under the read lock. An unknown key gives
// the zero entry (zero value, version 0).
func (s *Store[V]) read(key string) entry[V] {
	s.mu.RLock()
	e := s.data[key]
	s.mu.RUnlock()
	return e
}

// Get checks out key: it returns a [Var] holding the key's current value
// (a copy if the store was created with [WithCopy]) and the version it was
// read at. For a key that has never been committed it returns a Var at
// version 0 holding the zero value of V; committing that Var creates the key.
// The error is always nil at present; it is there so that callers are ready
// for stores that can fail.
func (s *Store[V]) Get(key string) (*Var[V], error) {
	e := s.read(key)
	v := &Var[V]{store: s, key: key, version: e.version, value: e.value}
	if e.version != 0 {
		// Stored values are immutable, so copying outside the lock is safe.
		v.value = s.clone(e.value)
	}
	return v, nil
}

// Commit stores the value of v if the key has not been committed by anyone
// else since v was read, that is, if the key's version in the store still
// equals v.Version(). The key's version is then incremented and v is moved
// to the new version, so the same Var may be changed and committed again.
// Otherwise nothing is stored, and the error is a *[ConflictError] wrapping
// [ErrConcurrentUpdate]: read the key again and retry. Committing a nil Var,
// or one not obtained from this store's Get, fails with [ErrForeignVar].
func (s *Store[V]) Commit(v *Var[V]) error {
	if v == nil || v.store != s {
		return ErrForeignVar
	}
	// Copy before locking: copying may be slow, and fn is user code.
	value := s.clone(v.value)
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.data[v.key]
	if cur.version != v.version {
		return &ConflictError{Key: v.key, ReadVersion: v.version, StoreVersion: cur.version}
	}
	if s.data == nil {
		s.data = make(map[string]entry[V])
	}
	next := entry[V]{value: value, version: cur.version + 1}
	s.data[v.key] = next
	v.version = next.version
	return nil
}

// Update runs a read-modify-commit transaction on key, retrying until it
// commits: it reads the key (as [Store.Get] does, so an unknown key starts
// from the zero value), calls fn with the value, and commits what fn returns.
// If the commit loses a race with another writer, it starts again with the
// newer value, so fn may be called several times and must have no side
// effects beyond computing its result. If fn returns an error, Update stops
// and returns that error without committing.
func (s *Store[V]) Update(key string, fn func(V) (V, error)) error {
	return s.UpdateContext(context.Background(), key, fn)
}

// UpdateContext is [Store.Update] that also gives up when ctx is done. The
// context is checked before every attempt, including the first; once it is
// done UpdateContext returns an error wrapping ctx.Err() (so
// errors.Is(err, context.Canceled) works) without committing.
func (s *Store[V]) UpdateContext(ctx context.Context, key string, fn func(V) (V, error)) error {
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stm: update of key %q: %w", key, err)
		}
		v, err := s.Get(key)
		if err != nil {
			return err
		}
		nv, err := fn(v.value)
		if err != nil {
			return err
		}
		v.value = nv
		err = s.Commit(v)
		if err == nil || !errors.Is(err, ErrConcurrentUpdate) {
			return err
		}
	}
}

// Using checks out several keys at once. All of them are read under one lock,
// so the [Collection] is a consistent snapshot: no commit is half visible in
// it. Unknown keys read as the zero value at version 0, as with
// [Store.Get]. Duplicate keys are read once.
func (s *Store[V]) Using(keys ...string) *Collection[V] {
	c := &Collection[V]{
		store: s,
		keys:  make([]string, 0, len(keys)),
		cells: make(map[string]*cell[V], len(keys)),
	}
	s.mu.RLock()
	for _, k := range keys {
		if _, dup := c.cells[k]; dup {
			continue
		}
		e := s.data[k]
		c.keys = append(c.keys, k)
		c.cells[k] = &cell[V]{value: e.value, version: e.version}
	}
	s.mu.RUnlock()
	if s.copy != nil {
		for _, cl := range c.cells {
			if cl.version != 0 {
				cl.value = s.copy(cl.value)
			}
		}
	}
	return c
}

// Var is a checked-out copy of one key's value, together with the version of
// the key it was read at. Obtain one from [Store.Get], change it with
// [Var.Set], and write it back with [Store.Commit]. A Var is a private working
// copy, not safe for concurrent use.
type Var[V any] struct {
	store   *Store[V]
	key     string
	value   V
	version uint64
}

// Key returns the key v was read from.
func (v *Var[V]) Key() string { return v.key }

// Value returns the value currently held by v: the value read, or the last
// one passed to [Var.Set].
func (v *Var[V]) Value() V { return v.value }

// Set replaces the value held by v. The store is not changed until v is
// committed with [Store.Commit].
func (v *Var[V]) Set(value V) { v.value = value }

// Version returns the version of the key that v was read at (0 for a key
// that did not exist), or, after a successful commit, the version it
// created.
func (v *Var[V]) Version() uint64 { return v.version }

// cell is one key's working copy in a Collection.
type cell[V any] struct {
	value   V
	version uint64
	dirty   bool // set since read or last commit
}

// Collection is a consistent, checked-out snapshot of several keys, created
// by [Store.Using]. Read and change its values with [Collection.Get] and
// [Collection.Set], then write all changes atomically with
// [Collection.Commit]. A Collection is a private working copy, not safe for
// concurrent use.
type Collection[V any] struct {
	store   *Store[V]
	keys    []string // in the order given to Using, without duplicates
	cells   map[string]*cell[V]
	foreign []string // keys Set that are not in the collection
}

// Keys returns the keys of the collection, in the order they were given to
// [Store.Using], without duplicates.
func (c *Collection[V]) Keys() []string {
	return append([]string(nil), c.keys...)
}

// Get returns the value the collection holds for key: the value read, or the
// last one passed to [Collection.Set]. For a key that is not in the
// collection it returns the zero value and an error wrapping
// [ErrNotInCollection].
func (c *Collection[V]) Get(key string) (V, error) {
	cl, ok := c.cells[key]
	if !ok {
		var zero V
		return zero, fmt.Errorf("stm: get of key %q: %w", key, ErrNotInCollection)
	}
	return cl.value, nil
}

// Set replaces the value the collection holds for key. The store is not
// changed until [Collection.Commit]. Setting a key that is not in the
// collection is recorded, and makes Commit fail with [ErrNotInCollection]:
// a transaction may only write what it read.
func (c *Collection[V]) Set(key string, value V) {
	cl, ok := c.cells[key]
	if !ok {
		for _, k := range c.foreign {
			if k == key {
				return
			}
		}
		c.foreign = append(c.foreign, key)
		return
	}
	cl.value = value
	cl.dirty = true
}

// Commit writes the collection back atomically: all or nothing. It succeeds
// only if none of the collection's keys, whether Set or only read, has been
// committed by anyone else since it was read. Then every key that was Set is
// stored and its version incremented, and the collection moves to the new
// versions, so it may be changed and committed again. Keys only read are left
// untouched in the store. Otherwise nothing at all is stored, and the error
// is a *[ConflictError] for the first conflicting key (in the order given to
// [Store.Using]) wrapping [ErrConcurrentUpdate]: call Using again and retry.
// If a key that is not in the collection was Set, Commit stores nothing and
// returns an error wrapping [ErrNotInCollection].
func (c *Collection[V]) Commit() error {
	if len(c.foreign) > 0 {
		return fmt.Errorf("stm: commit of key %q: %w", c.foreign[0], ErrNotInCollection)
	}
	s := c.store
	// Copy dirty values before locking.
	values := make(map[string]V)
	for _, k := range c.keys {
		if cl := c.cells[k]; cl.dirty {
			values[k] = s.clone(cl.value)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range c.keys {
		cl := c.cells[k]
		if cur := s.data[k]; cur.version != cl.version {
			return &ConflictError{Key: k, ReadVersion: cl.version, StoreVersion: cur.version}
		}
	}
	if len(values) == 0 {
		return nil
	}
	if s.data == nil {
		s.data = make(map[string]entry[V])
	}
	for _, k := range c.keys {
		cl := c.cells[k]
		if !cl.dirty {
			continue
		}
		cl.version++
		cl.dirty = false
		s.data[k] = entry[V]{value: values[k], version: cl.version}
	}
	return nil
}
