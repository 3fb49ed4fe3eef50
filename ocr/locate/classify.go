package locate

import (
	"embed"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"

	"cotejo/ocr/layout"
	"cotejo/verify/credential"
)

// Thumbnails of every design, straightened, one per model and side: what a card of that
// design looks like from arm's length. Regenerate with
// go test ./ocr/locate -run TestDesignThumbnails -update.
//
//go:embed designs/*.png
var designFiles embed.FS

// ThumbW × ThumbH is the size designs are compared at.
const (
	ThumbW = 64
	ThumbH = 40
)

// ErrUnknownDesign means the straightened card resembles no known design.
var ErrUnknownDesign = errors.New("locate: not a Credencial para Votar of a known model")

// knownResemblance is the least correlation with a design that Classify takes for that
// design. The tables' own cards, straightened by Find, score 0.74 or more at distortion
// levels 0–2 and 0.63 or more in 95 % of cases at level 3; the backs of designs the
// tables do not hold score 0.35 to 0.5 against their nearest, so a lower cut lets a
// new design pass for a table's and its table's places win over what the card shows.
// Fronts of new designs can score as high as the tables' own (a photo on the left, text
// on the right): the reader checks those by their labels and by the other side.
const knownResemblance = 0.55

// Match is what Classify recognised.
type Match struct {
	Model   credential.Model
	Side    layout.Side
	Flipped bool    // the card lay upside down in the photo
	Score   float64 // correlation with the design, −1…1
	Margin  float64 // how far ahead of the next design (other model or side)
}

// Classifier compares straightened cards with the designs' thumbnails.
type Classifier struct {
	refs []ref
}

type ref struct {
	model credential.Model
	side  layout.Side
	v     []float64
}

// NewClassifier loads the embedded design thumbnails.
func NewClassifier() (*Classifier, error) {
	c := &Classifier{}
	for _, d := range layout.All() {
		name := DesignFile(d.Model, d.Side)
		f, err := designFiles.Open("designs/" + name)
		if err != nil {
			return nil, fmt.Errorf("locate: design %s: %w", name, err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("locate: design %s: %w", name, err)
		}
		c.refs = append(c.refs, ref{d.Model, d.Side, vector(rgba(img), false)})
	}
	return c, nil
}

// DesignFile names a design's thumbnail.
func DesignFile(m credential.Model, s layout.Side) string { return fmt.Sprintf("%s-%s.png", m, s) }

// Thumbnail averages a straightened card down to Thumb.
func Thumbnail(card *image.RGBA) *image.RGBA {
	b := card.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, ThumbW, ThumbH))
	for ty := range ThumbH {
		y0, y1 := b.Min.Y+ty*b.Dy()/ThumbH, b.Min.Y+(ty+1)*b.Dy()/ThumbH
		for tx := range ThumbW {
			x0, x1 := b.Min.X+tx*b.Dx()/ThumbW, b.Min.X+(tx+1)*b.Dx()/ThumbW
			var s [3]int
			n := 0
			for y := y0; y < y1; y++ {
				i := card.PixOffset(x0, y)
				for x := x0; x < x1; x++ {
					s[0] += int(card.Pix[i])
					s[1] += int(card.Pix[i+1])
					s[2] += int(card.Pix[i+2])
					i += 4
					n++
				}
			}
			o := out.PixOffset(tx, ty)
			out.Pix[o], out.Pix[o+1], out.Pix[o+2], out.Pix[o+3] = uint8(s[0]/n), uint8(s[1]/n), uint8(s[2]/n), 255
		}
	}
	return out
}

// vector is a thumbnail as a zero-mean, unit-length vector, each channel normalised on
// its own so uneven light and white balance matter little.
func vector(thumb *image.RGBA, flip bool) []float64 {
	w, h := ThumbW, ThumbH
	v := make([]float64, 0, w*h*3)
	for c := range 3 {
		for y := range h {
			for x := range w {
				sx, sy := x, y
				if flip {
					sx, sy = w-1-x, h-1-y
				}
				v = append(v, float64(thumb.Pix[thumb.PixOffset(sx, sy)+c]))
			}
		}
	}
	normalise(v, w*h)
	return v
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// Classify tells the design of a straightened card, either way up.
func (c *Classifier) Classify(card *image.RGBA) (Match, error) {
	th := Thumbnail(card)
	ways := [2][]float64{vector(th, false), vector(th, true)}
	var best Match
	best.Score = math.Inf(-1)
	second := math.Inf(-1)
	for _, r := range c.refs {
		for k, v := range ways {
			s := dot(v, r.v)
			switch {
			case s > best.Score:
				if best.Model != r.model || best.Side != r.side {
					second = max(second, best.Score)
				}
				best = Match{Model: r.model, Side: r.side, Flipped: k == 1, Score: s}
			case s > second && (r.model != best.Model || r.side != best.Side):
				second = s
			}
		}
	}
	best.Margin = best.Score - second
	if best.Score < knownResemblance {
		return best, fmt.Errorf("%w (resemblance %.2f)", ErrUnknownDesign, best.Score)
	}
	return best, nil
}
