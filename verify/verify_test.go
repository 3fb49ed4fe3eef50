package verify_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"cotejo/verify"
	"cotejo/verify/credential"
)

// keys are made once per test binary: RSA generation dominates the run otherwise.
type testKeys struct {
	ine         *rsa.PrivateKey // 4096, as INE's
	institution *rsa.PrivateKey
	cert        *x509.Certificate
	signer      verify.Signer
}

var keysOnce = sync.OnceValues(func() (*testKeys, error) {
	ine, err := rsa.GenerateKey(rand.Reader, 4096)
	if err != nil {
		return nil, err
	}
	inst, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	cert, err := selfSigned(inst, 0x58be0e58)
	if err != nil {
		return nil, err
	}
	signer, err := verify.NewSigner(inst, cert)
	if err != nil {
		return nil, err
	}
	return &testKeys{ine: ine, institution: inst, cert: cert, signer: signer}, nil
})

func keys(t testing.TB) *testKeys {
	t.Helper()
	k, err := keysOnce()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func selfSigned(key *rsa.PrivateKey, serial int64) (*x509.Certificate, error) {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "Banco de Prueba", Country: []string{"MX"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func lepe() credential.Credential {
	return credential.Credential{
		Modelo: credential.ModelE, OCR: "0720060838243", CIC: "800405291", Nombre: "Valeria",
		ApellidoPaterno: "Lepe", ApellidoMaterno: "Jardines", AnioRegistro: "2010", AnioEmision: "2014",
		NumeroEmisionCredencial: "04", ClaveElector: "LPJRVL88110101H100", CURP: "LEJV881101HASJSN02",
	}
}

func place() verify.Ubicacion {
	return verify.Ubicacion{
		PosicionSatelital: &verify.PosicionSatelital{Latitud: 19.12345, Longitud: -99.12345},
		Localidad:         &verify.Localidad{CodigoPostal: "01710", Ciudad: "CDMX", Estado: 9},
	}
}

func sealer(t testing.TB, enc verify.DigestEncoding) *verify.Sealer {
	k := keys(t)
	return &verify.Sealer{
		INEKey: &k.ine.PublicKey, Signer: k.signer, Digest: enc,
		Now: func() time.Time { return time.Date(2017, 6, 22, 13, 0, 12, 0, time.UTC) },
	}
}

// splitBody takes the raw elements out of a request body, as a verifier does.
func splitBody(t *testing.T, body []byte) (verify.Request, verify.Data, verify.TimeStamp) {
	t.Helper()
	var req verify.Request
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatal(err)
	}
	var data verify.Data
	if err := json.Unmarshal(req.Data, &data); err != nil {
		t.Fatal(err)
	}
	var ts verify.TimeStamp
	if err := json.Unmarshal(req.TimeStamp, &ts); err != nil {
		t.Fatal(err)
	}
	return req, data, ts
}

func TestSealEncryptsSignsAndStamps(t *testing.T) {
	for _, enc := range []verify.DigestEncoding{verify.DigestBase64, verify.DigestHex} {
		s := sealer(t, enc)
		sealed, err := s.Seal(context.Background(), verify.Verification{
			Credential: lepe(), Location: place(), Consent: true, Indice: "6545665423523153",
		})
		if err != nil {
			t.Fatal(err)
		}
		req, data, ts := splitBody(t, sealed.Body)
		if ts.Indice != "6545665423523153" || ts.Momento != "20170622130012Z" || ts.NumeroSerie != "58.be.0e.58" {
			t.Errorf("timeStamp = %+v", ts)
		}
		// The signed string is exactly the embedded bytes, and verifies.
		signed := verify.SignedString(req.Data, req.TimeStamp)
		if err := verify.CheckSignature(req.Signature, signed, &keys(t).institution.PublicKey); err != nil {
			t.Fatalf("signature over embedded bytes: %v", err)
		}
		sum := sha256.Sum256(signed)
		want := base64.StdEncoding.EncodeToString(sum[:])
		if enc == verify.DigestHex {
			want = strings.ToUpper(hexString(sum[:]))
		}
		if got := req.Signature.SignedInfo.Reference.DigestValue; got != want {
			t.Errorf("digestValue = %s, want %s", got, want)
		}
		if got := req.Signature.KeyInfo.X509Data.X509SerialNumber; got != "58be0e58" {
			t.Errorf("serial = %s", got)
		}
		if bytes.Contains(req.Data, []byte("\n")) || bytes.Contains(req.TimeStamp, []byte("\n")) {
			t.Error("signed elements must be single-line JSON")
		}
		ct, _ := base64.StdEncoding.DecodeString(data.DatosCifrados)
		plain, err := keys(t).ine.Decrypt(nil, ct, &rsa.OAEPOptions{Hash: crypto.SHA256})
		if err != nil {
			t.Fatal(err)
		}
		const wantPlain = `{"ocr":"0720060838243","cic":"800405291","nombre":"VALERIA","apellidoPaterno":"LEPE","apellidoMaterno":"JARDINES","anioRegistro":"2010","anioEmision":"2014","numeroEmisionCredencial":"04","claveElector":"LPJRVL88110101H100","curp":"LEJV881101HASJSN02"}`
		if string(plain) != wantPlain {
			t.Errorf("plaintext\n got %s\nwant %s", plain, wantPlain)
		}
		if !data.Consentimiento || data.Minucias != nil || data.Ubicacion.Localidad.Estado != 9 {
			t.Errorf("data = %+v", data)
		}
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestTamperedBodyFailsSignature(t *testing.T) {
	sealed, err := sealer(t, verify.DigestBase64).Seal(context.Background(), verify.Verification{Credential: lepe(), Location: place(), Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	req, _, _ := splitBody(t, sealed.Body)
	tampered := bytes.Replace(req.Data, []byte(`"consentimiento":true`), []byte(`"consentimiento":false`), 1)
	err = verify.CheckSignature(req.Signature, verify.SignedString(tampered, req.TimeStamp), &keys(t).institution.PublicKey)
	var se *verify.SignatureError
	if !errors.As(err, &se) || se.Invalid {
		t.Fatalf("tampered data: err = %v, want a digest SignatureError", err)
	}
}

func TestNullsAndSearchKey(t *testing.T) {
	c := credential.Credential{Modelo: credential.ModelC, OCR: "0720060838243", ClaveElector: "lpjrvl88110101h100", NumeroEmisionCredencial: "04"}
	pt, err := verify.PlaintextFrom(c)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(pt)
	const want = `{"ocr":"0720060838243","cic":null,"nombre":null,"apellidoPaterno":null,"apellidoMaterno":null,"anioRegistro":null,"anioEmision":null,"numeroEmisionCredencial":"04","claveElector":"LPJRVL88110101H100","curp":null}`
	if string(b) != want {
		t.Errorf("model C plaintext\n got %s\nwant %s", b, want)
	}
	c.NumeroEmisionCredencial = ""
	if _, err := verify.PlaintextFrom(c); err == nil {
		t.Error("model C without número de emisión was accepted")
	}
}

func TestNormalisation(t *testing.T) {
	c := lepe()
	c.Nombre, c.ApellidoPaterno, c.ApellidoMaterno = "  maría  josé ", "peña", "Müller"
	pt, err := verify.PlaintextFrom(c)
	if err != nil {
		t.Fatal(err)
	}
	if *pt.Nombre != "MARIA JOSE" || *pt.ApellidoPaterno != "PEÑA" || *pt.ApellidoMaterno != "MULLER" {
		t.Errorf("normalised = %q %q %q", *pt.Nombre, *pt.ApellidoPaterno, *pt.ApellidoMaterno)
	}
}

func TestPlaintextTooLong(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	o := verify.OAEP{}
	if got := o.MaxPlaintext(&keys(t).ine.PublicKey); got != 446 {
		t.Errorf("max plaintext under 4096-bit key, OAEP-SHA256 = %d, want 446", got)
	}
	if _, err := o.Encrypt(&small.PublicKey, make([]byte, 63)); !errors.Is(err, verify.ErrPlaintextTooLong) {
		t.Errorf("63 bytes under 1024-bit key: %v", err)
	}
	if _, err := o.Encrypt(&small.PublicKey, make([]byte, 62)); err != nil {
		t.Errorf("62 bytes under 1024-bit key: %v", err)
	}
	sha1OAEP := verify.OAEP{Hash: crypto.SHA1, MGFHash: crypto.SHA1}
	if got := sha1OAEP.MaxPlaintext(&keys(t).ine.PublicKey); got != 470 {
		t.Errorf("max plaintext OAEP-SHA1 = %d, want 470", got)
	}
	ct, err := sha1OAEP.Encrypt(&keys(t).ine.PublicKey, []byte("hola"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(ct)
	if _, err := rsa.DecryptOAEP(sha1.New(), nil, keys(t).ine, raw, nil); err != nil {
		t.Errorf("SHA-1 OAEP setting not honoured: %v", err)
	}
}

func TestInputErrors(t *testing.T) {
	lat, big := 19.4, 200.0
	tests := []struct {
		name  string
		v     verify.Verification
		field string
	}{
		{"no consent", verify.Verification{Credential: lepe(), Location: place()}, "consentimiento"},
		{"no location", verify.Verification{Credential: lepe(), Consent: true}, "ubicacion"},
		{"bad latitude", verify.Verification{Credential: lepe(), Consent: true, Location: verify.Ubicacion{PosicionSatelital: &verify.PosicionSatelital{Latitud: big, Longitud: lat}}}, "posicionSatelital"},
		{"short postal code", verify.Verification{Credential: lepe(), Consent: true, Location: verify.Ubicacion{Localidad: &verify.Localidad{CodigoPostal: "171", Ciudad: "CDMX", Estado: 9}}}, "codigoPostal"},
		{"long city", verify.Verification{Credential: lepe(), Consent: true, Location: verify.Ubicacion{Localidad: &verify.Localidad{CodigoPostal: "01710", Ciudad: strings.Repeat("X", 21), Estado: 9}}}, "ciudad"},
		{"entity 33", verify.Verification{Credential: lepe(), Consent: true, Location: verify.Ubicacion{Localidad: &verify.Localidad{CodigoPostal: "01710", Ciudad: "CDMX", Estado: 33}}}, "estado"},
		{"no fingers", verify.Verification{Credential: lepe(), Consent: true, Location: place(), Fingers: &verify.Fingers{Tipo: verify.TipoANSI}}, "minucias"},
		{"raw without size", verify.Verification{Credential: lepe(), Consent: true, Location: place(), Fingers: &verify.Fingers{Tipo: verify.TipoRaw, Right: []byte{1}}}, "minucias"},
		{"tipo 4", verify.Verification{Credential: lepe(), Consent: true, Location: place(), Fingers: &verify.Fingers{Tipo: 4, Right: []byte{1}}}, "minucias.tipo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sealer(t, verify.DigestBase64).Seal(context.Background(), tt.v)
			var ie *verify.InputError
			if !errors.As(err, &ie) || ie.Field != tt.field {
				t.Fatalf("err = %v, want InputError on %s", err, tt.field)
			}
			if ie.Message("es") == "" || ie.Message("en") == "" || ie.Message("es") == ie.Message("en") {
				t.Errorf("messages: %q / %q", ie.Message("es"), ie.Message("en"))
			}
		})
	}
}

func TestFingersOnTheWire(t *testing.T) {
	sealed, err := sealer(t, verify.DigestBase64).Seal(context.Background(), verify.Verification{
		Credential: lepe(), Consent: true, Location: place(),
		Fingers: &verify.Fingers{Tipo: verify.TipoRaw, Width: 2, Height: 2, Right: []byte{1, 2, 3, 4}},
	})
	if err != nil {
		t.Fatal(err)
	}
	req, data, _ := splitBody(t, sealed.Body)
	m := data.Minucias
	if m.Tipo != 3 || *m.Ancho != 2 || *m.Alto != 2 || *m.Minucia2 != "AQIDBA==" || m.Minucia7 != nil {
		t.Errorf("minucias = %+v", m)
	}
	if !bytes.Contains(req.Data, []byte(`"minucia7":null`)) {
		t.Errorf("absent finger must be null: %s", req.Data)
	}
}

func TestIndiceUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		i, err := verify.NewIndice()
		if err != nil {
			t.Fatal(err)
		}
		if len(i) != 16 || strings.Trim(i, "0123456789") != "" {
			t.Fatalf("indice %q is not 16 digits", i)
		}
		if seen[i] {
			t.Fatalf("indice %s repeated", i)
		}
		seen[i] = true
	}
}

func TestSimilarity(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		err  bool
	}{
		{`"100.0%"`, 100, false}, {`"87.5"`, 87.5, false}, {`87.5`, 87.5, false}, {`"45,2 %"`, 45.2, false},
		{`""`, 0, false}, {`"abc%"`, 0, true}, {`101`, 0, true}, {`-1`, 0, true}, {`true`, 0, true},
		// Not numbers a verdict can rest on (issue 15, point 12).
		{`"NaN%"`, 0, true}, {`"nan"`, 0, true}, {`"Inf%"`, 0, true}, {`"-Inf"`, 0, true}, {`"+Inf %"`, 0, true},
	}
	for _, tt := range tests {
		var s verify.Similarity
		err := json.Unmarshal([]byte(tt.in), &s)
		if (err != nil) != tt.err || (!tt.err && float64(s) != tt.want) {
			t.Errorf("%s → %v, %v", tt.in, float64(s), err)
		}
	}
	if b, _ := json.Marshal(verify.Similarity(100)); string(b) != `"100.0%"` {
		t.Errorf("marshal = %s", b)
	}
}

func TestParseFechaHora(t *testing.T) {
	for _, s := range []string{"2017-12-07 16:47:19.947", "2017-12-07T16:47:19.947Z", "20171207164719.947Z", "20171207164719Z", "07/12/2017 16:47:19"} {
		got, ok := verify.ParseFechaHora(s)
		if !ok || got.Year() != 2017 || got.Month() != 12 || got.Day() != 7 || got.Hour() != 16 {
			t.Errorf("%q → %v %v", s, got, ok)
		}
	}
	if _, ok := verify.ParseFechaHora("ayer"); ok {
		t.Error("nonsense parsed")
	}
}

// TestLocalStampNotBeforeLast: without a time-stamping authority the local clock stamps
// the request; a clock set back behind the last request recorded is refused, since
// INE would see requests out of order (issue 15, point 6).
func TestLocalStampNotBeforeLast(t *testing.T) {
	s := sealer(t, verify.DigestBase64)
	stamped := s.Now()
	tests := []struct {
		name string
		last time.Time
		ok   bool
	}{
		{"first request", time.Time{}, true},
		{"after the last", stamped.Add(-time.Minute), true},
		{"same second", stamped, true},
		{"clock set back a year", stamped.AddDate(1, 0, 0), false},
		{"an hour behind", stamped.Add(time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.NotBefore = func() (time.Time, error) { return tt.last, nil }
			_, err := s.Seal(context.Background(), verify.Verification{Credential: lepe(), Location: place(), Consent: true})
			var ce *verify.ClockError
			if tt.ok != (err == nil) || !tt.ok && !errors.As(err, &ce) {
				t.Errorf("%v", err)
			}
		})
	}
}
