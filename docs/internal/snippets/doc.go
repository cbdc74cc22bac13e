// Package snippets holds the test that type-checks the Go blocks of README.md
// and docs/*.md against the module's packages, so the docs cannot drift from
// the API they show. docs/tutorial does the same, more strictly, for
// docs/tutorial.md.
package snippets
