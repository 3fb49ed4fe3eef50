package ui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"cotejo/scanner/biometrics/enrolled"
	"cotejo/verify/sandbox/sandboxtest"
)

// english are words that on a Spanish screen mean an English message slipped through.
var english = regexp.MustCompile(`(?i)\b(the|and|of|to|is|not|select one|open file|computer|threshold|entry|attempts|simulated|false|true)\b`)

// render fills a message's verbs: counts with n, words with "X".
func render(msg string, n int) string {
	var args []any
	for _, v := range regexp.MustCompile(`%[-+ #0-9.]*[a-zA-Z%]`).FindAllString(msg, -1) {
		switch v[len(v)-1] {
		case 'd':
			args = append(args, n)
		case 'f':
			args = append(args, float64(n))
		case 's':
			args = append(args, "X")
		}
	}
	return fmt.Sprintf(msg, args...)
}

// TestMessagesWithCounts renders every message in both languages with counts 0, 1 and
// 2: each verb is filled, and no Spanish message has English in it.
func TestMessagesWithCounts(t *testing.T) {
	for key, w := range words {
		for n := range 3 {
			es, en := render(w[0], n), render(w[1], n)
			if strings.Contains(es+en, "%!") {
				t.Errorf("%s, %d: %q / %q", key, n, es, en)
			}
			if key != "lang.switch" && english.MatchString(es) {
				t.Errorf("%s: English in Spanish: %q", key, es)
			}
			// A count of one with a plural noun: "1 intentos", "1 tries".
			if n == 1 && regexp.MustCompile(`\b1 (intentos|consultas|entradas|tries|requests|entries)\b`).MatchString(es+" "+en) {
				t.Errorf("%s: %q / %q", key, es, en)
			}
		}
	}
}

// TestNoEnglishOnSpanishScreens walks every screen in Spanish and finds no English
// word on it.
func TestNoEnglishOnSpanishScreens(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	c.opts.Settings = &wordSettings{}
	check := func() {
		t.Helper()
		text := strings.ReplaceAll(c.texts()+overlayTexts(c), "English", "") // the switch names its language
		if m := english.FindAllString(text, -1); len(m) > 0 {
			t.Errorf("%s shows English %q:\n%s", c.Screen(), m, text)
		}
	}
	check()
	c.signInAs(t, "sup", "9999")
	check()
	c.tap(t, "new")
	check() // the model not chosen yet
	c.tap(t, "sampleG")
	check()
	c.tap(t, "next")
	check()
	c.tap(t, "next")
	c.tap(t, "accept")
	check()
	c.tap(t, "next")
	check()
	c.tap(t, "send")
	check()
	for _, s := range []func(){c.queue, c.history, c.settings} {
		s()
		c.Wait()
		check()
	}
}
