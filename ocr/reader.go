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

	"cotejo/ocr/labels"
	"cotejo/ocr/layout"
	"cotejo/ocr/locate"
	"cotejo/ocr/zone"
	"cotejo/verify/credential"
)

// Reader reads credentials. It is safe for concurrent use; its tesseract clients are
// pooled.
type Reader struct {
	pool   *Pool
	finder *locate.Finder
	cls    *locate.Classifier
}

// NewReader makes a reader with workers tesseract clients (one per core is right).
func NewReader(workers int) (*Reader, error) {
	finder, err := locate.NewFinder()
	if err != nil {
		return nil, err
	}
	cls, err := locate.NewClassifier()
	if err != nil {
		return nil, err
	}
	return &Reader{pool: NewPool(workers, "spa"), finder: finder, cls: cls}, nil
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
	UnknownCard               // a card, but neither its design nor its labels and zone were recognised
	SameSide                  // two photos of the same side
	NewDesign                 // a design not in the tables: fields read by their labels and zone
	NoBack                    // only the front: the zone's fields (CIC, OCR) are missing
	NoFront                   // only the back: the front's fields (CURP, clave) are missing
	ZoneFailed                // the zone was read but fails its check digits
	ZoneHidden                // the zone's lines' ends are hidden (a finger): only their starts were read
)

// String names the reason, for programs (JSON).
func (r Reason) String() string {
	names := [...]string{"notACard", "tooSmall", "unknownCard", "sameSide", "newDesign", "noBack", "noFront", "zoneFailed", "zoneHidden"}
	if int(r) < len(names) {
		return names[r]
	}
	return fmt.Sprintf("reason%d", int(r))
}

// FoundWord says how a field's place was found (ByLayout…), in the operator's language.
func FoundWord(by, lang string) string {
	w := map[string][2]string{
		ByLayout: {"posición del modelo", "model's layout"},
		ByLabel:  {"por su etiqueta", "by its label"},
		ByZone:   {"zona de lectura", "machine-readable zone"},
		ByShape:  {"por su forma", "by its shape"},
	}[by]
	if lang == "en" {
		return w[1]
	}
	return w[0]
}

func (e *Problem) Error() string { return e.Message("es") + " (" + e.Err.Error() + ")" }
func (e *Problem) Unwrap() error { return e.Err }

