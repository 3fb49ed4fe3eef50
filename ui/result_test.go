package ui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cotejo/capture"
	"cotejo/scanner/biometrics/enrolled"
	"cotejo/verify/sandbox/sandboxtest"
	"cotejo/verify/sello"
)

// TestPrintReceipt: the receipt goes to lp (CUPS) as a PDF; without lp the teller is
// told plainly there is no printer.
func TestPrintReceipt(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	c.signInAs(t, "ana", "4821")
	if v := c.verify(t, "G"); v != "valid" {
		t.Fatalf("verdict %q", v)
	}
	res := on[*resultScreen](t, c)
	if !strings.Contains(res.what.Text(), "vigente") || !strings.Contains(res.next.Text(), "continuar") {
		t.Errorf("read aloud: %q / %q", res.what.Text(), res.next.Text())
	}

	// Saved where the window keeps receipts: sealed, and the seal verifies under the
	// institution's signing certificate.
	c.tap(t, "receipt")
	if !strings.Contains(c.status(), "Comprobante guardado") {
		t.Fatalf("save: %q", c.status())
	}
	saved, err := os.Open(filepath.Join(c.opts.ReceiptDir, capture.ReceiptName(res.entry.Indice)))
	if err != nil {
		t.Fatal(err)
	}
	checked, err := capture.VerifyReceipt(saved, env.Conn.Sealer.Signer.Certificate())
	saved.Close()
	if err != nil || checked.Evidence.Operator != "ANA" || checked.Evidence.Branch != "Banco de Prueba" || checked.Evidence.ConsentVersion == sello.NoRecord {
		t.Errorf("the saved receipt: %v, evidence %+v", err, checked)
	}

	bin := t.TempDir()
	t.Setenv("PATH", bin)
	c.tap(t, "print")
	if !strings.Contains(c.status(), "No hay impresora") {
		t.Errorf("without lp: %q", c.status())
	}

	// A stand-in lp that keeps what it is given.
	got := filepath.Join(t.TempDir(), "printed.pdf")
	script := "#!/bin/sh\nfor a; do f=$a; done\ncat \"$f\" > " + got + "\n"
	if err := os.WriteFile(filepath.Join(bin, "lp"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":/usr/bin:/bin")
	c.tap(t, "print")
	if !strings.Contains(c.status(), "enviado a la impresora") {
		t.Errorf("with lp: %q", c.status())
	}
	if pdf, err := os.ReadFile(got); err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Errorf("lp was given %d bytes, %v", len(pdf), err)
	}

	// The real CUPS: its spooler, lp and IPP, with a printer whose backend keeps the job.
	out := startCUPS(t)
	t.Setenv("PATH", "/usr/bin:/bin:/usr/sbin:/sbin")
	c.tap(t, "print")
	if !strings.Contains(c.status(), "enviado a la impresora") {
		t.Fatalf("with CUPS: %q", c.status())
	}
	var printed []byte
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline) && len(printed) == 0; time.Sleep(200 * time.Millisecond) {
		jobs, _ := filepath.Glob(filepath.Join(out, "job-*"))
		if len(jobs) > 0 {
			printed, _ = os.ReadFile(jobs[0])
		}
	}
	if !strings.HasPrefix(string(printed), "%PDF-") || len(printed) < 1000 {
		t.Errorf("the printer received %d bytes: %.20q", len(printed), printed)
	}
}

