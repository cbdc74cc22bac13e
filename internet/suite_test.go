package internet_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The transport suite: one set of behaviours that plain TCP and TLS must
// both show, on IPv4 and IPv6 loopback, as watermill's pub/sub suite is one
// for every transport.

type transport struct {
	name   string
	server []internet.ServerOption
	client []internet.ClientOption
}

func transports(t *testing.T) []transport {
	pki := newPKI(t)
	scfg, err := internet.ServerTLSConfig(pki.certFile, pki.keyFile, "")
	require.NoError(t, err)
	ccfg, err := internet.ClientTLSConfig(pki.caFile, "", "")
	require.NoError(t, err)
	return []transport{
		{name: "tcp"},
		{name: "tls", server: []internet.ServerOption{internet.WithTLS(scfg)}, client: []internet.ClientOption{internet.WithTLS(ccfg)}},
	}
}

func TestTransportSuite(t *testing.T) {
	for _, tr := range transports(t) {
		for _, lb := range loopbacks {
			t.Run(tr.name+"/"+lb.name, func(t *testing.T) {
				listen(t, lb.addr).Close() // skips without IPv6
				t.Run("EchoUntilTheClientHalfCloses", func(t *testing.T) { testEchoUntilHalfClose(t, tr, lb.addr) })
				t.Run("ServerFinishesFirst", func(t *testing.T) { testServerFinishesFirst(t, tr, lb.addr) })
				t.Run("ClientShutdownEndsServerConn", func(t *testing.T) { testClientShutdown(t, tr, lb.addr) })
				t.Run("ConcurrentClients", func(t *testing.T) { testConcurrentClients(t, tr, lb.addr) })
			})
		}
	}
}

// server runs a TCPServer whose connections are handed to wire, then
// activated; it returns the server. The server and its connections end
// with the test.
func server(t *testing.T, s *axon.Scheduler, addr string, wire func(*internet.Conn), opts ...internet.ServerOption) *internet.TCPServer {
	t.Helper()
	srv, err := internet.NewTCPServer(addr, opts...)
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, srv)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			m, err := h.Get(context.Background(), "outbox")
			if err != nil {
				return // the server has ended
			}
			conn := m.(*internet.Conn)
			wire(conn)
			s.Activate(conn)
		}
	})
	t.Cleanup(func() {
		h.Close()
		wg.Wait()
	})
	return srv
}

// echo wires a connection to write back what it reads, and to end once the
// peer has closed its side and everything has been written back.
func echo(conn *internet.Conn) {
	axon.MustLink(conn.Out, conn.In)
	axon.MustLink(conn.Signal(), conn.Control())
}

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func testEchoUntilHalfClose(t *testing.T, tr transport, addr string) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	var conns []*internet.Conn
	var mu sync.Mutex
	srv := server(t, s, addr, func(c *internet.Conn) {
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
		echo(c)
	}, append(tr.server, internet.WithPeerHalfClose())...)

	cl := internet.NewTCPClient(srv.Addr().String(), append(tr.client, internet.WithWaitForPeerClose())...)
	h := axontest.NewHandle(t, s, cl)
	want := randomBytes(t, 256<<10)
	for b := want; len(b) > 0; {
		n := min(len(b), 5000)
		require.NoError(t, h.Put(ctx, "inbox", b[:n]))
		b = b[n:]
	}
	require.NoError(t, h.Finish(ctx)) // write, half-close, read to the end
	got := rest(t, ctx, h)
	assert.Equal(t, sha256.Sum256(want), sha256.Sum256(got), "every byte echoed, in order (%d of %d)", len(got), len(want))
	assert.ErrorIs(t, reason(t, get(t, ctx, h, "signal")), internet.ErrPeerClosed)

	mu.Lock()
	require.Len(t, conns, 1)
	conn := conns[0]
	mu.Unlock()
	<-conn.Done()
	require.NoError(t, h.Wait(ctx))
	assert.Equal(t, internet.ConnStats{BytesRead: uint64(len(want)), BytesWritten: uint64(len(want))}, conn.Stats())
	assert.Equal(t, internet.ConnStats{BytesRead: uint64(len(want)), BytesWritten: uint64(len(want))}, cl.Stats())
}

