package tuidentidad_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sort"
	"testing"
	"time"

	"cotejo/verify/credential"
	"cotejo/verify/tuidentidad"
)

// curp makes a structurally valid CURP whose 17th character (the homonym digit)
// chooses the stand-in's scenario.
func curp(homonym byte) string {
	return credential.MakeCURP("PEREZ", "LOPEZ", "JUAN", time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), 'H', "DF", homonym)
}

func ine(typ, id, ocr, issue string) tuidentidad.INERequest {
	return tuidentidad.INERequest{Type: typ, ID: id, OCR: ocr, IssueNumber: issue}
}

// TestEveryCode reaches every code of the catalogue through the stand-in over HTTPS,
// and checks each arrives where the digest says: refused at once, or in the finished
// record's warnings.
func TestEveryCode(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := t.Context()
	seen := map[tuidentidad.Code]bool{}
	noKey := &tuidentidad.Client{BaseURL: e.url, HTTP: e.client.HTTP}
	badKey := &tuidentidad.Client{BaseURL: e.url, APIKey: "wrong", HTTP: e.client.HTTP}
	other := &tuidentidad.Client{BaseURL: e.url, APIKey: otherKey, HTTP: e.client.HTTP}
	valid := ine("D", "115568150", "4855115346145", "")

	refused := []struct {
		name   string
		client *tuidentidad.Client
		kind   tuidentidad.Kind
		body   any
		code   tuidentidad.Code
		status int
	}{
		{"INE no key", noKey, tuidentidad.KindINE, valid, "INENL003", 401},
		{"INE wrong key", badKey, tuidentidad.KindINE, valid, "INENL003", 401},
		{"issue number", e.client, tuidentidad.KindINE, ine("C", "TSVREL72100209M100", "3854006556540", "3"), "INENL004", 400},
		{"issue number letters", e.client, tuidentidad.KindINE, ine("C", "TSVREL72100209M100", "3854006556540", "0A"), "INENL004", 400},
		{"id short", e.client, tuidentidad.KindINE, ine("D", "11556815", "4855115346145", ""), "INENL005", 400},
		{"clave for D", e.client, tuidentidad.KindINE, ine("D", "TSVREL72100209M100", "4855115346145", ""), "INENL005", 400},
		{"ocr 10", e.client, tuidentidad.KindINE, ine("E", "145591720", "0535000172", ""), "INENL006", 400},
		{"ocr letters", e.client, tuidentidad.KindINE, ine("G", "204978519", "09233327A", ""), "INENL006", 400},
		{"type", e.client, tuidentidad.KindINE, ine("I", "204978519", "092333274", ""), "INENL007", 400},
		{"type first", e.client, tuidentidad.KindINE, ine("", "x", "y", "z"), "INENL007", 400},
		{"RFC no key", noKey, tuidentidad.KindRFC, tuidentidad.RFCRequest{CURP: curp('0'), State: 9}, "RFC002", 401},
		{"RFC wrong key", badKey, tuidentidad.KindRFC, tuidentidad.RFCRequest{CURP: curp('0'), State: 9}, "RFC003", 401},
		{"RFC seed placeholder", e.client, tuidentidad.KindRFC, tuidentidad.RFCRequest{CURP: "XAXA010101XXXXXX01", State: 1}, "RFC006", 400},
		{"RFC state 33", e.client, tuidentidad.KindRFC, tuidentidad.RFCRequest{CURP: curp('0'), State: 33}, "RFC007", 400},
		{"RFC state as a string", e.client, tuidentidad.KindRFC, []byte(`{"curp":"` + curp('0') + `","state":"01"}`), "RFC007", 400},
		{"NSS no key", noKey, tuidentidad.KindNSS, tuidentidad.NSSRequest{CURP: curp('0')}, "NSS002", 401},
		{"NSS wrong key", badKey, tuidentidad.KindNSS, tuidentidad.NSSRequest{CURP: curp('0')}, "NSS003", 401},
		{"NSS seed placeholder", e.client, tuidentidad.KindNSS, tuidentidad.NSSRequest{CURP: "XAXA010101XXXXXX01"}, "NSS006", 400},
	}
	for _, c := range refused {
		_, err := c.client.Submit(ctx, c.kind, c.body)
		ae := apiErr(t, err)
		if ae.Code != c.code || ae.HTTPStatus != c.status {
			t.Errorf("%s: %s (HTTP %d), want %s (HTTP %d)", c.name, ae.Code, ae.HTTPStatus, c.code, c.status)
		}
		if ae.Text("es") == ae.Text("en") {
			t.Errorf("%s: the same text in both languages", c.name)
		}
		seen[ae.Code] = true
	}

	// The quota: two NSS look-ups per CURP a day, the third refused, a day later allowed.
	q := curp('6')
	for i := range 2 {
		if _, err := e.client.SubmitNSS(ctx, tuidentidad.NSSRequest{CURP: q}); err != nil {
			t.Fatalf("NSS %d: %v", i+1, err)
		}
	}
	_, err := e.client.SubmitNSS(ctx, tuidentidad.NSSRequest{CURP: q})
	if ae := apiErr(t, err); ae.Code != "NSS008" || ae.Class() != tuidentidad.ClassQuota || tuidentidad.Transient(err) {
		t.Errorf("third NSS: %+v", ae)
	} else {
		seen[ae.Code] = true
	}
	if _, err := e.client.SubmitNSS(ctx, tuidentidad.NSSRequest{CURP: curp('7')}); err != nil {
		t.Errorf("another CURP is not limited: %v", err)
	}

	// Status refusals.
	id, err := e.client.SubmitINE(ctx, valid)
	if err != nil {
		t.Fatal(err)
	}
	_, err = other.Status(ctx, id)
	if ae := apiErr(t, err); ae.Code != "INENL015" {
		t.Errorf("other company: %s", ae.Code)
	} else {
		seen[ae.Code] = true
	}
	_, err = e.client.Status(ctx, "00000000-0000-4000-8000-000000000000")
	if ae := apiErr(t, err); ae.Code != "INENL016" {
		t.Errorf("unknown id: %s", ae.Code)
	} else {
		seen[ae.Code] = true
	}

	// Results that fail at the source, in the finished record's warnings.
	async := []struct {
		kind tuidentidad.Kind
		body any
		code tuidentidad.Code
	}{
		{tuidentidad.KindINE, ine("D", "115568153", "4855115346145", ""), "INENL001"},
		{tuidentidad.KindINE, ine("E", "145591724", "000172485", ""), "INENL002"},
		{tuidentidad.KindRFC, tuidentidad.RFCRequest{CURP: curp('4'), State: 9}, "RFC004"},
		{tuidentidad.KindRFC, tuidentidad.RFCRequest{CURP: curp('1'), State: 9}, "RFC005"},
		{tuidentidad.KindRFC, tuidentidad.RFCRequest{CURP: curp('2'), State: 9}, "RFC008"},
		{tuidentidad.KindRFC, tuidentidad.RFCRequest{CURP: curp('3'), State: 9}, "RFC010"},
		{tuidentidad.KindNSS, tuidentidad.NSSRequest{CURP: curp('4')}, "NSS004"},
		{tuidentidad.KindNSS, tuidentidad.NSSRequest{CURP: curp('1')}, "NSS005"},
		{tuidentidad.KindNSS, tuidentidad.NSSRequest{CURP: curp('3')}, "NSS007"},
	}
	ids := make([]string, len(async))
	for i, a := range async {
		if ids[i], err = e.client.Submit(ctx, a.kind, a.body); err != nil {
			t.Fatalf("%s: %v", a.code, err)
		}
	}
	// The source retries: now, at +20 min and 40 min later.
	e.advance(t, 0)
	e.advance(t, 20*time.Minute)
	e.advance(t, 40*time.Minute)
	for i, a := range async {
		r, err := e.client.Status(ctx, ids[i])
		if err != nil {
			t.Fatalf("%s: %v", a.code, err)
		}
		f := r.Failure()
		if r.Status != tuidentidad.StatusDelivering || f == nil || f.Code != a.code {
			t.Errorf("%s: status %v, failure %v", a.code, r.Status, f)
			continue
		}
		seen[f.Code] = true
	}

	var missing []string
	for _, en := range tuidentidad.All() {
		if !seen[en.Code] {
			missing = append(missing, string(en.Code))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("codes never reached: %v", missing)
	}
}

// TestResults reads each found scenario's result after decoding it twice, and sees the
// retrying status while the source is down.
func TestResults(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := t.Context()
	type want struct {
		valid, canVote bool
		rfc, nss       bool
	}
	cases := []struct {
		name string
		kind tuidentidad.Kind
		body any
		want want
	}{
		{"C valid", tuidentidad.KindINE, ine("C", "TSVREL72100209M100", "3854006556540", "03"), want{valid: true, canVote: true}},
		{"E cannot vote", tuidentidad.KindINE, ine("E", "145591721", "000172485", ""), want{valid: true}},
		{"G not valid", tuidentidad.KindINE, ine("G", "204978512", "092333274", ""), want{}},
		{"H down once", tuidentidad.KindINE, ine("H", "204978515", "092333274", ""), want{valid: true, canVote: true}},
		{"RFC found", tuidentidad.KindRFC, tuidentidad.RFCRequest{CURP: curp('0'), State: 9}, want{rfc: true}},
		{"NSS found", tuidentidad.KindNSS, tuidentidad.NSSRequest{CURP: curp('0')}, want{nss: true}},
	}
	ids := map[string]string{}
	for _, c := range cases {
		id, err := e.client.Submit(ctx, c.kind, c.body)
		if err != nil {
			t.Fatal(c.name, err)
		}
		ids[c.name] = id
		r, err := e.client.Status(ctx, id)
		if err != nil || r.Status != tuidentidad.StatusProcessing || r.Verification != "" {
			t.Errorf("%s before processing: %+v %v", c.name, r, err)
		}
	}
	e.advance(t, 0)
	if r, _ := e.client.Status(ctx, ids["H down once"]); r.Status != tuidentidad.StatusRetrying {
		t.Errorf("down once: status %v, want retrying", r.Status)
	}
	e.advance(t, 20*time.Minute)
	for _, c := range cases {
		r, err := e.client.Status(ctx, ids[c.name])
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != tuidentidad.StatusDelivering || r.Type != c.kind {
			t.Errorf("%s: %v %v", c.name, r.Type, r.Status)
		}
		res, err := r.Result()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		switch {
		case c.kind == tuidentidad.KindINE:
			in := c.body.(tuidentidad.INERequest)
			if res.INE.Valid != c.want.valid || res.INE.CanVote != c.want.canVote || res.INE.Data.OCRNumber != in.OCR ||
				(in.Type == "C") != (res.INE.Data.ElectorCode == in.ID) || (in.Type != "C") != (res.INE.Data.CICNumber == in.ID) {
				t.Errorf("%s: %+v", c.name, res.INE)
			}
		case c.want.rfc && len(res.RFC) != 13, c.want.nss && len(res.NSS) != 11:
			t.Errorf("%s: %+v", c.name, res)
		}
	}
}

// TestClientBounds: a longer answer than the bound is refused, and a non-JSON error
// page is an HTTPError, transient.
func TestClientBounds(t *testing.T) {
	e := newEnv(t, envOptions{})
	small := &tuidentidad.Client{BaseURL: e.url, APIKey: apiKey, HTTP: e.client.HTTP, MaxBody: 10}
	if _, err := small.SubmitINE(t.Context(), ine("D", "115568150", "4855115346145", "")); !errors.Is(err, tuidentidad.ErrTooLarge) {
		t.Errorf("bound: %v", err)
	}
	wrong := &tuidentidad.Client{BaseURL: e.url, Prefix: "/api/AsyncVerification", APIKey: apiKey, HTTP: e.client.HTTP}
	_, err := wrong.SubmitINE(t.Context(), ine("D", "115568150", "4855115346145", ""))
	var he *tuidentidad.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusNotFound || !tuidentidad.Transient(err) {
		t.Errorf("wrong path: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := e.client.Status(ctx, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestWait polls until the stand-in has the result.
func TestWait(t *testing.T) {
	e := newEnv(t, envOptions{})
	id, err := e.client.SubmitNSS(t.Context(), tuidentidad.NSSRequest{CURP: curp('0')})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e.srv.Pending() > 0 {
			e.advance(t, time.Minute)
		}
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	r, err := e.client.Wait(ctx, id, 10*time.Millisecond)
	<-done
	if err != nil || !slices.Contains([]tuidentidad.Status{3, 4}, r.Status) {
		t.Fatalf("%+v %v", r, err)
	}
}
