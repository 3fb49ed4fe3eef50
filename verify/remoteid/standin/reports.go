package standin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/signintech/gopdf"

	"cotejo/verify/remoteid"
)

// Step sends the next report of every request that is due (its Fecha reached) and not
// finished, in the order the requests were sent, and returns how many it sent. A
// receiver's refusal is returned after the rest are sent; the report counts as sent
// (the provider's retry policy is unknown: Settings.WebhookRetries).
func (s *Server) Step(ctx context.Context) (int, error) {
	now := s.s.Now()
	type due struct {
		r  request
		st remoteid.Estado
	}
	var todo []due
	s.mu.Lock()
	for _, id := range s.order {
		r := s.requests[id]
		ch := r.chain()
		if r.next < len(ch) && !now.Before(r.due) {
			todo = append(todo, due{*r, ch[r.next]})
			r.next++
		}
	}
	s.mu.Unlock()
	var errs []error
	n := 0
	for _, d := range todo {
		times := 1
		if s.s.Duplicate {
			times = 2
		}
		for range times {
			if err := s.post(ctx, d.r, d.st, now); err != nil {
				errs = append(errs, err)
			}
			n++
		}
	}
	return n, errors.Join(errs...)
}

// Finish steps until no request has a report left to send now.
func (s *Server) Finish(ctx context.Context) error {
	for {
		n, err := s.Step(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
}

// Deliver sends the report of one status of a request now, whatever its place in the
// chain: for duplicates and reports out of order. It does not move the chain.
func (s *Server) Deliver(ctx context.Context, id string, st remoteid.Estado) error {
	s.mu.Lock()
	r, ok := s.requests[id]
	var rc request
	if ok {
		rc = *r
	}
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("standin: no request %s", id)
	}
	return s.post(ctx, rc, st, s.s.Now())
}

// Report is the body of one report as the stand-in sends it, and its content type.
func (s *Server) Report(id string, st remoteid.Estado) ([]byte, string, error) {
	s.mu.Lock()
	r, ok := s.requests[id]
	var rc request
	if ok {
		rc = *r
	}
	s.mu.Unlock()
	if !ok {
		return nil, "", fmt.Errorf("standin: no request %s", id)
	}
	return s.encode(fields(rc, st, s.s.Now()))
}

// Run steps every interval until ctx ends: the command's stand-in, on the wall clock.
func (s *Server) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Step(ctx); err != nil {
				s.s.Logger.Warn("standin: webhook", "error", err)
			}
		}
	}
}

// slashes writes "/" as "\/", as the provider's PHP-style encoder does.
func slashes(b []byte) string { return strings.ReplaceAll(string(b), "/", `\/`) }

// nested encodes a nested value as the provider does: JSON text inside a string.
func nested(v any) string {
	b, _ := json.Marshal(v)
	return slashes(b)
}

// fields are a report's fields, every value a string, as in the seed's sample.
func fields(r request, st remoteid.Estado, now time.Time) [][2]string {
	stamp := func(t time.Time) string { return t.In(madrid()).Format("2006-01-02 15:04") }
	f := [][2]string{
		{"Servicio", remoteid.Servicio},
		{"ID", r.id},
		{"FechaEnvio", stamp(r.sent)},
		{"Estado", fmt.Sprint(int(st))},
		{"UltimaActualizacion", stamp(now)},
		{"Telefono", r.phone},
		{"DNISolicitado", r.dni},
	}
	f = append(f, [2]string{"Acceso", nested(map[string]string{"Fecha": now.In(madrid()).Format("2006-01-02 15:04:05"), "IP": "192.0.2.10", "Puerto": "11892"})})
	if st >= remoteid.EstadoLiveness {
		f = append(f, [2]string{"Dispositivo", nested(map[string]string{"browser": "Chrome 92.0.4515.131", "SysOp": "Android 11", "displayResolution": "360 x 800"})})
		f = append(f, [2]string{"Posicion", nested(map[string]any{
			"Direccion":   "Av. Juárez 100, Centro, 06000 Ciudad de México, CDMX, México",
			"Coordenadas": map[string]any{"Longitud": "-99.1412", "Latitud": "19.4352", "Altura": 2240.5, "Precision": 15.27},
		})})
	}
	doc := document(r)
	if st >= remoteid.EstadoInProcess {
		f = append(f, [2]string{"DNIAnverso", doc}, [2]string{"DNIReverso", doc})
	}
	if st >= remoteid.EstadoData {
		f = append(f, [2]string{"Result", nested(result(r, doc))})
	}
	return f
}

// document is the number the person's document shows: the one asked for, unless the
// scenario says it differs.
func document(r request) string {
	doc := cmpOr(r.dni, "GOMR800101HDFRRN09")
	if r.scenario == "dni-mismatch" {
		doc = "PEJL750505MDFRRS02"
	}
	return doc
}

