package receipt

import "strings"

// labels holds every fixed string printed on a receipt, so that one
// receipt is never half in one language and half in the other.
type labels struct {
	title       string
	operator    string
	answeredAt  string
	queuedAt    string
	dateLayout  string // time.Format layout for the date and time
	timeZone    string // printed after the time; %s is the UTC offset
	queued      string
	situation   string
	citizen     string
	name        string
	curp        string
	cic         string
	fieldsHead  string
	fieldCol    string
	resultCol   string
	fingersHead string
	fingerCol   string
	scoreCol    string
	threshold   string // "umbral" in "83.5 % (umbral 70 %)"
	codesHead   string
	footerNote  string
	requestID   string
	page        string // "Página %d de %d"
	sealHead    string
	cadena      string
	sello       string
	sealNote    string
}

// labelsFor returns the labels for lang; anything that is not English is
// treated as Spanish, the kiosk's default. It is a function rather than a
// package-level table so that no caller can modify the texts.
func labelsFor(lang string) labels {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(lang)), "en") {
		return labels{
			title:       "Credential verification receipt",
			operator:    "Operator",
			answeredAt:  "INE answered on",
			queuedAt:    "Queued on",
			dateLayout:  "2006-01-02 15:04:05", // ISO: no day/month ambiguity for foreign readers
			timeZone:    "Mexico City time, UTC%s",
			queued:      "QUEUED: the request is waiting to be sent to INE. This receipt is not a verification result.",
			situation:   "Registration status",
			citizen:     "Citizen",
			name:        "Name",
			curp:        "CURP",
			cic:         "CIC / OCR",
			fieldsHead:  "Data checked against INE",
			fieldCol:    "Field",
			resultCol:   "Result",
			fingersHead: "Fingerprint comparison",
			fingerCol:   "Finger",
			scoreCol:    "Similarity",
			threshold:   "threshold",
			codesHead:   "INE response codes",
			footerNote:  "This receipt contains no fingerprints and no complete credential data.",
			requestID:   "INE request id",
			page:        "Page %d of %d",
			sealHead:    "Digital seal",
			cadena:      "Original string (cadena original)",
			sello:       "Seal (SHA-256, RSA)",
			sealNote:    "The QR code holds the original string and the seal. Check them with the institution's certificate: cotejo evidence verify FILE.pdf",
		}
	}
	return labels{
		title:       "Comprobante de verificación de credencial",
		operator:    "Operador",
		answeredAt:  "Respuesta del INE",
		queuedAt:    "En cola desde",
		dateLayout:  "02/01/2006 15:04:05", // as dates are written in Mexico
		timeZone:    "hora de la Ciudad de México, UTC%s",
		queued:      "EN COLA: la solicitud está en espera de envío al INE. Este comprobante no es un resultado de verificación.",
		situation:   "Situación registral",
		citizen:     "Ciudadano",
		name:        "Nombre",
		curp:        "CURP",
		cic:         "CIC / OCR",
		fieldsHead:  "Datos cotejados con el INE",
		fieldCol:    "Dato",
		resultCol:   "Resultado",
		fingersHead: "Cotejo de huellas dactilares",
		fingerCol:   "Dedo",
		scoreCol:    "Similitud",
		threshold:   "umbral",
		codesHead:   "Códigos de respuesta del INE",
		footerNote:  "Este comprobante no contiene huellas ni datos completos de la credencial.",
		requestID:   "Índice de la solicitud",
		page:        "Página %d de %d",
		sealHead:    "Sello digital",
		cadena:      "Cadena original",
		sello:       "Sello (SHA-256, RSA)",
		sealNote:    "El código QR contiene la cadena original y el sello. Verifíquelos con el certificado de la institución: cotejo evidence verify ARCHIVO.pdf",
	}
}
