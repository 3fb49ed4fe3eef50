package outbox_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cotejo/capture/outbox"
	"cotejo/storage"
	"cotejo/storage/sealbox"
	"cotejo/verify"
	"cotejo/verify/config"
	"cotejo/verify/sandbox/sandboxtest"
)

var crashCycles = flag.Int("crash.cycles", 200, "SIGKILL cycles in TestCrashRecovery (make test runs the default; raise it for a soak)")

const childEnv = "COTEJO_CRASH_CHILD"

// TestCrashChild is the child process of TestCrashRecovery: it opens the store,
// drains it in the background and enqueues requests as fast as it can, printing
// "ACK indice" only after Enqueue returned. It runs only when the parent starts it.
func TestCrashChild(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("child of TestCrashRecovery")
	}
	conn := childConn(os.Getenv("COTEJO_CRASH_PKI"), os.Getenv("COTEJO_CRASH_URL"))
	key, err := sealbox.KeyFile{Path: os.Getenv("COTEJO_CRASH_KEY")}.Key(context.Background())
	if err != nil {
		fail(err)
	}
	box, _ := sealbox.New(key, 1)
	db, err := storage.Open(os.Getenv("COTEJO_CRASH_DB"), storage.Options{Keys: sealbox.NewKeys(box), LockTimeout: 10 * time.Second})
	if err != nil {
		fail(err)
	}
	go (&outbox.Sender{DB: db, Client: conn.Client, Poll: 10 * time.Millisecond, Concurrency: 2}).Run(context.Background())
	p := padron(t)
	for i := 0; ; i++ {
		c := p.Ciudadanos[i%len(p.Ciudadanos)]
		sealed, err := conn.Sealer.Seal(context.Background(), verify.Verification{Credential: c.Credential(), Location: branch, Consent: true,
			Fingers: &verify.Fingers{Tipo: verify.TipoANSI, Right: template}})
		if err != nil {
			fail(err)
		}
		if _, err := db.Enqueue(context.Background(), storage.Request{Indice: sealed.Indice, Body: sealed.Body, Kind: "verificacion", Operator: "crash", Biometrics: true,
			Citizen: storage.Citizen{CURP: c.CURP, CIC: c.CIC}}); err != nil {
			fail(err)
		}
		fmt.Printf("ACK %s\n", sealed.Indice)
		time.Sleep(time.Duration(rand.IntN(5)) * time.Millisecond)
	}
}

// childConn is a child process's connection to the parent's sandbox.
func childConn(pkiDir, url string) *config.Conn {
	fc, err := sandboxtest.Load(pkiDir)
	if err != nil {
		fail(err)
	}
	fc.Service.URL = url
	conn, err := fc.Service.Open(pkiDir)
	if err != nil {
		fail(err)
	}
	return conn
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "child:", err)
	os.Exit(2)
}

// TestCrashRecovery kills a child that enqueues and drains at random moments, many
// times, then checks: every acknowledged enqueue is answered exactly once (after a
// final drain), no indice is answered twice, and the file passes bbolt's check and the
// audit chain verifies.
func TestCrashRecovery(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("in the child")
	}
	s := startINE(t, nil)
	pkiDir, _ := sandboxtest.PKI()
	dir := t.TempDir()
	keyPath, dbPath := filepath.Join(dir, "k"), filepath.Join(dir, "c.db")
	if err := sealbox.CreateKeyFile(keyPath); err != nil {
		t.Fatal(err)
	}
	acked := map[string]bool{}
	var mu sync.Mutex
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	start := time.Now()
	for cycle := 0; cycle < *crashCycles; cycle++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnv+"=1", "COTEJO_CRASH_PKI="+pkiDir, "COTEJO_CRASH_URL="+s.url,
			"COTEJO_CRASH_KEY="+keyPath, "COTEJO_CRASH_DB="+dbPath)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		read, working := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(read)
			sc := bufio.NewScanner(out)
			first := true
			for sc.Scan() {
				if ind, ok := strings.CutPrefix(sc.Text(), "ACK "); ok {
					mu.Lock()
					acked[ind] = true
					mu.Unlock()
					if first {
						close(working)
						first = false
					}
				}
			}
		}()
		// The kill lands at a random moment of the child's work, counted from its first
		// acknowledged enqueue: a busy machine may take long to start it.
		select {
		case <-working:
		case <-read:
		case <-time.After(2 * time.Minute):
		}
		time.Sleep(time.Duration(rnd.IntN(200)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		<-read
		cmd.Wait()
		if strings.Contains(stderr.String(), "child:") {
			t.Fatalf("cycle %d: %s", cycle, stderr.String())
		}
	}
	killed := time.Since(start)

	key, _ := sealbox.KeyFile{Path: keyPath}.Key(context.Background())
	box, _ := sealbox.New(key, 1)
	db, err := storage.Open(dbPath, storage.Options{Keys: sealbox.NewKeys(box)})
	if err != nil {
		t.Fatalf("the file does not open after %d kills: %v", *crashCycles, err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Fatalf("bbolt check: %v", err)
	}
	if _, err := (&outbox.Sender{DB: db, Client: s.conn.Client, Force: true}).Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	entries, err := db.List()
	if err != nil {
		t.Fatal(err)
	}
	byIndice := map[string]storage.Entry{}
	for _, e := range entries {
		byIndice[e.Indice] = e
		if e.Answers > 1 {
			t.Errorf("indice %s answered %d times", e.Indice, e.Answers)
		}
	}
	for ind := range acked {
		e, ok := byIndice[ind]
		switch {
		case !ok:
			t.Errorf("acknowledged enqueue %s lost", ind)
		case e.State != storage.StateAnswered || e.Answers != 1:
			t.Errorf("acknowledged enqueue %s: %s, %d answers", ind, e.State, e.Answers)
		}
	}
	if _, err := db.Audit().Verify(context.Background()); err != nil {
		t.Errorf("audit chain after crashes: %v", err)
	}
	resent := 0
	s.mu.Lock()
	for _, n := range s.hits {
		if n > 1 {
			resent++
		}
	}
	s.mu.Unlock()
	t.Logf("%d kills in %v; %d acknowledged, %d entries, all answered once; %d requests reached INE more than once (the at-least-once window)",
		*crashCycles, killed.Round(time.Millisecond), len(acked), len(entries), resent)
	if len(acked) < *crashCycles/4 {
		t.Errorf("only %d enqueues acknowledged in %d cycles: the child barely ran", len(acked), *crashCycles)
	}
}
