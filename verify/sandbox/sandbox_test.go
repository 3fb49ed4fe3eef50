package sandbox_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"cotejo/verify"
	"cotejo/verify/catalog"
	"cotejo/verify/config"
	"cotejo/verify/credential"
	"cotejo/verify/pki"
	"cotejo/verify/sandbox"
	"cotejo/verify/sandbox/sandboxtest"
)

// env is one development PKI, a sandbox on loopback and a client configured from the
// PKI's own cotejo.toml, as `cotejo pki init` + `cotejo sandbox` + `cotejo verify` use.
type env struct {
	*sandboxtest.Env
	dir    string
	url    string
	conn   *config.Conn
	padron *sandbox.Padron
	logs   *lockedBuffer
	stop   func()
}

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// lockedBuffer lets the server log while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func newEnv(t testing.TB, wrap func(http.Handler) http.Handler) *env {
	t.Helper()
	return newEnvWith(t, sandboxtest.Options{Wrap: wrap})
}

func newEnvWith(t testing.TB, o sandboxtest.Options) *env {
	t.Helper()
	logs := &lockedBuffer{}
	o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	se := sandboxtest.Start(t, o)
	return &env{Env: se, dir: se.Dir, url: se.URL, conn: se.Conn, padron: loadPadron(t), logs: logs, stop: se.Stop}
}

