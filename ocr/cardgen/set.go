package cardgen

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"

	"cotejo/ocr/geom"
	"cotejo/ocr/layout"
	"cotejo/verify/credential"
	"cotejo/verify/credential/synthetic"
)

// Card is one generated credential: both sides photographed, and the truth.
type Card struct {
	Name        string
	Family      string   // the layout family it is printed in
	Zone        []string // the machine-readable zone's three lines as printed; nil on model C
	Front, Back *image.RGBA
	Truth       credential.Credential
	// Corners are where the card's printed corners landed in each photo.
	FrontCorners, BackCorners [4]geom.Point
}

// Set describes a set of cards: card k shows citizen k/len(Models) in model
// Models[k%len(Models)]; the given citizens come first, then invented ones.
type Set struct {
	Count    int
	Level    int
	Seed     uint64
	Models   []credential.Model // nil: each citizen in their own model
	Citizens []synthetic.Citizen
	// Family names the layout family the cards are printed in ("": base). MixedFamilies
	// prints citizen i's card in model slot j in Families()[(i+j)%n], so that every model
	// meets every family.
	Family string
	// Scene is how each side is photographed: what it lies on, how it is framed and
	// turned (the zero Scene: Photograph's plain desk).
	Scene Scene
}

// Generate makes the set's cards in order, calling yield for each; it stops at the
// first error or when yield returns false or ctx ends. Cards are deterministic for the
// set's fields.
func (f *Fonts) Generate(ctx context.Context, s Set, yield func(Card) bool) error {
	lv, err := LevelOf(s.Level)
	if err != nil {
		return err
	}
	per := max(len(s.Models), 1)
	fams := Families()
	if s.Family != MixedFamilies {
		fam, err := FamilyByName(s.Family)
		if err != nil {
			return err
		}
		fams = []Family{fam}
	}
	gen := synthetic.NewGenerator(s.Seed, 0x636172)
	var holder Holder
	for k := range s.Count {
		if err := ctx.Err(); err != nil {
			return err
		}
		i, model := k/per, credential.Model("")
		if s.Models != nil {
			model = s.Models[k%per]
		}
		if k%per == 0 {
			var c synthetic.Citizen
			if i < len(s.Citizens) {
				c = s.Citizens[i]
			} else {
				m := model
				if m == "" {
					m = layout.Models()[i%6]
				}
				c = gen.Citizen(m, synthetic.Options{})
			}
			holder = NewHolder(c, rand.New(rand.NewPCG(s.Seed, uint64(i))))
		}
		if model == "" {
			model = holder.Modelo
		}
		h := holder.as(model, rand.New(rand.NewPCG(s.Seed^0x5eed, uint64(k))))
		rnd := rand.New(rand.NewPCG(s.Seed, uint64(k)<<8|uint64(s.Level)))
		fam := fams[(i+k%per)%len(fams)]
		card := Card{Name: fmt.Sprintf("%04d", k+1), Family: fam.Name, Truth: h.Truth()}
		if model.HasCIC() {
			z, err := h.MRZ()
			if err != nil {
				return err
			}
			card.Zone = z[:]
		}
		for _, dst := range []struct {
			side    layout.Side
			img     **image.RGBA
			corners *[4]geom.Point
		}{{layout.Front, &card.Front, &card.FrontCorners}, {layout.Back, &card.Back, &card.BackCorners}} {
			flat, err := f.RenderFamily(h, model, dst.side, fam, rnd)
			if err != nil {
				return err
			}
			if *dst.img, *dst.corners, err = PhotographScene(flat, lv, s.Scene, rnd); err != nil {
				return err
			}
		}
		if !yield(card) {
			return nil
		}
	}
	return nil
}

// as adapts the holder's card to model m: model C has no CIC; the others need one, and
// the years of issue must fit the model.
func (h Holder) as(m credential.Model, rnd *rand.Rand) Holder {
	if h.Modelo == m {
		return h
	}
	h.Modelo = m
	if !m.HasCIC() {
		h.CIC = ""
	} else if h.CIC == "" {
		h.CIC = fmt.Sprintf("%09d", 100_000_000+rnd.IntN(900_000_000))
	}
	if len(h.QRDigits) == 24 {
		h.QRDigits = h.QRDigits[:15] + h.CIC
	} else {
		h.QRDigits = fmt.Sprintf("%015d", rnd.Uint64()%1_000_000_000_000_000) + h.CIC
	}
	year := synthetic.EmisionYear(m, rnd)
	h.AnioEmision = fmt.Sprint(year)
	h.Vigencia = fmt.Sprint(year + 10)
	reg := 0
	fmt.Sscan(h.AnioRegistro, &reg)
	if reg > year {
		h.AnioRegistro = fmt.Sprint(max(year, h.Birth.Year()+18))
	}
	return h
}

// Write saves a card as NAME-front.png, NAME-back.png and NAME.json (the truth) in dir.
func (c Card) Write(dir string) error {
	for name, img := range map[string]*image.RGBA{c.Name + "-front.png": c.Front, c.Name + "-back.png": c.Back} {
		if err := writePNG(filepath.Join(dir, name), img); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(c.Truth, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, c.Name+".json"), append(b, '\n'), 0o644)
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("cardgen: %s: %w", path, err)
	}
	return f.Close()
}
