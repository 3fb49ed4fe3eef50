package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// started runs a serving command until the test ends and returns the first line it
// prints (it prints its address once listening) and a channel with its exit status.
func started(t *testing.T, ctx context.Context, args ...string) (string, <-chan int) {
	t.Helper()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		var errb bytes.Buffer
		code := Run(ctx, args, pw, &errb)
		if code != 0 {
			t.Logf("%s: %s", args[0], errb.String())
		}
		pw.Close()
		done <- code
	}()
	br := bufio.NewReader(pr)
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("%s did not start: %v", args[0], err)
	}
	go io.Copy(io.Discard, br)
	return strings.TrimSpace(line), done
}

// TestRemoteCommands: `cotejo remote-sandbox` serves the stand-in, `cotejo remote
// listen` receives its reports into a case file, and send, status, certificate and
// credits work against them with --json, over HTTPS with the stand-in's CA.
func TestRemoteCommands(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	sbDir := filepath.Join(dir, "sb")
	sbAddr, lnAddr := "127.0.0.1:"+freePort(t), "127.0.0.1:"+freePort(t)
	cases := filepath.Join(dir, "cases.db")
	cfg := filepath.Join(dir, "cotejo.toml")
	os.WriteFile(cfg, []byte("[remote]\nbase_url = \"https://"+sbAddr+"\"\nuser = \"demo\"\nsender = \"Cotejo\"\n"), 0o600)
	t.Setenv("COTEJO_REMOTE_TOKEN", "demo-token")

	sbCtx, stopSB := context.WithCancel(ctx)
	defer stopSB()
	line, sbDone := started(t, sbCtx, "remote-sandbox", "--addr", sbAddr, "--dir", sbDir, "--every", "20ms",
		"--webhook", "https://"+lnAddr+"/", "--webhook-user", "prov", "--webhook-password", "pw")
	defer func() { stopSB(); <-sbDone }()
	if !strings.Contains(line, sbAddr) {
		t.Fatalf("remote-sandbox said %q", line)
	}
	ca := filepath.Join(sbDir, "ca.pem")
	_, listened := started(t, ctx, "remote", "listen", "--cases", cases, "--addr", lnAddr, "--exit-on-final",
		"--cert", filepath.Join(sbDir, "receiver.pem"), "--key", filepath.Join(sbDir, "receiver-key.pem"),
		"--hook-user", "prov", "--hook-password", "pw")

	// A bad phone is refused before sending, in the operator's language.
	if code, _, stderr := runCLI(t, ctx, "remote", "send", "--config", cfg, "--cacert", ca, "--phone", "123", "--lang", "en"); code == 0 || !strings.Contains(stderr, "not a valid mobile") {
		t.Errorf("bad phone: %d %s", code, stderr)
	}
	// Send: the case file cannot be shared with the listener (bbolt locks it), so the
	// send is recorded by the reports alone.
	code, out, stderr := runCLI(t, ctx, "remote", "send", "--config", cfg, "--cacert", ca, "--phone", "5512345678",
		"--document", "GOMR800101HDFRRN09", "--json")
	var sent struct {
		ID      string
		Credits float64
	}
	if code != 0 || json.Unmarshal([]byte(out), &sent) != nil || sent.ID == "" || sent.Credits != 9 {
		t.Fatalf("send: %d %q %s", code, out, stderr)
	}
	select {
	case c := <-listened:
		if c != 0 {
			t.Fatalf("listen exited %d", c)
		}
	case <-ctx.Done():
		t.Fatal("no final report within two minutes")
	}
	code, out, stderr = runCLI(t, ctx, "remote", "status", sent.ID, "--cases", cases, "--json")
	var st struct {
		Estado      int
		Outcome     string
		Certificate bool
		Notice      string
		Events      []json.RawMessage
	}
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || st.Estado != 5100 || st.Outcome != "validated" || len(st.Events) != 7 || !strings.Contains(st.Notice, "INE") {
		t.Fatalf("status: %d %s %s", code, out, stderr)
	}
	pdf := filepath.Join(dir, "cert.pdf")
	code, out, stderr = runCLI(t, ctx, "remote", "certificate", sent.ID, "--config", cfg, "--cacert", ca, "--cases", cases, "--out", pdf, "--json")
	if b, _ := os.ReadFile(pdf); code != 0 || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("certificate: %d %s %s", code, out, stderr)
	}
	code, out, _ = runCLI(t, ctx, "remote", "status", sent.ID, "--cases", cases, "--lang", "en")
	if code != 0 || !strings.Contains(out, "Certificate: kept.") || !strings.Contains(out, "Validated") {
		t.Errorf("status in English: %s", out)
	}
	code, out, stderr = runCLI(t, ctx, "remote", "credits", "--config", cfg, "--cacert", ca, "--json")
	if code != 0 || strings.TrimSpace(out) != `{"credits":9}` {
		t.Errorf("credits: %d %s %s", code, out, stderr)
	}
	// A wrong token: the provider's -1, in words.
	code, _, stderr = runCLI(t, ctx, "remote", "credits", "--config", cfg, "--cacert", ca, "--token", "nope")
	if code == 0 || !strings.Contains(stderr, "autenticación") {
		t.Errorf("wrong token: %d %s", code, stderr)
	}
}