func loadPadron(t testing.TB) *sandbox.Padron {
	t.Helper()
	p, err := sandbox.DefaultPadron()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// find returns the first citizen of the register that satisfies ok.
func (e *env) find(t *testing.T, ok func(c sandbox.Citizen) bool) sandbox.Citizen {
	t.Helper()
	for _, c := range e.padron.Ciudadanos {
		if ok(c) {
			return c
		}
	}
	t.Fatal("no such citizen in the padrón")
	return sandbox.Citizen{}
}

func branch() verify.Ubicacion {
	return verify.Ubicacion{
		PosicionSatelital: &verify.PosicionSatelital{Latitud: 19.4326, Longitud: -99.1332},
		Localidad:         &verify.Localidad{CodigoPostal: "06000", Ciudad: "CDMX", Estado: 9},
	}
}

func (e *env) verify(t *testing.T, v verify.Verification) *verify.Result {
	t.Helper()
	// No deadline of its own: the client's per-request timeout bounds each send, and
	// how fast a busy machine is must not decide a test.
	ctx := t.Context()
	sealed, err := e.conn.Sealer.Seal(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.conn.Client.Send(ctx, sealed)
	if err != nil {
		t.Fatal(err)
	}
	if r.Indice != sealed.Indice {
		t.Errorf("indice %q echoed as %q", sealed.Indice, r.Indice)
	}
	return r
}

func vigenteG(c sandbox.Citizen) bool { return c.Modelo == "G" && c.Situacion == "VIGENTE" }

func fieldMap(r *verify.Result) map[string]verify.Comparison {
	m := map[string]verify.Comparison{}
	for _, f := range r.Fields {
		m[f.Field] = f.Comparison
	}
	return m
}

func TestFullMatch(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := newEnv(t, nil)
	c := e.find(t, vigenteG)
	r := e.verify(t, verify.Verification{Credential: c.Credential(), Location: branch(), Consent: true})
	if r.Verdict(70) != verify.VerdictValid || r.Situation != catalog.Situation("VIGENTE") {
		t.Fatalf("result = %+v", r)
	}
	for f, cmp := range fieldMap(r) {
		want := verify.Match
		if f == "apellidoMaterno" && c.ApellidoMaterno == "" {
			want = verify.NotCompared
		}
		if cmp != want {
			t.Errorf("%s: %v, want %v", f, cmp, want)
		}
	}
	if r.HasFingers {
		t.Error("data-only request got a fingerprint answer")
	}
	if strings.Contains(e.logs.String(), c.CURP) || strings.Contains(e.logs.String(), c.ApellidoPaterno) {
		t.Errorf("sandbox log carries personal data: %s", e.logs.String())
	}
	if !strings.Contains(e.logs.String(), r.Indice) {
		t.Errorf("sandbox log lacks the indice: %s", e.logs.String())
	}
	e.stop()
}

func TestMismatchInEachField(t *testing.T) {
	e := newEnv(t, nil)
	c := e.find(t, vigenteG)
	tests := []struct {
		field  string
		change func(*credential.Credential)
	}{
		{"nombre", func(k *credential.Credential) { k.Nombre = "OTRO" }},
		{"apellidoPaterno", func(k *credential.Credential) { k.ApellidoPaterno = "OTRO" }},
		{"apellidoMaterno", func(k *credential.Credential) { k.ApellidoMaterno = "OTRO" }},
		{"anioRegistro", func(k *credential.Credential) { k.AnioRegistro = "1999" }},
		{"anioEmision", func(k *credential.Credential) { k.AnioEmision = "2099" }},
		{"numeroEmisionCredencial", func(k *credential.Credential) { k.NumeroEmisionCredencial = "09" }},
		{"ocr", func(k *credential.Credential) { k.OCR = "1234567890123" }},
		{"claveElector", func(k *credential.Credential) { k.ClaveElector = "XXXXXX80010109H100" }},
		{"curp", func(k *credential.Credential) { k.CURP = otherCURP(t, k.CURP) }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			k := c.Credential()
			tt.change(&k)
			r := e.verify(t, verify.Verification{Credential: k, Location: branch(), Consent: true})
			fm := fieldMap(r)
			for f, cmp := range fm {
				want := verify.Match
				if f == tt.field {
					want = verify.Mismatch
				} else if f == "apellidoMaterno" && c.ApellidoMaterno == "" {
					want = verify.NotCompared
				}
				if cmp != want {
					t.Errorf("%s: %v, want %v", f, cmp, want)
				}
			}
			if r.Verdict(70) != verify.VerdictInvalid {
				t.Errorf("verdict %v", r.Verdict(70))
			}
		})
	}
}

// otherCURP changes the homonym character and fixes the check digit, so the CURP stays
// valid but is someone else's.
func otherCURP(t *testing.T, curp string) string {
	h := byte('A')
	if curp[16] == 'A' {
		h = 'B'
	}
	first := curp[:16] + string(h)
	d, err := credential.CURPCheckDigit(first)
	if err != nil {
		t.Fatal(err)
	}
	return first + string(d)
}

func TestNullFieldsComeBackNull(t *testing.T) {
	e := newEnv(t, nil)
	c := e.find(t, vigenteG)
	r := e.verify(t, verify.Verification{Credential: credential.Credential{Modelo: "G", CIC: c.CIC, CURP: c.CURP}, Location: branch(), Consent: true})
	fm := fieldMap(r)
	if fm["curp"] != verify.Match {
		t.Errorf("curp %v", fm["curp"])
	}
	for _, f := range []string{"nombre", "apellidoPaterno", "apellidoMaterno", "ocr", "claveElector", "anioRegistro", "anioEmision", "numeroEmisionCredencial"} {
		if fm[f] != verify.NotCompared {
			t.Errorf("%s: %v, want — (null)", f, fm[f])
		}
	}
	if r.Verdict(70) != verify.VerdictValid {
		t.Errorf("verdict %v", r.Verdict(70))
	}
}

func TestModelCSearchKey(t *testing.T) {
	e := newEnv(t, nil)
	c := e.find(t, func(c sandbox.Citizen) bool { return c.Modelo == "C" && c.Situacion == "VIGENTE" })
	if c.CIC != "" {
		t.Fatalf("model C citizen %s has a CIC", c.ID)
	}
	r := e.verify(t, verify.Verification{Credential: c.Credential(), Location: branch(), Consent: true})
	if r.Verdict(70) != verify.VerdictValid {
		t.Fatalf("model C: %+v", r)
	}
	k := c.Credential()
	k.NumeroEmisionCredencial = "99"
	r = e.verify(t, verify.Verification{Credential: k, Location: branch(), Consent: true})
	if r.Situation != "DATOS_NO_ENCONTRADOS" {
		t.Errorf("wrong emission number: situación %q", r.Situation)
	}
}

func TestSituations(t *testing.T) {
	e := newEnv(t, nil)
	c := e.find(t, func(c sandbox.Citizen) bool { return c.Situacion == "REPORTE_DE_ROBO" })
	r := e.verify(t, verify.Verification{Credential: c.Credential(), Location: branch(), Consent: true})
	if r.Situation != "REPORTE_DE_ROBO" || r.TheftReport == "" || r.Verdict(70) != verify.VerdictInvalid {
		t.Errorf("robbery report: %+v", r)
	}
	k := e.find(t, vigenteG).Credential()
	k.CIC = "999999999"
	r = e.verify(t, verify.Verification{Credential: k, Location: branch(), Consent: true})
	if r.Situation != "DATOS_NO_ENCONTRADOS" || r.Verdict(70) != verify.VerdictInvalid {
		t.Errorf("unknown CIC: %+v", r)
	}
}

func TestFingerprintsAnswer317(t *testing.T) {
	e := newEnvWith(t, sandboxtest.Options{Biometrics: "off"})
	c := e.find(t, vigenteG)
	r := e.verify(t, verify.Verification{Credential: c.Credential(), Location: branch(), Consent: true,
		Fingers: &verify.Fingers{Tipo: verify.TipoANSI, Right: []byte("FMR\x00 20\x00"), Left: []byte("FMR\x00 20\x00")}})
	if !r.HasFingers || r.FingerCode != 317 || r.Verdict(70) != verify.VerdictIncomplete {
		t.Errorf("fingerprints without a matcher: %+v", r)
	}
}

// resign rebuilds a sealed request with mutate applied to its data element, signed
// again with the institution's key: a request a real client could send.
func (e *env) resign(t *testing.T, body []byte, mutate func(map[string]any)) []byte {
	t.Helper()
	var req verify.Request
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatal(err)
	}
	var data map[string]any
	if err := json.Unmarshal(req.Data, &data); err != nil {
		t.Fatal(err)
	}
	mutate(data)
	dataJSON, _ := json.Marshal(data)
	sig, err := verify.SignElements(context.Background(), e.conn.Sealer.Signer, verify.DigestBase64, dataJSON, req.TimeStamp)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(verify.Request{Data: dataJSON, Signature: sig, TimeStamp: req.TimeStamp})
	return out
}

