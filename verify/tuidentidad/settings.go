package tuidentidad

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"cotejo/verify/config"
)

// Settings is the [tuidentidad] section of the configuration file.
type Settings struct {
	URL    string `toml:"url"`     // scheme and host of the service
	Prefix string `toml:"prefix"`  // default DefaultPrefix
	APIKey string `toml:"api_key"` // the customer key; keep the file private
	// CA is a PEM file of extra roots for the service (the stand-in's CA); empty: the
	// system's roots.
	CA      string `toml:"ca"`
	FullOCR bool   `toml:"full_ocr"` // send the 13-digit OCR for models E–H
	// Timeout bounds each call; default 30 s.
	Timeout string `toml:"timeout"`
	// The webhook_* settings are the old names of the [webhook] section's (url, addr,
	// auth, cert, key), still read for files that use them: [webhook] wins where both
	// are set.
	//
	// WebhookURL is the address registered with the provider (informational: the
	// provider records it at onboarding).
	WebhookURL string `toml:"webhook_url"`
	// WebhookAddr is where `cotejo webhook serve` listens, e.g. ":8444".
	WebhookAddr string `toml:"webhook_addr"`
	// WebhookAuth is the method registered with the provider: "basic:USER:PASSWORD" or
	// "bearer:TOKEN".
	WebhookAuth string `toml:"webhook_auth"`
	// WebhookCert and WebhookKey are the receiver's TLS certificate and key (PEM).
	WebhookCert string `toml:"webhook_cert"`
	WebhookKey  string `toml:"webhook_key"`
}

// ErrNotConfigured means the section has no url or api_key.
var ErrNotConfigured = errors.New("tuidentidad: [tuidentidad] url and api_key are not set")

// Client makes the client the settings describe; relative paths resolve against
// baseDir.
func (s Settings) Client(baseDir string) (*Client, error) {
	if s.URL == "" || s.APIKey == "" {
		return nil, ErrNotConfigured
	}
	timeout := 30 * time.Second
	if s.Timeout != "" {
		d, err := time.ParseDuration(s.Timeout)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("tuidentidad: timeout %q: want a duration such as 30s", s.Timeout)
		}
		timeout = d
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.CA != "" {
		pem, err := os.ReadFile(config.Resolve(baseDir, s.CA))
		if err != nil {
			return nil, fmt.Errorf("tuidentidad: ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tuidentidad: ca %s: no certificate", s.CA)
		}
		tlsConf.RootCAs = pool
	}
	return &Client{
		BaseURL: s.URL,
		Prefix:  s.Prefix,
		APIKey:  s.APIKey,
		HTTP:    &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConf, Proxy: http.ProxyFromEnvironment}, Timeout: timeout},
	}, nil
}
