package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cotejo/verify/credential"
)

// syncBuffer lets a command write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// eventually retries cond for up to two minutes: servers starting on a loaded machine.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within two minutes", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// background runs a command until the test stops it.
func background(t *testing.T, args ...string) (*syncBuffer, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, args, logs, logs)
	}()
	stop := sync.OnceFunc(func() { cancel(); <-done })
	t.Cleanup(stop)
	return logs, stop
}

func dialable(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
	}
	return err == nil
}

type caseJSON struct {
	Key, Kind, State, VerificationID, Code, Class, Message string
	Webhooks                                               int
	Result                                                 struct {
		INE *struct{ Valid, CanVote bool }
		RFC string
		NSS string
	}
}

func decodeCase(t *testing.T, out string) caseJSON {
	t.Helper()
	var c caseJSON
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	return c
}

// TestTuIdentidadCommands runs the commands as an operator would: the stand-in, checks
// that finish while the command waits, the quota, a check left to the background and
// read with status, and the list.
func TestTuIdentidadCommands(t *testing.T) {
	dir := t.TempDir()
	addr := "127.0.0.1:" + freePort(t)
	ca := filepath.Join(dir, "ca.pem")
	_, _ = background(t, "tuidentidad-sandbox", "--addr", addr, "--api-key", "clave-demo", "--ca-out", ca, "--scale", "1000", "--tick", "20ms")
	eventually(t, "the stand-in listening", func() bool { return dialable(addr) })
	cfg := filepath.Join(dir, "cotejo.toml")
	conf := "lang = \"es\"\n[storage]\npath = \"cotejo.db\"\n[tuidentidad]\nurl = \"https://" + addr + "\"\napi_key = \"clave-demo\"\nca = \"ca.pem\"\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	curp := credential.MakeCURP("PEREZ", "LOPEZ", "JUAN", time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), 'H', "DF", '0')

	code, out, errs := runCLI(t, ctx, "tuidentidad", "rfc", "--config", cfg, "--curp", curp, "--state", "9", "--json", "--wait", "2m", "--every", "20ms", "--key", "rfc-1")
	if c := decodeCase(t, out); code != 0 || c.State != "done" || len(c.Result.RFC) != 13 || c.Key != "rfc-1" {
		t.Fatalf("rfc: %d %s %s", code, out, errs)
	}
	for i, want := range []int{0, 0, 4} {
		code, out, errs = runCLI(t, ctx, "tuidentidad", "nss", "--config", cfg, "--curp", curp, "--json", "--wait", "2m", "--every", "20ms")
		c := decodeCase(t, out)
		if code != want || (want == 4) != (c.Code == "NSS008" && c.Class == "quota" && strings.Contains(c.Message, "límite")) {
			t.Errorf("nss %d: %d %s %s", i+1, code, out, errs)
		}
	}
	code, out, errs = runCLI(t, ctx, "tuidentidad", "ine", "--config", cfg, "--model", "D", "--cic", "115568150", "--ocr", "4855115346145", "--wait", "0", "--key", "ine-1")
	if code != 3 || !strings.Contains(out, "ine-1") {
		t.Fatalf("ine without waiting: %d %s %s", code, out, errs)
	}
	eventually(t, "the INE check answered", func() bool {
		code, out, _ = runCLI(t, ctx, "tuidentidad", "status", "ine-1", "--config", cfg, "--json")
		return code == 0 && decodeCase(t, out).State == "done"
	})
	if c := decodeCase(t, out); c.Result.INE == nil || !c.Result.INE.Valid || !c.Result.INE.CanVote {
		t.Errorf("ine: %s", out)
	}
	code, out, errs = runCLI(t, ctx, "tuidentidad", "ine", "--config", cfg, "--model", "D", "--cic", "11556815", "--ocr", "4855115346145", "--lang", "en")
	if code == 0 || !strings.Contains(errs, "CIC") {
		t.Errorf("malformed CIC: %d %s %s", code, out, errs)
	}
	code, out, errs = runCLI(t, ctx, "tuidentidad", "list", "--config", cfg, "--json")
	var list []caseJSON
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) != 5 {
		t.Errorf("list: %d %d cases %s %v", code, len(list), errs, err)
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "cotejo.db")); err != nil || bytes.Contains(raw, []byte(curp)) {
		t.Errorf("the CURP is in the data file in clear (%v)", err)
	}
}