func (e *env) post(t *testing.T, body []byte) *verify.Result {
	t.Helper()
	raw, err := e.conn.Client.Post(context.Background(), body)
	if err != nil {
		t.Fatal(err)
	}
	r, err := verify.OpenResponse(raw, e.conn.Client.INECert, "")
	if err != nil {
		t.Fatalf("sandbox answer: %v", err)
	}
	return r
}

func TestBadRequestCodes(t *testing.T) {
	e := newEnv(t, nil)
	c := e.find(t, vigenteG)
	sealed, err := e.conn.Sealer.Seal(context.Background(), verify.Verification{Credential: c.Credential(), Location: branch(), Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	otherINE := *e.conn.Sealer
	otherKey := mustKey(t, 4096)
	otherINE.INEKey = &otherKey.PublicKey
	wrongKey, err := otherINE.Seal(context.Background(), verify.Verification{Credential: c.Credential(), Location: branch(), Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	forged := forge(t, e, sealed.Body)
	tests := []struct {
		name string
		body []byte
		want catalog.Code
		data catalog.Code
		bio  catalog.Code
	}{
		{"tampered data", bytes.Replace(sealed.Body, []byte(`"consentimiento":true`), []byte(`"consentimiento":false`), 1), 112, 0, 0},
		{"forged signature", forged, 113, 0, 0},
		{"wrong encryption key", wrongKey.Body, 111, 0, 0},
		{"consent false", e.resign(t, sealed.Body, func(d map[string]any) { d["consentimiento"] = false }), 110, 0, 0},
		{"no location", e.resign(t, sealed.Body, func(d map[string]any) { d["ubicacion"] = nil }), 110, 0, 0},
		{"not base64", e.resign(t, sealed.Body, func(d map[string]any) { d["datosCifrados"] = "%%%" }), 114, 0, 0},
		{"not JSON", []byte("hola"), 110, 0, 0},
		{"empty object", []byte("{}"), 110, 0, 0},
		{"unknown serial", bytes.Replace(sealed.Body, []byte(`"x509SerialNumber":"`), []byte(`"x509SerialNumber":"ff`), 1), 112, 0, 0},
		{"no tipo", e.resign(t, sealed.Body, func(d map[string]any) { d["minucias"] = map[string]any{"minucia2": "AAAA"} }), 0, 0, 309},
		{"raw without size", e.resign(t, sealed.Body, func(d map[string]any) { d["minucias"] = map[string]any{"tipo": 3, "minucia2": "AAAA"} }), 0, 0, 310},
		{"no fingers", e.resign(t, sealed.Body, func(d map[string]any) { d["minucias"] = map[string]any{"tipo": 1} }), 0, 0, 311},
		{"tipo 9", e.resign(t, sealed.Body, func(d map[string]any) { d["minucias"] = map[string]any{"tipo": 9, "minucia2": "AAAA"} }), 0, 0, 312},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post(t, tt.body)
			if r.Code != tt.want || r.DataCode != tt.data || r.FingerCode != tt.bio {
				t.Errorf("codes %d/%d/%d, want %d/%d/%d", r.Code, r.DataCode, r.FingerCode, tt.want, tt.data, tt.bio)
			}
		})
	}
}

// forge keeps the digest right but signs with a key that is not the certificate's.
func forge(t *testing.T, e *env, body []byte) []byte {
	var req verify.Request
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatal(err)
	}
	k := mustKey(t, 2048)
	signer := fakeSigner{key: k, cert: e.conn.Sealer.Signer.Certificate()}
	sig, err := verify.SignElements(context.Background(), signer, verify.DigestBase64, req.Data, req.TimeStamp)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(verify.Request{Data: req.Data, Signature: sig, TimeStamp: req.TimeStamp})
	return out
}

type fakeSigner struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

func (f fakeSigner) Sign(_ context.Context, msg []byte) ([]byte, error) {
	sum := sha256.Sum256(msg)
	return rsa.SignPKCS1v15(nil, f.key, crypto.SHA256, sum[:])
}
func (f fakeSigner) Certificate() *x509.Certificate { return f.cert }

var keyCache sync.Map

func mustKey(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	if k, ok := keyCache.Load(bits); ok {
		return k.(*rsa.PrivateKey)
	}
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	keyCache.Store(bits, k)
	return k
}

func TestClientCertFromAnotherCARefused(t *testing.T) {
	e := newEnv(t, nil)
	ca, err := pki.NewCA("Otra CA", 2048, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	key := mustKey(t, 2048)
	leaf, err := ca.Issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "impostor"},
		NotBefore:   time.Now().Add(-time.Hour),
		NotAfter:    time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, &key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	roots, _ := pki.LoadCertificates(filepath.Join(e.dir, "ine-root-ca.pem"))
	pool := x509.NewCertPool()
	pool.AddCert(roots[0])
	client := verify.NewHTTPClient(verify.TLSConfig(tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf}, pool), 5*time.Second)
	defer client.CloseIdleConnections()
	c := &verify.Client{URL: e.url, HTTP: client, INECert: e.conn.Client.INECert}
	_, err = c.Post(context.Background(), []byte("{}"))
	var te *verify.TransportError
	if !errors.As(err, &te) {
		t.Fatalf("client certificate from another CA: err = %v, want a TLS refusal", err)
	}
	// And a server not under INE's CA is refused by the client (system roots unused).
	wrong := x509.NewCertPool()
	wrong.AddCert(ca.Cert)
	own, _ := tls.LoadX509KeyPair(filepath.Join(e.dir, "institution-client.pem"), filepath.Join(e.dir, "institution-client-key.pem"))
	client2 := verify.NewHTTPClient(verify.TLSConfig(own, wrong), 5*time.Second)
	defer client2.CloseIdleConnections()
	c2 := &verify.Client{URL: e.url, HTTP: client2, INECert: e.conn.Client.INECert}
	if _, err := c2.Post(context.Background(), []byte("{}")); !errors.As(err, &te) {
		t.Fatalf("server outside the pinned CA: err = %v", err)
	}
}

