package remoteid

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

func report(id string, st Estado, updated string, res *Result) Event {
	return Event{Servicio: Servicio, ID: id, Estado: st, UltimaActualizacion: updated, Result: res}
}

// TestCaseAnyOrder applies the same reports in many orders, some twice: the case ends
// the same each time, events in the order of the process.
func TestCaseAnyOrder(t *testing.T) {
	tests := []struct {
		name    string
		reports []Event
		estado  Estado
		outcome Outcome
		cert    bool
	}{
		{"validated", []Event{
			report("9", 3000, "a", nil), report("9", 3001, "b", nil), report("9", 3002, "c", nil), report("9", 3003, "d", nil),
			report("9", 5000, "e", nil), report("9", 5001, "f", &Result{Resultado: 93.9}), report("9", 5100, "g", &Result{Resultado: 93.9}),
		}, 5100, Validated, true},
		{"rejected", []Event{
			report("9", 3000, "a", nil), report("9", 5000, "e", nil), report("9", 5001, "f", &Result{Resultado: -5}),
			report("9", 5500, "g", &Result{Resultado: -5}),
		}, 5500, Rejected, false},
		{"conflict: rejection wins", []Event{report("9", 5100, "g", nil), report("9", 5500, "h", nil)}, 5500, Rejected, false},
		{"pending", []Event{report("9", 3002, "c", nil), report("9", 3000, "a", nil), report("9", 4000, "z", nil)}, 3002, Pending, false},
		{"same status, newer wins", []Event{report("9", 5001, "f", &Result{Resultado: -7}), report("9", 5001, "g", &Result{Resultado: 90})}, 5001, Pending, false},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var first []byte
			for i := range 50 {
				in := append([]Event(nil), tt.reports...)
				in = append(in, in[rng.IntN(len(in))]) // a duplicate
				rng.Shuffle(len(in), func(a, b int) { in[a], in[b] = in[b], in[a] })
				var c Case
				for _, e := range in {
					c.Apply(e)
				}
				if c.Estado() != tt.estado || c.Outcome() != tt.outcome || c.NeedsCertificate() != tt.cert {
					t.Fatalf("order %d: estado %d outcome %d cert %v", i, c.Estado(), c.Outcome(), c.NeedsCertificate())
				}
				for j := 1; j < len(c.Events); j++ {
					if c.Events[j-1].Estado.rank() > c.Events[j].Estado.rank() {
						t.Fatalf("events out of order: %d before %d", c.Events[j-1].Estado, c.Events[j].Estado)
					}
				}
				got, _ := json.Marshal(c)
				if first == nil {
					first = got
				} else if string(got) != string(first) {
					t.Fatalf("order %d gives another case:\n%s\n%s", i, got, first)
				}
			}
		})
	}
}

func TestCaseApply(t *testing.T) {
	var c Case
	if !c.Apply(report("1", 3000, "a", nil)) {
		t.Fatal("first report did not change the case")
	}
	if c.Apply(report("1", 3000, "a", nil)) {
		t.Error("a duplicate changed the case")
	}
	if c.Apply(report("2", 3001, "b", nil)) {
		t.Error("another request's report changed the case")
	}
	if c.Result() != nil {
		t.Error("result before 5001")
	}
	c.Apply(report("1", 5001, "f", &Result{Resultado: 93, DNI: &DocumentData{Nacionalidad: "ESP"}}))
	if r := c.Result(); r == nil || r.Resultado != 93 {
		t.Errorf("result %+v", r)
	}
	if !c.ForeignDocument("MEX") || c.ForeignDocument("ESP") {
		t.Error("ForeignDocument")
	}
	c.Apply(report("1", 5100, "g", nil))
	if !c.NeedsCertificate() {
		t.Error("validated without certificate: needs one")
	}
	c.Certificate = []byte("%PDF-1.4")
	if c.NeedsCertificate() {
		t.Error("certificate kept: needs none")
	}
	if e, ok := c.Latest(); !ok || e.Estado != 5100 {
		t.Errorf("latest %+v", e)
	}
}
