package sandbox_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"testing"

	"cotejo/verify/credential"
	"cotejo/verify/credential/synthetic"
	"cotejo/verify/sandbox"
)

var update = flag.Bool("update", false, "rewrite assets/padron.json from the generator")

const padronPath = "../../assets/padron.json"

// profile is one citizen the register must have, for a reason.
type profile struct {
	modelo, situacion, reporte string
	sinMaterno, abroad         bool
	nota                       string
}

// profiles fixes the register's coverage: every model several times, the situaciones a
// bank meets, robbery and loss reports, citizens without a second surname, one born
// abroad. P001 is the demo's clean model G.
func profiles() []profile {
	p := []profile{
		{modelo: "G", situacion: "VIGENTE", nota: "demo: vigente, modelo G"},
		{modelo: "C", situacion: "VIGENTE", nota: "modelo C: búsqueda por OCR"},
		{modelo: "D", situacion: "VIGENTE"},
		{modelo: "E", situacion: "VIGENTE"},
		{modelo: "F", situacion: "RESIDENTE_EXTRANJERO", abroad: true, nota: "nacido en el extranjero, credencial desde el extranjero"},
		{modelo: "H", situacion: "RESIDENTE_EXTRANJERO", nota: "credencial desde el extranjero"},
		{modelo: "G", situacion: "VIGENTE", sinMaterno: true, nota: "sin segundo apellido"},
		{modelo: "E", situacion: "VIGENTE", sinMaterno: true, nota: "sin segundo apellido"},
		{modelo: "C", situacion: "VIGENTE", sinMaterno: true, nota: "sin segundo apellido, modelo C"},
		{modelo: "G", situacion: "REPORTE_DE_ROBO", reporte: "ROBO", nota: "reporte de robo"},
		{modelo: "E", situacion: "REPORTE_DE_EXTRAVIO", reporte: "EXTRAVIO", nota: "reporte de extravío"},
		{modelo: "D", situacion: "ROBADA_AL_INSTITUTO"},
		{modelo: "C", situacion: "NO_VIGENTE"},
		{modelo: "D", situacion: "CREDENCIAL_BAJA_PERDIDA_VIGENCIA"},
		{modelo: "E", situacion: "DUPLICADO"},
		{modelo: "G", situacion: "DEFUNCION"},
		{modelo: "E", situacion: "SUSPENSION_DE_DERECHOS"},
		{modelo: "G", situacion: "DATOS_IRREGULARES"},
		{modelo: "G", situacion: "USURPACION"},
		{modelo: "H", situacion: "TRAMITE_EN_PROCESO"},
	}
	models := []string{"C", "D", "E", "F", "G", "H"}
	for i := 0; len(p) < 42; i++ {
		m := models[i%len(models)]
		s := "VIGENTE"
		if m == "F" || m == "H" {
			s = "RESIDENTE_EXTRANJERO"
		}
		p = append(p, profile{modelo: m, situacion: s})
	}
	return p
}

func generatePadron() sandbox.Padron {
	g := synthetic.NewGenerator(20261123, 2)
	var out []sandbox.Citizen
	for i, p := range profiles() {
		s := g.Citizen(credential.Model(p.modelo), synthetic.Options{SinMaterno: p.sinMaterno, Abroad: p.abroad})
		c := sandbox.Citizen{
			ID:                      fmt.Sprintf("P%03d", i+1),
			Modelo:                  p.modelo,
			CIC:                     s.CIC,
			OCR:                     s.OCR,
			ClaveElector:            s.ClaveElector,
			NumeroEmisionCredencial: s.NumeroEmisionCredencial,
			CURP:                    s.CURP,
			Nombre:                  s.Nombre,
			ApellidoPaterno:         s.ApellidoPaterno,
			ApellidoMaterno:         s.ApellidoMaterno,
			AnioRegistro:            s.AnioRegistro,
			AnioEmision:             s.AnioEmision,
			FechaNacimiento:         s.Birth.Format("2006-01-02"),
			Sexo:                    string(s.Sex),
			Entidad:                 s.Entity,
			Situacion:               p.situacion,
			Nota:                    p.nota,
		}
		if p.reporte != "" {
			r := p.reporte
			c.ReporteRoboExtravio = &r
		}
		out = append(out, c)
	}
	return sandbox.Padron{Version: 1, Ciudadanos: out}
}

func encodePadron(t *testing.T, p sandbox.Padron) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPadronGolden keeps assets/padron.json and its generator in step, and checks that
// every citizen is a valid, consistent record.
func TestPadronGolden(t *testing.T) {
	want := encodePadron(t, generatePadron())
	if *update {
		if err := os.WriteFile(padronPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(padronPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("assets/padron.json differs from its generator: run go test ./verify/sandbox -run TestPadronGolden -update")
	}
	p, err := sandbox.LoadPadron(bytes.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	models, situations, sinMaterno, abroad := map[string]int{}, map[string]int{}, 0, 0
	for _, c := range p.Ciudadanos {
		k := credential.Credential{Modelo: credential.Model(c.Modelo), CIC: c.CIC, OCR: c.OCR, Nombre: c.Nombre,
			ApellidoPaterno: c.ApellidoPaterno, ApellidoMaterno: c.ApellidoMaterno, AnioRegistro: c.AnioRegistro,
			AnioEmision: c.AnioEmision, NumeroEmisionCredencial: c.NumeroEmisionCredencial, ClaveElector: c.ClaveElector, CURP: c.CURP}
		if err := k.Validate(); err != nil {
			t.Errorf("%s: %v", c.ID, err)
		}
		if (c.Modelo == "C") != (c.CIC == "") {
			t.Errorf("%s: model %s with CIC %q", c.ID, c.Modelo, c.CIC)
		}
		if c.AnioRegistro > c.AnioEmision || c.AnioRegistro < fmt.Sprint(atoi(c.FechaNacimiento[:4])+18) {
			t.Errorf("%s: born %s, registered %s, issued %s", c.ID, c.FechaNacimiento, c.AnioRegistro, c.AnioEmision)
		}
		models[c.Modelo]++
		situations[c.Situacion]++
		if c.ApellidoMaterno == "" {
			sinMaterno++
		}
		if c.CURP[11:13] == "NE" {
			abroad++
		}
	}
	if len(p.Ciudadanos) < 40 || sinMaterno < 3 || abroad < 1 {
		t.Errorf("coverage: %d citizens, %d without second surname, %d born abroad", len(p.Ciudadanos), sinMaterno, abroad)
	}
	for _, m := range []string{"C", "D", "E", "F", "G", "H"} {
		if models[m] < 3 {
			t.Errorf("model %s appears %d times", m, models[m])
		}
	}
	t.Logf("models %v; situaciones %v", models, situations)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
