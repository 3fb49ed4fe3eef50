package catalog

import "fmt"

// Situation is a credential's situación registral as INE reports it. Unknown values are
// kept verbatim.
type Situation string

// The values of INE's catalogue. The four temporary/cancelled report variants are our
// best reconstruction of names INE's public material only mentions.
const (
	Vigente                       Situation = "VIGENTE"
	NoVigente                     Situation = "NO_VIGENTE"
	ResidenteExtranjero           Situation = "RESIDENTE_EXTRANJERO"
	Reseccionamiento              Situation = "RESECCIONAMIENTO"
	Reincorporado                 Situation = "REINCORPORADO"
	OCRDistinto                   Situation = "OCR_DISTINTO"
	NumeroEmisionDiferente        Situation = "NUMERO_EMISION_DIFERENTE"
	TramiteEnProceso              Situation = "TRAMITE_EN_PROCESO"
	CredencialBajaPerdidaVigencia Situation = "CREDENCIAL_BAJA_PERDIDA_VIGENCIA"
	Duplicado                     Situation = "DUPLICADO"
	Defuncion                     Situation = "DEFUNCION"
	SuspensionDeDerechos          Situation = "SUSPENSION_DE_DERECHOS"
	CancelacionDeTramite          Situation = "CANCELACION_DE_TRAMITE"
	DatosIrregulares              Situation = "DATOS_IRREGULARES"
	RobadaAlInstituto             Situation = "ROBADA_AL_INSTITUTO"
	ReporteDeRobo                 Situation = "REPORTE_DE_ROBO"
	ReporteDeExtravio             Situation = "REPORTE_DE_EXTRAVIO"
	DatosNoEncontrados            Situation = "DATOS_NO_ENCONTRADOS"
	CambioClaveElector            Situation = "CAMBIO_CLAVE_ELECTOR"
	ResultadoVariosRegistros      Situation = "RESULTADO_VARIOS_REGISTROS"
	Usurpacion                    Situation = "USURPACION"
	ReporteDeRoboTemporal         Situation = "REPORTE_DE_ROBO_TEMPORAL"
	ReporteDeExtravioTemporal     Situation = "REPORTE_DE_EXTRAVIO_TEMPORAL"
	ReporteDeRoboCancelado        Situation = "REPORTE_DE_ROBO_CANCELADO"
	ReporteDeExtravioCancelado    Situation = "REPORTE_DE_EXTRAVIO_CANCELADO"
)

func situationText(s Situation) (es, en string, ok bool) {
	switch s {
	case Vigente:
		return "Vigente: la credencial es válida.", "In force: the credential is valid.", true
	case NoVigente:
		return "No vigente: la credencial ya no es válida.", "Not in force: the credential is no longer valid.", true
	case ResidenteExtranjero:
		return "Residente en el extranjero.", "Resident abroad.", true
	case Reseccionamiento:
		return "Credencial afectada por reseccionamiento: el ciudadano debe tramitar una nueva.", "Affected by redistricting: the citizen must apply for a new one.", true
	case Reincorporado:
		return "Registro reincorporado al padrón.", "Record reinstated in the register.", true
	case OCRDistinto:
		return "El OCR no corresponde al registro vigente.", "The OCR does not match the current record.", true
	case NumeroEmisionDiferente:
		return "El número de emisión no corresponde: hay una credencial más reciente.", "The issue number does not match: a newer credential exists.", true
	case TramiteEnProceso:
		return "Hay un trámite en proceso para este ciudadano.", "An application is in progress for this citizen.", true
	case CredencialBajaPerdidaVigencia:
		return "Credencial dada de baja por pérdida de vigencia.", "Credential withdrawn: it lost its validity.", true
	case Duplicado:
		return "Registro duplicado dado de baja.", "Duplicate record withdrawn.", true
	case Defuncion:
		return "Registro dado de baja por defunción.", "Record withdrawn: the citizen is deceased.", true
	case SuspensionDeDerechos:
		return "Derechos políticos suspendidos.", "Political rights suspended.", true
	case CancelacionDeTramite:
		return "El trámite de la credencial fue cancelado.", "The credential's application was cancelled.", true
	case DatosIrregulares:
		return "Registro con datos irregulares.", "Record with irregular data.", true
	case RobadaAlInstituto:
		return "Credencial robada al Instituto: no la acepte.", "Credential stolen from INE: do not accept it.", true
	case ReporteDeRobo:
		return "La credencial tiene reporte de robo: no la acepte.", "The credential is reported stolen: do not accept it.", true
	case ReporteDeExtravio:
		return "La credencial tiene reporte de extravío: no la acepte.", "The credential is reported lost: do not accept it.", true
	case DatosNoEncontrados:
		return "El INE no encontró un registro con esos datos.", "INE found no record with those data.", true
	case CambioClaveElector:
		return "La clave de elector cambió: hay una credencial más reciente.", "The elector key changed: a newer credential exists.", true
	case ResultadoVariosRegistros:
		return "Los datos corresponden a varios registros.", "The data match several records.", true
	case Usurpacion:
		return "Registro con usurpación de identidad: no acepte la credencial.", "Record with identity theft: do not accept the credential.", true
	case ReporteDeRoboTemporal:
		return "Reporte de robo temporal: no acepte la credencial.", "Temporary theft report: do not accept the credential.", true
	case ReporteDeExtravioTemporal:
		return "Reporte de extravío temporal: no acepte la credencial.", "Temporary loss report: do not accept the credential.", true
	case ReporteDeRoboCancelado:
		return "Reporte de robo cancelado.", "Theft report cancelled.", true
	case ReporteDeExtravioCancelado:
		return "Reporte de extravío cancelado.", "Loss report cancelled.", true
	}
	return "", "", false
}

// Known reports whether INE's catalogue has the value.
func (s Situation) Known() bool {
	_, _, ok := situationText(s)
	return ok
}

// Valid reports whether the credential may be accepted: only VIGENTE.
func (s Situation) Valid() bool { return s == Vigente }

// Message is the operator's sentence; an unknown value is shown verbatim.
func (s Situation) Message(lang string) string {
	es, en, ok := situationText(s)
	if !ok {
		if lang == "en" {
			return fmt.Sprintf("Register status %q (not recognised).", string(s))
		}
		return fmt.Sprintf("Situación registral %q (no reconocida).", string(s))
	}
	if lang == "en" {
		return en
	}
	return es
}