// TestWebhookServe: the stand-in delivers to `cotejo webhook serve`, which records the
// hint and has the worker confirm it; status then shows the case done, reached by the
// webhook.
func TestWebhookServe(t *testing.T) {
	dir := t.TempDir()
	addr, hook := "127.0.0.1:"+freePort(t), "127.0.0.1:"+freePort(t)
	ca, cert, key := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	// A CIC ending in 5: the source is down at first and answers at the retry, 20
	// minutes later, 2 s at this scale: time for the receiver to start.
	sandboxLogs, _ := background(t, "tuidentidad-sandbox", "--addr", addr, "--api-key", "clave-demo", "--ca-out", ca,
		"--cert-out", cert, "--key-out", key, "--scale", "600", "--tick", "20ms", "--delivery-attempts", "100",
		"--webhook-url", "https://localhost:"+strings.Split(hook, ":")[1]+"/tuidentidad", "--webhook-auth", "bearer:secreto")
	eventually(t, "the stand-in listening", func() bool { return dialable(addr) })
	cfg := filepath.Join(dir, "cotejo.toml")
	conf := "[storage]\npath = \"cotejo.db\"\n[tuidentidad]\nurl = \"https://" + addr + "\"\napi_key = \"clave-demo\"\nca = \"ca.pem\"\n" +
		"webhook_addr = \"" + hook + "\"\nwebhook_auth = \"bearer:secreto\"\nwebhook_cert = \"cert.pem\"\nwebhook_key = \"key.pem\"\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, t.Context(), "tuidentidad", "ine", "--config", cfg, "--model", "E", "--cic", "145591725", "--ocr", "0535000172485", "--wait", "0", "--key", "ine-web")
	if code != 3 {
		t.Fatalf("ine: %d %s %s", code, out, errs)
	}
	hookLogs, stop := background(t, "webhook", "serve", "--config", cfg, "--poll", "1h")
	eventually(t, "the webhook acknowledged", func() bool { return strings.Contains(sandboxLogs.String(), "http=200") })
	stop()
	if !strings.Contains(hookLogs.String(), "webhook: received") || strings.Contains(hookLogs.String(), "secreto") {
		t.Errorf("receiver's log: %s", hookLogs.String())
	}
	eventually(t, "the case confirmed", func() bool {
		code, out, _ = runCLI(t, t.Context(), "tuidentidad", "status", "ine-web", "--config", cfg, "--json")
		return code == 0 && decodeCase(t, out).State == "done"
	})
	if c := decodeCase(t, out); c.Webhooks < 1 || c.Result.INE == nil || !c.Result.INE.Valid {
		t.Errorf("%s", out)
	}
}

// TestTuIdentidadKill: cotejo killed (SIGKILL) while it waits for Tu Identidad's answer
// loses nothing: after a restart the check completes, and the data file holds one case
// with one result for it.
func TestTuIdentidadKill(t *testing.T) {
	dir := t.TempDir()
	addr := "127.0.0.1:" + freePort(t)
	ca := filepath.Join(dir, "ca.pem")
	// A CIC ending in 5: the source is down at first and answers at the retry, 20
	// minutes later on the provider's clock: a minute at this scale, time to kill the
	// waiter even on a loaded machine.
	sandboxLogs, _ := background(t, "tuidentidad-sandbox", "--addr", addr, "--api-key", "clave-demo", "--ca-out", ca, "--scale", "20", "--tick", "50ms")
	eventually(t, "the stand-in listening", func() bool { return dialable(addr) })
	cfg := filepath.Join(dir, "cotejo.toml")
	conf := "lang = \"es\"\n[storage]\npath = \"cotejo.db\"\n[tuidentidad]\nurl = \"https://" + addr + "\"\napi_key = \"clave-demo\"\nca = \"ca.pem\"\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"tuidentidad", "ine", "--config", cfg, "--model", "D", "--cic", "115568155", "--ocr", "4855115346145", "--wait", "10m", "--every", "50ms", "--key", "ine-kill"}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "COTEJO_TEST_RUN="+strings.Join(args, "\x1f"))
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the check created at the provider", func() bool { return strings.Contains(sandboxLogs.String(), "created") })
	// Its verificationId is stored just after the provider's answer; a kill before that
	// only sends the check again at the restart (no idempotency key in the protocol).
	time.Sleep(500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil || cmd.ProcessState.Success() {
		t.Fatalf("the waiter was not killed: %v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "VIGENTE") {
		t.Skipf("the machine was so slow the answer came before the kill: nothing tested\n%s", out.String())
	}
	ctx := t.Context()
	var code int
	var got string
	eventually(t, "the check answered after the restart", func() bool {
		code, got, _ = runCLI(t, ctx, "tuidentidad", "status", "ine-kill", "--config", cfg, "--json")
		return code == 0 && decodeCase(t, got).State == "done"
	})
	if c := decodeCase(t, got); c.Result.INE == nil || !c.Result.INE.Valid {
		t.Errorf("after the restart: %s", got)
	}
	code, got, errs := runCLI(t, ctx, "tuidentidad", "list", "--config", cfg, "--json")
	var list []caseJSON
	if err := json.Unmarshal([]byte(got), &list); code != 0 || err != nil || len(list) != 1 || list[0].Key != "ine-kill" {
		t.Errorf("list after the kill: %d %s %s %v", code, got, errs, err)
	}
	if n := strings.Count(sandboxLogs.String(), "created"); n != 1 {
		t.Logf("the provider saw %d creates (a kill before the id was stored sends it again)", n)
	}
}
