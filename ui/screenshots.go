package ui

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"

	"cotejo/capture"
)

// walkForScreenshots goes through the whole flow with the demo's sample credential and
// simulated scanner, in Spanish and English, at 1280 × 800 and 1024 × 768, saving what
// the window shows at each screen: the real binary's rendering, for the documentation.
// Spanish at 1280 × 800 keeps the plain names (01-signin.png); the others add -en and
// -1024. It runs on its own goroutine.
func (c *Controller) walkForScreenshots(dir string, op [2]string, quit func()) {
	defer fyne.Do(quit) // on the UI goroutine, like any call into Fyne
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	time.Sleep(time.Second)
	for _, size := range []fyne.Size{{Width: 1280, Height: 800}, {Width: 1024, Height: 768}} {
		for _, lang := range []string{"es", "en"} {
			suffix := ""
			if lang == "en" {
				suffix = "-en"
			}
			if size.Width != 1280 {
				suffix += "-1024"
			}
			fyne.DoAndWait(func() {
				c.win.Resize(size)
				c.lang = lang
				c.signOut()
			})
			c.walk(dir, suffix, size, op)
		}
	}
}

// walk is one pass through every screen, each saved as NN-name+suffix.png.
func (c *Controller) walk(dir, suffix string, size fyne.Size, op [2]string) {
	do := func(f func()) { fyne.DoAndWait(f) }
	tap := func(key string) {
		do(func() {
			if b := c.cur.base().buttons[key]; b != nil && b.OnTapped != nil {
				b.OnTapped()
			}
		})
		c.Wait()
	}
	shot := func(name string) {
		c.Wait()
		// Back to the walk's size: the window grows to fit a screen for a moment wider
		// (the remote form, while its entries are first laid out) and does not shrink.
		do(func() { c.win.Resize(size) })
		time.Sleep(800 * time.Millisecond) // the last fyne.Do updates, then a frame
		path := filepath.Join(dir, name+suffix+".png")
		// What the X server shows, as a person would see it: the GL driver's own
		// capture comes back black under Xvfb's software rendering. The window sits at
		// the screen's corner (no window manager).
		if os.Getenv("DISPLAY") != "" {
			crop := fmt.Sprintf("%dx%d+0+0", int(size.Width), int(size.Height))
			if err := exec.Command("import", "-window", "root", "-crop", crop, path).Run(); err == nil {
				return
			}
		}
		do(func() {
			f, err := os.Create(path)
			if err != nil {
				return
			}
			defer f.Close()
			img, err := grabWindow(c.win) // Windows: the screen through GDI
			if err != nil {
				img = c.win.Canvas().Capture()
			}
			png.Encode(f, img)
		})
	}
	shot("01-signin")
	do(func() {
		s := c.cur.(*signInScreen)
		s.operator.SetText(op[0])
		s.pin.SetText(op[1])
	})
	tap("enter")
	if c.opts.ScreenshotsPart == "remote" {
		c.walkRemote(do, tap, shot)
		return
	}
	shot("02-home")
	tap("new")
	tap("sampleG")
	shot("03-credential")
	tap("keyboard")
	shot("03b-credential-keyboard")
	tap("keyboard")
	tap("open")
	shot("03c-credential-photos")
	tap("photo.cancel")
	tap("next")
	shot("04-fingers")
	tap("next")
	tap("accept")
	shot("05-consent")
	tap("next")
	shot("06-review")
	tap("send")
	shot("07-result")
	// The receipt saved: the demonstration preserves it under a NOM-151 constancy,
	// which the history validates below.
	var answered string
	do(func() {
		if r, ok := c.cur.(*resultScreen); ok && r.entry.Answers > 0 && c.k.Preserver != nil {
			answered = r.entry.ID
		}
	})
	if answered != "" {
		tap("receipt")
	}
	// Tu Identidad's data-only check of the same credential, when configured (the
	// demonstration runs its stand-in): INE is up here, so it is opened directly.
	nominal := false
	do(func() {
		if r, ok := c.cur.(*resultScreen); ok && c.opts.Nominal != nil && r.cred != nil {
			c.goTo(&nominalScreen{ref: r.entry.Indice, citizen: r.who.Text, curp: r.cred.CURP, cred: r.cred})
			nominal = true
		}
	})
	if nominal {
		shot("07b-nominal")
	}
	do(c.queue)
	shot("08-queue")
	do(c.history)
	shot("09-history")
	if answered == "" {
		// This pass's request was queued (INE's answer came late on a loaded machine):
		// an earlier pass's preserved receipt is in the same history.
		q := capture.Query{}
		do(func() {
			if !c.op.Supervisor {
				q.Operator = c.op.ID // the history shows an operator their own
			}
		})
		answered = c.preserved(q)
	}
	if answered != "" {
		tap("constancy:" + answered)
		shot("09b-constancy")
	}
	do(c.settings)
	shot("10-settings")
	do(func() { c.home(); c.startVerification() })
	tap("cancel")
	shot("11-cancel-confirm")
	tap("confirm.yes")
	c.walkRemote(do, tap, shot)
}

// preserved is the newest entry q selects whose receipt has a NOM-151 constancy; "" if none.
func (c *Controller) preserved(q capture.Query) string {
	entries, err := c.k.History(c.ctx, q)
	if err != nil {
		return ""
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].Constancy {
			return entries[i].ID
		}
	}
	return ""
}

// walkRemote shows remote verification, when configured (the demonstration runs its
// stand-in): the send form filled in, the list, and a finished case with its
// certificate. The first pass sends the link and waits for the stand-in's reports and
// the certificate; the later ones show that case again.
func (c *Controller) walkRemote(do func(func()), tap func(string), shot func(string)) {
	r := c.opts.Remote
	if r == nil {
		return
	}
	do(func() { c.goTo(&remoteScreen{}) })
	c.Wait()
	do(func() {
		s := c.cur.(*remoteScreen)
		s.phone.SetText("5512345678")
		s.document.SetText("MAMA810125HPLRNR35")
	})
	shot("12-remote")
	// The stand-in reports every two seconds: the case is done well within two minutes.
	ctx, cancel := context.WithTimeout(c.ctx, 2*time.Minute)
	defer cancel()
	done := func() string {
		cases, _ := r.Cases(ctx)
		for _, rc := range cases {
			if rc.Outcome() != capture.RemotePending && len(rc.Certificate) > 0 {
				return rc.ID
			}
		}
		return ""
	}
	if done() == "" {
		tap("send")
	}
	id := done()
	for ; id == "" && ctx.Err() == nil; id = done() {
		time.Sleep(time.Second)
	}
	do(func() { c.goTo(&remoteScreen{}) })
	c.Wait()
	do(func() { c.cur.(*remoteScreen).scroll.ScrollToBottom() })
	shot("12b-remote-list")
	do(func() { c.goTo(&remoteCaseScreen{id: id}) })
	shot("12c-remote-case")
}
