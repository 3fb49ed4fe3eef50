package remoteid

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Reply is the provider's answer to a call in JSON: a one-element array in the API's
// schema, or a bare object; both are decoded.
type Reply struct {
	Res   Res
	ID    string  // the request's identifier (send only)
	Cred  float64 // credits left: an integer after a send, a double from GetCreditos
	Error string  // with Res -3: what was wrong
}

// ErrMalformed is wrapped by every failure to decode what the provider sent.
var ErrMalformed = errors.New("remoteid: malformed reply")

// DecodeReply decodes a JSON reply. Numbers may come as JSON numbers or strings, the ID
// as a string or a number, and parameter names in any case, as the API allows.
func DecodeReply(body []byte) (Reply, error) {
	body = bytes.TrimSpace(body)
	var obj map[string]json.RawMessage
	switch {
	case len(body) > 0 && body[0] == '[':
		var arr []map[string]json.RawMessage
		if err := json.Unmarshal(body, &arr); err != nil {
			return Reply{}, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		if len(arr) != 1 {
			return Reply{}, fmt.Errorf("%w: array of %d elements, want 1", ErrMalformed, len(arr))
		}
		obj = arr[0]
	default:
		if err := json.Unmarshal(body, &obj); err != nil {
			return Reply{}, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
	}
	if obj == nil {
		return Reply{}, fmt.Errorf("%w: null", ErrMalformed)
	}
	f := fold(obj)
	raw, ok := f["res"]
	if !ok {
		return Reply{}, fmt.Errorf("%w: no Res", ErrMalformed)
	}
	res, err := lenientNumber(raw)
	if err != nil || res != float64(int32(res)) {
		return Reply{}, fmt.Errorf("%w: Res %s", ErrMalformed, clip(raw))
	}
	r := Reply{Res: Res(res)}
	if raw, ok := f["id"]; ok {
		if r.ID, err = lenientString(raw); err != nil {
			return Reply{}, fmt.Errorf("%w: ID %s", ErrMalformed, clip(raw))
		}
	}
	if raw, ok := f["cred"]; ok && !isNull(raw) {
		if r.Cred, err = lenientNumber(raw); err != nil {
			return Reply{}, fmt.Errorf("%w: Cred %s", ErrMalformed, clip(raw))
		}
	}
	if raw, ok := f["error"]; ok {
		r.Error, _ = lenientString(raw)
	}
	return r, nil
}

// fold lowercases the names: the API treats parameter names case-insensitively. Of two
// names that fold alike, the first in sorted order is kept, so the result is stable.
func fold(obj map[string]json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(obj))
	for k, v := range obj {
		lk := strings.ToLower(k)
		if prev, dup := out[lk]; dup && string(prev) < string(v) {
			continue
		}
		out[lk] = v
	}
	return out
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// lenientNumber reads a JSON number or a string holding one.
func lenientNumber(raw json.RawMessage) (float64, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.Float64()
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, err
	}
	return strconv.ParseFloat(strings.TrimSpace(s), 64)
}

// lenientString reads a JSON string, number or null as text.
func lenientString(raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", err
	}
	return n.String(), nil
}

// clip shortens outside data quoted in an error.
func clip(b []byte) string {
	const max = 40
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "…"
	}
	return strconv.Quote(string(b))
}
