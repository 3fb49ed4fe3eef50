package receipt

import (
	"bytes"
	"encoding/json"
	"errors"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// sampleSeal is shaped like sello.Evidence's (the receipt does not interpret it), with
// accents, a Ñ and a rune outside the BMP, which the metadata must carry intact.
func sampleSeal() *Seal {
	cadena := "||1.0|7c9e6679-7425-40de-944b-e07fc1f90ae7|2025-03-14T16:32:05Z|Juana Pérez|Banco Ejemplo, Sucursal Centro|MAMA************35|*****6789|2026-01|2025-03-14T16:30:00Z|Válida; Ñ 🙂|b93ca4ac35ac074fb844acf9079c763c48fc6f7e51a6788c322d6fb9fdd7fd39||"
	return &Seal{
		Cadena:   cadena,
		Sello:    strings.Repeat("G6z/QbfuklInBywjZ8JAKlCbuS8MxcMXUGL5r1IY7dqIM328Zusw", 6) + "nprDvQ12KwAbxcP4RS37/CuNPhZHPpxEmg==",
		Evidence: json.RawMessage(`{"indice":"7c9e6679-7425-40de-944b-e07fc1f90ae7","operador":"Juana Pérez","respuesta":"Válida; Ñ 🙂"}`),
	}
}

func sealedSample(lang string) Receipt {
	r := sample(lang)
	r.Seal = sampleSeal()
	return r
}

// TestSealRoundTrip writes a sealed receipt and reads the seal back from its metadata;
// the cadena and the sello are also printed.
func TestSealRoundTrip(t *testing.T) {
	for _, lang := range []string{"es", "en"} {
		t.Run(lang, func(t *testing.T) {
			want := sampleSeal()
			pdf := write(t, sealedSample(lang))
			got, err := ReadSeal(bytes.NewReader(pdf))
			if err != nil {
				t.Fatal(err)
			}
			if got.Cadena != want.Cadena || got.Sello != want.Sello {
				t.Errorf("read back\n%q\n%q\nwant\n%q\n%q", got.Cadena, got.Sello, want.Cadena, want.Sello)
			}
			var a, b map[string]string
			json.Unmarshal(got.Evidence, &a)
			json.Unmarshal(want.Evidence, &b)
			if a["respuesta"] != b["respuesta"] || a["operador"] != b["operador"] || len(a) != len(b) {
				t.Errorf("evidence %s, want %s", got.Evidence, want.Evidence)
			}
			p := parsePDF(t, uncompressed(t, sealedSample(lang)))
			squeezed := p.squeezed()
			// The emoji is not in the fonts and prints as "?"; the paper copy of the
			// cadena is for reading, the QR code and the metadata are exact.
			printable := strings.ReplaceAll(want.Cadena, "🙂", "?")
			for _, s := range []string{strings.Join(strings.Fields(printable), ""), want.Sello} {
				if !strings.Contains(squeezed, s) {
					t.Errorf("the receipt does not print %q", s)
				}
			}
			head := map[string]string{"es": "Sello digital", "en": "Digital seal"}[lang]
			if !strings.Contains(p.flat(), head) || !strings.Contains(p.flat(), "cotejo evidence verify") {
				t.Errorf("no %q section:\n%s", head, p.text())
			}
			checkBounds(t, p)
		})
	}
}

// TestSealQRCode renders the receipt with ghostscript at 200 dpi in grey levels, as a
// scan of the paper would be, and reads the QR code back with gozxing: it holds the
// cadena and the sello exactly.
func TestSealQRCode(t *testing.T) {
	if _, err := exec.LookPath("gs"); err != nil {
		t.Skip("gs (Debian package ghostscript) is not installed: " + err.Error())
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "r.pdf")
	os.WriteFile(path, write(t, sealedSample("es")), 0o600)
	out, err := exec.Command("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pnggray", "-dGraphicsAlphaBits=4", "-r200", "-o", filepath.Join(dir, "p%d.png"), path).CombinedOutput()
	if err != nil {
		t.Fatalf("gs: %v %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "p*.png"))
	want := sampleSeal().QRText()
	for _, page := range pages {
		f, err := os.Open(page)
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		bmp, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_CHARACTER_SET: "UTF-8", gozxing.DecodeHintType_TRY_HARDER: true})
		if err != nil {
			continue
		}
		if res.GetText() != want {
			t.Fatalf("QR code\n%q\nwant\n%q", res.GetText(), want)
		}
		return
	}
	t.Fatalf("no QR code found in %d pages", len(pages))
}

func TestReadSealErrors(t *testing.T) {
	sealed := write(t, sealedSample("es"))
	tests := []struct {
		name   string
		pdf    []byte
		noSeal bool
	}{
		{"not sealed", write(t, sample("es")), true},
		{"not a PDF", []byte("hola"), false},
		{"empty", nil, false},
		{"Subject cut", sealed[:bytes.LastIndex(sealed, []byte("/Subject <FEFF"))+40], false},
		{"Subject not hex", bytes.Replace(sealed, []byte("/Subject <FEFF0063"), []byte("/Subject <FEFFZZZZ"), 1), false},
		{"another Subject", bytes.Replace(sealed, []byte("/Subject <FEFF0063"), []byte("/Subject <FEFF0043"), 1), true},
		{"too large", append([]byte("%PDF-"), make([]byte, MaxPDF)...), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ReadSeal(bytes.NewReader(tt.pdf))
			if err == nil {
				t.Fatalf("read %+v", s)
			}
			if errors.Is(err, ErrNoSeal) != tt.noSeal {
				t.Errorf("%v: ErrNoSeal %v, want %v", err, errors.Is(err, ErrNoSeal), tt.noSeal)
			}
		})
	}
}

// FuzzReadSeal feeds ReadSeal damaged receipts: no panic, and whatever it reads it reads
// from the Subject alone.
func FuzzReadSeal(f *testing.F) {
	var buf bytes.Buffer
	if err := Write(&buf, sealedSample("es"), Options{}); err != nil {
		f.Fatal(err)
	}
	pdf := buf.Bytes()
	i := bytes.LastIndex(pdf, []byte("/Subject"))
	f.Add(pdf[i-200:]) // the trailer: the fuzzer mutates what matters
	f.Add([]byte("%PDF-1.4\n/Subject <FEFF0063006F>"))
	f.Add([]byte("%PDF-1.4\n/Subject <FEFF>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte("%PDF-")) {
			data = append([]byte("%PDF-1.4\n"), data...)
		}
		s, err := ReadSeal(bytes.NewReader(data))
		if err == nil && s == nil {
			t.Fatal("nil seal without an error")
		}
	})
}
