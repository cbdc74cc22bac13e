// Package snippets holds the tests that type-check the Go blocks of README.md
// and docs/*.md, and the Go code blocks of the module's doc comments, against
// the module's packages, so the docs cannot drift from the API they show.
// docs/tutorial does the same, more strictly, for docs/tutorial.md.
package snippets
