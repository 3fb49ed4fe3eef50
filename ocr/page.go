package ocr

import (
	"context"
	"fmt"
	"image"
	"slices"
	"strings"

	"github.com/otiai10/gosseract/v2"

	"cotejo/ocr/labels"
	"cotejo/ocr/layout"
)

// PageImage returns a straightened card as grey for reading its layout: cropGrey's
// luminance, not its brightest channel, which fades the coloured labels with the
// guilloche (on photographed cards up to a third of the labels were lost), and its
// white margin. Its bounds are offset so that its coordinates are the card's: Words's
// boxes can be cropped from the card as they are.
func PageImage(card *image.RGBA) *image.Gray {
	g := cropGrey(card, layout.Region{Box: card.Bounds(), Lines: 2}, false, true)
	flatten(g)
	// cropGrey pads the box (clipped to the card) and adds a margin of known width.
	const margin = 16
	g.Rect = g.Rect.Sub(image.Pt(margin, margin).Sub(card.Bounds().Min))
	return g
}

// Words reads every word of a page, with its box in img's coordinates, for
// labels.Find. It uses tesseract's sparse-text layout (PSM 11), which finds words
// wherever they stand; automatic segmentation (PSM 3) takes columns of labels and
// values for paragraphs and lost up to half the labels of some photographed cards.
func (p *Pool) Words(ctx context.Context, img *image.Gray) ([]labels.Word, error) {
	c, err := p.get(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { p.free <- c }()
	if err := c.SetImageFromBytes(bitmap(img)); err != nil {
		return nil, fmt.Errorf("ocr: tesseract image: %w", err)
	}
	// Another read may have left a whitelist on the client.
	if err := c.SetWhitelist(""); err != nil {
		return nil, err
	}
	if err := c.SetPageSegMode(gosseract.PSM_SPARSE_TEXT); err != nil {
		return nil, err
	}
	// The page is the straightened card, at 300 dpi; told so, tesseract does not
	// estimate (and print) its resolution. 0, tesseract's default, restores estimating
	// for the client's other reads.
	if err := c.SetVariable("user_defined_dpi", "300"); err != nil {
		return nil, err
	}
	defer c.SetVariable("user_defined_dpi", "0")
	// The verbose boxes are words with their block, paragraph and line numbers.
	boxes, err := c.GetBoundingBoxesVerbose()
	if err != nil {
		return nil, fmt.Errorf("ocr: tesseract: %w", err)
	}
	off := img.Bounds().Min
	out := make([]labels.Word, 0, len(boxes))
	for _, b := range boxes {
		t := strings.TrimSpace(b.Word)
		if t == "" {
			continue
		}
		out = append(out, labels.Word{Text: t, Box: b.Box.Add(off), Conf: b.Confidence / 100, Block: b.BlockNum, Par: b.ParNum, Line: b.LineNum})
	}
	return out, nil
}

// initialise initialises tesseract on a new client by reading a tiny blank image:
// tesseract forgets a page segmentation mode set before its first initialisation, so a
// new client's first read would otherwise run in the default single-block mode.
func initialise(c *gosseract.Client) error {
	blank := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	if err := c.SetImageFromBytes(bitmap(blank)); err != nil {
		return fmt.Errorf("ocr: tesseract image: %w", err)
	}
	if _, err := c.Text(); err != nil {
		return fmt.Errorf("ocr: tesseract: %w", err)
	}
	return nil
}

// flatten divides out the paper's brightness, estimated block by block, so that glare
// and uneven light leave text as dark against as even a page as elsewhere: tesseract's
// page layout loses whole lines under a glare spot otherwise.
func flatten(g *image.Gray) {
	const block = 32
	w, h := g.Rect.Dx(), g.Rect.Dy()
	bw, bh := (w+block-1)/block, (h+block-1)/block
	paper := make([]float64, bw*bh)
	var hist [256]int
	for by := range bh {
		for bx := range bw {
			hist = [256]int{}
			n := 0
			for y := by * block; y < min(h, (by+1)*block); y++ {
				for x := bx * block; x < min(w, (bx+1)*block); x++ {
					hist[g.Pix[y*g.Stride+x]]++
					n++
				}
			}
			// The paper is the bright end of the block: its 90th percentile.
			acc, v := 0, 255
			for ; v > 0; v-- {
				acc += hist[v]
				if acc*10 >= n {
					break
				}
			}
			paper[by*bw+bx] = float64(max(v, 40))
		}
	}
	// Only shading is divided out: a block darker than most (the photo, the header
	// band, a dense value) keeps its contrast.
	sorted := slices.Clone(paper)
	slices.Sort(sorted)
	floor := 0.8 * sorted[len(sorted)/2]
	for i, v := range paper {
		paper[i] = max(v, floor)
	}
	at := func(x, y int) float64 {
		// Bilinear between block centres.
		fx, fy := (float64(x)+0.5)/block-0.5, (float64(y)+0.5)/block-0.5
		x0, y0 := max(0, min(bw-1, int(fx))), max(0, min(bh-1, int(fy)))
		x1, y1 := min(bw-1, x0+1), min(bh-1, y0+1)
		ax, ay := max(0, min(1, fx-float64(x0))), max(0, min(1, fy-float64(y0)))
		return paper[y0*bw+x0]*(1-ax)*(1-ay) + paper[y0*bw+x1]*ax*(1-ay) + paper[y1*bw+x0]*(1-ax)*ay + paper[y1*bw+x1]*ax*ay
	}
	for y := range h {
		for x := range w {
			i := y*g.Stride + x
			g.Pix[i] = uint8(min(255, float64(g.Pix[i])*255/at(x, y)))
		}
	}
}