// startCUPS runs a CUPS scheduler of the test's own (its socket in CUPS_SERVER) with a
// default printer "cotejo" whose backend keeps each job's document in the folder it
// returns: the whole print path of a kiosk but the paper. It skips where cupsd cannot
// run (not installed, not root).
func startCUPS(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/sbin/cupsd", "/usr/sbin/lpadmin", "/usr/bin/lp"} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("CUPS is not installed (%s): make deps installs cups-daemon and cups-client", p)
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("a scheduler of the test's own needs root (cupsd checks its files' owner)")
	}
	dir, err := os.MkdirTemp("", "cups")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755) // cupsd reads its files as its own user
	for _, d := range []string{"spool", "tmp", "cache", "state", "ppd", "out", "bin/backend"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"filter", "daemon", "notifier", "cgi-bin", "monitor", "driver"} {
		os.Symlink("/usr/lib/cups/"+d, filepath.Join(dir, "bin", d))
	}
	sock := filepath.Join(dir, "cups.sock")
	files := map[string]string{
		"cupsd.conf": "Listen " + sock + "\nLogLevel warn\nWebInterface No\nBrowsing No\nDefaultAuthType None\n" +
			"<Location />\n  Order allow,deny\n  Allow all\n</Location>\n<Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n" +
			"<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n",
		"cups-files.conf": fmt.Sprintf("ServerRoot %[1]s\nRequestRoot %[1]s/spool\nTempDir %[1]s/tmp\nCacheDir %[1]s/cache\nStateDir %[1]s/state\n"+
			"ErrorLog %[1]s/error_log\nAccessLog %[1]s/access_log\nPageLog %[1]s/page_log\nServerBin %[1]s/bin\nDataDir /usr/share/cups\n", dir),
		// A backend speaks CUPS's backend protocol: no arguments lists its device;
		// job, user, title, copies, options and the file print (mode 0700: run as root).
		"bin/backend/keep": "#!/bin/sh\nif [ $# -eq 0 ]; then echo 'direct keep \"Unknown\" \"Keeps jobs\"'; exit 0; fi\n" +
			"if [ -n \"$6\" ]; then cat \"$6\"; else cat; fi > \"${DEVICE_URI#keep:}/job-$1\"\n",
	}
	for name, text := range files {
		mode := os.FileMode(0o644)
		if strings.HasPrefix(name, "bin/") {
			mode = 0o700
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), mode); err != nil {
			t.Fatal(err)
		}
	}
	cupsd := exec.Command("/usr/sbin/cupsd", "-f", "-c", filepath.Join(dir, "cupsd.conf"), "-s", filepath.Join(dir, "cups-files.conf"))
	if err := cupsd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cupsd.Process.Kill(); cupsd.Wait() })
	t.Setenv("CUPS_SERVER", sock)
	out := filepath.Join(dir, "out")
	var lastErr error
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		// Raw queues are deprecated but still pass the PDF through as it is.
		if b, err := exec.Command("/usr/sbin/lpadmin", "-p", "cotejo", "-E", "-v", "keep:"+out, "-m", "raw").CombinedOutput(); err != nil {
			lastErr = fmt.Errorf("%v: %s", err, b)
			continue
		}
		if b, err := exec.Command("/usr/sbin/lpadmin", "-d", "cotejo").CombinedOutput(); err != nil {
			t.Fatalf("lpadmin -d: %v: %s", err, b)
		}
		return out
	}
	t.Fatalf("the test's CUPS did not start: %v", lastErr)
	return ""
}

// TestCancelAsksFirst: Cancelar and No acepta discard nothing until the operator says
// yes; "No, seguir" keeps the session where it was.
func TestCancelAsksFirst(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	c.signInAs(t, "ana", "4821")
	c.tap(t, "new")
	c.tap(t, "sampleG")
	curp := on[*credentialScreen](t, c).entries["curp"].Text
	c.tap(t, "cancel")
	c.want(t, "credential")
	if !strings.Contains(c.texts()+overlayTexts(c), "¿Cancelar esta verificación?") {
		t.Error("no question asked")
	}
	c.tap(t, "confirm.no")
	c.want(t, "credential")
	if got := on[*credentialScreen](t, c).entries["curp"].Text; got != curp || c.session == nil {
		t.Fatalf("after No: CURP %q, want %q", got, curp)
	}
	c.tap(t, "next")
	c.tap(t, "next")
	c.want(t, "consent")
	c.tap(t, "decline")
	c.want(t, "consent")
	c.tap(t, "confirm.no")
	c.want(t, "consent")
	c.tap(t, "decline")
	c.tap(t, "confirm.yes")
	c.want(t, "home")
	if c.session != nil {
		t.Error("the session outlived the citizen's refusal")
	}
	c.tap(t, "new")
	c.tap(t, "cancel")
	c.tap(t, "confirm.yes")
	c.want(t, "home")
}