func testServerFinishesFirst(t *testing.T, tr transport, addr string) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	handles := make(chan *axon.Handle, 1)
	srv, err := internet.NewTCPServer(addr, tr.server...)
	require.NoError(t, err)
	hs := axontest.NewHandle(t, s, srv)
	h := axontest.NewHandle(t, s, internet.NewTCPClient(srv.Addr().String(), tr.client...))
	conn := get(t, ctx, hs, "outbox").(*internet.Conn)
	hc := axontest.NewHandle(t, s, conn)
	handles <- hc
	require.NoError(t, hc.Put(ctx, "inbox", []byte("greetings, ")))
	require.NoError(t, hc.Put(ctx, "inbox", []byte("and goodbye")))
	require.NoError(t, hc.Finish(ctx))
	assert.Equal(t, axon.ProducerFinished{}, get(t, ctx, hc, "signal"))

	assert.Equal(t, "greetings, and goodbye", string(rest(t, ctx, h)))
	assert.ErrorIs(t, reason(t, get(t, ctx, h, "signal")), internet.ErrPeerClosed)
}

func testClientShutdown(t *testing.T, tr transport, addr string) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	srv, err := internet.NewTCPServer(addr, tr.server...)
	require.NoError(t, err)
	hs := axontest.NewHandle(t, s, srv)
	cl := internet.NewTCPClient(srv.Addr().String(), tr.client...)
	h := axontest.NewHandle(t, s, cl)
	hc := axontest.NewHandle(t, s, get(t, ctx, hs, "outbox").(*internet.Conn))
	require.NoError(t, h.Put(ctx, "inbox", []byte("last words")))
	assert.Equal(t, "last words", string(readBytes(t, ctx, hc, 10)))

	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	assert.Equal(t, axon.Shutdown{}, get(t, ctx, h, "signal"))
	assert.ErrorIs(t, reason(t, get(t, ctx, hc, "signal")), internet.ErrPeerClosed)
}

func testConcurrentClients(t *testing.T, tr transport, addr string) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	srv := server(t, s, addr, echo, append(tr.server, internet.WithPeerHalfClose())...)
	const clients = 16
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			h, err := axon.NewHandle(s, internet.NewTCPClient(srv.Addr().String(), append(tr.client, internet.WithWaitForPeerClose())...))
			if !assert.NoError(t, err) {
				return
			}
			want := bytes.Repeat([]byte{byte(i)}, 3000+i)
			for range 10 {
				if !assert.NoError(t, h.Put(ctx, "inbox", want)) {
					return
				}
			}
			assert.NoError(t, h.Finish(ctx))
			got, err := collect(ctx, h)
			assert.NoError(t, err)
			assert.Equal(t, bytes.Repeat(want, 10), got, "client %d", i)
		})
	}
	wg.Wait()
	assert.Equal(t, uint64(clients), srv.Stats().Accepted)
}

// collect is rest without a *testing.T, for goroutines.
func collect(ctx context.Context, h *axon.Handle) ([]byte, error) {
	var got []byte
	for {
		v, err := h.Get(ctx, "outbox")
		if errors.Is(err, axon.ErrFinished) {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		got = append(got, v.([]byte)...)
	}
}

// --- TLS only ---

func TestTLSWrongCAFailsTheHandshake(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	good, other := newPKI(t), newPKI(t)
	scfg, err := internet.ServerTLSConfig(good.certFile, good.keyFile, "")
	require.NoError(t, err)
	ccfg, err := internet.ClientTLSConfig(other.caFile, "", "") // trusts another CA
	require.NoError(t, err)
	srv, err := internet.NewTCPServer("127.0.0.1:0", internet.WithTLS(scfg))
	require.NoError(t, err)
	hs := axontest.NewHandle(t, s, srv)
	h := axontest.NewHandle(t, s, internet.NewTCPClient(srv.Addr().String(), internet.WithTLS(ccfg)))
	// The server's side of the handshake runs in its connection's component.
	hc := axontest.NewHandle(t, s, get(t, ctx, hs, "outbox").(*internet.Conn))

	f, ok := get(t, ctx, h, "signal").(*axon.Failure)
	require.True(t, ok)
	var de *internet.DialError
	require.ErrorAs(t, f, &de)
	var unknown x509.UnknownAuthorityError
	assert.ErrorAs(t, f, &unknown, "the client does not trust the server's CA: %v", f)

	// The server's connection ends with the failed handshake as its reason,
	// and the server goes on serving.
	ss := reason(t, get(t, ctx, hc, "signal"))
	assert.ErrorContains(t, ss, "TLS handshake")
	good2, err := internet.ClientTLSConfig(good.caFile, "", "")
	require.NoError(t, err)
	h2 := axontest.NewHandle(t, s, internet.NewTCPClient(srv.Addr().String(), internet.WithTLS(good2)))
	hc2 := axontest.NewHandle(t, s, get(t, ctx, hs, "outbox").(*internet.Conn))
	require.NoError(t, h2.Put(ctx, "inbox", []byte("ok")))
	assert.Equal(t, "ok", string(readBytes(t, ctx, hc2, 2)))
}

func TestTLSMutualAuthentication(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	pki := newPKI(t)
	scfg, err := internet.ServerTLSConfig(pki.certFile, pki.keyFile, pki.caFile)
	require.NoError(t, err)
	srv, err := internet.NewTCPServer("[::1]:0", internet.WithTLS(scfg))
	if err != nil {
		srv, err = internet.NewTCPServer("127.0.0.1:0", internet.WithTLS(scfg))
	}
	require.NoError(t, err)
	hs := axontest.NewHandle(t, s, srv)

	withCert, err := internet.ClientTLSConfig(pki.caFile, pki.clientCert, pki.clientKey)
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, internet.NewTCPClient(srv.Addr().String(), internet.WithTLS(withCert)))
	hc := axontest.NewHandle(t, s, get(t, ctx, hs, "outbox").(*internet.Conn))
	require.NoError(t, h.Put(ctx, "inbox", []byte("it's me")))
	assert.Equal(t, "it's me", string(readBytes(t, ctx, hc, 7)))

	// Without a certificate the server refuses: in TLS 1.3 the client
	// learns of it on its first read, as the end of the connection.
	noCert, err := internet.ClientTLSConfig(pki.caFile, "", "")
	require.NoError(t, err)
	h2 := axontest.NewHandle(t, s, internet.NewTCPClient(srv.Addr().String(), internet.WithTLS(noCert)))
	hc2 := axontest.NewHandle(t, s, get(t, ctx, hs, "outbox").(*internet.Conn))
	assert.ErrorContains(t, reason(t, get(t, ctx, hc2, "signal")), "certificate")
	sig := get(t, ctx, h2, "signal")
	switch m := sig.(type) {
	case axon.ProducerFinished:
		assert.ErrorContains(t, m.Reason, "certificate")
	case *axon.Failure:
		assert.ErrorContains(t, m, "certificate")
	default:
		t.Fatalf("client signal %T %v", sig, sig)
	}
}

func TestTLSConfigErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	_, err := internet.ServerTLSConfig(missing, missing, "")
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, err = internet.ClientTLSConfig(missing, "", "")
	assert.ErrorIs(t, err, os.ErrNotExist)
	junk := filepath.Join(dir, "junk.pem")
	require.NoError(t, os.WriteFile(junk, []byte("not a certificate"), 0o600))
	_, err = internet.ClientTLSConfig(junk, "", "")
	assert.ErrorContains(t, err, "no PEM certificates")
}

// testPKI is a throwaway CA with a server certificate for the loopback
// addresses and a client certificate, in PEM files.
type testPKI struct {
	caFile, certFile, keyFile, clientCert, clientKey string
}

func newPKI(t testing.TB) *testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kamaelia-go test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	caCert, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	p := &testPKI{
		caFile:     filepath.Join(dir, "ca.pem"),
		certFile:   filepath.Join(dir, "server.pem"),
		keyFile:    filepath.Join(dir, "server-key.pem"),
		clientCert: filepath.Join(dir, "client.pem"),
		clientKey:  filepath.Join(dir, "client-key.pem"),
	}
	writePEM(t, p.caFile, "CERTIFICATE", caDER)
	leaf := func(serial int64, certFile, keyFile string, usage x509.ExtKeyUsage) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: "localhost"},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.Add(time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
			IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
			DNSNames:     []string{"localhost"},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		require.NoError(t, err)
		writePEM(t, certFile, "CERTIFICATE", der)
		kder, err := x509.MarshalECPrivateKey(key)
		require.NoError(t, err)
		writePEM(t, keyFile, "EC PRIVATE KEY", kder)
	}
	leaf(2, p.certFile, p.keyFile, x509.ExtKeyUsageServerAuth)
	leaf(3, p.clientCert, p.clientKey, x509.ExtKeyUsageClientAuth)
	return p
}

func writePEM(t testing.TB, file, typ string, der []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
}

func TestTLSHandshakeTimeout(t *testing.T) {
	pki := newPKI(t)
	scfg, err := internet.ServerTLSConfig(pki.certFile, pki.keyFile, "")
	require.NoError(t, err)
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		a, b := net.Pipe() // b connects and never says a word
		defer b.Close()
		start := time.Now()
		h := axontest.NewHandle(t, axontest.NewScheduler(t), internet.NewConn(tls.Server(a, scfg), internet.WithHandshakeTimeout(3*time.Second)))
		ss := reason(t, get(t, ctx, h, "signal"))
		assert.ErrorContains(t, ss, "TLS handshake")
		assert.ErrorIs(t, ss, context.DeadlineExceeded)
		assert.Equal(t, 3*time.Second, time.Since(start))
	})
}
