package cardgen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/otiai10/gosseract/v2"
	"golang.org/x/image/font/basicfont"

	"cotejo/ocr/layout"
	"cotejo/verify/credential"
	"cotejo/verify/credential/synthetic"
)

var sheetOut = flag.String("cardgen.families", "", "write a contact sheet of every family's front and back to this PNG, to look at")

func loadFonts(t testing.TB) *Fonts {
	t.Helper()
	f, err := LoadFonts()
	if err != nil {
		if errors.Is(err, ErrFonts) {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	return f
}

func allFamilies() []Family { return append(Families(), HeldOut(), Unseen()) }

var sides = []layout.Side{layout.Front, layout.Back}

// holders returns n citizens' holders for model m, the same for the same seed.
func holders(seed uint64, n int) []Holder {
	g := synthetic.NewGenerator(seed, 11)
	var out []Holder
	for i := range n {
		m := layout.Models()[i%6]
		out = append(out, NewHolder(g.Citizen(m, synthetic.Options{SinMaterno: i%5 == 4}), g.Rand()))
	}
	return out
}

func TestFamilyNames(t *testing.T) {
	seen := map[string]bool{}
	for i, f := range allFamilies() {
		if seen[f.Name] {
			t.Errorf("two families named %q", f.Name)
		}
		seen[f.Name] = true
		if (i == 0) != (f.st == nil) {
			t.Errorf("family %d %q: only the first, base, prints the layout's tables", i, f.Name)
		}
		g, err := FamilyByName(f.Name)
		if err != nil || g.Name != f.Name {
			t.Errorf("FamilyByName(%q) = %q, %v", f.Name, g.Name, err)
		}
	}
	if Families()[0].Name != "base" || HeldOut().Name != "heldout" {
		t.Errorf("families %v, held out %q", Families(), HeldOut().Name)
	}
	if f, err := FamilyByName(""); err != nil || f.st != nil {
		t.Errorf(`FamilyByName("") = %v, %v; want base`, f, err)
	}
	for _, bad := range []string{"nope", MixedFamilies} {
		if _, err := FamilyByName(bad); err == nil {
			t.Errorf("FamilyByName(%q) succeeded", bad)
		}
	}
}

// TestFamiliesRender: every family prints every model's sides, with the model's fields
// all on the card, clear of each other, the photo and the header (the arrangement fails
// if not); many holders exercise long names and both address shapes.
func TestFamiliesRender(t *testing.T) {
	f := loadFonts(t)
	hs := holders(1, 12)
	for _, fam := range allFamilies() {
		t.Run(fam.Name, func(t *testing.T) {
			for k, h := range hs {
				for _, m := range layout.Models() {
					h := h.as(m, rand.New(rand.NewPCG(uint64(k), 1)))
					for _, side := range sides {
						rnd := rand.New(rand.NewPCG(uint64(k), 2))
						if k > 0 { // plans only: drawing every holder would be slow
							if _, err := planOnly(f, h, m, side, fam, rnd); err != nil {
								t.Fatal(err)
							}
							continue
						}
						img, p, err := f.render(h, m, side, fam, rnd)
						if err != nil {
							t.Fatalf("%s %s: %v", m, side, err)
						}
						if img.Bounds() != image.Rect(0, 0, layout.Width, layout.Height) {
							t.Fatalf("%s %s: %v", m, side, img.Bounds())
						}
						var want, got []layout.Field
						for _, r := range layout.For(m, side).Fields {
							want = append(want, r.Field)
						}
						for _, r := range p.design.Fields {
							got = append(got, r.Field)
						}
						slices.Sort(want)
						slices.Sort(got)
						if !slices.Equal(want, got) {
							t.Errorf("%s %s prints %v, the model %v", m, side, got, want)
						}
						if p.design.Photo.Empty() {
							t.Errorf("%s %s: no photo", m, side)
						}
					}
				}
			}
		})
	}
}

// planOnly arranges a card side without drawing it.
func planOnly(f *Fonts, h Holder, m credential.Model, side layout.Side, fam Family, rnd *rand.Rand) (*plan, error) {
	if fam.st == nil {
		return basePlan(m, side), nil
	}
	fc := newFaceCache(f)
	defer fc.close()
	return fc.familyPlan(h, m, side, fam, rnd)
}

func TestBaseIsRender(t *testing.T) {
	f := loadFonts(t)
	base, _ := FamilyByName("")
	for k, h := range holders(2, 6) {
		for _, m := range layout.Models() {
			h := h.as(m, rand.New(rand.NewPCG(uint64(k), 1)))
			for _, side := range sides {
				a, err := f.Render(h, m, side, rand.New(rand.NewPCG(3, uint64(k))))
				if err != nil {
					t.Fatal(err)
				}
				b, p, err := f.render(h, m, side, base, rand.New(rand.NewPCG(3, uint64(k))))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(a.Pix, b.Pix) {
					t.Errorf("%s %s: base differs from Render", m, side)
				}
				if d := layout.For(m, side); !slices.Equal(d.Fields, p.design.Fields) || d.Photo != p.design.Photo {
					t.Errorf("%s %s: base's regions are not the layout's", m, side)
				}
			}
		}
	}
}

// inkMask marks the dark pixels (printed text) of r.
func inkMask(img *image.RGBA, r image.Rectangle) []bool {
	var out []bool
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			out = append(out, luma(img.RGBAAt(x, y)) < 110)
		}
	}
	return out
}

