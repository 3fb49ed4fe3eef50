package remoteid_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"cotejo/verify/remoteid"
	"cotejo/verify/remoteid/standin"
)

// TestSendToCertificate: a send over HTTPS, the stand-in's seven reports through the
// webhook handler into the bbolt store, and the certificate fetched after 5100.
func TestSendToCertificate(t *testing.T) {
	r := newRig(t, nil)
	sent := r.send(remoteid.SendRequest{Phone: phone, Document: curp})
	if sent.ID != "1283876988" || sent.Credits != 9 {
		t.Fatalf("sent %+v", sent)
	}
	// Before the end there is no certificate to fetch, and none is asked for.
	for range 5 {
		if _, err := r.sv.Step(r.ctx()); err != nil {
			t.Fatal(err)
		}
	}
	c, err := remoteid.FetchCertificate(r.ctx(), r.store, r.client, sent.ID, r.clk.Now())
	if err != nil || c.Estado() != remoteid.EstadoInProcess || c.Certificate != nil || r.sv.Calls(remoteid.PathCertificate) != 0 {
		t.Fatalf("mid-way: estado %d, %v, calls %d", c.Estado(), err, r.sv.Calls(remoteid.PathCertificate))
	}
	if err := r.sv.Finish(r.ctx()); err != nil {
		t.Fatal(err)
	}
	c = r.get(sent.ID)
	if c.Outcome() != remoteid.Validated || len(c.Events) != 7 || !c.NeedsCertificate() {
		t.Fatalf("case %+v", c)
	}
	for i, want := range standin.Chain {
		if c.Events[i].Estado != want {
			t.Errorf("event %d is %d, want %d", i, c.Events[i].Estado, want)
		}
	}
	res := c.Result()
	if res == nil || !res.Resultado.Passed() || res.DNISolicitadoCoincide != "Si" || res.DNI.DNI != curp || c.ForeignDocument("MEX") {
		t.Errorf("result %+v", res)
	}
	if c.Phone != phone || c.Document != curp {
		t.Errorf("the send's data: %q %q", c.Phone, c.Document)
	}
	c, err = remoteid.FetchCertificate(r.ctx(), r.store, r.client, sent.ID, r.clk.Now())
	if err != nil || !bytes.HasPrefix(c.Certificate, []byte("%PDF-")) || c.NeedsCertificate() {
		t.Fatalf("certificate: %v, %.20q", err, c.Certificate)
	}
	// Fetched once: a second call does not ask the provider again.
	if _, err := remoteid.FetchCertificate(r.ctx(), r.store, r.client, sent.ID, r.clk.Now()); err != nil || r.sv.Calls(remoteid.PathCertificate) != 1 {
		t.Errorf("second fetch: %v, calls %d", err, r.sv.Calls(remoteid.PathCertificate))
	}
}

