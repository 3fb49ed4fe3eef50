package tuidentidad_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"cotejo/verify/credential"
	"cotejo/verify/tuidentidad"
)

func TestParseRecord(t *testing.T) {
	cases := []struct {
		file    string
		status  tuidentidad.Status
		result  tuidentidad.Result
		failure tuidentidad.Code
		noRes   bool
	}{
		{file: "record_ine.json", status: 3, result: tuidentidad.Result{INE: &tuidentidad.INEResult{Valid: true, CanVote: true, Data: tuidentidad.INEData{
			Type: "C", ElectorCode: "TSVREL72100209M100", IssueNumber: "03", IssueYear: "2010", RegistrationYear: "1991", OCRNumber: "3854006556540", ExpDate: "2025"}}}},
		{file: "record_rfc.json", status: 4, result: tuidentidad.Result{RFC: "PELJ800101AB1"}},
		{file: "record_nss.json", status: 3, result: tuidentidad.Result{NSS: "12345678901"}},
		{file: "record_failed.json", status: 3, failure: "INENL001", noRes: true},
		{file: "record_processing.json", status: 1, noRes: true},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			r, err := tuidentidad.ParseRecord(raw)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != c.status {
				t.Errorf("status %v", r.Status)
			}
			res, err := r.Result()
			if c.noRes {
				if !errors.Is(err, tuidentidad.ErrNoResult) {
					t.Errorf("result %+v, %v", res, err)
				}
			} else if err != nil || !reflect.DeepEqual(res, c.result) {
				t.Errorf("result %+v, %v", res, err)
			}
			f := r.Failure()
			switch {
			case c.failure == "" && f != nil:
				t.Errorf("failure %v", f)
			case c.failure != "" && (f == nil || f.Code != c.failure || f.Class() != tuidentidad.ClassRetryLater):
				t.Errorf("failure %v", f)
			}
		})
	}
}

func TestParseRecordRefuses(t *testing.T) {
	for _, body := range []string{
		``, `[]`, `{}`, `{"verificationId":"a","verificationType":4,"verificationStatus":1}`,
		`{"verificationId":"a","verificationType":1,"verificationStatus":0}`,
		`{"verificationId":"a","verificationType":"1","verificationStatus":1}`,
	} {
		var pe *tuidentidad.ProtocolError
		if _, err := tuidentidad.ParseRecord([]byte(body)); !errors.As(err, &pe) {
			t.Errorf("%s: %v", body, err)
		}
	}
	// The seed's samples annotate the inner document with comments: not JSON.
	r := &tuidentidad.Record{VerificationID: "a", Type: 1, Status: 3, Verification: "{\"valid\": true, // Valid\n}"}
	var pe *tuidentidad.ProtocolError
	if _, err := r.Result(); !errors.As(err, &pe) {
		t.Errorf("commented verification: %v", err)
	}
	r.Verification = `{"canVote":true}`
	if _, err := r.Result(); !errors.As(err, &pe) {
		t.Errorf("verification without valid: %v", err)
	}
}

func TestParseCreated(t *testing.T) {
	id, err := tuidentidad.ParseCreated([]byte(`{"verificationId":"abc"}`))
	if err != nil || id != "abc" {
		t.Errorf("%q %v", id, err)
	}
	_, err = tuidentidad.ParseCreated([]byte(`{"code":"NSS008","message":"The number of operations per period has been reached."}`))
	if ae := apiErr(t, err); ae.Code != "NSS008" || ae.Class() != tuidentidad.ClassQuota {
		t.Errorf("%+v", ae)
	}
	var pe *tuidentidad.ProtocolError
	if _, err := tuidentidad.ParseCreated([]byte(`{}`)); !errors.As(err, &pe) {
		t.Errorf("empty: %v", err)
	}
}

// The digest's mapping table, with the seed's examples as the expected bodies.
func TestINERequestFor(t *testing.T) {
	cases := []struct {
		name string
		c    credential.Credential
		o    tuidentidad.MapOptions
		want string
	}{
		{"C", credential.Credential{Modelo: "C", ClaveElector: "TSVREL72100209M100", OCR: "3854006556540", NumeroEmisionCredencial: "03", CIC: ""},
			tuidentidad.MapOptions{}, `{"type":"C","id":"TSVREL72100209M100","ocr":"3854006556540","issueNumber":"03"}`},
		{"D", credential.Credential{Modelo: "D", CIC: "115568150", OCR: "4855115346145"},
			tuidentidad.MapOptions{}, `{"type":"D","id":"115568150","ocr":"4855115346145","issueNumber":""}`},
		{"E 9-digit identifier", credential.Credential{Modelo: "E", CIC: "145591720", OCR: "0535000172485"},
			tuidentidad.MapOptions{}, `{"type":"E","id":"145591720","ocr":"000172485","issueNumber":""}`},
		{"E full OCR setting", credential.Credential{Modelo: "E", CIC: "145591720", OCR: "0535000172485"},
			tuidentidad.MapOptions{FullOCR: true}, `{"type":"E","id":"145591720","ocr":"0535000172485","issueNumber":""}`},
		{"G", credential.Credential{Modelo: "g", CIC: "204978519", OCR: "1234092333274", ClaveElector: "TSVREL72100209M100"},
			tuidentidad.MapOptions{}, `{"type":"G","id":"204978519","ocr":"092333274","issueNumber":""}`},
		{"H", credential.Credential{Modelo: "H", CIC: "204978519", OCR: "1234092333274"},
			tuidentidad.MapOptions{}, `{"type":"H","id":"204978519","ocr":"092333274","issueNumber":""}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := tuidentidad.INERequestFor(c.c, c.o)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(req)
			if string(got) != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestINERequestForRefuses(t *testing.T) {
	cases := []struct {
		c      credential.Credential
		fields []string
	}{
		{credential.Credential{Modelo: "C", OCR: "3854006556540"}, []string{"claveElector", "numeroEmisionCredencial"}},
		{credential.Credential{Modelo: "E", OCR: "3854006556540"}, []string{"cic"}},
		{credential.Credential{Modelo: "E", CIC: "1455917201", OCR: "3854006556540"}, []string{"cic"}},
		{credential.Credential{Modelo: "D", CIC: "145591720", OCR: "38540"}, []string{"ocr"}},
		{credential.Credential{Modelo: "Z"}, []string{"modelo"}},
	}
	for _, c := range cases {
		_, err := tuidentidad.INERequestFor(c.c, tuidentidad.MapOptions{})
		for _, f := range c.fields {
			found := false
			for _, e := range unwrapAll(err) {
				var fe *credential.FieldError
				if errors.As(e, &fe) && fe.Field == f {
					found = true
				}
			}
			if !found {
				t.Errorf("%+v: %v does not name %s", c.c, err, f)
			}
		}
	}
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}
