package verify_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"cotejo/verify"
	"cotejo/verify/catalog"
)

// signedResponse wraps a response element (as raw text, key case and all) the way INE
// does: signature over response + timeStamp, both embedded verbatim.
func signedResponse(t testing.TB, response, timeStamp string) []byte {
	t.Helper()
	sig, err := verify.SignElements(context.Background(), keys(t).signer, verify.DigestBase64, []byte(response), []byte(timeStamp))
	if err != nil {
		t.Fatal(err)
	}
	sigJSON, _ := json.Marshal(sig)
	return []byte(`{"response":` + response + `,"signature":` + string(sigJSON) + `,"timestamp":` + timeStamp + `}`)
}

const specResponse = `{"fechaHoraPeticion":"2017-12-07 16:47:19.947","indiceSolicitud":"6545665423523153","dataResponse":{"respuestaSituacionRegistral":{"tipoSituacionRegistral":"VIGENTE","tipoReporteRoboExtravio":null},"respuestaComparacion":{"anioRegistro":true,"claveElector":true,"apellidoPaterno":true,"anioEmision":true,"numeroEmisionCredencial":true,"nombre":true,"curp":true,"apellidoMaterno":true,"ocr":true},"codigoRespuestaDatos":0},"minutiaeResponse":{"codigoRespuestaMinucia":0,"similitud2":"100.0%","similitud7":"100.0%"},"tiempoProcesamiento":506,"codigoRespuesta":0}`

const specTimeStamp = `{"momento":"20170712214756.161Z","indice":"6545665423523153","numeroSerie":"58.be.0e.58"}`

func TestOpenSpecResponse(t *testing.T) {
	r, err := verify.OpenResponse(signedResponse(t, specResponse, specTimeStamp), keys(t).cert, "6545665423523153")
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict(70) != verify.VerdictValid || r.Situation != "VIGENTE" || *r.Right != 100 || *r.Left != 100 {
		t.Errorf("result = %+v", r)
	}
	if r.Processing.Milliseconds() != 506 || r.RequestedAt.Year() != 2017 {
		t.Errorf("times = %v %v", r.Processing, r.RequestedAt)
	}
	if len(r.Fields) != 9 {
		t.Errorf("fields = %d, want 9 (no cic in INE's comparison)", len(r.Fields))
	}
}

func TestOpenLenientKeys(t *testing.T) {
	// Key case as some deployments send it, numbers for similarities, a null, a false.
	resp := `{"FechaHoraPeticion":"2018-06-14T21:27:52.27","IndiceSolicitud":"1","DataResponse":{"RespuestaSituacionRegistral":{"TipoSituacionRegistral":"REPORTE_DE_ROBO","TipoReporteRoboExtravio":"ROBO"},"RespuestaComparacion":{"nombre":false,"curp":null,"ocr":true},"CodigoRespuestaDatos":0},"MinutiaeResponse":{"CodigoRespuestaMinucia":0,"Similitud2":42.5,"Similitud7":null},"CodigoRespuesta":0}`
	r, err := verify.OpenResponse(signedResponse(t, resp, `{"momento":"20180614212752.27Z","indice":"1"}`), keys(t).cert, "1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Situation != "REPORTE_DE_ROBO" || r.TheftReport != "ROBO" || *r.Right != 42.5 || r.Left != nil {
		t.Errorf("result = %+v", r)
	}
	got := map[string]verify.Comparison{}
	for _, f := range r.Fields {
		got[f.Field] = f.Comparison
	}
	if got["nombre"] != verify.Mismatch || got["curp"] != verify.NotCompared || got["ocr"] != verify.Match {
		t.Errorf("fields = %v", got)
	}
	if r.Verdict(70) != verify.VerdictInvalid {
		t.Errorf("verdict = %v", r.Verdict(70))
	}
}

func TestOpenRefuses(t *testing.T) {
	good := signedResponse(t, specResponse, specTimeStamp)
	tests := []struct {
		name string
		body []byte
		want func(error) bool
	}{
		{"tampered answer", []byte(strings.Replace(string(good), `"curp":true`, `"curp":false`, 1)), isSigErr},
		{"tampered time stamp", []byte(strings.Replace(string(good), `20170712214756`, `20170712214757`, 1)), isSigErr},
		{"no signature", []byte(`{"response":` + specResponse + `}`), isSigErr},
		{"not JSON", []byte("<html>502</html>"), func(err error) bool { return errors.Is(err, verify.ErrMalformedResponse) }},
		{"no response", []byte(`{"signature":{}}`), func(err error) bool { return errors.Is(err, verify.ErrMalformedResponse) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := verify.OpenResponse(tt.body, keys(t).cert, ""); !tt.want(err) {
				t.Errorf("err = %v", err)
			}
		})
	}
	if _, err := verify.OpenResponse(good, keys(t).cert, "999"); !errors.Is(err, verify.ErrIndiceMismatch) {
		t.Errorf("other indice: %v", err)
	}
}

func isSigErr(err error) bool {
	var se *verify.SignatureError
	return errors.As(err, &se)
}

