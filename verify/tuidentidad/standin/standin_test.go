package standin_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cotejo/verify/credential"
	"cotejo/verify/pki"
	"cotejo/verify/tuidentidad"
	"cotejo/verify/tuidentidad/standin"
	"cotejo/verify/webhook"
)

var loopback = sync.OnceValues(func() (*pki.Loopback, error) { return pki.NewLoopback(time.Now()) })

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const key = "clave-de-prueba"

func start(t *testing.T, cfg standin.Config) (*standin.Server, string, *pki.Loopback) {
	t.Helper()
	lb, err := loopback()
	if err != nil {
		t.Fatal(err)
	}
	cfg.APIKeys = map[string]string{key: "A"}
	cfg.WebhookClient = &http.Client{Transport: &http.Transport{TLSClientConfig: lb.ClientTLS()}, Timeout: 2 * time.Minute}
	s := standin.New(cfg)
	ts := httptest.NewUnstartedServer(s.Handler(""))
	ts.TLS = lb.ServerTLS()
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return s, ts.URL, lb
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// curl is the independent client: curl alone, with the CA, the headers and the body.
// It returns the HTTP status and the body as generic JSON.
func curl(t *testing.T, ca string, args ...string) (int, map[string]any) {
	t.Helper()
	all := append([]string{"-sS", "--max-time", "120", "--cacert", ca, "-w", "\n%{http_code}"}, args...)
	out, err := exec.CommandContext(t.Context(), "curl", all...).Output()
	if err != nil {
		t.Fatalf("curl %v: %v", args, err)
	}
	// -w puts the status on a last line of its own.
	i := bytes.LastIndexByte(out, '\n')
	if i < 0 {
		t.Fatalf("curl %v: %q", args, out)
	}
	body, code := out[:i], out[i+1:]
	status, _ := strconv.Atoi(string(code))
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("curl %v: body %q: %v", args, body, err)
	}
	return status, m
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestCurl: a client made of curl alone gets the digest's answers.
func TestCurl(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed: the independent client needs it")
	}
	c := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	s, url, lb := start(t, standin.Config{Now: c.Now})
	ca := writeFile(t, "ca.pem", lb.CAPEM)
	base := url + "/api/AsyncVerication/"
	json := []string{"-H", "Content-Type: application/json"}
	post := func(op, apikeyHeader, body string) (int, map[string]any) {
		args := append([]string{"-X", "POST", "-d", body}, json...)
		if apikeyHeader != "" {
			args = append(args, "-H", apikeyHeader)
		}
		return curl(t, ca, append(args, base+op)...)
	}

	// The seed's type C example, with the header spelled as the INE table spells it.
	status, m := post("IneNominalList", "ApiKey: "+key, `{ "type": "C", "id": "TSVREL72100209M100", "ocr": "3854006556540", "issueNumber": "03" }`)
	id, _ := m["verificationId"].(string)
	if status != 200 || !uuidRE.MatchString(id) || len(m) != 1 {
		t.Fatalf("create: %d %v", status, m)
	}
	// The other tables spell it apikey: the same header.
	status, m = post("NssByCurp", "apikey: "+key, `{ "curp": "XAXA010101XXXXXX01" }`)
	if status != 400 || m["code"] != "NSS006" || m["message"] != "The structure of the CURP is not correct" {
		t.Errorf("seed placeholder CURP: %d %v", status, m)
	}
	status, m = post("IneNominalList", "", `{ "type": "D", "id": "115568150", "ocr": "4855115346145", "issueNumber": "" }`)
	if status != 401 || m["code"] != "INENL003" || m["message"] != "Access Denied. ApiKey header not found." {
		t.Errorf("no key: %d %v", status, m)
	}
	status, m = post("RfcByCurp", "apikey: nope", `{ "curp": "XAXA010101XXXXXX01", "state": 1 }`)
	if status != 401 || m["code"] != "RFC003" || m["message"] != "The apiKey is not valid." {
		t.Errorf("wrong key: %d %v", status, m)
	}
	good := credential.MakeCURP("PEREZ", "LOPEZ", "JUAN", time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), 'H', "DF", '0')
	status, m = post("RfcByCurp", "apikey: "+key, `{ "curp": "`+good+`", "state": 01 }`)
	if status != 400 || m["code"] != "RFC007" {
		t.Errorf("the seed's state 01 (not JSON): %d %v", status, m)
	}

	get := func(id string) (int, map[string]any) {
		return curl(t, ca, append([]string{"-H", "apikey: " + key}, append(json, base+"verificationStatus?verificationId="+id)...)...)
	}
	status, m = get(id)
	if status != 200 || m["verificationStatus"] != 1.0 || m["verificationType"] != 1.0 {
		t.Errorf("processing: %d %v", status, m)
	}
	s.Step(t.Context())
	status, m = get(id)
	if status != 200 || m["verificationId"] != id || m["verificationStatus"] != 3.0 || m["verificationType"] != 1.0 {
		t.Fatalf("done: %d %v", status, m)
	}
	if w, ok := m["warnings"].([]any); !ok || len(w) != 0 {
		t.Errorf("warnings %v", m["warnings"])
	}
	inner, ok := m["verification"].(string)
	if !ok || !strings.HasPrefix(inner, `{"valid":true,"canVote":true,"data":{`) {
		t.Fatalf("verification is not a JSON string: %#v", m["verification"])
	}
	var v struct {
		Valid, CanVote bool
		Data           map[string]any
	}
	if err := jsonUnmarshal(inner, &v); err != nil || !v.Valid || !v.CanVote {
		t.Fatalf("%q: %v", inner, err)
	}
	for k, want := range map[string]string{"type": "C", "electorCode": "TSVREL72100209M100", "ocrNumber": "3854006556540", "issueNumber": "03"} {
		if v.Data[k] != want {
			t.Errorf("data.%s = %v, want %s", k, v.Data[k], want)
		}
	}
	for _, k := range []string{"type", "electorCode", "cicNumber", "issueNumber", "issueYear", "registrationYear", "ocrNumber", "expDate"} {
		if _, ok := v.Data[k].(string); !ok {
			t.Errorf("data.%s is %T, want a string", k, v.Data[k])
		}
	}
	status, m = get("no-such-id")
	if status != 404 || m["code"] != "INENL016" || m["message"] != "The register could not be found." {
		t.Errorf("unknown id: %d %v", status, m)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// received is one line of the Python receiver's file.
type received struct {
	Path          string `json:"path"`
	Authorization string `json:"authorization"`
	ContentType   string `json:"content_type"`
	Body          string `json:"body"`
}

// python starts testdata/receiver.py and returns its URL and the file it writes.
func python(t *testing.T, lb *pki.Loopback, expected string) (string, string) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed: the independent receiver needs it")
	}
	out := filepath.Join(t.TempDir(), "received.jsonl")
	cmd := exec.Command("python3", "testdata/receiver.py",
		writeFile(t, "cert.pem", lb.CertPEM), writeFile(t, "key.pem", lb.KeyPEM), out, expected)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("receiver.py did not start: %v", err)
	}
	return "https://localhost:" + strings.TrimSpace(line) + "/hooks/tuidentidad", out
}

