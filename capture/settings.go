package capture

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Setting is one value of the configuration a supervisor may change from the window.
type Setting struct {
	Key     string    // its TOML path, e.g. "service.url"
	Label   [2]string // Spanish, English
	Value   string
	Choices []string // a choice instead of free text
	// Secret values are masked in the audit trail.
	Secret bool
	// Reauth settings decide whom the kiosk trusts as INE: changing one needs the
	// supervisor's PIN again, so an unattended session cannot redirect the requests.
	Reauth bool
}

// editable are the settings a supervisor may change, by TOML path.
var editable = []Setting{
	{Key: "lang", Label: [2]string{"Idioma", "Language"}, Choices: []string{"es", "en"}},
	{Key: "service.url", Label: [2]string{"Servicio del INE (URL)", "INE service (URL)"}, Reauth: true},
	{Key: "service.threshold", Label: [2]string{"Umbral de similitud de huellas (%)", "Fingerprint similarity threshold (%)"}},
	{Key: "service.ca_cert", Label: [2]string{"CA del INE (archivo)", "INE's CA (file)"}, Reauth: true},
	{Key: "service.client_cert", Label: [2]string{"Certificado TLS de la institución", "Institution's TLS certificate"}},
	{Key: "service.client_key", Label: [2]string{"Llave TLS de la institución", "Institution's TLS key"}, Secret: true},
	{Key: "service.signing_cert", Label: [2]string{"Certificado de firma", "Signing certificate"}},
	{Key: "service.signing_key", Label: [2]string{"Llave de firma", "Signing key"}, Secret: true},
	{Key: "service.tsa.url", Label: [2]string{"Sellado de tiempo (URL de la TSA)", "Time stamping (TSA URL)"}},
	{Key: "service.tsa.roots", Label: [2]string{"Raíces de la TSA (archivo)", "TSA roots (file)"}},
	{Key: "scanner.kind", Label: [2]string{"Lector de huellas", "Fingerprint reader"}, Choices: []string{"", "usb", "simulated"}},
	{Key: "location.source", Label: [2]string{"Origen de la ubicación", "Location source"}, Choices: []string{"branch", "gpsd", "nmea"}},
	{Key: "location.gpsd", Label: [2]string{"gpsd (servidor:puerto)", "gpsd (host:port)"}},
	{Key: "location.nmea", Label: [2]string{"Receptor GPS serie (dispositivo)", "Serial GPS receiver (device)"}},
	{Key: "branch.ciudad", Label: [2]string{"Ciudad de la sucursal", "Branch city"}},
	{Key: "branch.codigo_postal", Label: [2]string{"Código postal de la sucursal", "Branch postal code"}},
	{Key: "branch.estado", Label: [2]string{"Entidad (número)", "State (number)"}},
	{Key: "storage.retention_days", Label: [2]string{"Días que se conservan los resultados", "Days results are kept"}},
	{Key: "kiosk.fullscreen", Label: [2]string{"Pantalla completa", "Full screen"}, Choices: []string{"true", "false"}},
}

// SettingsFile reads and writes the editable settings of a configuration file. A save
// edits the file's text in place (comments and order kept) and is checked to load
// before it replaces the file.
type SettingsFile struct{ Path string }

func (f SettingsFile) load() (map[string]any, error) {
	var m map[string]any
	if _, err := toml.DecodeFile(f.Path, &m); err != nil {
		return nil, fmt.Errorf("configuration %s: %w", f.Path, err)
	}
	return m, nil
}

// Load returns the editable settings with their current values.
func (f SettingsFile) Load() ([]Setting, error) {
	m, err := f.load()
	if err != nil {
		return nil, err
	}
	out := make([]Setting, 0, len(editable))
	for _, s := range editable {
		if x, ok := lookup(m, s.Key); ok {
			s.Value = fmt.Sprint(x)
		}
		out = append(out, s)
	}
	return out, nil
}

// change is one setting changed by a save.
type change struct {
	setting  Setting
	old, new string
}

// changes are the values that differ from the file's, in the editable list's order.
func changes(m map[string]any, values map[string]string) []change {
	var out []change
	for _, s := range editable {
		v, ok := values[s.Key]
		if !ok {
			continue
		}
		old, had := lookup(m, s.Key)
		oldText := ""
		if had {
			oldText = fmt.Sprint(old)
		}
		if (!had && v == "") || oldText == v {
			continue // unchanged, or not set before and not set now: the default stays
		}
		out = append(out, change{setting: s, old: oldText, new: v})
	}
	return out
}

// write puts the changes into the file, keeping each setting's TOML type, and refuses
// a file that would not load. Callers check who may change what (SettingsEditor).
func (f SettingsFile) write(m map[string]any, cs []change) error {
	doc, err := os.ReadFile(f.Path)
	if err != nil {
		return err
	}
	for _, c := range cs {
		old, _ := lookup(m, c.setting.Key)
		if doc, err = setTOML(doc, c.setting.Key, typed(old, c.new)); err != nil {
			return err
		}
	}
	tmp := f.Path + ".tmp"
	if err := os.WriteFile(tmp, doc, 0o600); err != nil {
		return err
	}
	if _, err := LoadConfig(tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, f.Path)
}

func lookup(m map[string]any, key string) (any, bool) {
	parts := strings.Split(key, ".")
	for _, p := range parts[:len(parts)-1] {
		sub, ok := m[p].(map[string]any)
		if !ok {
			return nil, false
		}
		m = sub
	}
	v, ok := m[parts[len(parts)-1]]
	return v, ok
}

// typed keeps a setting's TOML type: numbers stay numbers, booleans booleans.
func typed(old any, v string) any {
	switch old.(type) {
	case int64:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	case float64:
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	case bool:
		return v == "true"
	}
	if v == "true" || v == "false" {
		return v == "true"
	}
	return v
}
