package ocr

import (
	"context"
	"fmt"
	"image"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/otiai10/gosseract/v2"
)

// Pool lends tesseract clients to one goroutine at a time: a client is not safe for
// concurrent use, and making one costs ~90 ms, so they are kept.
type Pool struct {
	lang string
	free chan *gosseract.Client
	mu   sync.Mutex
	all  []*gosseract.Client
	size int
}

// NewPool makes a pool of at most size clients for language lang ("spa").
func NewPool(size int, lang string) *Pool {
	defaultDataDir()
	size = max(size, 1)
	return &Pool{lang: lang, free: make(chan *gosseract.Client, size), size: size}
}

// get waits for a free client, making one while fewer than size exist.
func (p *Pool) get(ctx context.Context) (*gosseract.Client, error) {
	select {
	case c := <-p.free:
		return c, nil
	default:
	}
	p.mu.Lock()
	if len(p.all) < p.size {
		c := gosseract.NewClient()
		if err := c.SetLanguage(p.lang); err != nil {
			p.mu.Unlock()
			c.Close()
			return nil, err
		}
		p.all = append(p.all, c)
		p.mu.Unlock()
		// Loading the language takes a while: not under the lock.
		if err := initialise(c); err != nil {
			p.mu.Lock()
			p.all = slices.DeleteFunc(p.all, func(x *gosseract.Client) bool { return x == c })
			p.mu.Unlock()
			c.Close()
			return nil, err
		}
		return c, nil
	}
	p.mu.Unlock()
	select {
	case c := <-p.free:
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close releases every client; the pool must be idle.
func (p *Pool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var first error
	for _, c := range p.all {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	p.all = nil
	return first
}

// Line is one line of text tesseract read, with its confidence 0–1.
type Line struct {
	Text       string
	Confidence float64
}

// Recognise reads the text lines of a grey image with page segmentation mode psm and
// only the characters in whitelist (all when empty).
func (p *Pool) Recognise(ctx context.Context, img *image.Gray, psm gosseract.PageSegMode, whitelist string) ([]Line, error) {
	c, err := p.get(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { p.free <- c }()
	if err := c.SetImageFromBytes(bitmap(img)); err != nil {
		return nil, fmt.Errorf("ocr: tesseract image: %w", err)
	}
	if err := c.SetWhitelist(whitelist); err != nil {
		return nil, err
	}
	if err := c.SetPageSegMode(psm); err != nil {
		return nil, err
	}
	boxes, err := c.GetBoundingBoxes(gosseract.RIL_TEXTLINE)
	if err != nil {
		return nil, fmt.Errorf("ocr: tesseract: %w", err)
	}
	var out []Line
	for _, b := range boxes {
		t := strings.TrimSpace(b.Word)
		if t == "" {
			continue
		}
		out = append(out, Line{Text: t, Confidence: b.Confidence / 100})
	}
	return out, nil
}

// DataDirVar names tesseract's language data folder when set. Set but empty it is
// useless, and the Windows build then read nothing (under Wine: every field empty, or
// the process waited forever), while unset it looks for tessdata beside cotejo.exe.
const DataDirVar = "TESSDATA_PREFIX"

// defaultDataDir unsets an empty DataDirVar, so that tesseract uses its default folder.
// It runs before a pool's first client: no tesseract reads the environment yet.
func defaultDataDir() {
	if v, ok := os.LookupEnv(DataDirVar); ok && v == "" {
		unsetenv(DataDirVar)
	}
}

// ThreadLimitVar is the variable OpenMP reads once, when the process starts: tesseract
// links OpenMP, and on two cores its threads slow each read several times over.
const ThreadLimitVar = "OMP_THREAD_LIMIT"
