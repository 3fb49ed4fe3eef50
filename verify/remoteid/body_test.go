package remoteid

import (
	"errors"
	"testing"
	"time"
)

// TestBody: what the client sends for a request, and what it refuses before sending.
func TestBody(t *testing.T) {
	c, err := New(Settings{BaseURL: "https://provider.example/api/", User: "u", Token: "t", Sender: "Cotejo"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	madrid, _ := time.LoadLocation("Europe/Madrid")
	tests := []struct {
		name    string
		req     SendRequest
		want    string
		problem Problem
	}{
		{"national number", SendRequest{Phone: "55 1234-5678"}, `{"Telefono":"525512345678","Mensaje":"` + DefaultMessage + `","Remitente":"Cotejo","Resp":"JSON"}`, 0},
		{"international", SendRequest{Phone: "+52 55 1234 5678", Document: "gomr800101hdfrrn09"}, `{"Telefono":"525512345678","Mensaje":"` + DefaultMessage + `","Remitente":"Cotejo","Dni":"GOMR800101HDFRRN09","Resp":"JSON"}`, 0},
		{"summer in Madrid", SendRequest{Phone: "5512345678", Message: "Hola [LINK]", Sender: "Banco", At: time.Date(2026, 7, 1, 10, 0, 0, 0, madrid)}, `{"Telefono":"525512345678","Mensaje":"Hola [LINK]","Remitente":"Banco","Fecha":"2026-07-01 10:00","Resp":"JSON"}`, 0},
		{"from UTC", SendRequest{Phone: "5512345678", At: time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)}, `{"Telefono":"525512345678","Mensaje":"` + DefaultMessage + `","Remitente":"Cotejo","Fecha":"2026-12-01 09:30","Resp":"JSON"}`, 0},
		{"Spanish number", SendRequest{Phone: "34600000001"}, "", ProblemPhone},
		{"short", SendRequest{Phone: "12345"}, "", ProblemPhone},
		{"letters", SendRequest{Phone: "55123456ab"}, "", ProblemPhone},
		{"empty", SendRequest{}, "", ProblemPhone},
		{"no [LINK]", SendRequest{Phone: "5512345678", Message: "MiEmpresa"}, "", ProblemNoLink},
		{"long sender", SendRequest{Phone: "5512345678", Sender: "Banco del Bajío"}, "", ProblemSenderLong},
		{"DNI", SendRequest{Phone: "5512345678", Document: "00000000T"}, "", ProblemDocument},
	}
	for _, tt := range tests {
		got, err := c.Body(tt.req)
		var ie *InputError
		switch {
		case tt.problem != 0:
			if !errors.As(err, &ie) || ie.Problem != tt.problem {
				t.Errorf("%s: err %v, want problem %d", tt.name, err, tt.problem)
			}
		case err != nil || string(got) != tt.want:
			t.Errorf("%s:\n got %s %v\nwant %s", tt.name, got, err, tt.want)
		}
	}
	if _, err := c.ParseLocalTime("mañana"); err == nil {
		t.Error("ParseLocalTime accepted a word")
	}
	for _, s := range []Settings{{}, {BaseURL: "http://x", User: "u", Token: "t"}, {BaseURL: "https://x", User: "u"}, {BaseURL: "https://x", User: "u", Token: "t", TimeZone: "Mars/Olympus"}} {
		if _, err := New(s, Options{}); err == nil {
			t.Errorf("New(%+v) accepted", s)
		}
	}
}

// TestProviderTime: the provider's times are Madrid's wall times; the operator reads the
// kiosk's (Mexico City's by default).
func TestProviderTime(t *testing.T) {
	c, err := New(Settings{BaseURL: "https://provider.example/api/", User: "u", Token: "t", Sender: "Cotejo"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want string }{
		{"2026-12-01 05:15", "2026-11-30 22:15 CST"},
		{"2026-07-01 18:30:05", "2026-07-01 10:30 CST"}, // Madrid in summer time; Mexico City keeps standard time since 2022
		{" 2021-10-10 10:10 ", "2021-10-10 03:10 CDT"},
	} {
		got, ok := c.ProviderTime(tc.in)
		if !ok || got.Format("2006-01-02 15:04 MST") != tc.want {
			t.Errorf("ProviderTime(%q) = %v, %v; want %s", tc.in, got, ok, tc.want)
		}
	}
	for _, bad := range []string{"", "10/10/2021 10:10", "2021-13-10 10:10"} {
		if _, ok := c.ProviderTime(bad); ok {
			t.Errorf("ProviderTime(%q) read", bad)
		}
	}
}
