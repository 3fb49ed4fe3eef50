package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cotejo/ocr"
	"cotejo/verify/credential"
)

func TestMain(m *testing.M) {
	// The test binary run as cotejo itself, for tests that kill a command mid-way.
	if args, ok := os.LookupEnv("COTEJO_TEST_RUN"); ok {
		os.Exit(Run(context.Background(), strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
	}
	// tesseract's OpenMP reads its thread limit at start-up.
	if err := ocr.LimitThreads(); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// TestOCRCommand reads the demo's card photos as an operator would, and draws new cards
// with cardgen and reads one back.
func TestOCRCommand(t *testing.T) {
	ctx := context.Background()
	code, stdout, stderr := runCLI(t, ctx, "ocr", "--json", "../../assets/demo-0001-front.jpg", "../../assets/demo-0001-back.jpg")
	if code != 0 {
		t.Fatalf("ocr: %d %s", code, stderr)
	}
	var got struct {
		credential.Credential
		Confidence map[string]float64 `json:"confidence"`
		Review     []string           `json:"review"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../assets/demo-0001.json")
	if err != nil {
		t.Fatal(err)
	}
	var truth credential.Credential
	if err := json.Unmarshal(want, &truth); err != nil {
		t.Fatal(err)
	}
	if got.Credential != truth || len(got.Confidence) != 10 || got.Review == nil {
		t.Errorf("read %+v, want %+v (%s)", got, truth, stdout)
	}

	dir := t.TempDir()
	if code, _, stderr := runCLI(t, ctx, "cardgen", "--out", dir, "--count", "1", "--models", "C", "--padron=false", "--seed", "5"); code != 0 {
		t.Fatalf("cardgen: %s", stderr)
	}
	code, stdout, stderr = runCLI(t, ctx, "ocr", "--lang", "en", filepath.Join(dir, "0001-back.png"), filepath.Join(dir, "0001-front.png"))
	gen, _ := os.ReadFile(filepath.Join(dir, "0001.json"))
	var genTruth credential.Credential
	json.Unmarshal(gen, &genTruth)
	if code != 0 || !strings.Contains(stdout, "Model: C") || !strings.Contains(stdout, "Elector key") || genTruth.CURP == "" || !strings.Contains(stdout, genTruth.CURP) {
		t.Errorf("ocr of a generated model C: %d\n%s\n%s", code, stdout, stderr)
	}

	bad := filepath.Join(dir, "bad.png")
	os.WriteFile(bad, []byte("not an image"), 0o644)
	if code, _, stderr := runCLI(t, ctx, "ocr", bad); code == 0 || !strings.Contains(stderr, "no es una imagen") {
		t.Errorf("a corrupt file: %d %s", code, stderr)
	}
	// --json answers in JSON whatever happens.
	if code, stdout, _ := runCLI(t, ctx, "ocr", "--json", bad); code == 0 || !json.Valid([]byte(stdout)) || !strings.Contains(stdout, `"error"`) {
		t.Errorf("a corrupt file, --json: %d %s", code, stdout)
	}
	// Not all or nothing: two fronts still give the front's fields, with the problem said.
	if code, stdout, stderr := runCLI(t, ctx, "ocr", "--lang", "en", "../../assets/demo-0001-front.jpg", "../../assets/demo-0002-front.jpg"); code != 0 || !strings.Contains(stdout, "same side") || !strings.Contains(stdout, truth.CURP) {
		t.Errorf("two fronts: %d %s %s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, ctx, "ocr", "--json", "../../assets/demo-0001-front.jpg", "../../assets/demo-0002-front.jpg")
	var two struct {
		CURP     string `json:"curp"`
		Problems []struct{ Reason, Message string }
		Found    map[string]string
	}
	if err := json.Unmarshal([]byte(stdout), &two); code != 0 || err != nil || two.CURP != truth.CURP || len(two.Problems) == 0 || two.Problems[0].Reason != "sameSide" || two.Found["curp"] == "" {
		t.Errorf("two fronts, --json: %d %v %s", code, err, stdout)
	}
}

func TestFingerGenCommand(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, context.Background(), "finger", "gen", "--out", dir, "--citizens", "1", "--impressions", "2")
	if code != 0 || !strings.Contains(stdout, "2 masters and 4 impressions") {
		t.Fatalf("%d %s %s", code, stdout, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "P001-7-2-fair.json"))
	if err != nil {
		t.Fatal(err)
	}
	var truth struct {
		PPI      int `json:"ppi"`
		Minutiae []struct {
			X, Y  float64
			Angle float64
			Type  string
		} `json:"minutiae"`
	}
	if err := json.Unmarshal(b, &truth); err != nil || truth.PPI != 500 || len(truth.Minutiae) < 20 {
		t.Errorf("truth %+v, %v", truth, err)
	}
	for _, m := range truth.Minutiae {
		if m.Angle < 0 || m.Angle >= 360 || m.Type != "ending" && m.Type != "bifurcation" {
			t.Fatalf("minutia %+v", m)
		}
	}

	// Quality and matching on the generated prints: the same finger again matches, the
	// other hand's index does not.
	code, stdout, stderr = runCLI(t, context.Background(), "finger", "quality", "--json", filepath.Join(dir, "P001-2-1-good.png"))
	var q struct {
		Score     int  `json:"score"`
		Recapture bool `json:"recapture"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &q) != nil || q.Score < 60 || q.Recapture {
		t.Errorf("quality: %d %s %s", code, stdout, stderr)
	}
	sim := func(a, b string) float64 {
		code, stdout, stderr := runCLI(t, context.Background(), "finger", "match", "--json", filepath.Join(dir, a), filepath.Join(dir, b))
		var m struct {
			Similarity float64 `json:"similarity"`
		}
		if code != 0 || json.Unmarshal([]byte(stdout), &m) != nil {
			t.Fatalf("match: %d %s %s", code, stdout, stderr)
		}
		return m.Similarity
	}
	if g, i := sim("P001-2-1-good.png", "P001-2-2-fair.png"), sim("P001-2-1-good.png", "P001-7-1-good.png"); g < 70 || i > 50 {
		t.Errorf("same finger %.1f, other finger %.1f", g, i)
	}

	// Templates: extracted from a capture, and the generator's truth beside each print.
	code, stdout, stderr = runCLI(t, context.Background(), "finger", "extract", "--finger", "2", filepath.Join(dir, "P001-2-1-good.png"), filepath.Join(dir, "x.ansi"))
	if code != 0 || !strings.Contains(stdout, "minutiae") {
		t.Fatalf("extract: %d %s %s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, context.Background(), "finger", "info", "--json", filepath.Join(dir, "x.ansi"))
	var info struct {
		Format string `json:"format"`
		PPI    int    `json:"ppi"`
		Views  []struct {
			Finger, Minutiae int
		} `json:"views"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &info) != nil || info.Format != "ANSI INCITS 378-2004" || info.PPI != 500 ||
		len(info.Views) != 1 || info.Views[0].Finger != 2 || info.Views[0].Minutiae < 20 {
		t.Errorf("info: %d %s %s", code, stdout, stderr)
	}
	if g, i := sim("x.ansi", "P001-2-2-fair.png"), sim("x.ansi", "P001-7-1-good.ansi"); g < 70 || i > 50 {
		t.Errorf("template against the same finger %.1f, against the other %.1f", g, i)
	}
	if g := sim("P001-2-1-good.ansi", "P001-2-2-fair.ansi"); g < 70 {
		t.Errorf("true minutiae of two impressions of a finger: %.1f", g)
	}
	// WSQ: encode, describe, decode, and match the decoded print.
	code, stdout, stderr = runCLI(t, context.Background(), "finger", "encode", "--bitrate", "2.25", filepath.Join(dir, "P001-2-2-fair.png"), filepath.Join(dir, "f.wsq"))
	if code != 0 || !strings.Contains(stdout, "bits per pixel") {
		t.Fatalf("encode: %d %s %s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, context.Background(), "finger", "info", "--json", filepath.Join(dir, "f.wsq"))
	var wi struct {
		Kind          string `json:"kind"`
		Width, PPI    int
		TargetBitRate float64 `json:"targetBitRate"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &wi) != nil || wi.Kind != "wsq" || wi.Width != 500 || wi.PPI != 500 || wi.TargetBitRate != 2.25 {
		t.Errorf("info on WSQ: %d %s %s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, context.Background(), "finger", "decode", filepath.Join(dir, "f.wsq"), filepath.Join(dir, "f.png"))
	if code != 0 {
		t.Fatalf("decode: %d %s %s", code, stdout, stderr)
	}
	if g := sim("f.wsq", "P001-2-1-good.png"); g < 70 {
		t.Errorf("a WSQ of the same finger: %.1f", g)
	}
	if g := sim("f.png", "P001-2-1-good.png"); g < 70 {
		t.Errorf("the decoded WSQ of the same finger: %.1f", g)
	}
	code, _, stderr = runCLI(t, context.Background(), "finger", "info", filepath.Join(dir, "P001-2-1-good.json"))
	if code == 0 || !strings.Contains(stderr, "not a WSQ image nor an ANSI 378") {
		t.Errorf("info on JSON: %d %s", code, stderr)
	}
}

// TestFingerCaptureCommand takes both index fingers from the configured simulated reader.
func TestFingerCaptureCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cotejo.toml")
	if err := os.WriteFile(cfg, []byte("[scanner]\nkind = \"simulated\"\ncitizen = \"P002\"\nquality = \"fair\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "huellas") // made 0700: t.TempDir's folders are open to others
	code, stdout, stderr := runCLI(t, context.Background(), "finger", "capture", "--config", cfg, "--timeout", "10m", "--out", out)
	if code != 0 || !strings.Contains(stdout, "Coloque el índice derecho") || !strings.Contains(stdout, "Índice izquierdo capturado") {
		t.Fatalf("%d %s %s", code, stdout, stderr)
	}
	for _, f := range []struct {
		name   string
		finger int
	}{{"right-2.ansi", 2}, {"left-7.ansi", 7}} {
		code, stdout, stderr := runCLI(t, context.Background(), "finger", "info", "--json", filepath.Join(out, f.name))
		var info struct {
			Views []struct{ Finger, Minutiae int } `json:"views"`
		}
		if code != 0 || json.Unmarshal([]byte(stdout), &info) != nil || len(info.Views) != 1 || info.Views[0].Finger != f.finger || info.Views[0].Minutiae < 20 {
			t.Errorf("%s: %d %s %s", f.name, code, stdout, stderr)
		}
	}
	if err := os.WriteFile(cfg, []byte("[scanner]\nkind = \"usb-x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, context.Background(), "finger", "capture", "--config", cfg, "--out", out); code == 0 || !strings.Contains(stderr, "usb-x") {
		t.Errorf("unknown reader: %d %s", code, stderr)
	}
}

// TestDevicesReplay lists the readers while umockdev replays a real U.are.U 4500's
// description to libusb: the command must name it, where it is and its serial.
func TestDevicesReplay(t *testing.T) {
	if os.Getenv("COTEJO_UMOCKDEV_CHILD") == "1" {
		code, stdout, stderr := runCLI(t, context.Background(), "devices", "--json")
		var list []map[string]any
		if code != 0 || json.Unmarshal([]byte(stdout), &list) != nil || len(list) != 1 {
			t.Fatalf("%d %s %s", code, stdout, stderr)
		}
		d := list[0]
		if d["vendorId"] != "05ba" || d["productId"] != "000a" || d["bus"] != 1.0 || d["address"] != 50.0 || d["serial"] == "" {
			t.Errorf("%v", d)
		}
		return
	}
	code, stdout, _ := runCLI(t, context.Background(), "devices")
	if code != 0 || !strings.Contains(stdout, "No hay lectores") {
		t.Errorf("no reader plugged in here: %d %s", code, stdout)
	}
	dir, desc := recording4500(t)
	first, _, _ := strings.Cut(string(desc), "\n")
	sys := "/sys" + strings.TrimPrefix(first, "P: ")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "umockdev-run", "-d", filepath.Join(dir, "device"), "-p", sys+"="+filepath.Join(dir, "capture.pcapng"),
		"--", os.Args[0], "-test.run", "^TestDevicesReplay$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "COTEJO_UMOCKDEV_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestDevicesReplay") {
		t.Fatalf("under umockdev-run: %v\n%s", err, out)
	}
}
