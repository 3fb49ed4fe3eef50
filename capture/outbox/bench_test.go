package outbox_test

import (
	"context"
	"path/filepath"
	"testing"

	"cotejo/capture/outbox"
	"cotejo/storage"
	"cotejo/verify"
)

// BenchmarkEnqueue: one durable (fsync'd) enqueue of a sealed request with fingerprints.
func BenchmarkEnqueue(b *testing.B) {
	s := startINE(b, nil)
	p := padron(b)
	db := openDB(b, filepath.Join(b.TempDir(), "c.db"), newKeys(b), nil)
	sealed, err := s.conn.Sealer.Seal(context.Background(), verify.Verification{Credential: p.Ciudadanos[0].Credential(), Location: branch, Consent: true,
		Fingers: &verify.Fingers{Tipo: verify.TipoANSI, Right: template, Left: template}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		sealed.Indice = "b" + string(rune('a'+i%26)) + itoa(i)
		if _, err := db.Enqueue(context.Background(), storage.Request{Indice: sealed.Indice, Body: sealed.Body, Operator: "bench", Citizen: storage.Citizen{CURP: p.Ciudadanos[0].CURP}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "enqueues/s")
}

func itoa(n int) string {
	var b []byte
	for n > 0 || len(b) == 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// BenchmarkDrain: requests delivered per second from the outbox to the sandbox over
// two-way TLS, each answer verified and stored.
func BenchmarkDrain(b *testing.B) {
	s := startINE(b, nil)
	p := padron(b)
	db := openDB(b, filepath.Join(b.TempDir(), "c.db"), newKeys(b), nil)
	for i := 0; i < b.N; i++ {
		enqueue(b, db, s, p.Ciudadanos[i%len(p.Ciudadanos)], false)
	}
	b.ResetTimer()
	n, err := (&outbox.Sender{DB: db, Client: s.conn.Client, Concurrency: 4}).Drain(context.Background())
	if err != nil || n != b.N {
		b.Fatalf("%d %v", n, err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "answered/s")
}

// BenchmarkBytesPer1000 reports the data file's size after 1,000 verifications, queued
// and answered, with and without fingerprints (two 400-byte ANSI templates standing for
// typical minutiae templates).
func BenchmarkBytesPer1000(b *testing.B) {
	for _, fingers := range []bool{false, true} {
		name := "data-only"
		if fingers {
			name = "with-fingerprints"
		}
		b.Run(name, func(b *testing.B) {
			s := startINE(b, nil)
			p := padron(b)
			tmpl := make([]byte, 400)
			copy(tmpl, template)
			for b.Loop() {
				path := filepath.Join(b.TempDir(), "c.db")
				keys := newKeys(b)
				db, err := storage.Open(path, storage.Options{Keys: keys})
				if err != nil {
					b.Fatal(err)
				}
				for i := range 1000 {
					v := verify.Verification{Credential: p.Ciudadanos[i%len(p.Ciudadanos)].Credential(), Location: branch, Consent: true}
					if fingers {
						v.Fingers = &verify.Fingers{Tipo: verify.TipoANSI, Right: tmpl, Left: tmpl}
					}
					sealed, err := s.conn.Sealer.Seal(context.Background(), v)
					if err != nil {
						b.Fatal(err)
					}
					c := p.Ciudadanos[i%len(p.Ciudadanos)]
					if _, err := db.Enqueue(context.Background(), storage.Request{Indice: sealed.Indice, Body: sealed.Body, Operator: "bench", Biometrics: fingers,
						Citizen: storage.Citizen{Nombre: c.Nombre + " " + c.ApellidoPaterno, CURP: c.CURP, CIC: c.CIC}}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(used(b, db)), "bytes-queued")
				if _, err := (&outbox.Sender{DB: db, Client: s.conn.Client, Concurrency: 4}).Drain(context.Background()); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(used(b, db)), "bytes-answered")
				db.Close()
			}
		})
	}
}

func used(b *testing.B, db *storage.DB) int64 {
	n, err := db.UsedBytes()
	if err != nil {
		b.Fatal(err)
	}
	return n
}
