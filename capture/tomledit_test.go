package capture

import (
	"strings"
	"testing"
)

func TestSetTOML(t *testing.T) {
	const doc = `# Cotejo at branch 042, set up by IT on 2026-11-02.
lang = "es" # the tellers' language

[service]
# INE's production address; ask IT before changing it.
url = "https://svcv.ine.mx/v2"   # production
threshold = 70

[service.tsa]
url = "http://tsa.example"

[[operator]]
id = "ana"
url = "not a setting"

[kiosk]
fullscreen = true
note = """
url = "inside a string"
"""
`
	tests := []struct {
		name, key string
		v         any
		want      string // the lines that must change into these
		wantOld   string // a line that must be gone
	}{
		{"root string, comment kept", "lang", "en", `lang = "en" # the tellers' language`, `lang = "es"`},
		{"table string, comment kept", "service.url", "https://10.0.0.5/v2", `url = "https://10.0.0.5/v2"   # production`, `"https://svcv.ine.mx/v2"`},
		{"number stays a number", "service.threshold", int64(75), "threshold = 75\n", "threshold = 70"},
		{"sub-table", "service.tsa.url", "http://tsa2.example", `url = "http://tsa2.example"`, `"http://tsa.example"`},
		{"bool after an array table", "kiosk.fullscreen", false, "fullscreen = false\n", "fullscreen = true"},
		{"new key in a table", "service.ca_cert", "ine-ca.pem", "threshold = 70\nca_cert = \"ine-ca.pem\"\n\n[service.tsa]", ""},
		{"new table", "location.source", "gpsd", "\n[location]\nsource = \"gpsd\"\n", ""},
		{"quotes escaped", "branch.ciudad", `Ciudad "Nueva"`, `ciudad = "Ciudad \"Nueva\""`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := setTOML([]byte(doc), tc.key, tc.v)
			if err != nil {
				t.Fatal(err)
			}
			s := string(got)
			if !strings.Contains(s, tc.want) {
				t.Errorf("want %q in:\n%s", tc.want, s)
			}
			if tc.wantOld != "" && strings.Contains(s, tc.wantOld) {
				t.Errorf("%q still in:\n%s", tc.wantOld, s)
			}
			for _, keep := range []string{"# Cotejo at branch 042", "# INE's production address", `url = "not a setting"`, `url = "inside a string"`} {
				if !strings.Contains(s, keep) {
					t.Errorf("lost %q:\n%s", keep, s)
				}
			}
			if d := len(strings.Split(s, "\n")) - len(strings.Split(doc, "\n")); d < 0 || d > 3 {
				t.Errorf("%d lines more: only the setting's own lines may change", d)
			}
		})
	}
}

func TestSetTOMLRefuses(t *testing.T) {
	for name, doc := range map[string]string{
		"multi-line value": "[service]\nurl = \"\"\"\nx\n\"\"\"\n",
		"broken header":    "[service\nurl = \"x\"\n",
	} {
		if _, err := setTOML([]byte(doc), "service.url", "y"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
