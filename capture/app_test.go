package capture_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"cotejo/capture"
	"cotejo/scanner/biometrics/ridge"
	"cotejo/scanner/biometrics/template"
	"cotejo/storage"
	"cotejo/verify"
	"cotejo/verify/sandbox/sandboxtest"
)

// installation copies the shared development PKI into a folder of the test's own (its
// data file and key there too) and returns its configuration's path, with the service
// pointed at url (empty: the PKI's own, where nothing listens).
func installation(t *testing.T, url string) string {
	t.Helper()
	src, err := sandboxtest.PKI()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), "cotejo.db") || strings.HasPrefix(e.Name(), "cotejo.key") {
			continue
		}
		info, _ := e.Info()
		raw, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), raw, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "cotejo.toml")
	if url != "" {
		var m map[string]any
		if _, err := toml.DecodeFile(cfg, &m); err != nil {
			t.Fatal(err)
		}
		m["service"].(map[string]any)["url"] = url
		f, err := os.Create(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := toml.NewEncoder(f).Encode(m); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return cfg
}

func openApp(t *testing.T, cfg string, o capture.Options) *capture.App {
	t.Helper()
	a, err := capture.Open(context.Background(), cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// session is the demo citizen's verification at the review stage, fingers or not.
func session(t *testing.T, fingers *verify.Fingers) *capture.Session {
	t.Helper()
	v := demoCitizen(t)
	v.Location = branch
	v.Fingers = fingers
	s, err := capture.SessionFor(v, "cajero-7", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestOpenReadOnly: the views open the data file read-only; a change is refused with
// storage.ErrReadOnly rather than written.
func TestOpenReadOnly(t *testing.T) {
	cfg := installation(t, "")
	a := openApp(t, cfg, capture.Options{})
	e, err := a.Enqueue(context.Background(), session(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	for _, c := range []struct {
		name string
		o    capture.Options
	}{{"store only", capture.Options{StoreOnly: true, ReadOnly: true}}, {"with the service", capture.Options{ReadOnly: true}}} {
		t.Run(c.name, func(t *testing.T) {
			ro := openApp(t, cfg, c.o)
			list, err := ro.Pending()
			if err != nil || len(list) != 1 {
				t.Fatalf("pending %v %v", list, err)
			}
			if _, err := ro.DB.Cancel(e.ID, "super"); !errors.Is(err, storage.ErrReadOnly) {
				t.Errorf("cancel on a read-only store: %v", err)
			}
			ro.Close()
		})
	}
}

// TestClockSetBack: without a TSA, a request stamped before the last one recorded is
// refused, in the operator's words.
func TestClockSetBack(t *testing.T) {
	a := openApp(t, installation(t, ""), capture.Options{})
	if _, err := a.Enqueue(context.Background(), session(t, nil)); err != nil {
		t.Fatal(err)
	}
	a.Sealer.(*verify.Sealer).Now = func() time.Time { return time.Now().AddDate(-1, 0, 0) }
	_, err := a.Enqueue(context.Background(), session(t, nil))
	var ce *verify.ClockError
	if !errors.As(err, &ce) {
		t.Fatalf("clock a year back: %v", err)
	}
	for lang, want := range map[string]string{"es": "Corrija la fecha y hora", "en": "Set the date and time right"} {
		if m := capture.ProblemMessage(err, lang); !strings.Contains(m, want) {
			t.Errorf("%s: %q", lang, m)
		}
	}
}

// TestAnswerFingersSent: a stored answer to a request that carried fingers is shown as
// such, so an answer without a finger result is not VÁLIDA.
func TestAnswerFingersSent(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{})
	a := openApp(t, installation(t, env.URL), capture.Options{})
	// Fingers the sandbox does not compare (no matcher): answered without similarities.
	s := session(t, &verify.Fingers{Tipo: 1, Right: fingerTemplate(t), Left: fingerTemplate(t)})
	e, err := a.Submit(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.Answer(e)
	if err != nil {
		t.Fatal(err)
	}
	if !res.FingersSent {
		t.Error("the answer to a request with fingers does not say fingers were sent")
	}
	if res.Verdict(a.Threshold) == verify.VerdictValid {
		t.Errorf("fingers sent, no finger result, verdict %v", res.Verdict(a.Threshold))
	}
}

// fingerTemplate is a small but well-formed ANSI 378 template of a right index.
func fingerTemplate(t *testing.T) []byte {
	t.Helper()
	var ms []ridge.Minutia
	for i := range 20 {
		ms = append(ms, ridge.Minutia{X: float64(40 + 15*i), Y: float64(60 + 11*i), Angle: float64(i) / 4, Kind: ridge.Ending, Quality: 60})
	}
	b, err := template.New(template.ANSI, template.RightIndex, 400, 500, 500, 70, ms).Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSendQueuedStatus: the window's sender says when it fails (here, a data file it
// cannot write) instead of dying silently, and keeps running until told to stop.
func TestSendQueuedStatus(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{})
	cfg := installation(t, env.URL)
	a := openApp(t, cfg, capture.Options{})
	if _, err := a.Enqueue(context.Background(), session(t, nil)); err != nil {
		t.Fatal(err)
	}
	a.Close()
	ro := openApp(t, cfg, capture.Options{ReadOnly: true})
	ctx, cancel := context.WithCancel(context.Background())
	states := make(chan capture.SenderStatus, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ro.SendQueued(ctx, nil, func(st capture.SenderStatus) {
			select {
			case states <- st:
			default:
			}
		})
	}()
	for st := range states {
		if st.State == capture.SenderFailing {
			if m := st.Message("es"); !strings.Contains(m, "falla") || st.LastError == nil {
				t.Errorf("failing status %q, %v", m, st.LastError)
			}
			break
		}
	}
	select {
	case <-done:
		t.Fatal("the sender returned after a failed pass")
	default:
	}
	cancel()
	<-done
}
