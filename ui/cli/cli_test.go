package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"cotejo/capture"
	"cotejo/verify"
)

// freePort picks a free port below the kernel's ephemeral range (32768 and up on
// Linux), so the :0 listeners of tests running in parallel cannot be handed it between
// this check and the sandbox binding it.
func freePort(t *testing.T) string {
	for range 100 {
		port := strconv.Itoa(20000 + rand.IntN(10000))
		ln, err := net.Listen("tcp", "127.0.0.1:"+port)
		if err == nil {
			ln.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return ""
}

func runCLI(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

// pkiAndSandbox runs `cotejo pki init` in a new folder and `cotejo sandbox` on its
// configuration, as an operator would: the folder, the configuration file, the sandbox's
// address and a stop for it (also run at the test's end).
func pkiAndSandbox(t *testing.T) (dir, cfg, addr string, stop func()) {
	t.Helper()
	dir = t.TempDir()
	addr = "127.0.0.1:" + freePort(t)
	if code, _, stderr := runCLI(t, context.Background(), "pki", "init", "--dir", dir, "--addr", addr); code != 0 {
		t.Fatalf("pki init: %s", stderr)
	}
	cfg = filepath.Join(dir, "cotejo.toml")
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan int, 1)
	go func() {
		code, _, _ := runCLI(t, ctx, "sandbox", "--config", cfg)
		served <- code
	}()
	stop = sync.OnceFunc(func() { cancel(); <-served })
	t.Cleanup(stop)
	waitListening(t, addr)
	return dir, cfg, addr, stop
}

// TestVerifyCommand runs the commands as an operator would: pki init, sandbox, verify.
func TestVerifyCommand(t *testing.T) {
	dir, cfg, addr, stop := pkiAndSandbox(t)

	dump := filepath.Join(dir, "body.json")
	code, stdout, stderr := runCLI(t, context.Background(), "verify", "--config", cfg, "--citizen", "../../assets/demo-citizen.json", "--json", "--dump-request", dump)
	if code != 0 {
		t.Fatalf("verify exit %d: %s", code, stderr)
	}
	var view verify.View
	if err := json.Unmarshal([]byte(stdout), &view); err != nil {
		t.Fatalf("--json output: %v\n%s", err, stdout)
	}
	if view.Verdict != "valid" || view.Situation != "VIGENTE" || len(view.Fields) != 9 || view.Indice == "" {
		t.Errorf("view = %+v", view)
	}
	code, stdout, _ = runCLI(t, context.Background(), "verify", "--config", cfg, "--citizen", "../../assets/demo-citizen.json", "--lang", "en")
	if code != 0 || !strings.Contains(stdout, "VALID") || !strings.Contains(stdout, "Given names") {
		t.Errorf("text output (%d):\n%s", code, stdout)
	}
	crossCheckDump(t, dir, dump)

	// INE down: the request is queued (exit 3), not lost.
	stop()
	code, stdout, _ = runCLI(t, context.Background(), "verify", "--config", cfg, "--citizen", "../../assets/demo-citizen.json")
	if code != 3 || !strings.Contains(stdout, "en cola") {
		t.Errorf("verify with INE down: exit %d, %s", code, stdout)
	}
	if code, stdout, _ = runCLI(t, context.Background(), "verify", "--config", cfg, "--citizen", "../../assets/demo-citizen.json", "--queue"); code != 0 || !strings.Contains(stdout, "En cola: entrada 4") {
		t.Errorf("verify --queue: %d %s", code, stdout)
	}
	list := queueList(t, cfg)
	if len(list) != 4 || list[2]["state"] != "pending" || list[3]["state"] != "pending" || list[0]["state"] != "answered" {
		t.Fatalf("queue list --json: %v", list)
	}
	for _, k := range []string{"id", "indice", "state", "attempts", "next_attempt"} {
		if _, ok := list[2][k]; !ok {
			t.Errorf("queue list --json lacks %q", k)
		}
	}
	// INE is back: drain delivers both.
	ctx2, cancel2 := context.WithCancel(context.Background())
	served2 := make(chan int, 1)
	go func() { code, _, _ := runCLI(t, ctx2, "sandbox", "--config", cfg); served2 <- code }()
	defer func() { cancel2(); <-served2 }()
	waitListening(t, addr)
	if code, stdout, stderr := runCLI(t, context.Background(), "queue", "drain", "--config", cfg); code != 0 || !strings.Contains(stdout, "2 envíos") {
		t.Errorf("drain: %d %s %s", code, stdout, stderr)
	}
	for _, e := range queueList(t, cfg) {
		if e["state"] != "answered" {
			t.Errorf("after drain: %v", e)
		}
	}
	if code, stdout, _ := runCLI(t, context.Background(), "queue", "show", "3", "--config", cfg); code != 0 || !strings.Contains(stdout, "VÁLIDA") {
		t.Errorf("queue show: %d %s", code, stdout)
	}
	if code, _, stderr := runCLI(t, context.Background(), "queue", "cancel", "3", "--config", cfg); code == 0 || !strings.Contains(stderr, "answered") {
		t.Errorf("cancel of an answered entry: %d %s", code, stderr)
	}
	if code, stdout, stderr := runCLI(t, context.Background(), "audit", "verify", "--config", cfg); code != 0 || !strings.Contains(stdout, "íntegra") {
		t.Errorf("audit verify: %d %s %s", code, stdout, stderr)
	}
	// Someone edits an audit line in the file: audit verify says where, and fails.
	raw, err := bolt.Open(filepath.Join(dir, "cotejo.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	raw.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("audit"))
		k, v := b.Cursor().First()
		return b.Put(k, bytes.Replace(v, []byte(`"outcome":"`), []byte(`"outcome":"edited `), 1))
	})
	raw.Close()
	if code, _, stderr := runCLI(t, context.Background(), "audit", "verify", "--config", cfg); code == 0 || !strings.Contains(stderr, "broken at entry 1") {
		t.Errorf("audit verify on a tampered trail: %d %s", code, stderr)
	}
}

func queueList(t *testing.T, cfg string) []map[string]any {
	t.Helper()
	code, stdout, stderr := runCLI(t, context.Background(), "queue", "list", "--json", "--config", cfg)
	if code != 0 {
		t.Fatalf("queue list: %s", stderr)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(stdout), &list); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	return list
}

func waitListening(t *testing.T, addr string) {
	for i := 0; i < 100; i++ {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("sandbox not listening on %s", addr)
}

// crossCheckDump has OpenSSL decrypt and verify the exact body cotejo sent.
func crossCheckDump(t *testing.T, dir, dump string) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Log("openssl not installed: dump cross-check skipped")
		return
	}
	raw, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	var req verify.Request
	if err := json.Unmarshal(raw, &req); err != nil {
		t.Fatal(err)
	}
	var data verify.Data
	json.Unmarshal(req.Data, &data)
	ct, _ := base64.StdEncoding.DecodeString(data.DatosCifrados)
	sig, _ := base64.StdEncoding.DecodeString(req.Signature.SignatureValue)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o600)
		return p
	}
	out, err := exec.Command("openssl", "pkeyutl", "-decrypt", "-inkey", filepath.Join(dir, "ine-encryption-key.pem"), "-in", write("ct.bin", ct),
		"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256").Output()
	if err != nil {
		t.Fatalf("openssl pkeyutl: %v", err)
	}
	v, err := capture.LoadCitizenFile("../../assets/demo-citizen.json", capture.Place{})
	if err != nil {
		t.Fatal(err)
	}
	pt, _ := verify.PlaintextFrom(v.Credential)
	want, _ := json.Marshal(pt)
	if string(out) != string(want) {
		t.Errorf("openssl decrypted\n%s\nwant\n%s", out, want)
	}
	pub, err := exec.Command("openssl", "x509", "-pubkey", "-noout", "-in", filepath.Join(dir, "institution-signing.pem")).Output()
	if err != nil {
		t.Fatal(err)
	}
	res, err := exec.Command("openssl", "dgst", "-sha256", "-verify", write("pub.pem", pub), "-signature", write("sig.bin", sig),
		write("signed.txt", verify.SignedString(req.Data, req.TimeStamp))).CombinedOutput()
	if err != nil || strings.TrimSpace(string(res)) != "Verified OK" {
		t.Errorf("openssl dgst -verify over the dumped body: %v %s", err, res)
	}
}

