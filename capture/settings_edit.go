package capture

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"cotejo/capture/signin"
	"cotejo/storage/audit"
	"cotejo/verify/config"
)

// SettingsProblem is why a supervisor's change was refused.
type SettingsProblem string

const (
	SettingsNotSupervisor SettingsProblem = "not a supervisor"
	SettingsNotEditable   SettingsProblem = "not editable"
	SettingsNeedPIN       SettingsProblem = "needs the supervisor's PIN"
	SettingsBadValue      SettingsProblem = "bad value"
)

// SettingsError is a save refused before anything was written.
type SettingsError struct {
	Kind SettingsProblem
	Key  string
	Err  error // the value's problem, or the PIN's refusal
}

func (e *SettingsError) Error() string {
	msg := fmt.Sprintf("capture: settings: %s: %s", e.Key, e.Kind)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *SettingsError) Unwrap() error { return e.Err }

// Message is the refusal in the supervisor's words.
func (e *SettingsError) Message(lang string) string {
	en := lang == "en"
	switch e.Kind {
	case SettingsNotSupervisor:
		if en {
			return "Only a supervisor can change the settings."
		}
		return "Sólo un supervisor puede cambiar la configuración."
	case SettingsNotEditable:
		if en {
			return fmt.Sprintf("The setting %s cannot be changed here.", e.Key)
		}
		return fmt.Sprintf("El ajuste %s no se puede cambiar aquí.", e.Key)
	case SettingsNeedPIN:
		var se *SignInError
		if errors.As(e.Err, &se) {
			return se.Message(lang)
		}
		if en {
			return fmt.Sprintf("Changing %s decides whom the kiosk trusts as INE: enter your PIN again.", e.Key)
		}
		return fmt.Sprintf("Cambiar %s decide a quién reconoce el kiosco como el INE: escriba su PIN de nuevo.", e.Key)
	}
	if en {
		return fmt.Sprintf("The value of %s is not valid: %v", e.Key, e.Err)
	}
	return fmt.Sprintf("El valor de %s no es válido: %v", e.Key, e.Err)
}

// SettingsEditor is the only way the window changes the configuration: it checks the
// operator's role against the configuration, the keys against the editable list and
// the values, asks the PIN again for what decides whom the kiosk trusts, and records
// each change in the audit trail (secrets masked).
type SettingsEditor struct {
	File  SettingsFile
	kiosk *Kiosk
}

// SettingsEditor returns the app's editor of its configuration file.
func (a *App) SettingsEditor() *SettingsEditor {
	return &SettingsEditor{File: a.Settings, kiosk: a.Kiosk}
}

// Load returns the editable settings with their current values.
func (e *SettingsEditor) Load() ([]Setting, error) { return e.File.Load() }

// Save writes the values op changed. pin is asked only when a Reauth setting changes
// (a *SettingsError of kind SettingsNeedPIN says so); it is checked as a sign-in is,
// failures counted and audited.
func (e *SettingsEditor) Save(op Operator, values map[string]string, pin string) error {
	k := e.kiosk
	if k == nil || k.Operators == nil || k.DB == nil {
		return &SettingsError{Kind: SettingsNotSupervisor}
	}
	if conf, ok := k.Operators.Lookup(op.ID); !ok || conf.Role != signin.RoleSupervisor {
		k.auditf(op.ID, "settings.refused", "", "not a supervisor")
		return &SettingsError{Kind: SettingsNotSupervisor}
	}
	for key := range values {
		if !isEditable(key) {
			k.auditf(op.ID, "settings.refused", key, "not editable")
			return &SettingsError{Kind: SettingsNotEditable, Key: key}
		}
	}
	m, err := e.File.load()
	if err != nil {
		return err
	}
	cs := changes(m, values)
	for _, c := range cs {
		if err := checkValue(c.setting, c.new); err != nil {
			return &SettingsError{Kind: SettingsBadValue, Key: c.setting.Key, Err: err}
		}
	}
	for _, c := range cs {
		if !c.setting.Reauth {
			continue
		}
		if pin == "" {
			return &SettingsError{Kind: SettingsNeedPIN, Key: c.setting.Key}
		}
		if _, err := k.SignIn(op.ID, pin); err != nil {
			return &SettingsError{Kind: SettingsNeedPIN, Key: c.setting.Key, Err: err}
		}
		break // once for all of them
	}
	if err := e.File.write(m, cs); err != nil {
		return err
	}
	for _, c := range cs {
		old, new := c.old, c.new
		if c.setting.Secret {
			old, new = mask(old), mask(new)
		}
		if err := k.auditf(op.ID, "settings.change", c.setting.Key, fmt.Sprintf("%q → %q", old, new)); err != nil {
			return err
		}
	}
	return nil
}

func isEditable(key string) bool {
	for _, s := range editable {
		if s.Key == key {
			return true
		}
	}
	return false
}

// checkValue refuses a value the kiosk must not run with, before the file is written.
func checkValue(s Setting, v string) error {
	if len(s.Choices) > 0 {
		for _, c := range s.Choices {
			if c == v {
				return nil
			}
		}
		return fmt.Errorf("%q: one of %s", v, strings.Join(s.Choices, ", "))
	}
	switch s.Key {
	case "service.threshold":
		t, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", v)
		}
		_, err = config.CheckThreshold(t)
		return err
	case "service.url":
		if !strings.HasPrefix(v, "https://") {
			return fmt.Errorf("%q must start with https://", v)
		}
	}
	return nil
}

// mask keeps whether a secret was set, not what it is.
func mask(v string) string {
	if v == "" {
		return ""
	}
	return "••••"
}

// auditf records an action in the audit trail (no personal data: operator ids and
// setting names only).
func (k *Kiosk) auditf(operator, action, ref, outcome string) error {
	if k.DB == nil {
		return nil
	}
	_, err := k.DB.Audit().Append(audit.Entry{Operator: operator, Action: action, Ref: ref, Outcome: outcome})
	return err
}
