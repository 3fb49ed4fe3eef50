package tuidentidad

import (
	"errors"
	"fmt"

	"cotejo/verify/credential"
)

// MapOptions are the choices the digest leaves open in mapping a credential.
type MapOptions struct {
	// FullOCR sends the 13-digit OCR for models E–H, as the seed's type E example does,
	// instead of the 9-digit identificador del ciudadano the description asks for.
	FullOCR bool
}

// INERequestFor maps a credential to an IneNominalList body, per the digest's table:
// model C sends the clave de elector, the OCR and the número de emisión; D sends the
// CIC and the 13-digit OCR; E–H send the CIC and the identificador del ciudadano (the
// OCR's last 9 digits). Errors are *credential.FieldError, joined.
func INERequestFor(c credential.Credential, o MapOptions) (INERequest, error) {
	c = c.Normalized()
	m, err := credential.ParseModel(string(c.Modelo))
	if err != nil {
		return INERequest{}, &credential.FieldError{Field: "modelo", Reason: credential.Pattern}
	}
	var errs []error
	need := func(field, v string) {
		if v == "" {
			errs = append(errs, &credential.FieldError{Field: field, Reason: credential.Missing})
		} else if err := credential.ValidateField(field, v); err != nil {
			errs = append(errs, err)
		}
	}
	req := INERequest{Type: string(m)}
	switch m {
	case credential.ModelC:
		need("claveElector", c.ClaveElector)
		need("ocr", c.OCR)
		need("numeroEmisionCredencial", c.NumeroEmisionCredencial)
		req.ID, req.OCR, req.IssueNumber = c.ClaveElector, c.OCR, c.NumeroEmisionCredencial
	case credential.ModelD:
		need("cic", c.CIC)
		need("ocr", c.OCR)
		req.ID, req.OCR = c.CIC, c.OCR
	default:
		need("cic", c.CIC)
		need("ocr", c.OCR)
		req.ID, req.OCR = c.CIC, c.OCR
		if !o.FullOCR && len(c.OCR) == 13 {
			req.OCR = c.OCR[4:] // sección (4) + identificador (9)
		}
	}
	if len(req.ID) > 9 && m.HasCIC() {
		// INE's CIC may carry a tenth digit; the provider takes 9.
		errs = append(errs, &credential.FieldError{Field: "cic", Reason: credential.Length})
	}
	if err := errors.Join(errs...); err != nil {
		return INERequest{}, err
	}
	return req, nil
}

// RFCRequestFor checks a CURP and a state and makes the RfcByCurp body.
func RFCRequestFor(curp string, state State) (RFCRequest, error) {
	curp = credential.Normalize(curp)
	if err := credential.ValidateCURP(curp); err != nil {
		return RFCRequest{}, err
	}
	if !ValidState(state) {
		return RFCRequest{}, fmt.Errorf("tuidentidad: state %d is not 1–32", int(state))
	}
	return RFCRequest{CURP: curp, State: state}, nil
}

// NSSRequestFor checks a CURP and makes the NssByCurp body.
func NSSRequestFor(curp string) (NSSRequest, error) {
	curp = credential.Normalize(curp)
	if err := credential.ValidateCURP(curp); err != nil {
		return NSSRequest{}, err
	}
	return NSSRequest{CURP: curp}, nil
}
