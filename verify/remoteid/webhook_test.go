package remoteid

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"mime/multipart"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestParseWebhookSeed decodes the seed's sample report (all strings, nested objects
// as JSON strings with \/ escapes) and compares it with the golden decoding.
func TestParseWebhookSeed(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "seed_report.json"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := ParseWebhook("application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != "299846332" || e.Estado != EstadoData || e.Result == nil || e.Result.DNI == nil {
		t.Fatalf("decoded %+v", e)
	}
	if e.Result.DNISolicitadoCoincide != "N/A" || e.Result.DNI.FechaNacimiento != "18/12/1955" || e.Result.Resultado != 93.957847595214844 {
		t.Errorf("\\/ escapes or numbers: %+v %+v", e.Result, e.Result.DNI)
	}
	if c := e.Posicion.Coordenadas; c.Longitud != -1.6592592 || c.Precision != 15.265999794006348 {
		t.Errorf("coordinates %+v", c)
	}
	got, _ := json.MarshalIndent(e, "", "  ")
	golden := filepath.Join("testdata", "seed_report.golden.json")
	if *update {
		os.WriteFile(golden, append(got, '\n'), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(got, '\n'), want) {
		t.Errorf("decoding differs from %s:\n%s", golden, got)
	}
}

// TestParseWebhookForms: the same report as a urlencoded form and as multipart form
// data (every value a string, nested ones JSON text) decodes as the JSON one does;
// and so does the JSON with real numbers and nested objects instead of strings.
func TestParseWebhookForms(t *testing.T) {
	body, _ := os.ReadFile(filepath.Join("testdata", "seed_report.json"))
	want, err := ParseWebhook("", body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	form := url.Values{}
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	native := map[string]any{}
	for k, v := range m {
		form.Set(k, v)
		mw.WriteField(k, v)
		var x any
		if json.Unmarshal([]byte(v), &x) == nil && k != "ID" && k != "Telefono" {
			native[k] = x
		} else {
			native[k] = v
		}
	}
	mw.Close()
	nb, _ := json.Marshal(native)
	for _, c := range []struct{ name, ct, body string }{
		{"urlencoded", "application/x-www-form-urlencoded", form.Encode()},
		{"urlencoded sniffed", "", form.Encode()},
		{"multipart", mw.FormDataContentType(), mp.String()},
		{"native JSON", "application/json; charset=utf-8", string(nb)},
	} {
		got, err := ParseWebhook(c.ct, []byte(c.body))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if !bytes.Equal(g, w) {
			t.Errorf("%s:\n got %s\nwant %s", c.name, g, w)
		}
	}
}

func TestParseWebhookErrors(t *testing.T) {
	tests := []struct {
		name, body string
		other      bool
	}{
		{"empty", ``, false},
		{"not JSON", `{"Servicio":`, false},
		{"no Estado", `{"Servicio":"VERIFICACION_IDENTIDAD","ID":"1"}`, false},
		{"Estado text", `{"Servicio":"VERIFICACION_IDENTIDAD","ID":"1","Estado":"done"}`, false},
		{"Estado fraction", `{"Servicio":"VERIFICACION_IDENTIDAD","ID":"1","Estado":3000.5}`, false},
		{"no ID", `{"Servicio":"VERIFICACION_IDENTIDAD","Estado":"3000"}`, false},
		{"ID path", `{"Servicio":"VERIFICACION_IDENTIDAD","ID":"../x","Estado":"3000"}`, false},
		{"no Servicio", `{"ID":"1","Estado":"3000"}`, false},
		{"other service", `{"Servicio":"FIRMA","ID":"1","Estado":"3000"}`, true},
	}
	for _, tt := range tests {
		_, err := ParseWebhook("application/json", []byte(tt.body))
		if tt.other != errors.Is(err, ErrOtherService) || (!tt.other && !errors.Is(err, ErrMalformed)) {
			t.Errorf("%s: err %v", tt.name, err)
		}
	}
	// A nested part in a shape that cannot be read costs the part, not the report.
	for _, body := range []string{
		`{"Servicio":"VERIFICACION_IDENTIDAD","ID":"1","Estado":"5100","Result":"[1,2]"}`,
		`{"Servicio":"VERIFICACION_IDENTIDAD","ID":"1","Estado":"5100","Result":{"Resultado":"si"}}`,
		`{"Servicio":"VERIFICACION_IDENTIDAD","ID":"1","Estado":"5100","Result":{"DNI":{"Edad":1.5}}}`,
		`{"Servicio":"VERIFICACION_IDENTIDAD","ID":"1","Estado":"5100","Result":"{broken"}`,
	} {
		e, err := ParseWebhook("application/json", []byte(body))
		if err != nil || e.Estado != 5100 || e.Result != nil || len(e.Unreadable) != 1 || e.Unreadable[0] != "Result" {
			t.Errorf("%s: %+v %v", body, e, err)
		}
	}
	// "Array of arrays", as documented: the first element is read.
	e, err := ParseWebhook("application/json", []byte(`{"Servicio":"VERIFICACION_IDENTIDAD","ID":"1","Estado":"3000","Acceso":[{"IP":"192.0.2.1"}],"Dispositivo":[]}`))
	if err != nil || e.Acceso == nil || e.Acceso.IP != "192.0.2.1" || e.Dispositivo != nil || e.Unreadable != nil {
		t.Errorf("arrays: %+v %v", e, err)
	}
	// Before 5001 a report has no Result: that is normal, not an error.
	e, err = ParseWebhook("application/json", []byte(`{"Servicio":"VERIFICACION_IDENTIDAD","ID":"7","Estado":"3000","Result":""}`))
	if err != nil || e.Result != nil {
		t.Errorf("report without Result: %+v %v", e, err)
	}
	if _, err := ParseWebhook("", bytes.Repeat([]byte(" "), MaxWebhookBody+1)); !errors.Is(err, ErrMalformed) {
		t.Errorf("oversized report: %v", err)
	}
}

func FuzzParseWebhook(f *testing.F) {
	seed, _ := os.ReadFile(filepath.Join("testdata", "seed_report.json"))
	f.Add("application/json", seed)
	f.Add("", []byte("Servicio=VERIFICACION_IDENTIDAD&ID=1&Estado=5100&Result=%7B%22Resultado%22%3A90%7D"))
	f.Add("multipart/form-data; boundary=X", []byte("--X\r\nContent-Disposition: form-data; name=\"ID\"\r\n\r\n1\r\n--X--\r\n"))
	f.Add("application/json", []byte(`{"Servicio":"VERIFICACION_IDENTIDAD","ID":"1","Estado":5500,"Result":{"Resultado":-9,"DNI":{"Edad":"16"}}}`))
	f.Fuzz(func(t *testing.T, ct string, b []byte) {
		e, err := ParseWebhook(ct, b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrOtherService) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if !validID(e.ID) {
			t.Fatalf("accepted ID %q", e.ID)
		}
		// A decoded report must survive the store's encoding.
		j, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var back Event
		if err := json.Unmarshal(j, &back); err != nil {
			t.Fatalf("round trip: %v", err)
		}
		var c Case
		c.Apply(e)
		if c.Estado() != e.Estado {
			t.Fatalf("case estado %d after one report %d", c.Estado(), e.Estado)
		}
	})
}
