// Package assets holds the files Cotejo ships inside its binary: the sandbox's synthetic
// voter register, the privacy notice, and later sample credentials and the icon.
package assets

import _ "embed"

// NoticeVersion is the privacy notice's version, recorded with each consent: a citizen
// accepted the text of that version, not whatever the notice says later.
const NoticeVersion = "1"

// PrivacyNotice returns the notice the citizen reads before consenting, in "es" or "en".
func PrivacyNotice(lang string) string {
	if lang == "en" {
		return noticeEN
	}
	return noticeES
}

var (
	//go:embed aviso-privacidad-v1.es.txt
	noticeES string
	//go:embed aviso-privacidad-v1.en.txt
	noticeEN string
)

// Padron returns the synthetic voter register the sandbox answers from. Every citizen in
// it is fictitious.
func Padron() []byte { return padron }

//go:embed padron.json
var padron []byte

// DemoCard is a photographed synthetic credential for the demo: front and back JPEG.
type DemoCard struct {
	Model       string
	Front, Back []byte
}

// DemoCards are the demo's sample credentials: the register's first citizen on a model G
// and its second on a model C.
func DemoCards() []DemoCard {
	return []DemoCard{{"G", demo1Front, demo1Back}, {"C", demo2Front, demo2Back}}
}

var (
	//go:embed demo-0001-front.jpg
	demo1Front []byte
	//go:embed demo-0001-back.jpg
	demo1Back []byte
	//go:embed demo-0002-front.jpg
	demo2Front []byte
	//go:embed demo-0002-back.jpg
	demo2Back []byte
)
