package irctest

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestNgircdWelcomesAClient(t *testing.T) {
	addr := Ngircd(t)
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer func() { _ = c.Close() }()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = c.Write([]byte("NICK tester\r\nUSER tester 0 * :Tester\r\n"))
	require.NoError(t, err)
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		if strings.Contains(sc.Text(), " 001 tester ") {
			return
		}
	}
	t.Fatalf("no welcome: %v", sc.Err())
}
