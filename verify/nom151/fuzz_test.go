package nom151_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cotejo/verify/nom151"
	"cotejo/verify/nom151/standin"
)

var update = flag.Bool("update", false, "rewrite testdata/standin from the stand-in's answers")

// The stand-in's real answers, as it serves them (both operations, both spellings, an
// exception and a fault), are kept in testdata/standin as the fuzzer's seeds: made in
// the fuzz target, the keys behind them cost each fuzzing worker seconds. Rewrite them
// with -update.
func TestStandinAnswers(t *testing.T) {
	if *update {
		k, err := keys()
		if err != nil {
			t.Fatal(err)
		}
		for _, seed := range []bool{false, true} {
			srv, err := standin.New(standin.Config{PSC: k.sovos, Accounts: accounts, Now: func() time.Time { return testNow }, SeedSpellings: seed})
			if err != nil {
				t.Fatal(err)
			}
			folio, constancy, err := srv.Issue("BANCO01", digest256)
			if err != nil {
				t.Fatal(err)
			}
			for name, req := range map[string]nom151.Request{
				"folio":     {Name: "a.pdf", Digest: digest256, Folio: folio},
				"constancy": {Name: "b.pdf", Digest: digest256, Constancy: constancy},
				"estado32":  {Name: "c.pdf", Digest: digest256, Folio: 999},
				"fault":     {Name: "FAULT", Digest: digest256, Folio: folio},
			} {
				if seed {
					name += "_seed"
				}
				body := srv.Handle(context.Background(), nom151.MarshalEnvelope(good, req)).Body
				if err := os.WriteFile(filepath.Join("testdata", "standin", name+".xml"), body, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "standin", "*.xml"))
	if len(files) != 8 {
		t.Fatalf("%d answers in testdata/standin, want 8 (run with -update)", len(files))
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := nom151.ParseResponse(raw)
		var fe *nom151.FaultError
		switch base := filepath.Base(f); {
		case strings.HasPrefix(base, "fault"):
			if !errors.As(err, &fe) {
				t.Errorf("%s: %v, want a fault", f, err)
			}
		case err != nil:
			t.Errorf("%s: %v", f, err)
		case strings.HasPrefix(base, "estado32"):
			if r.Estado != 32 {
				t.Errorf("%s: Estado %d", f, r.Estado)
			}
		case !r.Passed() || len(r.PDF) == 0:
			t.Errorf("%s: %+v", f, r)
		}
	}
}

// FuzzParseResponse feeds arbitrary answers to the parser: it never panics, and it
// returns a result, a fault or a ParseError, nothing else.
func FuzzParseResponse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "standin", "*.xml"))
	for _, name := range append(files, filepath.Join("testdata", "seed_response.xml")) {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><r><x><Estado>-1</Estado></x></r></soap:Body></soap:Envelope>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := nom151.ParseResponse(body)
		var fe *nom151.FaultError
		var pe *nom151.ParseError
		switch {
		case err == nil:
			if r == nil {
				t.Fatal("nil result without an error")
			}
			if len(r.PDF) > 0 && string(r.PDF[:min(5, len(r.PDF))]) != "%PDF-" {
				t.Fatalf("a PDF that is not one: %q", r.PDF)
			}
		case errors.As(err, &fe):
			if fe.Code == "" {
				t.Fatal("fault without a code")
			}
		case !errors.As(err, &pe):
			t.Fatalf("error %T: %v", err, err)
		}
	})
}
