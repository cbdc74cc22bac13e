// Package irctest starts a real IRC server for tests: Debian's ngircd,
// which `make setup` installs.
package irctest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Ngircd starts Debian's ngircd on a free loopback port, as a foreground
// process with a generated configuration, and returns its address
// ("127.0.0.1:port"); it is killed when the test ends. The test is skipped,
// saying why, when ngircd is not installed.
func Ngircd(t testing.TB) string {
	bin, err := exec.LookPath("ngircd")
	if err != nil {
		for _, p := range []string{"/usr/sbin/ngircd", "/usr/local/sbin/ngircd"} {
			if _, e := os.Stat(p); e == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		t.Skip("ngircd is not installed (make setup installs it): the IRC tests against a real server are skipped")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	dir := t.TempDir()
	conf := filepath.Join(dir, "ngircd.conf")
	require.NoError(t, os.WriteFile(conf, fmt.Appendf(nil, `[Global]
	Name = irc.kamaelia.test
	Info = kamaelia-go test server
	Listen = 127.0.0.1
	Ports = %d
	MotdPhrase = "test server"
	AdminInfo1 = test
	AdminInfo2 = test
	AdminEMail = test@localhost
[Limits]
	MaxNickLength = 30
[Options]
	DNS = no
	Ident = no
	PAM = no
`, port), 0o644))
	cmd := exec.Command(bin, "-n", "-f", conf)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = cmd.Stdout
	require.NoError(t, cmd.Start())
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		said := false
		for sc.Scan() {
			if !said && strings.Contains(sc.Text(), "ready") {
				ready <- true
				said = true
			}
		}
		if !said {
			ready <- false
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	select {
	case ok := <-ready:
		require.True(t, ok, "ngircd ended before it was ready")
	case <-time.After(10 * time.Second):
		t.Fatal("ngircd was not ready within 10 s")
	}
	return fmt.Sprintf("127.0.0.1:%d", port)
}