// TestFamiliesDiffer: where base prints the CURP, the other families print something
// else (or nothing) on most models: a reader cropping the layout's box does not read it.
func TestFamiliesDiffer(t *testing.T) {
	f := loadFonts(t)
	h := holders(3, 1)[0]
	base, _ := FamilyByName("")
	for _, fam := range allFamilies()[1:] {
		differ := 0
		for _, m := range layout.Models() {
			h := h.as(m, rand.New(rand.NewPCG(1, 1)))
			reg, _ := layout.For(m, layout.Front).Region(layout.CURP)
			a, err := f.RenderFamily(h, m, layout.Front, base, rand.New(rand.NewPCG(5, 5)))
			if err != nil {
				t.Fatal(err)
			}
			b, err := f.RenderFamily(h, m, layout.Front, fam, rand.New(rand.NewPCG(5, 5)))
			if err != nil {
				t.Fatal(err)
			}
			ma, mb := inkMask(a, reg.Box), inkMask(b, reg.Box)
			both, either := 0, 0
			for i := range ma {
				if ma[i] && mb[i] {
					both++
				}
				if ma[i] || mb[i] {
					either++
				}
			}
			iou := float64(both) / float64(max(either, 1))
			t.Logf("%s %s: ink overlap with base's CURP %.2f", fam.Name, m, iou)
			if iou < 0.3 {
				differ++
			}
		}
		if differ < 5 {
			t.Errorf("%s: prints like base where base prints the CURP on %d of 6 models", fam.Name, 6-differ)
		}
	}
}

// TestHeldOutUnlike: the held-out family shares no typeface, label wording, background,
// header or arrangement with a tuned family, and puts the fields elsewhere.
func TestHeldOutUnlike(t *testing.T) {
	f := loadFonts(t)
	ho := HeldOut()
	h := holders(4, 1)[0]
	words := func(fam Family) map[string]bool {
		out := map[string]bool{}
		for _, side := range sides {
			for _, m := range layout.Models() {
				for _, r := range layout.For(m, side).Fields {
					if fam.st == nil {
						out[r.Label] = r.Label != ""
					} else if l := labelText(fam.st.words, r.Field); l != "" {
						out[l] = true
					}
				}
			}
		}
		return out
	}
	hw := words(ho)
	for _, fam := range Families() {
		st := fam.st
		if st == nil {
			st = &style{label: dejavuBold, value: dejavu, title: dejavuBold, ground: groundSine}
		} else if st.back == ho.st.back {
			t.Errorf("%s: the held-out back style", fam.Name)
		}
		for _, tf := range []typeface{st.label, st.value} {
			if tf == ho.st.label || tf == ho.st.value {
				t.Errorf("%s: shares typeface %d with held-out", fam.Name, tf)
			}
		}
		if st.ground == ho.st.ground || st.words == ho.st.words || st.mode == ho.st.mode && fam.st != nil {
			t.Errorf("%s: shares ground, wording or label placement with held-out", fam.Name)
		}
		for w := range words(fam) {
			if hw[w] {
				t.Errorf("%s: shares the label %q with held-out", fam.Name, w)
			}
		}
		// The fields' boxes, on average, are far apart.
		for _, side := range sides {
			var dist float64
			n := 0
			for _, m := range layout.Models() {
				h := h.as(m, rand.New(rand.NewPCG(1, 1)))
				a, err := planOnly(f, h, m, side, fam, rand.New(rand.NewPCG(6, 6)))
				if err != nil {
					t.Fatal(err)
				}
				b, err := planOnly(f, h, m, side, ho, rand.New(rand.NewPCG(6, 6)))
				if err != nil {
					t.Fatal(err)
				}
				for _, ra := range a.design.Fields {
					rb, _ := b.design.Region(ra.Field)
					ca, cb := centre(ra.Box), centre(rb.Box)
					dist += math.Hypot(ca[0]-cb[0], ca[1]-cb[1])
					n++
				}
			}
			if dist/float64(n) < 90 {
				t.Errorf("%s %s: fields %.0f px from held-out's on average", fam.Name, side, dist/float64(n))
			}
		}
	}
}

