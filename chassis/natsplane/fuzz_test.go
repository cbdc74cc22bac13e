package natsplane_test

import (
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/stretchr/testify/require"
)

// Subject turns any Backplane name into a valid NATS subject or refuses it
// with ErrBadName: never a subject with a wildcard, white space or an empty
// token.
func FuzzSubject(f *testing.F) {
	for _, s := range []string{"VIDEO", "a.b", "a..b", ".a", "a.", "*", "a.>", "two words", "", "tab\there", "ünïcode"} {
		f.Add(s)
	}
	tr := natsplane.Dial("nats://127.0.0.1:1")
	f.Fuzz(func(t *testing.T, name string) {
		subject, err := tr.Subject(name)
		if err != nil {
			require.ErrorIs(t, err, natsplane.ErrBadName)
			return
		}
		require.Equal(t, natsplane.DefaultSubjectPrefix+name, subject)
		require.NotContains(t, subject, "..")
		require.False(t, strings.HasSuffix(subject, "."))
		require.False(t, strings.ContainsAny(subject, " \t\r\n*>"))
	})
}
