package verify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// TLSConfig is the two-way TLS setup for INE: the institution's client certificate,
// and INE's root CA as the only trusted root (never the system roots).
func TLSConfig(client tls.Certificate, ineRoots *x509.CertPool) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{client},
		RootCAs:      ineRoots,
		MinVersion:   tls.VersionTLS12,
	}
}

// NewHTTPClient makes the HTTP client for INE: pinned TLS, bounded time, no redirects
// (a redirect from INE's endpoint is a misconfiguration, never something to follow).
func NewHTTPClient(tlsConf *tls.Config, timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	tr := &http.Transport{
		TLSClientConfig:       tlsConf,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   8,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return errRedirect
		},
	}
}

var errRedirect = errors.New("INE's endpoint answered with a redirect; refusing to follow it")

// Client sends sealed requests to INE and returns verified results.
type Client struct {
	URL     string
	HTTP    *http.Client
	INECert *x509.Certificate // verifies INE's signature on answers
}

// TransportError means the request may not have reached INE, or its answer did not
// come back: the request can be sent again later with the same body.
type TransportError struct {
	Err error
}

func (e *TransportError) Error() string { return "verify: INE unreachable: " + e.Err.Error() }
func (e *TransportError) Unwrap() error { return e.Err }

// HTTPError is an answer that is not INE's JSON: a proxy's or the server's own error.
type HTTPError struct {
	StatusCode int
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("verify: INE answered HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
}

// Temporary reports whether trying again later may help (server errors and throttling).
func (e *HTTPError) Temporary() bool {
	return e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests || e.StatusCode == http.StatusRequestTimeout
}

// Post sends a body and returns INE's raw answer.
func (c *Client) Post(ctx context.Context, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("verify: service URL: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &TransportError{Err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseSize+1))
	if err != nil {
		return nil, &TransportError{Err: fmt.Errorf("reading answer: %w", err)}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &HTTPError{StatusCode: resp.StatusCode}
	}
	if len(raw) > maxResponseSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrMalformedResponse, maxResponseSize)
	}
	return raw, nil
}

// Send posts a sealed request and returns INE's verified result.
func (c *Client) Send(ctx context.Context, s *Sealed) (*Result, error) {
	raw, err := c.Post(ctx, s.Body)
	if err != nil {
		return nil, err
	}
	return OpenResponse(raw, c.INECert, s.Indice)
}