func centre(r image.Rectangle) [2]float64 {
	return [2]float64{float64(r.Min.X+r.Max.X) / 2, float64(r.Min.Y+r.Max.Y) / 2}
}

// TestFamiliesLegible: dark ink on light paper and tint, and tesseract reads the CURP
// of every family and model from a crop around where the family printed it.
func TestFamiliesLegible(t *testing.T) {
	f := loadFonts(t)
	cl := gosseract.NewClient()
	defer cl.Close()
	if err := cl.SetLanguage("spa"); err != nil {
		t.Skip(err)
	}
	cl.SetPageSegMode(gosseract.PSM_SINGLE_LINE)
	cl.SetWhitelist("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
	hs := holders(5, 6)
	for _, fam := range allFamilies() {
		t.Run(fam.Name, func(t *testing.T) {
			exact := 0
			for i, m := range layout.Models() {
				h := hs[i].as(m, rand.New(rand.NewPCG(2, 2)))
				img, p, err := f.render(h, m, layout.Front, fam, rand.New(rand.NewPCG(7, uint64(i))))
				if err != nil {
					t.Fatal(err)
				}
				if luma(p.ink) > 70 || luma(p.paper) < 225 || luma(p.design.Tint) < 170 || luma(p.design.Accent) > 120 {
					t.Errorf("%s: ink %v, paper %v, tint %v, accent %v: not legible", m, p.ink, p.paper, p.design.Tint, p.design.Accent)
				}
				var it item
				for _, x := range p.items {
					if x.reg.Field == layout.CURP {
						it = x
					}
				}
				if it.label.s != "" && luma(it.label.c) > 130 {
					t.Errorf("%s: label colour %v too light", m, it.label.c)
				}
				box := it.ink.Inset(-4)
				if fam.st == nil {
					box = it.reg.Box
				}
				var buf bytes.Buffer
				if err := png.Encode(&buf, pad(img, box)); err != nil {
					t.Fatal(err)
				}
				if err := cl.SetImageFromBytes(buf.Bytes()); err != nil {
					t.Fatal(err)
				}
				got, err := cl.Text()
				if err != nil {
					t.Fatal(err)
				}
				got = curpShape(strings.Join(strings.Fields(got), ""), h.Birth.Year() < 2000)
				if got == h.CURP {
					exact++
				} else if distance(got, h.CURP) > 1 {
					t.Errorf("%s: read %q, printed %q", m, got, h.CURP)
				} else {
					t.Logf("%s: read %q, printed %q", m, got, h.CURP)
				}
			}
			// Tesseract drops or doubles a thin I or 0 now and then, on base too.
			if exact < 4 {
				t.Errorf("%d of 6 read exactly", exact)
			}
		})
	}
}

// pad crops r with a margin of paper around it, as tesseract likes.
func pad(img *image.RGBA, r image.Rectangle) *image.RGBA {
	const m = 12
	out := image.NewRGBA(image.Rect(0, 0, r.Dx()+2*m, r.Dy()+2*m))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(out, image.Rect(m, m, m+r.Dx(), m+r.Dy()), img, r.Min, draw.Src)
	return out
}

// curpShape settles what no font can: I or 1, O or 0 and the like, by where the CURP
// allows letters or digits, as the reader does (position 17 is a digit for births
// before 2000).
func curpShape(s string, before2000 bool) string {
	if len(s) != 18 {
		return s
	}
	toL := strings.NewReplacer("1", "I", "0", "O", "5", "S", "8", "B", "2", "Z", "6", "G")
	toD := strings.NewReplacer("I", "1", "O", "0", "S", "5", "B", "8", "Z", "2", "G", "6", "T", "7")
	var b strings.Builder
	for i := range 18 {
		c := s[i : i+1]
		switch {
		case i < 4 || (i >= 11 && i < 16) || (i == 16 && !before2000):
			c = toL.Replace(c)
		case (i >= 4 && i < 10) || i == 17 || i == 16:
			c = toD.Replace(c)
		}
		b.WriteString(c)
	}
	return b.String()
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev = cur
	}
	return prev[len(b)]
}

