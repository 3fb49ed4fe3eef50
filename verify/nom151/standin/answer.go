package standin

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cotejo/verify/nom151"
)

// hugePadding is how far HUGE… pushes an answer: past the client's default 16 MiB.
const hugePadding = 17 << 20

func (s *Server) fault(code, reason string) Answer {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<soap:Envelope xmlns:soap="` + nom151.SOAP12NS + `" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">`)
	b.WriteString(`<soap:Body><soap:Fault><soap:Code><soap:Value>` + code + `</soap:Value></soap:Code>`)
	b.WriteString(`<soap:Reason><soap:Text xml:lang="en">`)
	_ = xml.EscapeText(&b, []byte(reason))
	b.WriteString(`</soap:Text></soap:Reason><soap:Detail /></soap:Fault></soap:Body></soap:Envelope>`)
	return Answer{Fault: true, Body: b.Bytes()}
}

// envelope writes the response around fields, each a name and its (unescaped) text.
func (s *Server) envelope(op string, fields [][2]string) []byte {
	wrapper := op
	if s.cfg.SeedSpellings {
		wrapper = nom151.OpFolio // the seed's samples answer validaNOM151 with this too
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<soap:Envelope xmlns:soap="` + nom151.SOAP12NS + `" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">`)
	b.WriteString(`<soap:Body><` + wrapper + `Response xmlns="` + nom151.ServiceNS + `"><` + wrapper + `Result>`)
	for _, f := range fields {
		b.WriteString("<" + f[0] + ">")
		_ = xml.EscapeText(&b, []byte(f[1]))
		b.WriteString("</" + f[0] + ">")
	}
	b.WriteString(`</` + wrapper + `Result></` + wrapper + `Response></soap:Body></soap:Envelope>`)
	return b.Bytes()
}

// estadoBody is an exception's answer: the code and its text, nothing else.
func (s *Server) estadoBody(op string, e nom151.Estado) []byte {
	return s.envelope(op, [][2]string{{"Estado", strconv.Itoa(int(e))}, {"Descripcion", e.Message("es")}})
}

// successBody is Estado 0 with the three checks, the evidence sheet and its QR summary.
func (s *Server) successBody(op, nombre string, digest []byte, c *Constancy) []byte {
	now := s.cfg.Now()
	relacion := bytes.Equal(digest, c.Digest)
	sello := c.SealValid()
	// Sovos' certificate is the one its root issued; another provider's fails here.
	psc := c.IssuedBy(s.cfg.PSC)
	fecha := nom151.FormatValidaFecha(now)
	serie := strconv.FormatInt(c.Folio, 10)
	tf := strconv.FormatBool
	qr := "||" + strings.Join([]string{serie, nombre, c.PSC, fecha, tf(relacion), tf(sello), tf(psc)}, "|") + "||"
	b64 := base64.StdEncoding.EncodeToString
	pdf := evidencePDF(now, []string{
		"Constancia de Validacion NOM-151",
		"",
		"Fecha y hora de validacion: " + fecha + " (hora del centro de Mexico)",
		"Relacion documento-constancia: " + tf(relacion),
		"Sello de la constancia integro: " + tf(sello),
		"Emitida por el PSC: " + tf(psc),
		"QR: " + qr,
		"",
		"Archivo: " + nombre,
		"Huella digital: " + b64(digest),
		"",
		"Constancia, folio: " + serie,
		"Fecha de la constancia (UTC): " + nom151.FormatConstanciaFecha(c.Issued),
		"Algoritmo: " + c.Algorithm,
		"Huella en la constancia: " + b64(c.Digest),
		"",
		"Politica: " + c.Policy,
		"PSC: " + c.PSC,
		"",
		"Sello: " + b64(c.Seal),
		"",
		"Hoja generada por el simulador de Cotejo; no es una constancia de Sovos.",
	})
	fechaName, pscName := "constanciaFecha", "pscNombrePSC"
	if s.cfg.SeedSpellings {
		fechaName, pscName = "contanciaFecha", "pscNombre"
	}
	return s.envelope(op, [][2]string{
		{"Estado", "0"},
		{"Descripcion", "Satisfactorio"},
		{"validaFecha", fecha},
		{"validaRelacion", tf(relacion)},
		{"validaSello", tf(sello)},
		{"validaPSC", tf(psc)},
		{"documentoNombre", nombre},
		{"documentoHuellaDigital", b64(digest)},
		{"constanciaSerie", serie},
		{"constanciaHuellaDigital", b64(c.Digest)},
		{fechaName, nom151.FormatConstanciaFecha(c.Issued)},
		{"constanciaAlgoritmo", c.Algorithm},
		{"pscPolitica", c.Policy},
		{pscName, c.PSC},
		{"qrPDF", qr},
		{"constanciaSello", b64(c.Seal)},
		{"reportePDF", b64(pdf)},
	})
}

// evidencePDF is a one-page PDF 1.4 of lines in Helvetica (a standard font, so nothing
// is embedded), written by hand: the stand-in needs no font files.
func evidencePDF(created time.Time, lines []string) []byte {
	var content bytes.Buffer
	content.WriteString("BT /F1 9 Tf 40 800 Td 12 TL\n")
	for _, l := range lines {
		// Long lines (seals) are cut: the sheet is a stand-in's, the data are in the answer.
		if len(l) > 110 {
			l = l[:107] + "..."
		}
		content.WriteString("(" + pdfString(l) + ") '\n")
	}
	content.WriteString("ET\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		"<< /Producer (Cotejo NOM-151 stand-in) /CreationDate (D:" + created.UTC().Format("20060102150405") + "Z) >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xd3\xf4\xcc\xe1\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, len(objs), xref)
	return b.Bytes()
}

// pdfString escapes a line for a PDF literal string in WinAnsi: Latin-1 letters as
// octal escapes, anything beyond as '?'.
func pdfString(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r >= 0xa0 && r <= 0xff:
			fmt.Fprintf(&b, "\\%03o", r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// wsdl describes both operations with a SOAP 1.2 binding at the address asked for.
func wsdl(r *http.Request) string {
	addr := "https://" + r.Host + r.URL.Path
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:tns="http://tempuri.org/" targetNamespace="http://tempuri.org/">
<wsdl:types><s:schema elementFormDefault="qualified" targetNamespace="http://tempuri.org/">
<s:element name="AuthSoapHd"><s:complexType><s:sequence><s:element minOccurs="0" name="Entidad" type="s:string"/><s:element minOccurs="0" name="Usuario" type="s:string"/><s:element minOccurs="0" name="Clave" type="s:string"/></s:sequence></s:complexType></s:element>
<s:complexType name="Resultado"><s:sequence>`)
	for _, f := range []string{"Estado:int", "Descripcion:string", "validaFecha:string", "validaRelacion:boolean", "validaSello:boolean", "validaPSC:boolean",
		"documentoNombre:string", "documentoHuellaDigital:string", "constanciaSerie:string", "constanciaHuellaDigital:string", "constanciaFecha:string",
		"constanciaAlgoritmo:string", "pscPolitica:string", "pscNombrePSC:string", "qrPDF:string", "constanciaSello:string", "reportePDF:string"} {
		name, typ, _ := strings.Cut(f, ":")
		fmt.Fprintf(&b, `<s:element minOccurs="0" name="%s" type="s:%s"/>`, name, typ)
	}
	b.WriteString("</s:sequence></s:complexType>\n")
	params := map[string]string{nom151.OpFolio: "folio", nom151.OpConstancy: "Constancia"}
	ops := []string{nom151.OpFolio, nom151.OpConstancy}
	for _, op := range ops {
		fmt.Fprintf(&b, `<s:element name="%s"><s:complexType><s:sequence><s:element minOccurs="0" name="nombreArchivoOriginal" type="s:string"/><s:element minOccurs="0" name="huellaDigitalArchivo" type="s:string"/><s:element minOccurs="0" name="%s" type="s:string"/></s:sequence></s:complexType></s:element>`+"\n", op, params[op])
		fmt.Fprintf(&b, `<s:element name="%sResponse"><s:complexType><s:sequence><s:element minOccurs="0" name="%sResult" type="tns:Resultado"/></s:sequence></s:complexType></s:element>`+"\n", op, op)
	}
	b.WriteString("</s:schema></wsdl:types>\n<wsdl:message name=\"AuthSoapHd\"><wsdl:part name=\"AuthSoapHd\" element=\"tns:AuthSoapHd\"/></wsdl:message>\n")
	for _, op := range ops {
		fmt.Fprintf(&b, `<wsdl:message name="%[1]sIn"><wsdl:part name="parameters" element="tns:%[1]s"/></wsdl:message><wsdl:message name="%[1]sOut"><wsdl:part name="parameters" element="tns:%[1]sResponse"/></wsdl:message>`+"\n", op)
	}
	b.WriteString(`<wsdl:portType name="WebServiceSoap">`)
	for _, op := range ops {
		fmt.Fprintf(&b, `<wsdl:operation name="%[1]s"><wsdl:input message="tns:%[1]sIn"/><wsdl:output message="tns:%[1]sOut"/></wsdl:operation>`, op)
	}
	b.WriteString("</wsdl:portType>\n" + `<wsdl:binding name="WebServiceSoap12" type="tns:WebServiceSoap"><soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/>`)
	for _, op := range ops {
		fmt.Fprintf(&b, `<wsdl:operation name="%[1]s"><soap12:operation soapAction="http://tempuri.org/%[1]s" style="document"/><wsdl:input><soap12:body use="literal"/><soap12:header message="tns:AuthSoapHd" part="AuthSoapHd" use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation>`, op)
	}
	b.WriteString("</wsdl:binding>\n<wsdl:service name=\"WebService\"><wsdl:port name=\"WebServiceSoap12\" binding=\"tns:WebServiceSoap12\"><soap12:address location=\"")
	_ = xml.EscapeText(&b, []byte(addr))
	b.WriteString("\"/></wsdl:port></wsdl:service>\n</wsdl:definitions>\n")
	return b.String()
}
