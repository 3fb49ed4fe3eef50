package ui

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
)

// walkForScreenshots goes through the whole flow with the demo's sample credential and
// simulated scanner, saving what the window shows at each screen: the real binary's
// rendering, for the documentation. It runs on its own goroutine.
func (c *Controller) walkForScreenshots(dir string, op [2]string, quit func()) {
	defer quit()
	do := func(f func()) { fyne.DoAndWait(f) }
	tap := func(key string) {
		do(func() {
			if b := c.cur.base().buttons[key]; b != nil && b.OnTapped != nil {
				b.OnTapped()
			}
		})
	}
	shot := func(name string) {
		c.Wait()
		time.Sleep(800 * time.Millisecond) // the last fyne.Do updates, then a frame
		path := filepath.Join(dir, name+".png")
		// What the X server shows, as a person would see it: the GL driver's own
		// capture comes back black under Xvfb's software rendering.
		if os.Getenv("DISPLAY") != "" {
			if err := exec.Command("import", "-window", "root", path).Run(); err == nil {
				return
			}
		}
		do(func() {
			f, err := os.Create(path)
			if err != nil {
				return
			}
			defer f.Close()
			png.Encode(f, c.win.Canvas().Capture())
		})
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	time.Sleep(time.Second)
	shot("01-signin")
	do(func() {
		s := c.cur.(*signInScreen)
		s.operator.SetText(op[0])
		s.pin.SetText(op[1])
	})
	tap("enter")
	shot("02-home")
	tap("new")
	tap("sampleG")
	shot("03-credential")
	tap("next")
	shot("04-fingers")
	tap("next")
	c.Wait()
	tap("accept")
	shot("05-consent")
	tap("next")
	shot("06-review")
	tap("send")
	shot("07-result")
	do(c.queue)
	shot("08-queue")
	do(c.history)
	shot("09-history")
	do(c.settings)
	shot("10-settings")
	do(func() { c.lang = "en"; c.home() })
	shot("11-home-en")
}
