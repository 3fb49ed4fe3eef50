package labels_test

import (
	"fmt"
	"image"

	"cotejo/ocr/labels"
)

func ExampleFind() {
	// Words as tesseract's sparse-text layout reads them: small labels, values below
	// or right of them, a label misread ("CIAVE") and one abbreviated.
	words := []labels.Word{
		{Text: "NOMBRE", Box: image.Rect(40, 133, 112, 144)},
		{Text: "GARCIA", Box: image.Rect(46, 157, 170, 180)},
		{Text: "LOPEZ", Box: image.Rect(46, 197, 150, 220)},
		{Text: "ANA", Box: image.Rect(46, 237, 110, 260)},
		{Text: "SOFIA", Box: image.Rect(120, 237, 220, 260)},
		{Text: "CIAVE", Box: image.Rect(40, 418, 90, 429)},
		{Text: "DE", Box: image.Rect(98, 418, 118, 429)},
		{Text: "ELECTOR", Box: image.Rect(126, 418, 200, 429)},
		{Text: "GRLPAN80010109M400", Box: image.Rect(46, 443, 410, 466)},
		{Text: "Fecha", Box: image.Rect(520, 418, 570, 429)},
		{Text: "nac.", Box: image.Rect(576, 418, 610, 429)},
		{Text: "01/01/1980", Box: image.Rect(620, 412, 790, 435)},
	}
	for _, v := range labels.Find(words, image.Rect(0, 0, 1012, 638)) {
		fmt.Printf("%s %s %.2f %v %d %q\n", v.Field, v.Where, v.Score, v.Box, v.Lines, v.Text)
	}
	// Output:
	// nombre below 1.00 (35,149)-(642,268) 3 "GARCIA\nLOPEZ\nANA SOFIA"
	// claveElector below 0.96 (35,435)-(421,474) 1 "GRLPAN80010109M400"
	// nacimiento right 1.00 (611,404)-(826,443) 1 "01/01/1980"
}
