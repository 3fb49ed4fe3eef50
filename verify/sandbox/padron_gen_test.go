package sandbox_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"cotejo/verify/catalog"
	"cotejo/verify/credential"
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

func names() (hombres, mujeres, apellidos []string) {
	return []string{"JOSE LUIS", "JUAN CARLOS", "MIGUEL ANGEL", "ALEJANDRO", "FERNANDO", "RICARDO", "EDUARDO", "ROBERTO", "SERGIO", "ARTURO", "OCTAVIO", "IÑAKI", "RAUL"},
		[]string{"MARIA DE LOS ANGELES", "GUADALUPE", "ANA SOFIA", "VERONICA", "PATRICIA", "ADRIANA", "ALEJANDRA", "XIMENA", "MARIA FERNANDA", "LETICIA", "BEGOÑA", "ROCIO", "YOLANDA"},
		[]string{"HERNANDEZ", "GARCIA", "MARTINEZ", "LOPEZ", "GONZALEZ", "PEREZ", "RODRIGUEZ", "SANCHEZ", "RAMIREZ", "CRUZ", "FLORES", "GOMEZ", "MUÑOZ", "ORTIZ", "VAZQUEZ", "CASTILLO", "JIMENEZ", "MORALES", "REYES", "TORRES", "NUÑEZ", "DOMINGUEZ", "MENDOZA", "AGUILAR", "IBARRA", "OCHOA", "PEÑA", "URIBE"}
}

// emisionYears is when each model was issued.
func emisionYears(m string, rnd *rand.Rand) int {
	switch m {
	case "C":
		return 2003 + rnd.IntN(10)
	case "D":
		return 2013
	case "E":
		return 2014 + rnd.IntN(5)
	case "F":
		return 2016 + rnd.IntN(3)
	}
	return 2019 + rnd.IntN(6)
}

func generatePadron() sandbox.Padron {
	rnd := rand.New(rand.NewPCG(20261123, 2))
	hombres, mujeres, apellidos := names()
	var out []sandbox.Citizen
	cics := map[string]bool{}
	for i, p := range profiles() {
		sexo := byte("HM"[rnd.IntN(2)])
		nombre := hombres[rnd.IntN(len(hombres))]
		if sexo == 'M' {
			nombre = mujeres[rnd.IntN(len(mujeres))]
		}
		paterno := apellidos[rnd.IntN(len(apellidos))]
		materno := apellidos[rnd.IntN(len(apellidos))]
		if p.sinMaterno {
			materno = ""
		}
		entidad := 1 + rnd.IntN(32)
		state, _ := catalog.CURPState(entidad)
		if p.abroad {
			state = "NE"
		}
		emision := emisionYears(p.modelo, rnd)
		birth := time.Date(1945+rnd.IntN(emision-18-1945), time.Month(1+rnd.IntN(12)), 1+rnd.IntN(28), 0, 0, 0, 0, time.UTC)
		homonym := byte('0' + rnd.IntN(10))
		if birth.Year() >= 2000 {
			homonym = byte('A' + rnd.IntN(26))
		}
		registro := max(birth.Year()+18, emision-rnd.IntN(15))
		registro = min(registro, emision)
		seccion := fmt.Sprintf("%04d", 1+rnd.IntN(5000))
		ident := fmt.Sprintf("%09d", rnd.IntN(1_000_000_000))
		c := sandbox.Citizen{
			ID:                      fmt.Sprintf("P%03d", i+1),
			Modelo:                  p.modelo,
			OCR:                     seccion + ident,
			ClaveElector:            credential.MakeClaveElector(paterno, materno, nombre, birth, max(entidad, 1), sexo, fmt.Sprintf("%03d", rnd.IntN(1000))),
			NumeroEmisionCredencial: fmt.Sprintf("%02d", rnd.IntN(4)),
			CURP:                    credential.MakeCURP(paterno, materno, nombre, birth, sexo, state, homonym),
			Nombre:                  nombre,
			ApellidoPaterno:         paterno,
			ApellidoMaterno:         materno,
			AnioRegistro:            fmt.Sprint(registro),
			AnioEmision:             fmt.Sprint(emision),
			FechaNacimiento:         birth.Format("2006-01-02"),
			Sexo:                    string(sexo),
			Entidad:                 entidad,
			Situacion:               p.situacion,
			Nota:                    p.nota,
		}
		if p.reporte != "" {
			r := p.reporte
			c.ReporteRoboExtravio = &r
		}
		if p.modelo != "C" {
			for {
				cic := fmt.Sprintf("%09d", 100_000_000+rnd.IntN(900_000_000))
				if !cics[cic] {
					cics[cic] = true
					c.CIC = cic
					break
				}
			}
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
