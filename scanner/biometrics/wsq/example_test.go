package wsq_test

import (
	"bytes"
	"fmt"
	"image"
	"log"
	"math"

	"cotejo/scanner/biometrics/wsq"
)

func ExampleEncode() {
	// A test pattern: concentric ridges 9 pixels apart, as at 500 ppi.
	img := image.NewGray(image.Rect(0, 0, 256, 256))
	for y := range 256 {
		for x := range 256 {
			r := math.Hypot(float64(x-128), float64(y-128))
			img.Pix[y*256+x] = uint8(128 + 100*math.Cos(2*math.Pi*r/9))
		}
	}

	var buf bytes.Buffer
	if err := wsq.Encode(&buf, img, &wsq.Options{BitRate: 2.25, Comments: []string{"test pattern"}}); err != nil {
		log.Fatal(err)
	}
	info, err := wsq.DecodeConfig(bytes.NewReader(buf.Bytes()))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d×%d at %d ppi, encoded for %.2f bits per pixel, %q\n", info.Width, info.Height, info.PPI, info.BitRate, info.Comments[1])

	out, err := wsq.Decode(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Bounds())
	// Output:
	// 256×256 at 500 ppi, encoded for 2.25 bits per pixel, "test pattern"
	// (0,0)-(256,256)
}