func TestClientRefusesBadSignature(t *testing.T) {
	e := newEnv(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &recorder{header: http.Header{}}
			h.ServeHTTP(rec, r)
			w.Header().Set("Content-Type", "application/json")
			w.Write(bytes.Replace(rec.body.Bytes(), []byte(`"DATOS_NO_ENCONTRADOS"`), []byte(`"VIGENTE"`), 1))
		})
	})
	k := e.find(t, vigenteG).Credential()
	k.CIC = "999999999"
	sealed, err := e.conn.Sealer.Seal(context.Background(), verify.Verification{Credential: k, Location: branch(), Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.conn.Client.Send(context.Background(), sealed)
	var se *verify.SignatureError
	if !errors.As(err, &se) {
		t.Fatalf("altered answer: err = %v, want SignatureError", err)
	}
}

type recorder struct {
	header http.Header
	body   bytes.Buffer
	code   int
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(c int)           { r.code = c }

func TestTransportErrors(t *testing.T) {
	e := newEnv(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.Header.Get("X-Test") {
			case "500":
				http.Error(w, "boom", 500)
			case "redirect":
				http.Redirect(w, r, "https://example.invalid/", http.StatusFound)
			case "slow":
				select {
				case <-time.After(time.Second):
				case <-r.Context().Done():
				}
			default:
				h.ServeHTTP(w, r)
			}
		})
	})
	do := func(mode string, ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.url, strings.NewReader("{}"))
		req.Header.Set("X-Test", mode)
		resp, err := e.conn.Client.HTTP.Do(req)
		if err == nil {
			defer resp.Body.Close()
			if resp.StatusCode != 200 {
				return &verify.HTTPError{StatusCode: resp.StatusCode}
			}
		}
		return err
	}
	var he *verify.HTTPError
	if err := do("500", context.Background()); !errors.As(err, &he) || !he.Temporary() {
		t.Errorf("500: %v", err)
	}
	if err := do("redirect", context.Background()); err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("redirect followed: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := do("slow", ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow server with deadline: %v", err)
	}
	// Through Client.Post: a closed port is a TransportError; a cancelled context is the
	// context's error.
	dead := &verify.Client{URL: "https://127.0.0.1:1" + verify.ServicePath, HTTP: e.conn.Client.HTTP}
	var te *verify.TransportError
	if _, err := dead.Post(context.Background(), []byte("{}")); !errors.As(err, &te) {
		t.Errorf("closed port: %v", err)
	}
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if _, err := e.conn.Client.Post(cctx, []byte("{}")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestOpenSSLCrossCheck decrypts and verifies a dumped request with OpenSSL, so our
// RSA-OAEP and signature are what any other implementation reads.
func TestOpenSSLCrossCheck(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed: " + err.Error())
	}
	e := newEnv(t, nil)
	c := e.find(t, vigenteG)
	for _, tt := range []struct {
		name       string
		hash, mgf1 crypto.Hash
		md, mgfmd  string
	}{
		{"sha256", crypto.SHA256, crypto.SHA256, "sha256", "sha256"},
		{"sha1", crypto.SHA1, crypto.SHA1, "sha1", "sha1"},
		{"sha256-mgf1-sha1", crypto.SHA256, crypto.SHA1, "sha256", "sha1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := *e.conn.Sealer
			s.OAEP = verify.OAEP{Hash: tt.hash, MGFHash: tt.mgf1}
			sealed, err := s.Seal(context.Background(), verify.Verification{Credential: c.Credential(), Location: branch(), Consent: true})
			if err != nil {
				t.Fatal(err)
			}
			tmp := t.TempDir()
			var req verify.Request
			if err := json.Unmarshal(sealed.Body, &req); err != nil {
				t.Fatal(err)
			}
			var data verify.Data
			json.Unmarshal(req.Data, &data)
			ct, _ := base64.StdEncoding.DecodeString(data.DatosCifrados)
			write(t, filepath.Join(tmp, "ct.bin"), ct)
			out := openssl(t, "pkeyutl", "-decrypt", "-inkey", filepath.Join(e.dir, "ine-encryption-key.pem"),
				"-in", filepath.Join(tmp, "ct.bin"), "-pkeyopt", "rsa_padding_mode:oaep",
				"-pkeyopt", "rsa_oaep_md:"+tt.md, "-pkeyopt", "rsa_mgf1_md:"+tt.mgfmd)
			pt, _ := verify.PlaintextFrom(c.Credential())
			want, _ := json.Marshal(pt)
			if string(out) != string(want) {
				t.Errorf("openssl decrypted\n%s\nwant\n%s", out, want)
			}
			sig, _ := base64.StdEncoding.DecodeString(req.Signature.SignatureValue)
			write(t, filepath.Join(tmp, "sig.bin"), sig)
			write(t, filepath.Join(tmp, "signed.txt"), verify.SignedString(req.Data, req.TimeStamp))
			pub := openssl(t, "x509", "-pubkey", "-noout", "-in", filepath.Join(e.dir, "institution-signing.pem"))
			write(t, filepath.Join(tmp, "pub.pem"), pub)
			got := openssl(t, "dgst", "-sha256", "-verify", filepath.Join(tmp, "pub.pem"), "-signature", filepath.Join(tmp, "sig.bin"), filepath.Join(tmp, "signed.txt"))
			if strings.TrimSpace(string(got)) != "Verified OK" {
				t.Errorf("openssl dgst -verify: %s", got)
			}
		})
	}
}

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func openssl(t *testing.T, args ...string) []byte {
	t.Helper()
	out, err := exec.Command("openssl", args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("openssl %s: %v: %s", strings.Join(args, " "), err, ee.Stderr)
		}
		t.Fatal(err)
	}
	return out
}

