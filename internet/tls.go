package internet

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// ServerTLSConfig returns a TLS configuration for a TCPServer (pass it to
// WithTLS) with the certificate chain and private key in the PEM files
// certFile and keyFile. When clientCAFile is not empty, clients must present
// a certificate signed by one of the CAs in it (mutual TLS). TLS 1.2 is the
// oldest version accepted.
func ServerTLSConfig(certFile, keyFile, clientCAFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("internet: loading server certificate: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if clientCAFile != "" {
		pool, err := loadPool(clientCAFile)
		if err != nil {
			return nil, err
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// ClientTLSConfig returns a TLS configuration for a TCPClient (pass it to
// WithTLS) that trusts the CAs in the PEM file caFile, or the system's roots
// when caFile is empty. When certFile and keyFile are not empty, the client
// presents that certificate (for servers that require one). The server's
// name is checked against the host the client dials unless ServerName is
// set on the result. TLS 1.2 is the oldest version accepted.
func ClientTLSConfig(caFile, certFile, keyFile string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pool, err := loadPool(caFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	if certFile != "" || keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("internet: loading client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

var errNoCerts = errors.New("no PEM certificates found")

func loadPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("internet: loading CAs: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("internet: loading CAs from %s: %w", file, errNoCerts)
	}
	return pool, nil
}
