package sandbox_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cotejo/verify"
)

// BenchmarkSeal measures building one request: normalise, OAEP-encrypt under INE's
// 4096-bit key, time-stamp locally, sign with the institution's 2048-bit key.
func BenchmarkSeal(b *testing.B) {
	e := newEnv(b, nil)
	v := verify.Verification{Credential: e.padron.Ciudadanos[0].Credential(), Location: branch(), Consent: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.conn.Sealer.Seal(context.Background(), v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSandboxThroughput sends pre-sealed requests from 8 concurrent clients over
// keep-alive two-way TLS and reports answered requests per second. Each answer is
// opened (INE signature checked) by the client, as in production.
func BenchmarkSandboxThroughput(b *testing.B) {
	e := newEnv(b, nil)
	const clients = 8
	bodies := make([]*verify.Sealed, 64)
	for i := range bodies {
		c := e.padron.Ciudadanos[i%len(e.padron.Ciudadanos)]
		s, err := e.conn.Sealer.Seal(context.Background(), verify.Verification{Credential: c.Credential(), Location: branch(), Consent: true})
		if err != nil {
			b.Fatal(err)
		}
		bodies[i] = s
	}
	var next atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				if _, err := e.conn.Client.Send(context.Background(), bodies[i%int64(len(bodies))]); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
