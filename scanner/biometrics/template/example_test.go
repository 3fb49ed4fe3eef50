package template_test

import (
	"fmt"

	"cotejo/scanner/biometrics/ridge"
	"cotejo/scanner/biometrics/template"
)

func ExampleNew() {
	ms := []ridge.Minutia{{X: 120.4, Y: 200.6, Angle: 1.5708, Kind: ridge.Ending, Quality: 80}}
	b, _ := template.New(template.ANSI, template.RightIndex, 500, 500, 500, 75, ms).Encode()
	rec, _ := template.Decode(b)
	v := rec.View(template.RightIndex)
	fmt.Println(rec.Format, len(b), "bytes,", rec.XRes, "px/cm")
	fmt.Printf("%s at (%d, %d), %g°\n", v.Minutiae[0].Kind, v.Minutiae[0].X, v.Minutiae[0].Y, v.Minutiae[0].Angle)
	// Output:
	// ANSI INCITS 378-2004 38 bytes, 197 px/cm
	// ending at (120, 201), 90°
}
