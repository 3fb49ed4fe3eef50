package remoteid_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cotejo/verify/remoteid"
	"cotejo/verify/remoteid/standin"
)

// curl posts a JSON body written here by hand, with curl's own basic auth and TLS
// (trusting only the test CA), and returns what the stand-in answered.
func curl(t *testing.T, r *rig, user, token, path, body string) []byte {
	t.Helper()
	cmd := exec.CommandContext(r.ctx(), "curl", "--silent", "--show-error", "--fail-with-body",
		"--cacert", r.caFile, "-u", user+":"+token, "-H", "Content-Type: application/json",
		"--data-binary", body, r.api.URL+path)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl %s: %v", path, err)
	}
	return out
}

// TestCurlAgrees: requests made by curl get the answers Cotejo's client gets, from the
// same stand-in.
func TestCurlAgrees(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed (Debian package curl): the independent check needs it")
	}
	r := newRig(t, func(s *standin.Settings) { s.Credits = 4; s.SpamLimit = 100 })
	decode := func(b []byte) remoteid.Reply {
		t.Helper()
		rep, err := remoteid.DecodeReply(b)
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		return rep
	}
	// Send: curl's request first, then the client's: consecutive IDs, credits 3 then 2.
	byCurl := decode(curl(t, r, apiUser, apiToken, remoteid.PathSend,
		`{"Telefono":"525512345678","Mensaje":"Verifique su identidad: [LINK]","Remitente":"Cotejo","Dni":"GOMR800101HDFRRN09","Resp":"JSON"}`))
	byClient := r.send(remoteid.SendRequest{Phone: phone, Document: curp})
	if byCurl.Res != 1 || byCurl.Cred != 3 || byClient.Credits != 2 || byCurl.ID != "1283876988" || byClient.ID != "1283876989" {
		t.Errorf("send: curl %+v, client %+v", byCurl, byClient)
	}
	// Credits: the same double.
	raw := curl(t, r, apiUser, apiToken, remoteid.PathCredits, `{"Resp":"JSON"}`)
	if string(raw) != `[{"Res":1,"Cred":2.0}]` {
		t.Errorf("credits by curl: %s", raw)
	}
	r.clk.Add(10 * time.Minute) // past the client's credits interval: it asks
	if c, err := r.client.Credits(r.ctx()); err != nil || c.Cached || c.Value != decode(raw).Cred {
		t.Errorf("credits by the client %+v %v", c, err)
	}
	// A wrong token: -1 both ways.
	if rep := decode(curl(t, r, apiUser, "nope", remoteid.PathCredits, `{"Resp":"JSON"}`)); rep.Res != remoteid.ResAuth {
		t.Errorf("curl wrong token: %+v", rep)
	}
	if _, err := r.newClient("nope").Credits(r.ctx()); resOf(t, err) != remoteid.ResAuth {
		t.Error(err)
	}
	// Missing Telefono: -3 with Error; the client refuses it before sending.
	if rep := decode(curl(t, r, apiUser, apiToken, remoteid.PathSend, `{"Resp":"JSON"}`)); rep.Res != remoteid.ResBadData || rep.Error == "" {
		t.Errorf("curl without Telefono: %+v", rep)
	}
	// The certificate, after the chain: a PDF both ways; before it, -3 both ways.
	cb := decode(curl(t, r, apiUser, apiToken, remoteid.PathCertificate, `{"Id":"1283876988","Resp":"JSON"}`))
	if _, err := r.client.Certificate(r.ctx(), "1283876989"); cb.Res != remoteid.ResBadData || resOf(t, err) != remoteid.ResBadData {
		t.Errorf("certificate before 5100: curl %+v, client %v", cb, err)
	}
	if err := r.sv.Finish(r.ctx()); err != nil {
		t.Fatal(err)
	}
	r.client.ForgetCertificate("1283876989") // 5100 arrived: no longer a repeat
	pdfCurl := curl(t, r, apiUser, apiToken, remoteid.PathCertificate, `{"Id":1283876988,"Resp":"JSON"}`)
	pdfClient, err := r.client.Certificate(r.ctx(), "1283876989")
	if err != nil || !bytes.HasPrefix(pdfCurl, []byte("%PDF-")) || !bytes.HasPrefix(pdfClient, []byte("%PDF-")) {
		t.Errorf("certificates: curl %.12q, client %.12q %v", pdfCurl, pdfClient, err)
	}
}

// TestPythonReceiver: the stand-in's reports, JSON and form data, are accepted by a
// receiver written with Python's standard library, which decodes them on its own.
func TestPythonReceiver(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the independent receiver needs it")
	}
	for _, form := range []bool{false, true} {
		dir := t.TempDir()
		r := newRig(t, func(s *standin.Settings) {
			s.WebhookForm = form
			s.PhoneScenarios = map[string]string{"525500000001": "expired"}
		})
		certPEM, keyPEM := r.pki.CertPEM, r.pki.KeyPEM
		certFile, keyFile, out := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "got.jsonl")
		os.WriteFile(certFile, certPEM, 0o600)
		os.WriteFile(keyFile, keyPEM, 0o600)
		cmd := exec.CommandContext(r.ctx(), py, filepath.Join("testdata", "receiver.py"), certFile, keyFile, hookUser, hookPass, out)
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		port, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			t.Fatalf("receiver did not start: %v", err)
		}
		sv, err := standin.New(standin.Settings{User: apiUser, Token: apiToken, Now: r.clk.Now, WebhookForm: form,
			WebhookURL: "https://127.0.0.1:" + strings.TrimSpace(port) + "/hook", WebhookUser: hookUser, WebhookPassword: hookPass,
			WebhookClient: r.pool, PhoneScenarios: map[string]string{"525500000001": "expired"}})
		if err != nil {
			t.Fatal(err)
		}
		r.api = r.serve(sv)
		r.client = r.newClient(apiToken)
		ok := r.send(remoteid.SendRequest{Phone: phone, Document: curp}).ID
		rejected := r.send(remoteid.SendRequest{Phone: "5500000001"}).ID
		if err := sv.Finish(r.ctx()); err != nil {
			t.Fatalf("form %v: the Python receiver refused a report: %v", form, err)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(got)), "\n")
		if len(lines) != 14 {
			t.Fatalf("form %v: Python got %d reports, want 14", form, len(lines))
		}
		last := map[string]map[string]any{}
		for _, l := range lines {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatal(err)
			}
			last[m["ID"].(string)] = m
		}
		okRes := last[ok]["Result"].(map[string]any)
		rejRes := last[rejected]["Result"].(map[string]any)
		if last[ok]["Estado"].(float64) != 5100 || okRes["DNISolicitadoCoincide"] != "Si" ||
			last[rejected]["Estado"].(float64) != 5500 || rejRes["Resultado"].(float64) != -5 || rejRes["DNISolicitadoCoincide"] != "N/A" {
			t.Errorf("form %v: Python read %v / %v", form, last[ok], last[rejected])
		}
		wantCT := map[bool]string{false: "application/json", true: "multipart/form-data"}[form]
		if last[ok]["ctype"] != wantCT {
			t.Errorf("content type %v", last[ok]["ctype"])
		}
	}
}
