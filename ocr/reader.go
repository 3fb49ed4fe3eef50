// Package ocr reads a Credencial para Votar from photos of its two sides: it finds and
// straightens the card, tells its model, reads each field with tesseract, the
// machine-readable zone and the QR code, and reconciles them field by field into the
// credential record that verification needs, each field with a confidence and a source.
package ocr

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sync"

	"cotejo/ocr/layout"
	"cotejo/ocr/locate"
	"cotejo/verify/credential"
)

// Reader reads credentials. It is safe for concurrent use; its tesseract clients are
// pooled.
type Reader struct {
	pool *Pool
	cls  *locate.Classifier
}

// NewReader makes a reader with workers tesseract clients (one per core is right).
func NewReader(workers int) (*Reader, error) {
	cls, err := locate.NewClassifier()
	if err != nil {
		return nil, err
	}
	return &Reader{pool: NewPool(workers, "spa"), cls: cls}, nil
}

// Close releases the tesseract clients.
func (r *Reader) Close() error { return r.pool.Close() }

// Step is a stage of reading, for progress reports.
type Step int

const (
	StepLocate Step = iota // finding and straightening the card
	StepFields             // reading the fields
	StepDone
)

// Progress reports how far reading has gone: done of total fields read.
type Progress struct {
	Step        Step
	Done, Total int
}

// Problem is why an image could not be read, for the operator.
type Problem struct {
	Image  int // which image, from 0
	Reason Reason
	Err    error
}

// Reason classifies problems.
type Reason int

const (
	NotACard    Reason = iota // no credential found
	TooSmall                  // too small or too far
	UnknownCard               // a card, not a known model
	SameSide                  // two photos of the same side
)

func (e *Problem) Error() string { return e.Message("es") + " (" + e.Err.Error() + ")" }
func (e *Problem) Unwrap() error { return e.Err }

// Message is the problem in the operator's language ("es" or "en").
func (e *Problem) Message(lang string) string {
	m := map[Reason][2]string{
		NotACard:    {"No se encontró una credencial en la imagen %d. Coloque la credencial completa sobre un fondo oscuro.", "No credential found in image %d. Place the whole credential on a dark background."},
		TooSmall:    {"La credencial se ve muy pequeña en la imagen %d. Acérquela a la cámara.", "The credential is too small in image %d. Bring it closer to the camera."},
		UnknownCard: {"La imagen %d no parece una Credencial para Votar de un modelo conocido.", "Image %d does not look like a known model of Credencial para Votar."},
		SameSide:    {"Las dos imágenes muestran el mismo lado (%d). Capture el frente y el reverso.", "Both images show the same side (%d). Capture the front and the back."},
	}[e.Reason]
	if lang == "en" {
		return fmt.Sprintf(m[1], e.Image+1)
	}
	return fmt.Sprintf(m[0], e.Image+1)
}

// SideInfo is what was found in one image.
type SideInfo struct {
	Image   int
	Model   credential.Model
	Side    layout.Side
	Flipped bool    // the card lay upside down
	Whole   bool    // the image was the card itself
	Score   float64 // resemblance to the design
	card    *image.RGBA
}

// straighten finds, straightens and classifies the card in one image.
func (r *Reader) straighten(i int, img image.Image) (*SideInfo, error) {
	f, err := locate.Find(img)
	if err != nil {
		reason := NotACard
		if errors.Is(err, locate.ErrTooSmall) {
			reason = TooSmall
		}
		return nil, &Problem{Image: i, Reason: reason, Err: err}
	}
	flat, err := locate.Straighten(img, f, false)
	if err != nil {
		return nil, &Problem{Image: i, Reason: NotACard, Err: err}
	}
	m, err := r.cls.Classify(flat)
	if err != nil {
		return nil, &Problem{Image: i, Reason: UnknownCard, Err: err}
	}
	if m.Flipped {
		if flat, err = locate.Straighten(img, f, true); err != nil {
			return nil, &Problem{Image: i, Reason: NotACard, Err: err}
		}
	}
	return &SideInfo{Image: i, Model: m.Model, Side: m.Side, Flipped: m.Flipped, Whole: f.Whole, Score: m.Score, card: flat}, nil
}

// Read reads a credential from one or two photos (front and back, in either order).
// progress, if not nil, is called as work completes, from the reading goroutines but
// never concurrently.
func (r *Reader) Read(ctx context.Context, images []image.Image, progress func(Progress)) (*Result, error) {
	if len(images) == 0 || len(images) > 2 {
		return nil, fmt.Errorf("ocr: want one or two images, got %d", len(images))
	}
	report := func(p Progress) {
		if progress != nil {
			progress(p)
		}
	}
	report(Progress{Step: StepLocate})
	sides := make([]*SideInfo, len(images))
	errs := make([]error, len(images))
	var wg sync.WaitGroup
	for i, img := range images {
		wg.Go(func() { sides[i], errs[i] = r.straighten(i, img) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	res := &Result{}
	for _, s := range sides {
		if s.Side == layout.Front {
			if res.Front != nil {
				return nil, &Problem{Image: s.Image, Reason: SameSide, Err: errors.New("two fronts")}
			}
			res.Front = s
		} else {
			if res.Back != nil {
				return nil, &Problem{Image: s.Image, Reason: SameSide, Err: errors.New("two backs")}
			}
			res.Back = s
		}
	}
	raw, err := r.readFields(ctx, res, report)
	if err != nil {
		return nil, err
	}
	reconcile(res, raw)
	report(Progress{Step: StepDone})
	return res, nil
}
