// Package nom151 checks a NOM-151 preservation constancy with Sovos' validation service
// (SOAP 1.2, validaFolioNOM151 and validaNOM151): that a stored file's digest is the one
// the constancy records, that the constancy's seal is intact and that Sovos issued it.
// The answer carries an evidence sheet (PDF) and its QR summary, to keep with the file.
package nom151

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/BurntSushi/toml"
)

// The service's addresses: the seed's WSDL URLs without ?WSDL, by the ASMX convention
// (to confirm with Sovos). They are defaults for Settings, never used behind its back.
const (
	UATURL        = "https://pilot-psc.reachcore.com/wsnom_validacion/webservice.asmx"
	ProductionURL = "https://nom151.advantage-security.com/wsnom_reporteValidacion/webservice.asmx"
)

// Settings is the [nom151] section of a configuration file.
type Settings struct {
	URL     string `toml:"url"` // default UATURL
	Entidad string `toml:"entidad"`
	Usuario string `toml:"usuario"`
	Clave   string `toml:"clave"`
	CACert  string `toml:"ca_cert"` // PEM roots for the server; empty: the system's
	// Timeout bounds each call; default 2 minutes (the seed gives none).
	Timeout time.Duration `toml:"timeout,omitzero"`
}

// LoadSettings reads the [nom151] section of a TOML file; a relative ca_cert is taken
// from the file's folder.
func LoadSettings(path string) (Settings, error) {
	var f struct {
		NOM151 Settings `toml:"nom151"`
	}
	if _, err := toml.DecodeFile(path, &f); err != nil {
		return Settings{}, fmt.Errorf("nom151: %w", err)
	}
	if f.NOM151.CACert != "" && !filepath.IsAbs(f.NOM151.CACert) {
		f.NOM151.CACert = filepath.Join(filepath.Dir(path), f.NOM151.CACert)
	}
	return f.NOM151, nil
}

// Environment is the settings for a named environment, "uat" or "production", with no
// credentials.
func Environment(name string) (Settings, error) {
	switch name {
	case "uat", "":
		return Settings{URL: UATURL}, nil
	case "production", "prod":
		return Settings{URL: ProductionURL}, nil
	}
	return Settings{}, fmt.Errorf("nom151: environment %q: want uat or production", name)
}

// Client builds the client the settings describe.
func (s Settings) Client() (*Client, error) {
	c := &Client{URL: s.URL, Credentials: Credentials{s.Entidad, s.Usuario, s.Clave}, Timeout: s.Timeout}
	if c.URL == "" {
		c.URL = UATURL
	}
	if s.CACert != "" {
		pem, err := os.ReadFile(s.CACert)
		if err != nil {
			return nil, fmt.Errorf("nom151: ca_cert: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("nom151: ca_cert %s: no certificate", s.CACert)
		}
		c.HTTPClient = &http.Client{Transport: &http.Transport{
			TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout: time.Minute,
		}}
	}
	return c, nil
}

// Client calls the validation service.
type Client struct {
	URL         string
	Credentials Credentials
	HTTPClient  *http.Client  // default http.DefaultClient; deadlines come from ctx and Timeout
	Timeout     time.Duration // per call; default 2 minutes
	MaxResponse int64         // bytes; default 16 MiB (the answer carries a PDF in base64)
}

// ErrTooLarge means the answer exceeded the client's MaxResponse.
var ErrTooLarge = errors.New("nom151: answer too large")

// HTTPError is an HTTP status other than 200 that carried no SOAP fault.
type HTTPError struct{ Status int }

func (e *HTTPError) Error() string {
	return fmt.Sprintf("nom151: HTTP %d %s", e.Status, http.StatusText(e.Status))
}

// EstadoError is an answer whose Estado is not 0.
type EstadoError struct {
	Estado      Estado
	Descripcion string // the service's own text
}

func (e *EstadoError) Error() string {
	return fmt.Sprintf("nom151: Estado %d: %s", int(e.Estado), e.Descripcion)
}

// Message is the operator's sentence, in Spanish ("es") or English ("en").
func (e *EstadoError) Message(lang string) string { return e.Estado.Message(lang) }

// Digest is the file's digest the service expects: SHA-256, or SHA-512 when sha512 is
// set, which must be the algorithm the constancy was requested with.
func Digest(r io.Reader, sha512sum bool) ([]byte, error) {
	var h hash.Hash = sha256.New()
	if sha512sum {
		h = sha512.New()
	}
	if _, err := io.Copy(h, r); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// ValidateFolio asks validaFolioNOM151 whether digest is the file that the constancy
// with folio covers. name is shown on the evidence sheet.
func (c *Client) ValidateFolio(ctx context.Context, name string, digest []byte, folio int64) (*Result, error) {
	return c.Validate(ctx, Request{Name: name, Digest: digest, Folio: folio})
}

// ValidateConstancy asks validaNOM151 whether digest is the file that the constancy file
// covers; constancy is sent as the PSC issued it.
func (c *Client) ValidateConstancy(ctx context.Context, name string, digest, constancy []byte) (*Result, error) {
	if constancy == nil {
		constancy = []byte{}
	}
	return c.Validate(ctx, Request{Name: name, Digest: digest, Constancy: constancy})
}

// Validate sends one request. It returns the result when the service answered Estado 0
// (whose Passed says whether the file checks out); otherwise *EstadoError, *FaultError,
// *HTTPError, *ParseError, ErrTooLarge or the transport's error.
func (c *Client) Validate(ctx context.Context, r Request) (*Result, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body := MarshalEnvelope(c.Credentials, r)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("nom151: %w", err)
	}
	req.Header.Set("Content-Type", ContentType(r.Op()))
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("nom151: %s: %w", r.Op(), err)
	}
	defer resp.Body.Close()
	limit := c.MaxResponse
	if limit <= 0 {
		limit = 16 << 20
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("nom151: %s: reading the answer: %w", r.Op(), err)
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("%w (over %d bytes)", ErrTooLarge, limit)
	}
	res, err := ParseResponse(raw)
	var fe *FaultError
	switch {
	case errors.As(err, &fe):
		return nil, err
	case resp.StatusCode != http.StatusOK:
		return nil, &HTTPError{resp.StatusCode}
	case err != nil:
		return nil, err
	case res.Estado != 0:
		return nil, &EstadoError{res.Estado, res.Descripcion}
	}
	return res, nil
}

// ContentType is SOAP 1.2's media type with the operation's action (an assumption: the
// seed does not say).
func ContentType(op string) string {
	return `application/soap+xml; charset=utf-8; action="` + ServiceNS + op + `"`
}