func readReceived(t *testing.T, path string) []received {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []received
	for _, l := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var r received
		if err := json.Unmarshal(l, &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestPythonReceiver: the stand-in's deliveries, with either method, as an independent
// receiver sees them; a refused delivery is retried and the record stays at 3.
func TestPythonReceiver(t *testing.T) {
	lb, err := loopback()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		auth      webhook.Auth
		send      string
		delivered bool
	}{
		{"basic", webhook.Basic("user", "password"), "", true},
		{"bearer", webhook.Bearer("123456"), "", true},
		{"refused", webhook.Bearer("123456"), "Bearer 000000", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hook, file := python(t, lb, tc.auth.Header())
			send := tc.auth.Header()
			if tc.send != "" {
				send = tc.send
			}
			c := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
			s, url, _ := start(t, standin.Config{Now: c.Now, WebhookURL: hook, WebhookAuth: send, DeliveryAttempts: 3})
			client := &tuidentidad.Client{BaseURL: url, APIKey: key, HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: lb.ClientTLS()}, Timeout: 2 * time.Minute}}
			curp := credential.MakeCURP("PEREZ", "LOPEZ", "JUAN", time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), 'H', "DF", '0')
			id, err := client.SubmitRFC(t.Context(), tuidentidad.RFCRequest{CURP: curp, State: 9})
			if err != nil {
				t.Fatal(err)
			}
			s.Step(t.Context())
			for range 3 {
				c.Add(15 * time.Minute)
				s.Step(t.Context())
			}
			got := readReceived(t, file)
			want := 1
			if !tc.delivered {
				want = 3
			}
			if len(got) != want {
				t.Fatalf("%d deliveries, want %d: %+v", len(got), want, got)
			}
			for _, r := range got {
				if r.Authorization != send || r.ContentType != "application/json" || r.Path != "/hooks/tuidentidad" {
					t.Errorf("headers %+v", r)
				}
				var body map[string]any
				if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
					t.Fatal(err)
				}
				inner, _ := body["verification"].(string)
				var v map[string]any
				if body["verificationId"] != id || body["verificationType"] != 2.0 || body["verificationStatus"] != 3.0 ||
					jsonUnmarshal(inner, &v) != nil || len(v["rfc"].(string)) != 13 {
					t.Errorf("body %s", r.Body)
				}
			}
			rec, err := client.Status(t.Context(), id)
			wantStatus := tuidentidad.StatusCompleted
			if !tc.delivered {
				wantStatus = tuidentidad.StatusDelivering
			}
			if err != nil || rec.Status != wantStatus {
				t.Errorf("record after delivery: %+v %v", rec, err)
			}
		})
	}
}