// withPlaintext is a properly signed request carrying a plaintext our own client would
// refuse to build, as another institution's software might send.
func (e *env) withPlaintext(t *testing.T, pt verify.Plaintext) []byte {
	t.Helper()
	sealed, err := e.conn.Sealer.Seal(context.Background(), verify.Verification{Credential: e.find(t, vigenteG).Credential(), Location: branch(), Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(pt)
	ct, err := e.conn.Sealer.OAEP.Encrypt(e.conn.Sealer.INEKey, raw)
	if err != nil {
		t.Fatal(err)
	}
	return e.resign(t, sealed.Body, func(d map[string]any) { d["datosCifrados"] = ct })
}

func TestSearchParameterCodes(t *testing.T) {
	e := newEnv(t, nil)
	s := func(v string) *string { return &v }
	tests := []struct {
		name string
		pt   verify.Plaintext
		want catalog.Code
	}{
		{"no CIC, OCR alone", verify.Plaintext{OCR: s("0720060838243")}, 205},
		{"nothing to search by", verify.Plaintext{Nombre: s("ANA")}, 205},
		{"CIC with letters", verify.Plaintext{CIC: s("12AB")}, 202},
		{"OCR of 12 digits", verify.Plaintext{OCR: s("072006083824"), ClaveElector: s("LPJRVL88110101H100"), NumeroEmisionCredencial: s("04")}, 202},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post(t, e.withPlaintext(t, tt.pt))
			if r.Code != 0 || r.DataCode != tt.want {
				t.Errorf("codes %d/%d, want 0/%d", r.Code, r.DataCode, tt.want)
			}
		})
	}
}

// TestEmptyStringIsCompared: null is not compared, but "" is, which is how a
// credential without a second surname is confirmed.
func TestEmptyStringIsCompared(t *testing.T) {
	e := newEnv(t, nil)
	empty := ""
	without := e.find(t, func(c sandbox.Citizen) bool { return c.ApellidoMaterno == "" && c.CIC != "" })
	with := e.find(t, vigenteG)
	for _, tt := range []struct {
		c    sandbox.Citizen
		want verify.Comparison
	}{{without, verify.Match}, {with, verify.Mismatch}} {
		cic := tt.c.CIC
		r := e.post(t, e.withPlaintext(t, verify.Plaintext{CIC: &cic, ApellidoMaterno: &empty}))
		if got := fieldMap(r)["apellidoMaterno"]; got != tt.want {
			t.Errorf("%s: apellidoMaterno \"\" → %v, want %v", tt.c.ID, got, tt.want)
		}
	}
}
