// Package synthetic invents citizens whose credentials are internally consistent (valid
// CURP check digit, clave de elector built from the names and birth date, plausible
// years), for the sandbox's register, the card generator and tests. No real person's
// data is ever needed.
package synthetic

import (
	"fmt"
	"math/rand/v2"
	"time"

	"cotejo/verify/catalog"
	"cotejo/verify/credential"
)

// Citizen is a credential's data plus what is printed on the card but not sent to INE.
type Citizen struct {
	credential.Credential
	Birth  time.Time
	Sex    byte // 'H' or 'M'
	Entity int  // 1–32
}

// Seccion is the electoral section: the OCR's first four digits.
func (c Citizen) Seccion() string {
	if len(c.OCR) < 4 {
		return ""
	}
	return c.OCR[:4]
}

// Options shape one citizen.
type Options struct {
	SinMaterno bool // no second surname
	Abroad     bool // born abroad: CURP state NE
}

// Generator is deterministic for a seed; CICs never repeat within one generator.
type Generator struct {
	rnd  *rand.Rand
	cics map[string]bool
}

// NewGenerator returns a generator seeded with the two PCG seeds.
func NewGenerator(seed1, seed2 uint64) *Generator {
	return &Generator{rnd: rand.New(rand.NewPCG(seed1, seed2)), cics: map[string]bool{}}
}

// Rand is the generator's source, for callers that draw more from the same sequence.
func (g *Generator) Rand() *rand.Rand { return g.rnd }

var (
	hombres = []string{"JOSE LUIS", "JUAN CARLOS", "MIGUEL ANGEL", "ALEJANDRO", "FERNANDO", "RICARDO", "EDUARDO", "ROBERTO", "SERGIO", "ARTURO", "OCTAVIO", "IÑAKI", "RAUL"}
	mujeres = []string{"MARIA DE LOS ANGELES", "GUADALUPE", "ANA SOFIA", "VERONICA", "PATRICIA", "ADRIANA", "ALEJANDRA", "XIMENA", "MARIA FERNANDA", "LETICIA", "BEGOÑA", "ROCIO", "YOLANDA"}
	// apellidos include Ñ, which the card prints and the MRZ cannot.
	apellidos = []string{"HERNANDEZ", "GARCIA", "MARTINEZ", "LOPEZ", "GONZALEZ", "PEREZ", "RODRIGUEZ", "SANCHEZ", "RAMIREZ", "CRUZ", "FLORES", "GOMEZ", "MUÑOZ", "ORTIZ", "VAZQUEZ", "CASTILLO", "JIMENEZ", "MORALES", "REYES", "TORRES", "NUÑEZ", "DOMINGUEZ", "MENDOZA", "AGUILAR", "IBARRA", "OCHOA", "PEÑA", "URIBE"}
)

// EmisionYear is a year in which model m was issued.
func EmisionYear(m credential.Model, rnd *rand.Rand) int {
	switch m {
	case credential.ModelC:
		return 2003 + rnd.IntN(10)
	case credential.ModelD:
		return 2013
	case credential.ModelE:
		return 2014 + rnd.IntN(5)
	case credential.ModelF:
		return 2016 + rnd.IntN(3)
	}
	return 2019 + rnd.IntN(6)
}

// Citizen invents one citizen holding a credential of model m.
func (g *Generator) Citizen(m credential.Model, o Options) Citizen {
	rnd := g.rnd
	sexo := byte("HM"[rnd.IntN(2)])
	nombre := hombres[rnd.IntN(len(hombres))]
	if sexo == 'M' {
		nombre = mujeres[rnd.IntN(len(mujeres))]
	}
	paterno := apellidos[rnd.IntN(len(apellidos))]
	materno := apellidos[rnd.IntN(len(apellidos))]
	if o.SinMaterno {
		materno = ""
	}
	entidad := 1 + rnd.IntN(32)
	state, _ := catalog.CURPState(entidad)
	if o.Abroad {
		state = "NE"
	}
	emision := EmisionYear(m, rnd)
	birth := time.Date(1945+rnd.IntN(emision-18-1945), time.Month(1+rnd.IntN(12)), 1+rnd.IntN(28), 0, 0, 0, 0, time.UTC)
	homonym := byte('0' + rnd.IntN(10))
	if birth.Year() >= 2000 {
		homonym = byte('A' + rnd.IntN(26))
	}
	registro := max(birth.Year()+18, emision-rnd.IntN(15))
	registro = min(registro, emision)
	seccion := fmt.Sprintf("%04d", 1+rnd.IntN(5000))
	ident := fmt.Sprintf("%09d", rnd.IntN(1_000_000_000))
	clave := credential.MakeClaveElector(paterno, materno, nombre, birth, entidad, sexo, fmt.Sprintf("%03d", rnd.IntN(1000)))
	c := Citizen{
		Credential: credential.Credential{
			Modelo:                  m,
			OCR:                     seccion + ident,
			ClaveElector:            clave,
			NumeroEmisionCredencial: fmt.Sprintf("%02d", rnd.IntN(4)),
			CURP:                    credential.MakeCURP(paterno, materno, nombre, birth, sexo, state, homonym),
			Nombre:                  nombre,
			ApellidoPaterno:         paterno,
			ApellidoMaterno:         materno,
			AnioRegistro:            fmt.Sprint(registro),
			AnioEmision:             fmt.Sprint(emision),
		},
		Birth:  birth,
		Sex:    sexo,
		Entity: entidad,
	}
	if m.HasCIC() {
		for {
			cic := fmt.Sprintf("%09d", 100_000_000+rnd.IntN(900_000_000))
			if !g.cics[cic] {
				g.cics[cic] = true
				c.CIC = cic
				break
			}
		}
	}
	return c
}
