package standin

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzServe: whatever a client sends, the stand-in answers without panicking, with a
// status the digest allows, and in the Res form when it answers 200.
func FuzzServe(f *testing.F) {
	f.Add("/VerificarIdentidad", "application/json", []byte(`{"Telefono":"525512345678","Resp":"JSON"}`), true)
	f.Add("/GetCertificadoIdentidad", "application/x-www-form-urlencoded", []byte(`Id=1283876988&Resp=XML`), true)
	f.Add("/GetCreditos", "", []byte(`{"Resp":"TXT"}`), false)
	f.Add("/VerificarIdentidad", "application/json", []byte(`{"Telefono":"1","Fecha":"2026-13-40 99:99","Resp":"JSON"}`), true)
	f.Fuzz(func(t *testing.T, path, ct string, body []byte, auth bool) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		sv, err := New(Settings{User: "u", Token: "t", FontPath: "/nonexistent.ttf"})
		if err != nil {
			t.Fatal(err)
		}
		// The path is set after parsing: a path no URL parser accepts never reaches a
		// server, and the harness must not panic on it.
		req := httptest.NewRequest(http.MethodPost, "https://127.0.0.1/", bytes.NewReader(body))
		req.URL.Path = path
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if auth {
			req.SetBasicAuth("u", "t")
		}
		w := httptest.NewRecorder()
		sv.ServeHTTP(w, req)
		switch w.Code {
		case 200, 404, 413:
		default:
			t.Fatalf("HTTP %d", w.Code)
		}
	})
}
