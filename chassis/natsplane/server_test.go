package natsplane_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// roundTrip makes a Backplane on tr, publishes one message through it and
// checks that its subscriber gets it.
func roundTrip(t *testing.T, tr *natsplane.Transport) {
	t.Helper()
	s := axontest.NewScheduler(t)
	b := chassis.NewBackplane[[]byte]("secured", chassis.OnScheduler(s), chassis.WithTransport(tr))
	axontest.NewHandle(t, s, b)
	_, hs := subscribeTo[[]byte](t, s, "secured")
	hp := axontest.NewHandle(t, s, chassis.PublishTo[[]byte]("secured"))
	require.NoError(t, hp.Put(axontest.Context(t), "inbox", []byte("hello")))
	require.Equal(t, []byte("hello"), get(t, hs, "outbox"))
}

// refused checks that a Backplane on tr fails to start, with the server's
// authorization violation.
func refused(t *testing.T, tr *natsplane.Transport) {
	t.Helper()
	s := axontest.NewScheduler(t)
	b := chassis.NewBackplane[[]byte]("secured", chassis.OnScheduler(s), chassis.WithTransport(tr))
	err := axontest.NewHandle(t, s, b).Wait(axontest.Context(t))
	require.ErrorIs(t, err, chassis.ErrTransport)
	require.ErrorIs(t, err, nats.ErrAuthorization)
}

// noRetry makes a refused connection fail at once rather than be retried.
var noRetry = nats.MaxReconnects(0)

func TestServerWithTokenLetsInOnlyClientsThatGiveIt(t *testing.T) {
	srv, err := natsplane.StartServer(natsplane.ServerConfig{Token: "s3cret"})
	require.NoError(t, err)
	t.Cleanup(srv.Shutdown)

	roundTrip(t, srv.Transport(natsplane.WithNATSOptions(nats.Token("s3cret"))))
	refused(t, srv.Transport(natsplane.WithNATSOptions(noRetry)))
	refused(t, srv.Transport(natsplane.WithNATSOptions(noRetry, nats.Token("guess"))))

	_, err = nats.Connect(srv.ClientURL())
	require.ErrorIs(t, err, nats.ErrAuthorization)
}

func TestServerWithUserAndPassword(t *testing.T) {
	srv, err := natsplane.StartServer(natsplane.ServerConfig{Username: "app", Password: "pw"})
	require.NoError(t, err)
	t.Cleanup(srv.Shutdown)

	roundTrip(t, srv.Transport(natsplane.WithNATSOptions(nats.UserInfo("app", "pw"))))
	refused(t, srv.Transport(natsplane.WithNATSOptions(noRetry, nats.UserInfo("app", "wrong"))))
}

func TestServerWithNKeys(t *testing.T) {
	user, err := nkeys.CreateUser()
	require.NoError(t, err)
	pub, err := user.PublicKey()
	require.NoError(t, err)
	stranger, err := nkeys.CreateUser()
	require.NoError(t, err)
	strangerPub, err := stranger.PublicKey()
	require.NoError(t, err)

	srv, err := natsplane.StartServer(natsplane.ServerConfig{NKeys: []string{pub}})
	require.NoError(t, err)
	t.Cleanup(srv.Shutdown)

	roundTrip(t, srv.Transport(natsplane.WithNATSOptions(nats.Nkey(pub, user.Sign))))
	refused(t, srv.Transport(natsplane.WithNATSOptions(noRetry, nats.Nkey(strangerPub, stranger.Sign))))
}

// selfSigned returns a certificate for 127.0.0.1, made now, and a pool
// that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "natsplane test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}

func TestServerWithTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	srv, err := natsplane.StartServer(natsplane.ServerConfig{
		Token: "s3cret",
		TLS:   &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
	})
	require.NoError(t, err)
	t.Cleanup(srv.Shutdown)
	require.True(t, strings.HasPrefix(srv.ClientURL(), "tls://127.0.0.1:"), srv.ClientURL())

	roundTrip(t, srv.Transport(natsplane.WithNATSOptions(
		nats.Secure(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}), nats.Token("s3cret"))))

	// A client that does not trust the certificate is not let in.
	_, err = nats.Connect(srv.ClientURL(), nats.Token("s3cret"))
	var unknown x509.UnknownAuthorityError
	require.ErrorAs(t, err, &unknown)
}

// TestServerBeyondLoopbackNeedsAuthentication: an embedded server that
// anyone on the network could use is refused before it listens; with a
// token it starts.
func TestServerBeyondLoopbackNeedsAuthentication(t *testing.T) {
	for _, host := range []string{"0.0.0.0", "::", "192.0.2.1", "broker.example"} {
		_, err := natsplane.StartServer(natsplane.ServerConfig{Host: host})
		require.ErrorIs(t, err, natsplane.ErrUnauthenticated, host)
		assert.Contains(t, err.Error(), `host "`+host+`"`)
	}
	for _, host := range []string{"", "127.0.0.1", "::1", "localhost"} {
		srv, err := natsplane.StartServer(natsplane.ServerConfig{Host: host})
		if host == "::1" && err != nil && strings.Contains(err.Error(), "address") {
			continue // a machine without IPv6 loopback
		}
		require.NoError(t, err, host)
		srv.Shutdown()
	}
	srv, err := natsplane.StartServer(natsplane.ServerConfig{Host: "0.0.0.0", Token: "s3cret"})
	require.NoError(t, err)
	t.Cleanup(srv.Shutdown)
	port := srv.Port()
	roundTrip(t, natsplane.Dial("nats://127.0.0.1:"+strconv.Itoa(port), natsplane.WithNATSOptions(nats.Token("s3cret"))))
}

func TestServerConfigThatContradictsItselfIsRefused(t *testing.T) {
	cert, _ := selfSigned(t)
	for _, cfg := range []natsplane.ServerConfig{
		{Token: "t", Username: "u"},
		{Token: "t", NKeys: []string{"UABC"}},
		{Password: "p"},
		{NKeys: []string{"not a key"}},
		{TLS: &tls.Config{}},
	} {
		_, err := natsplane.StartServer(cfg)
		require.ErrorIs(t, err, natsplane.ErrBadServerConfig, "%+v", cfg)
	}
	srv, err := natsplane.StartServer(natsplane.ServerConfig{TLS: &tls.Config{Certificates: []tls.Certificate{cert}}})
	require.NoError(t, err, "a certificate is enough on loopback")
	srv.Shutdown()
}
