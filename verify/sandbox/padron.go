package sandbox

import (
	"bytes"

	"cotejo/assets"
	"cotejo/verify/credential"
	"cotejo/verify/credential/synthetic"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Citizen is one entry of the sandbox's voter register.
type Citizen struct {
	ID                      string  `json:"id"`
	Modelo                  string  `json:"modelo"`
	CIC                     string  `json:"cic"`
	OCR                     string  `json:"ocr"`
	ClaveElector            string  `json:"claveElector"`
	NumeroEmisionCredencial string  `json:"numeroEmisionCredencial"`
	CURP                    string  `json:"curp"`
	Nombre                  string  `json:"nombre"`
	ApellidoPaterno         string  `json:"apellidoPaterno"`
	ApellidoMaterno         string  `json:"apellidoMaterno"`
	AnioRegistro            string  `json:"anioRegistro"`
	AnioEmision             string  `json:"anioEmision"`
	FechaNacimiento         string  `json:"fechaNacimiento"`
	Sexo                    string  `json:"sexo"`
	Entidad                 int     `json:"entidad"`
	Situacion               string  `json:"situacion"`
	ReporteRoboExtravio     *string `json:"reporteRoboExtravio"`
	Nota                    string  `json:"nota,omitempty"`
}

// Padron is a voter register, indexed for INE's two search keys.
type Padron struct {
	Version    int       `json:"version"`
	Ciudadanos []Citizen `json:"ciudadanos"`

	byCIC map[string]int
	byOCR map[string]int // ocr|claveElector|numeroEmisionCredencial
}

// LoadPadron reads a register and refuses duplicate search keys, which would make
// answers ambiguous.
func LoadPadron(r io.Reader) (*Padron, error) {
	var p Padron
	dec := json.NewDecoder(r)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("sandbox: reading padrón: %w", err)
	}
	if len(p.Ciudadanos) == 0 {
		return nil, fmt.Errorf("sandbox: padrón has no citizens")
	}
	p.byCIC = make(map[string]int)
	p.byOCR = make(map[string]int)
	for i, c := range p.Ciudadanos {
		if c.CIC != "" {
			if _, dup := p.byCIC[c.CIC]; dup {
				return nil, fmt.Errorf("sandbox: padrón: CIC of %s appears twice", c.ID)
			}
			p.byCIC[c.CIC] = i
		}
		if c.OCR != "" {
			k := ocrKey(c.OCR, c.ClaveElector, c.NumeroEmisionCredencial)
			if _, dup := p.byOCR[k]; dup {
				return nil, fmt.Errorf("sandbox: padrón: OCR key of %s appears twice", c.ID)
			}
			p.byOCR[k] = i
		}
	}
	return &p, nil
}

func ocrKey(ocr, clave, emision string) string {
	return strings.ToUpper(strings.TrimSpace(ocr) + "|" + strings.TrimSpace(clave) + "|" + strings.TrimSpace(emision))
}

// DefaultPadron is the synthetic register shipped in assets/.
func DefaultPadron() (*Padron, error) { return LoadPadron(bytes.NewReader(assets.Padron())) }

// Credential is what the citizen's credential shows, as the operator would enter it.
func (c Citizen) Credential() credential.Credential {
	return credential.Credential{
		Modelo: credential.Model(c.Modelo), CIC: c.CIC, OCR: c.OCR, Nombre: c.Nombre,
		ApellidoPaterno: c.ApellidoPaterno, ApellidoMaterno: c.ApellidoMaterno,
		AnioRegistro: c.AnioRegistro, AnioEmision: c.AnioEmision,
		NumeroEmisionCredencial: c.NumeroEmisionCredencial, ClaveElector: c.ClaveElector, CURP: c.CURP,
	}
}

// ByCIC finds a citizen by credential identifier.
func (p *Padron) ByCIC(cic string) (*Citizen, bool) {
	i, ok := p.byCIC[strings.TrimSpace(cic)]
	if !ok {
		return nil, false
	}
	return &p.Ciudadanos[i], true
}

// ByOCR finds a citizen by the model C search key.
func (p *Padron) ByOCR(ocr, clave, emision string) (*Citizen, bool) {
	i, ok := p.byOCR[ocrKey(ocr, clave, emision)]
	if !ok {
		return nil, false
	}
	return &p.Ciudadanos[i], true
}

// Synthetic is the citizen as the card generator needs them: credential, birth date,
// sex and entity.
func (c Citizen) Synthetic() (synthetic.Citizen, error) {
	birth, err := time.Parse("2006-01-02", c.FechaNacimiento)
	if err != nil || len(c.Sexo) != 1 {
		return synthetic.Citizen{}, fmt.Errorf("sandbox: citizen %s: birth date %q, sex %q", c.ID, c.FechaNacimiento, c.Sexo)
	}
	return synthetic.Citizen{Credential: c.Credential(), Birth: birth, Sex: c.Sexo[0], Entity: c.Entidad}, nil
}
