// Package greet says hello. See [Hello] and [strings.ToUpper].
package greet

import "strings"

// Loud is how Hello shouts.
const Loud = true

// Greeter says hello to someone.
type Greeter struct {
	// Name is who is greeted.
	Name  string
	count int // greetings so far
}

// NewGreeter returns a Greeter for name.
func NewGreeter(name string) *Greeter { return &Greeter{Name: name} }

// Hello returns the greeting.
func (g *Greeter) Hello() string {
	g.count++
	return Hello(g.Name)
}

// Hello greets name.
func Hello(name string) string { return strings.ToUpper("hello, " + name) }
