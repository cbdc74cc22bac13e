// Package scripts holds the tests of the shell scripts beside it: fuzz, which
// `make fuzz` runs.
package scripts