func TestOpenAcceptsResponseOnlySignature(t *testing.T) {
	sig, err := verify.SignElements(context.Background(), keys(t).signer, verify.DigestHex, []byte(specResponse), nil)
	if err != nil {
		t.Fatal(err)
	}
	sigJSON, _ := json.Marshal(sig)
	body := `{"response":` + specResponse + `,"signature":` + string(sigJSON) + `,"timeStamp":` + specTimeStamp + `}`
	if _, err := verify.OpenResponse([]byte(body), keys(t).cert, ""); err != nil {
		t.Fatal(err)
	}
}

func TestVerdict(t *testing.T) {
	sim := func(v float64) *verify.Similarity { s := verify.Similarity(v); return &s }
	ok := []verify.FieldResult{{Field: "nombre", Comparison: verify.Match}, {Field: "curp", Comparison: verify.NotCompared}}
	tests := []struct {
		name string
		r    verify.Result
		want verify.Verdict
		act  catalog.Action
	}{
		{"all good", verify.Result{HasData: true, Situation: "VIGENTE", Fields: ok, HasFingers: true, Right: sim(90), Left: sim(71)}, verify.VerdictValid, catalog.ActionNone},
		{"data only", verify.Result{HasData: true, Situation: "VIGENTE", Fields: ok}, verify.VerdictValid, catalog.ActionNone},
		{"finger below", verify.Result{HasData: true, Situation: "VIGENTE", Fields: ok, HasFingers: true, Right: sim(90), Left: sim(69.9)}, verify.VerdictInvalid, catalog.ActionNone},
		{"field differs", verify.Result{HasData: true, Situation: "VIGENTE", Fields: []verify.FieldResult{{Field: "nombre", Comparison: verify.Mismatch}}}, verify.VerdictInvalid, catalog.ActionNone},
		{"not in force", verify.Result{HasData: true, Situation: "NO_VIGENTE", Fields: ok}, verify.VerdictInvalid, catalog.ActionNone},
		{"biometrics off", verify.Result{HasData: true, Situation: "VIGENTE", Fields: ok, HasFingers: true, FingerCode: 317}, verify.VerdictIncomplete, catalog.ActionRetryLater},
		{"low quality", verify.Result{HasData: true, Situation: "VIGENTE", Fields: ok, HasFingers: true, FingerCode: 314}, verify.VerdictIncomplete, catalog.ActionRecapture},
		{"central 111", verify.Result{Code: 111}, verify.VerdictError, catalog.ActionCallSupport},
		{"data 205", verify.Result{HasData: true, DataCode: 205}, verify.VerdictError, catalog.ActionFixRequest},
		// Issue 15, point 12: fingers sent need a finger result; a similarity that is not
		// a number never passes.
		{"fingers sent, no finger result", verify.Result{HasData: true, Situation: "VIGENTE", Fields: ok, FingersSent: true}, verify.VerdictIncomplete, catalog.ActionNone},
		{"finger result without similarities", verify.Result{HasData: true, Situation: "VIGENTE", Fields: ok, FingersSent: true, HasFingers: true}, verify.VerdictIncomplete, catalog.ActionNone},
		{"NaN similarity", verify.Result{HasData: true, Situation: "VIGENTE", Fields: ok, HasFingers: true, Right: sim(math.NaN()), Left: sim(90)}, verify.VerdictIncomplete, catalog.ActionNone},
		{"Inf similarity", verify.Result{HasData: true, Situation: "VIGENTE", Fields: ok, HasFingers: true, Right: sim(90), Left: sim(math.Inf(1))}, verify.VerdictIncomplete, catalog.ActionNone},
	}
	for _, tt := range tests {
		if got := tt.r.Verdict(70); got != tt.want {
			t.Errorf("%s: verdict %v, want %v", tt.name, got, tt.want)
		}
		if got := tt.r.Action(); got != tt.act {
			t.Errorf("%s: action %v, want %v", tt.name, got, tt.act)
		}
	}
}

func FuzzParseResponse(f *testing.F) {
	f.Add(signedResponse(f, specResponse, specTimeStamp))
	f.Add([]byte(`{"response":{"minutiaeResponse":{"similitud2":"%"}}}`))
	f.Add([]byte(`{"Response":null}`))
	f.Add([]byte(`[]`))
	cert := keys(f).cert
	f.Fuzz(func(t *testing.T, body []byte) {
		env, rb, err := verify.ParseResponse(body)
		if err == nil && (env == nil || rb == nil) {
			t.Fatal("nil without error")
		}
		r, err := verify.OpenResponse(body, cert, "")
		if err == nil {
			_ = r.Verdict(70)
			_ = r.View("es", 70)
		}
	})
}

// TestVerdictThresholdBounded: a threshold outside [50, 100] gives no verdict of VÁLIDA,
// whoever read it (issue 15, point 12).
func TestVerdictThresholdBounded(t *testing.T) {
	sim := func(v float64) *verify.Similarity { s := verify.Similarity(v); return &s }
	impostor := verify.Result{HasData: true, Situation: "VIGENTE", HasFingers: true, FingersSent: true, Right: sim(12), Left: sim(9)}
	for _, th := range []float64{0, 1, 49.99, 100.01, math.NaN(), math.Inf(-1)} {
		if got := impostor.Verdict(th); got == verify.VerdictValid {
			t.Errorf("threshold %v: an impostor's fingers came out %v", th, got)
		}
	}
	if got := impostor.Verdict(50); got != verify.VerdictInvalid {
		t.Errorf("threshold 50: %v", got)
	}
}