func TestHelpAndUnknown(t *testing.T) {
	if code, out, _ := runCLI(t, context.Background(), "help"); code != 0 || !strings.Contains(out, "sandbox") || !strings.Contains(out, "verify") || !strings.Contains(out, "pki") {
		t.Errorf("help: %d %s", code, out)
	}
	if code, _, _ := runCLI(t, context.Background(), "nada"); code != 2 {
		t.Errorf("unknown command exit %d", code)
	}
	if code, _, errOut := runCLI(t, context.Background(), "verify", "--config", "/nonexistent.toml", "--citizen", "x.json"); code == 0 || !strings.Contains(errOut, "/nonexistent.toml") {
		t.Errorf("missing config: %d %s", code, errOut)
	}
}

func TestCSRCommand(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runCLI(t, context.Background(), "pki", "csr", "--out", dir, "--state", "JALISCO", "--city", "GUADALAJARA", "--org", "Banco X", "--cn", "kiosko.bancox.mx", "--email", "ti@bancox.mx")
	if code != 0 {
		t.Fatal(stderr)
	}
	st, err := os.Stat(filepath.Join(dir, "institution-key.pem"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", err, st)
	}
	if code, _, _ := runCLI(t, context.Background(), "pki", "csr", "--out", dir, "--state", "JALISCO", "--city", "GUADALAJARA", "--org", "Banco X", "--cn", "kiosko.bancox.mx", "--email", "ti@bancox.mx"); code == 0 {
		t.Error("overwrote an existing key")
	}
}
