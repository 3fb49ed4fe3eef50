package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
	"cotejo/scanner/biometrics/enrolled"
	"cotejo/verify/sandbox/sandboxtest"
)

// wordSettings is a configuration of choices with raw values.
type wordSettings struct{ saved map[string]string }

func (f *wordSettings) Load() ([]capture.Setting, error) {
	return []capture.Setting{
		{Key: "lang", Label: [2]string{"Idioma", "Language"}, Value: "es", Choices: []string{"es", "en"}},
		{Key: "service.url", Label: [2]string{"Servicio del INE (URL)", "INE service (URL)"}, Value: "https://ine.example"},
		{Key: "service.threshold", Label: [2]string{"Umbral de similitud de huellas (%)", "Fingerprint similarity threshold (%)"}, Value: "70"},
		{Key: "scanner.kind", Label: [2]string{"Lector de huellas", "Fingerprint reader"}, Value: "simulated", Choices: []string{"", "usb", "simulated"}},
		{Key: "kiosk.fullscreen", Label: [2]string{"Pantalla completa", "Full screen"}, Value: "false", Choices: []string{"true", "false"}},
	}, nil
}

func (f *wordSettings) Save(_ capture.Operator, v map[string]string, _ string) error {
	f.saved = v
	return nil
}

// TestSettingsInWords: choices are words in the operator's language, never raw values
// nor Fyne's English "(Select one)"; each setting says it applies at restart; demo mode
// says so; saving writes the raw values back.
func TestSettingsInWords(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	store := &wordSettings{}
	c.opts.Settings = store
	c.signInAs(t, "sup", "9999")
	c.tap(t, "settings")
	s := on[*settingsScreen](t, c)
	var shown []string
	for _, it := range s.form.Items {
		shown = append(shown, it.Text+": "+it.HintText)
		if r, ok := it.Widget.(*widget.RadioGroup); ok {
			shown = append(shown, strings.Join(r.Options, "|")+" = "+r.Selected)
		}
	}
	all := strings.Join(shown, "\n") + c.texts()
	for _, want := range []string{"Español|Inglés = Español", "Ninguno|USB|Simulado (demostración) = Simulado (demostración)", "Sí|No = No", "Se aplica al reiniciar Cotejo", "MODO DE DEMOSTRACIÓN", "Mínimo de similitud"} {
		if !strings.Contains(all, want) {
			t.Errorf("settings lack %q:\n%s", want, all)
		}
	}
	for _, raw := range []string{"= es", "simulated", "false", "Select one", "Umbral"} {
		if strings.Contains(all, raw) {
			t.Errorf("settings show %q:\n%s", raw, all)
		}
	}
	c.tap(t, "save")
	if got := store.saved; got["scanner.kind"] != "simulated" || got["kiosk.fullscreen"] != "false" || got["lang"] != "es" {
		t.Errorf("saved %v", got)
	}
}