// TestContactSheet draws one front and back per family, each model in turn, with the
// family's name; -cardgen.families=PATH writes it to look at.
func TestContactSheet(t *testing.T) {
	f := loadFonts(t)
	fams := allFamilies()
	const cw, ch, gap, title = layout.Width / 2, layout.Height / 2, 10, 18
	sheet := image.NewRGBA(image.Rect(0, 0, 2*cw+3*gap, len(fams)*(ch+title+gap)+gap))
	draw.Draw(sheet, sheet.Bounds(), image.NewUniform(color.RGBA{90, 90, 90, 255}), image.Point{}, draw.Src)
	hs := holders(8, len(fams))
	for i, fam := range fams {
		m := layout.Models()[(i+2)%6]
		h := hs[i].as(m, rand.New(rand.NewPCG(1, 1)))
		y := gap + i*(ch+title+gap)
		text(sheet, basicfont.Face7x13, image.White, gap, y+13, fam.Name+" / model "+string(m))
		for j, side := range sides {
			img, err := f.RenderFamily(h, m, side, fam, rand.New(rand.NewPCG(9, uint64(i))))
			if err != nil {
				t.Fatal(err)
			}
			half(sheet, img, image.Pt(gap+j*(cw+gap), y+title))
		}
	}
	if *sheetOut != "" {
		if err := writePNG(*sheetOut, sheet); err != nil {
			t.Fatal(err)
		}
	}
}

// half draws img at half size at p, each pixel the mean of four.
func half(dst, img *image.RGBA, p image.Point) {
	for y := range img.Bounds().Dy() / 2 {
		for x := range img.Bounds().Dx() / 2 {
			var s [3]int
			for _, d := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				c := img.RGBAAt(2*x+d[0], 2*y+d[1])
				s[0], s[1], s[2] = s[0]+int(c.R), s[1]+int(c.G), s[2]+int(c.B)
			}
			dst.SetRGBA(p.X+x, p.Y+y, color.RGBA{uint8(s[0] / 4), uint8(s[1] / 4), uint8(s[2] / 4), 255})
		}
	}
}

// TestGenerateFamilies: a mixed set cycles the families so that each model meets each,
// is deterministic, and keeps the truth; unknown names fail.
func TestGenerateFamilies(t *testing.T) {
	f := loadFonts(t)
	run := func(s Set) ([]Card, [][32]byte) {
		var cards []Card
		var sums [][32]byte
		if err := f.Generate(context.Background(), s, func(c Card) bool {
			cards = append(cards, c)
			sums = append(sums, sha256.Sum256(append(c.Front.Pix, c.Back.Pix...)))
			return true
		}); err != nil {
			t.Fatal(err)
		}
		return cards, sums
	}
	set := Set{Count: 6, Seed: 3, Models: layout.Models()[:3], Family: MixedFamilies}
	cards, a := run(set)
	set.Count = 2 // card k depends on k alone
	if _, b := run(set); !slices.Equal(a[:2], b) {
		t.Error("mixed set not deterministic")
	}
	n := len(Families())
	for k, c := range cards {
		if want := Families()[(k/3+k%3)%n].Name; c.Family != want {
			t.Errorf("card %d in %q, want %q", k, c.Family, want)
		}
		if err := c.Truth.Validate(); err != nil {
			t.Errorf("card %d: %v", k, err)
		}
	}
	held, _ := run(Set{Count: 1, Seed: 3, Family: "heldout"})
	for _, c := range held {
		if c.Family != "heldout" {
			t.Errorf("card %s in %q", c.Name, c.Family)
		}
	}
	if err := f.Generate(context.Background(), Set{Count: 1, Family: "nope"}, func(Card) bool { return true }); err == nil {
		t.Error("unknown family accepted")
	}
}
