package tuidentidad_test

import (
	"os"
	"path/filepath"
	"testing"

	"cotejo/verify/tuidentidad"
)

func seedRecords(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "record_*.json"))
	for _, p := range files {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`{"code":"INENL016","message":"The register could not be found."}`))
	f.Add([]byte(`{"verificationId":"a","verificationType":1,"verificationStatus":3,"verification":"{\"valid\":true,\"canVote\":1}"}`))
}

// FuzzParseRecord: the status answer and the webhook body, decoded twice, never panic,
// and a record that parses has an id, a known type and status.
func FuzzParseRecord(f *testing.F) {
	seedRecords(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := tuidentidad.ParseRecord(body)
		if err != nil {
			return
		}
		if r.VerificationID == "" || r.Type < 1 || r.Type > 3 || r.Status < 1 || r.Status > 4 {
			t.Fatalf("accepted %+v", r)
		}
		res, err := r.Result()
		if err == nil && res.INE == nil && res.RFC == "" && res.NSS == "" {
			t.Fatalf("empty result accepted from %q", r.Verification)
		}
		_ = r.Failure()
		if _, err := (tuidentidad.WebhookDecoder{}).Decode(body); err != nil {
			t.Fatalf("webhook decoder refuses a record: %v", err)
		}
	})
}

// FuzzParseCreated: a create's answer is an id or a typed error, never both.
func FuzzParseCreated(f *testing.F) {
	f.Add([]byte(`{"verificationId":"5f0c8e3a-1b2c-4d5e-8f90-a1b2c3d4e5f6"}`))
	f.Add([]byte(`{"code":"INENL005","message":"Invalid Id format."}`))
	f.Add([]byte(`{"verificationId":"x","code":"RFC003"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		id, err := tuidentidad.ParseCreated(body)
		if (id == "") == (err == nil) {
			t.Fatalf("id %q with error %v", id, err)
		}
	})
}