func result(r request, doc string) map[string]any {
	v := Scenarios[r.scenario]
	yes := func(b bool) string {
		if b {
			return "Si"
		}
		return "No"
	}
	coincide := "N/A"
	if r.dni != "" {
		coincide = yes(r.dni == doc)
	}
	edad, born, expires := 45, "01/01/1980", "31/12/2030"
	if r.scenario == "minor" {
		edad, born = 16, "01/01/2010"
	}
	if r.scenario == "expired" {
		expires = "31/12/2020"
	}
	similarity := Scenarios["ok"]
	if v < 0 {
		similarity = 41.5
	}
	return map[string]any{
		"Resultado": v, "DNIAnverso": doc,
		"DNIReverso":              map[bool]string{true: "XXXX000000XXXXXX00", false: doc}[r.scenario == "sides"],
		"AnversoReversoCoinciden": yes(r.scenario != "sides"),
		"DNISolicitado":           r.dni, "DNISolicitadoCoincide": coincide,
		"DNI": map[string]any{
			"Edad": edad, "FechaNacimiento": born, "DNI": doc, "Nacionalidad": "MEX", "Pais": "MEX",
			"Nombre": "GOMEZ RUIZ,MARIA", "NumeroSerie": "IDMEX1234567", "TipoDocumento": "ID-1", "Sexo": "F",
			"FechaExpira": expires, "Caducado": yes(r.scenario == "expired"),
		},
		"ProcesoRelizadoMismaPersona": yes(r.scenario != "different-people"),
		"Barba":                       "No", "Bigote": "No", "GafasLectura": "No", "GafasSol": "No",
		"Sexo": "Mujer con probabilidad de 99.2%", "RangoAparenteEdad": "38-50",
		"Dispositivo":        "Android.v11-Chrome.v92.0.4515.131",
		"ParecidoPersonaDNI": similarity,
		"PruebaDeVida":       yes(r.scenario != "photo"),
	}
}

// encode writes a report as JSON (strings only) or multipart form data.
func (s *Server) encode(f [][2]string) ([]byte, string, error) {
	var b bytes.Buffer
	if s.s.WebhookForm {
		mw := multipart.NewWriter(&b)
		for _, kv := range f {
			if err := mw.WriteField(kv[0], kv[1]); err != nil {
				return nil, "", err
			}
		}
		if err := mw.Close(); err != nil {
			return nil, "", err
		}
		return b.Bytes(), mw.FormDataContentType(), nil
	}
	b.WriteByte('{')
	for i, kv := range f {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv[0])
		v, _ := json.Marshal(kv[1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), "application/json", nil
}

func (s *Server) post(ctx context.Context, r request, st remoteid.Estado, now time.Time) error {
	if s.s.WebhookURL == "" {
		return nil
	}
	body, ct, err := s.encode(fields(r, st, now))
	if err != nil {
		return err
	}
	var last error
	for range 1 + s.s.WebhookRetries {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.s.WebhookURL, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", ct)
		if s.s.WebhookUser != "" {
			req.SetBasicAuth(s.s.WebhookUser, s.s.WebhookPassword)
		}
		resp, err := s.s.WebhookClient.Do(req)
		if err != nil {
			last = err
			continue
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
			return nil
		}
		last = fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return fmt.Errorf("standin: report %s %d: %w", r.id, int(st), last)
}

// certificatePDF is a one-page certificate: small, valid, starting with %PDF-.
func certificatePDF(r request, font string, now time.Time) ([]byte, error) {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitMM})
	pdf.SetInfo(gopdf.PdfInfo{Title: "Certificado de verificación de identidad " + r.id, Creator: "cotejo standin"})
	pdf.AddPage()
	if err := pdf.AddTTFFont("sans", font); err == nil {
		if err := pdf.SetFont("sans", "", 14); err != nil {
			return nil, err
		}
		lines := []string{
			"Certificado de verificación de identidad (simulado)",
			"Solicitud " + r.id,
			"Validada: " + now.In(madrid()).Format("2006-01-02 15:04") + " (CET/CEST)",
			"Documento: " + document(r),
			"Servidor de pruebas: sin valor legal.",
		}
		for i, l := range lines {
			pdf.SetXY(20, 30+float64(i)*10)
			if err := pdf.Cell(nil, l); err != nil {
				return nil, err
			}
		}
	} else {
		// Without the font the page still proves the flow: a frame, no text.
		pdf.RectFromUpperLeft(20, 20, 170, 60)
	}
	return pdf.GetBytesPdfReturnErr()
}

// Requests lists the IDs sent so far, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.order)
}
