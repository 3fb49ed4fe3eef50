package ui

import (
	"context"
	"net"
	"strings"
	"testing"

	"cotejo/capture"
	"cotejo/scanner/biometrics/enrolled"
	"cotejo/verify/sandbox/sandboxtest"
)

// TestQueuedNotifies: a verification queued while INE is down; the queue's row says
// whose it is and when it is tried next; when INE answers, the queued result on screen
// shows the answer; a second one answered while the operator is elsewhere is a notice
// on every screen that opens it.
func TestQueuedNotifies(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := sandboxtest.Start(t, sandboxtest.Options{Addr: addr, Matcher: &enrolled.Matcher{}})
	env.Stop()
	c := start(t, kiosk(t, env, false))
	c.signInAs(t, "ana", "4821")
	if v := c.verify(t, "G"); v != "queued" {
		t.Fatalf("offline: verdict %q", v)
	}
	first := on[*resultScreen](t, c).entry
	if who := on[*resultScreen](t, c).who.Text; who == "" {
		t.Error("the queued result does not say whose it is")
	}
	ine := sandboxtest.Start(t, sandboxtest.Options{Addr: addr, Matcher: &enrolled.Matcher{}})
	// What the outbox's sender does when INE answers (without waiting for its schedule).
	send := func() {
		c.backgroundApp(func(ctx context.Context) {
			c.k.Drain(ctx, func(e capture.Entry) {
				if e.Answers > 0 {
					c.answered(e)
				}
			})
		})
		c.Wait()
	}
	send()
	if r := on[*resultScreen](t, c); r.entry.ID != first.ID || r.verdict != "valid" {
		t.Fatalf("the queued result on screen: entry %s, verdict %q", r.entry.ID, r.verdict)
	}

	// Another one queued while INE is down again; the queue says it in plain words.
	ine.Stop()
	if v := c.verify(t, "G"); v != "queued" {
		t.Fatalf("offline again: verdict %q", v)
	}
	second := on[*resultScreen](t, c).entry
	c.tap(t, "home")
	c.tap(t, "queue")
	if text := c.texts(); !strings.Contains(text, "próximo intento a las") || strings.Contains(text, "intentos") {
		t.Errorf("queue rows:\n%s", text)
	}
	// INE answers while the operator is on the history screen: a notice, on every screen.
	sandboxtest.Start(t, sandboxtest.Options{Addr: addr, Matcher: &enrolled.Matcher{}})
	c.tap(t, "home")
	c.tap(t, "history")
	send()
	c.want(t, "history")
	if !strings.Contains(c.texts(), "Llegó la respuesta del INE") {
		t.Fatalf("no notice on the history screen:\n%s", c.texts())
	}
	c.tap(t, "home")
	c.tap(t, "note:"+second.ID)
	if r := on[*resultScreen](t, c); r.entry.ID != second.ID || r.verdict != "valid" {
		t.Fatalf("the notice opened entry %s, verdict %q", r.entry.ID, r.verdict)
	}
	if strings.Contains(c.texts(), "Llegó la respuesta del INE") {
		t.Error("the notice stayed after it was opened")
	}
}