// Message is the problem in the operator's language ("es" or "en").
func (e *Problem) Message(lang string) string {
	m := map[Reason][2]string{
		NotACard:    {"No se encontró una credencial en la imagen %d. Coloque la credencial completa sobre un fondo oscuro.", "No credential found in image %d. Place the whole credential on a dark background."},
		TooSmall:    {"La credencial se ve muy pequeña en la imagen %d. Acérquela a la cámara.", "The credential is too small in image %d. Bring it closer to the camera."},
		UnknownCard: {"La imagen %d no parece una Credencial para Votar de un modelo conocido.", "Image %d does not look like a known model of Credencial para Votar."},
		SameSide:    {"Las dos imágenes muestran el mismo lado (%d). Capture el frente y el reverso.", "Both images show the same side (%d). Capture the front and the back."},
		NewDesign:   {"La imagen %d es de un diseño que no está en las tablas: los datos se leyeron por sus etiquetas. Revise el modelo y los campos marcados.", "Image %d has a design not in the tables: the data were read by their labels. Check the model and the marked fields."},
		NoBack:      {"Falta el reverso (imagen %d es el frente): capture el reverso para leer el CIC y el OCR.", "The back is missing (image %d is the front): capture the back to read the CIC and OCR."},
		NoFront:     {"Falta el frente (imagen %d es el reverso): capture el frente para leer la CURP y la clave de elector.", "The front is missing (image %d is the back): capture the front to read the CURP and the clave de elector."},
		ZoneFailed:  {"La zona de lectura del reverso (imagen %d) no pasa sus dígitos verificadores: revise los campos marcados o capture otra foto.", "The back's machine-readable zone (image %d) fails its check digits: check the marked fields or take another photo."},
		ZoneHidden:  {"Algo tapa el final de la zona de lectura del reverso (imagen %d): se leyó solo lo visible. Retire el dedo de la credencial y capture otra foto, o revise los campos marcados.", "Something covers the end of the back's machine-readable zone (image %d): only what shows was read. Take your finger off the credential and take another photo, or check the marked fields."},
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
	// Known: the design is one of the tables' (the model and side as Classify said);
	// otherwise they come from the card's content.
	Known bool
	// nearest is the design the side resembles most, however little: among models
	// that fit the content equally, a tie-break, never a sure answer.
	nearest credential.Model
	card    *image.RGBA
	img     image.Image
	found   locate.Found
	zone    *zone.Band     // the machine-readable zone, found by its look
	ocrReg  *layout.Region // model C's OCR line, found by its look
	words   []labels.Word  // the page's words, when read
	labels  []labels.Value // the labels among them
	by      map[layout.Field]string
}

// Read reads a credential from one or two photos (front and back, in either order).
// It reads whatever it can: a side that is missing, unreadable or of an unknown design
// leaves the fields it carries empty or flagged, and Result.Problems says why. The error
// is only for a wrong number of images or an ended ctx. progress, if not nil, is called
// as work completes, from the reading goroutines but never concurrently.
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
		wg.Go(func() { sides[i], errs[i] = r.look(ctx, i, img) })
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &Result{}
	for i, err := range errs {
		var p *Problem
		switch {
		case err == nil:
		case errors.As(err, &p):
			res.Problems = append(res.Problems, p)
		default:
			res.Problems = append(res.Problems, &Problem{Image: i, Reason: NotACard, Err: err})
		}
	}
	if a, b := sides[0], sides[len(sides)-1]; a != b && a != nil && b != nil && a.Side != b.Side && a.Known && b.Known && a.Model != b.Model {
		// One printer printed a card's two sides: a front and a back whose designs
		// resemble two models are neither. (Two of one side are two cards, said apart.)
		a.Known, b.Known = false, false
	}
	for _, s := range sides {
		if s == nil {
			continue
		}
		if !s.Known {
			res.Problems = append(res.Problems, &Problem{Image: s.Image, Reason: NewDesign, Err: errors.New("design not recognised")})
		}
		slot := &res.Front
		if s.Side == layout.Back {
			slot = &res.Back
		}
		if *slot != nil {
			// Two of one side: keep the one whose design was recognised, or the first.
			res.Problems = append(res.Problems, &Problem{Image: s.Image, Reason: SameSide, Err: fmt.Errorf("two %ss", s.Side)})
			if (*slot).Known || !s.Known {
				continue
			}
		}
		*slot = s
	}
	switch {
	case res.Front != nil && res.Back == nil && len(images) == 1:
		res.Problems = append(res.Problems, &Problem{Image: res.Front.Image, Reason: NoBack, Err: errors.New("front only")})
	case res.Back != nil && res.Front == nil && len(images) == 1:
		res.Problems = append(res.Problems, &Problem{Image: res.Back.Image, Reason: NoFront, Err: errors.New("back only")})
	}
	raw, err := r.readFields(ctx, res, report)
	if err != nil {
		return nil, err
	}
	reconcile(res, raw)
	switch z := res.Zone; {
	case res.Back == nil || !res.Model.HasCIC():
	case z != nil && z.Partial:
		res.Problems = append(res.Problems, &Problem{Image: res.Back.Image, Reason: ZoneHidden, Err: errors.Join(errors.New("zone partly hidden"), res.ZoneErr)})
	case z == nil || !z.Checks.AllValid():
		res.Problems = append(res.Problems, &Problem{Image: res.Back.Image, Reason: ZoneFailed, Err: errors.Join(errors.New("zone fails its check digits"), res.ZoneErr)})
	}
	report(Progress{Step: StepDone})
	return res, nil
}