// TestRejected: every rejection scenario ends in 5500 with its Resultado, and no
// certificate is fetched; the unfinished one stops at 5001. A Dni not matching gives
// No, none given N/A.
func TestRejected(t *testing.T) {
	scen := map[string]string{}
	want := map[string]float64{}
	i := 0
	for name, v := range standin.Scenarios {
		if name == "ok" {
			continue
		}
		p := fmt.Sprintf("55000000%02d", i)
		scen["52"+p], want[p] = name, v
		i++
	}
	r := newRig(t, func(s *standin.Settings) { s.PhoneScenarios = scen; s.Credits = 20 })
	ids := map[string]string{}
	for p := range want {
		doc := curp
		if scen["52"+p] == "photo" {
			doc = ""
		}
		ids[p] = r.send(remoteid.SendRequest{Phone: p, Document: doc}).ID
	}
	if err := r.sv.Finish(r.ctx()); err != nil {
		t.Fatal(err)
	}
	for p, id := range ids {
		c := r.get(id)
		name := scen["52"+p]
		wantEstado, wantOutcome := remoteid.EstadoRejected, remoteid.Rejected
		if name == "unfinished" {
			wantEstado, wantOutcome = remoteid.EstadoData, remoteid.Pending
		}
		if c.Estado() != wantEstado || c.Outcome() != wantOutcome || c.NeedsCertificate() {
			t.Errorf("%s: estado %d outcome %d", name, c.Estado(), c.Outcome())
		}
		res := c.Result()
		if res == nil || float64(res.Resultado) != want[p] || res.Resultado.Passed() {
			t.Errorf("%s: result %+v", name, res)
			continue
		}
		switch name {
		case "dni-mismatch":
			if res.DNISolicitadoCoincide != "No" {
				t.Errorf("dni-mismatch: %q", res.DNISolicitadoCoincide)
			}
		case "photo":
			if res.DNISolicitadoCoincide != "N/A" || res.PruebaDeVida != "No" {
				t.Errorf("photo: %q %q", res.DNISolicitadoCoincide, res.PruebaDeVida)
			}
		case "expired":
			if res.DNI.Caducado != "Si" {
				t.Error("expired: Caducado")
			}
		case "minor":
			if res.DNI.Edad >= 18 {
				t.Error("minor: Edad")
			}
		}
		if _, err := remoteid.FetchCertificate(r.ctx(), r.store, r.client, id, r.clk.Now()); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := r.sv.Calls(remoteid.PathCertificate); n != 0 {
		t.Errorf("%d certificate calls for cases never validated", n)
	}
	// Asked anyway, the provider refuses: -3 with its reason.
	var re *remoteid.ResError
	_, err := r.client.Certificate(r.ctx(), ids["5500000000"])
	if !errors.As(err, &re) || re.Res != remoteid.ResBadData || re.Detail == "" {
		t.Errorf("certificate of a rejected case: %v", err)
	}
}

// TestEveryRes: each Res code the API has reaches the caller as a ResError with
// words in both languages.
func TestEveryRes(t *testing.T) {
	send := remoteid.SendRequest{Phone: phone}
	check := func(name string, err error, want remoteid.Res) {
		t.Helper()
		if got := resOf(t, err); got != want {
			t.Errorf("%s: Res %d, want %d", name, got, want)
		}
		if es, en := remoteid.Message(err, "es"), remoteid.Message(err, "en"); es == en || es == "" {
			t.Errorf("%s: words %q / %q", name, es, en)
		}
	}
	r := newRig(t, func(s *standin.Settings) { s.Credits = 1 })
	_, err := r.newClient("wrong").Send(r.ctx(), send)
	check("wrong token", err, remoteid.ResAuth)
	_, err = r.newClient("wrong").Credits(r.ctx())
	check("wrong token, credits", err, remoteid.ResAuth)
	r.send(send)
	_, err = r.client.Send(r.ctx(), remoteid.SendRequest{Phone: "5587654321"})
	check("no credits", err, remoteid.ResNoCredits)
	_, err = r.client.Certificate(r.ctx(), "42")
	check("unknown id", err, remoteid.ResBadData)

	r = newRig(t, func(s *standin.Settings) { s.AccountOff = true })
	_, err = r.client.Send(r.ctx(), send)
	check("account off", err, remoteid.ResNotActivated)
	for _, code := range []int{-5, -6, -7} {
		r = newRig(t, func(s *standin.Settings) { s.ForceRes = code })
		_, err = r.client.Send(r.ctx(), send)
		check(fmt.Sprint(code), err, remoteid.Res(code))
	}
	// A bare object instead of the array decodes the same.
	r = newRig(t, func(s *standin.Settings) { s.BareObject = true })
	if sent := r.send(send); sent.Credits != 9 {
		t.Errorf("bare object: %+v", sent)
	}
}

// TestSpamRules: the client does not send again a call that was refused, unchanged;
// asks for credits at most once per interval; and pauses after a transport failure.
// The stand-in's call counts show what reached the provider.
func TestSpamRules(t *testing.T) {
	r := newRig(t, func(s *standin.Settings) { s.Credits = 1; s.SpamLimit = 3 })
	r.send(remoteid.SendRequest{Phone: phone})
	req := remoteid.SendRequest{Phone: "5587654321"}
	_, err := r.client.Send(r.ctx(), req)
	if resOf(t, err) != remoteid.ResNoCredits {
		t.Fatal(err)
	}
	var rep *remoteid.RepeatError
	if _, err := r.client.Send(r.ctx(), req); !errors.As(err, &rep) || rep.Res != remoteid.ResNoCredits {
		t.Fatalf("repeat: %v", err)
	}
	if n := r.sv.Calls(remoteid.PathSend); n != 2 {
		t.Errorf("%d sends reached the provider, want 2", n)
	}
	// Changed (another number), it goes.
	if _, err := r.client.Send(r.ctx(), remoteid.SendRequest{Phone: "5511112222"}); resOf(t, err) != remoteid.ResNoCredits {
		t.Error(err)
	}
	// Credits bought at the panel: the operator says so, and the same call goes again.
	r.sv.SetCredits(3)
	r.client.ForgetFailures()
	if _, err := r.client.Send(r.ctx(), req); err != nil {
		t.Fatal(err)
	}

	// Credits: the send said 2 left, so asking does not call; ten minutes later one
	// call goes, and asking again right after does not.
	c1, err := r.client.Credits(r.ctx())
	if err != nil || c1.Value != 2 || !c1.Cached || r.sv.Calls(remoteid.PathCredits) != 0 {
		t.Fatalf("credits %+v %v", c1, err)
	}
	r.clk.Add(10 * time.Minute)
	c2, err := r.client.Credits(r.ctx())
	if err != nil || c2.Cached || c2.Value != 2 || r.sv.Calls(remoteid.PathCredits) != 1 {
		t.Fatalf("credits after the interval %+v %v, calls %d", c2, err, r.sv.Calls(remoteid.PathCredits))
	}
	if c3, err := r.client.Credits(r.ctx()); err != nil || !c3.Cached || r.sv.Calls(remoteid.PathCredits) != 1 {
		t.Fatalf("credits again %+v %v", c3, err)
	}

	// Three refused calls in a row block the address at the stand-in (429): a
	// transport failure, after which the client pauses every call without sending.
	bad := r.newClient("wrong")
	bad.Credits(r.ctx())
	bad.Send(r.ctx(), req)
	bad.Certificate(r.ctx(), "1")
	var he *remoteid.HTTPError
	if _, err := r.client.Certificate(r.ctx(), "1283876988"); !errors.As(err, &he) || he.Status != 429 {
		t.Fatalf("blocked: %v", err)
	}
	before := r.sv.Calls(remoteid.PathCertificate)
	var pe *remoteid.PauseError
	if _, err := r.client.Certificate(r.ctx(), "1283876988"); !errors.As(err, &pe) || r.sv.Calls(remoteid.PathCertificate) != before {
		t.Fatalf("paused: %v", err)
	}
	if remoteid.Message(err, "es") == remoteid.Message(err, "en") {
		t.Error("pause words")
	}
	r.clk.Add(2 * time.Minute) // past the stand-in's cool-down and the client's pause
	if _, err := r.client.Certificate(r.ctx(), "1283876988"); resOf(t, err) != remoteid.ResBadData {
		t.Fatalf("after the pause: %v", err)
	}
}

// TestCreditsRunOut: credits go down with each send until -2.
func TestCreditsRunOut(t *testing.T) {
	r := newRig(t, func(s *standin.Settings) { s.Credits = 3 })
	for i, want := range []float64{2, 1, 0} {
		if s := r.send(remoteid.SendRequest{Phone: fmt.Sprintf("551234567%d", i)}); s.Credits != want {
			t.Errorf("send %d: credits %v, want %v", i, s.Credits, want)
		}
	}
	_, err := r.client.Send(r.ctx(), remoteid.SendRequest{Phone: "5599999999"})
	if resOf(t, err) != remoteid.ResNoCredits {
		t.Fatal(err)
	}
	if c, err := r.client.Credits(r.ctx()); err != nil || c.Value != 0 {
		t.Errorf("credits %+v %v", c, err)
	}
}

// TestOutOfOrderAndTwice: reports sent backwards, some twice, and a stand-in that
// duplicates every report: the case ends as if they came in order once.
func TestOutOfOrderAndTwice(t *testing.T) {
	r := newRig(t, func(s *standin.Settings) { s.Duplicate = true })
	id := r.send(remoteid.SendRequest{Phone: phone, Document: curp}).ID
	for _, st := range []remoteid.Estado{5100, 5001, 3000, 5100, 3003, 3002, 5000, 3001, 3000} {
		if err := r.sv.Deliver(r.ctx(), id, st); err != nil {
			t.Fatal(err)
		}
	}
	c := r.get(id)
	if c.Outcome() != remoteid.Validated || len(c.Events) != 7 {
		t.Fatalf("case estado %d, %d events", c.Estado(), len(c.Events))
	}
	for i, want := range standin.Chain {
		if c.Events[i].Estado != want {
			t.Errorf("event %d is %d, want %d", i, c.Events[i].Estado, want)
		}
	}
	// The chain itself, every report twice: nothing changes.
	if err := r.sv.Finish(r.ctx()); err != nil {
		t.Fatal(err)
	}
	if c2 := r.get(id); len(c2.Events) != 7 || c2.Estado() != remoteid.EstadoValidated {
		t.Errorf("after the chain: %d events, estado %d", len(c2.Events), c2.Estado())
	}
}

// TestRestart: the kiosk stops between reports and opens its case file again; the
// case continues to its certificate.
func TestRestart(t *testing.T) {
	r := newRig(t, func(s *standin.Settings) { s.WebhookForm = true })
	id := r.send(remoteid.SendRequest{Phone: phone, Document: curp}).ID
	for range 3 {
		if _, err := r.sv.Step(r.ctx()); err != nil {
			t.Fatal(err)
		}
	}
	r.restart()
	if c := r.get(id); c.Estado() != remoteid.EstadoFront || len(c.Events) != 3 || c.Document != curp {
		t.Fatalf("after restart: estado %d, %d events", c.Estado(), len(c.Events))
	}
	if err := r.sv.Finish(r.ctx()); err != nil {
		t.Fatal(err)
	}
	c, err := remoteid.FetchCertificate(r.ctx(), r.store, r.client, id, r.clk.Now())
	if err != nil || len(c.Events) != 7 || !bytes.HasPrefix(c.Certificate, []byte("%PDF-")) {
		t.Fatalf("after the chain: %v, %d events", err, len(c.Events))
	}
	r.restart()
	if c := r.get(id); !bytes.HasPrefix(c.Certificate, []byte("%PDF-")) {
		t.Error("the certificate did not survive a restart")
	}
}

// TestScheduled: a send scheduled in the kiosk's time reaches the provider in Spain's
// time, and the stand-in holds the reports until then.
func TestScheduled(t *testing.T) {
	r := newRig(t, nil)
	at, err := r.client.ParseLocalTime("2026-11-30 14:00") // Mexico City, UTC-6: 20:00 UTC, 21:00 in Madrid
	if err != nil {
		t.Fatal(err)
	}
	body, err := r.client.Body(remoteid.SendRequest{Phone: phone, At: at})
	if err != nil || !bytes.Contains(body, []byte(`"Fecha":"2026-11-30 21:00"`)) {
		t.Fatalf("body %s %v", body, err)
	}
	id := r.send(remoteid.SendRequest{Phone: phone, At: at}).ID
	if n, err := r.sv.Step(r.ctx()); n != 0 || err != nil {
		t.Fatalf("sent %d reports before the time (%v)", n, err)
	}
	r.clk.Add(2 * time.Hour) // 20:00 UTC
	if err := r.sv.Finish(r.ctx()); err != nil {
		t.Fatal(err)
	}
	if c := r.get(id); c.Outcome() != remoteid.Validated {
		t.Errorf("estado %d", c.Estado())
	}
}
