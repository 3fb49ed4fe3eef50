package tuidentidad

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultMaxBody bounds every answer read: the documented answers are a few hundred
// bytes.
const DefaultMaxBody = 64 << 10

// ErrTooLarge means an answer was longer than the client's bound.
var ErrTooLarge = errors.New("tuidentidad: answer too large")

// HTTPError is an answer with a failing HTTP status that is not in the error model
// (a proxy's page, say).
type HTTPError struct {
	Op     string
	Status int
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("tuidentidad: %s: HTTP %d without an error code", e.Op, e.Status)
}

// Client calls the four operations.
type Client struct {
	BaseURL string       // scheme and host, e.g. https://api.example; the paths are appended
	Prefix  string       // default DefaultPrefix
	APIKey  string       // sent as the ApiKey header
	HTTP    *http.Client // default http.DefaultClient; its Timeout bounds each call
	MaxBody int64        // default DefaultMaxBody
}

func (c *Client) url(op string) string {
	p := c.Prefix
	if p == "" {
		p = DefaultPrefix
	}
	return strings.TrimSuffix(c.BaseURL, "/") + "/" + strings.Trim(p, "/") + "/" + op
}

// SubmitINE creates a lista nominal check and returns its verificationId.
func (c *Client) SubmitINE(ctx context.Context, r INERequest) (string, error) {
	return c.Submit(ctx, KindINE, r)
}

// SubmitRFC creates an RFC-by-CURP check.
func (c *Client) SubmitRFC(ctx context.Context, r RFCRequest) (string, error) {
	return c.Submit(ctx, KindRFC, r)
}

// SubmitNSS creates an NSS-by-CURP check.
func (c *Client) SubmitNSS(ctx context.Context, r NSSRequest) (string, error) {
	return c.Submit(ctx, KindNSS, r)
}

// Submit posts body (INERequest, RFCRequest, NSSRequest or their JSON) to kind's create
// operation. An error in the provider's model is an *APIError.
func (c *Client) Submit(ctx context.Context, kind Kind, body any) (string, error) {
	op := kind.Op()
	if op == "" {
		return "", fmt.Errorf("tuidentidad: no operation for %v", kind)
	}
	raw, ok := body.([]byte)
	if !ok {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return "", fmt.Errorf("tuidentidad: %s: %w", op, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(op), bytes.NewReader(raw))
	if err != nil {
		return "", fmt.Errorf("tuidentidad: %s: %w", op, err)
	}
	status, answer, err := c.do(req)
	if err != nil {
		return "", fmt.Errorf("tuidentidad: %s: %w", op, err)
	}
	if e, ok := parseError(answer); ok {
		e.HTTPStatus = status
		return "", e
	}
	if status/100 != 2 {
		return "", &HTTPError{Op: op, Status: status}
	}
	return ParseCreated(answer)
}

// Status reads a verification's record.
func (c *Client) Status(ctx context.Context, id string) (*Record, error) {
	u := c.url(OpStatus) + "?" + url.Values{"verificationId": {id}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("tuidentidad: status: %w", err)
	}
	status, answer, err := c.do(req)
	if err != nil {
		return nil, fmt.Errorf("tuidentidad: status: %w", err)
	}
	if e, ok := parseError(answer); ok {
		e.HTTPStatus = status
		return nil, e
	}
	if status/100 != 2 {
		return nil, &HTTPError{Op: OpStatus, Status: status}
	}
	return ParseRecord(answer)
}

// Wait polls Status every interval until the record is done (status 3 or 4), or ctx
// ends. Errors of the provider's model end the wait; transport errors are retried
// until ctx ends, and the last one is returned with ctx's error.
func (c *Client) Wait(ctx context.Context, id string, interval time.Duration) (*Record, error) {
	if interval <= 0 {
		interval = 3 * time.Second
	}
	var last error
	for {
		r, err := c.Status(ctx, id)
		switch {
		case err == nil && r.Status.Done():
			return r, nil
		case err != nil && !Transient(err):
			return nil, err
		case err != nil:
			last = err
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			if last != nil {
				return nil, fmt.Errorf("%w (last: %v)", ctx.Err(), last)
			}
			return r, ctx.Err()
		case <-t.C:
		}
	}
}

// Transient reports whether err is worth trying again as it is: a transport failure, an
// HTTP error outside the error model, or a code of ClassRetryLater.
func Transient(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Class() == ClassRetryLater
	}
	var pe *ProtocolError
	if errors.As(err, &pe) || errors.Is(err, ErrTooLarge) {
		return false
	}
	return err != nil
}

func (c *Client) do(req *http.Request) (int, []byte, error) {
	req.Header.Set("ApiKey", c.APIKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	limit := c.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return 0, nil, err
	}
	if int64(len(body)) > limit {
		return 0, nil, ErrTooLarge
	}
	return resp.StatusCode, body, nil
}
