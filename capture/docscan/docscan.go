// Package docscan takes a credential's image from a document scanner through SANE, the
// scanner interface every Linux distribution ships, by its standard front end
// (scanimage): the kiosk needs no driver of its own for the hundreds of models SANE knows.
package docscan

import (
	"bufio"
	"bytes"
	"context"
	"cotejo/ocr"
	"errors"
	"fmt"
	"image"
	_ "image/png" // scanimage --format=png
	"os/exec"
	"strconv"
	"strings"
)

// Scanner is one SANE device.
type Scanner struct {
	Device string // SANE's name, e.g. "genesys:libusb:001:004"
	Vendor string
	Model  string
}

// ErrUnavailable means SANE's front end is not installed (Debian package sane-utils).
var ErrUnavailable = errors.New("docscan: SANE is not installed (scanimage, Debian package sane-utils)")

// List returns the scanners SANE finds. It may take seconds while SANE probes the
// buses; ctx bounds it.
func List(ctx context.Context) ([]Scanner, error) {
	bin, err := exec.LookPath("scanimage")
	if err != nil {
		return nil, ErrUnavailable
	}
	out, err := exec.CommandContext(ctx, bin, "--formatted-device-list=%d\t%v\t%m%n").Output()
	if err != nil {
		return nil, fmt.Errorf("docscan: listing scanners: %w", err)
	}
	var list []Scanner
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) == 3 && f[0] != "" {
			list = append(list, Scanner{Device: f[0], Vendor: f[1], Model: f[2]})
		}
	}
	return list, nil
}

// Options of a scan.
type Options struct {
	DPI int // default 300: enough for the credential's small print
	// Extra are device options as scanimage takes them ("--test-picture", "Grid"), for
	// scanners that need one set.
	Extra []string
}

// Scan takes one colour image from the scanner. ctx cancels it (the scanner stops and
// returns its head).
func Scan(ctx context.Context, device string, o Options) (image.Image, error) {
	bin, err := exec.LookPath("scanimage")
	if err != nil {
		return nil, ErrUnavailable
	}
	if o.DPI == 0 {
		o.DPI = 300
	}
	args := append([]string{"--device-name=" + device, "--format=png", "--mode=Color", "--resolution=" + strconv.Itoa(o.DPI)}, o.Extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("docscan: scanning with %s: %w: %s", device, err, strings.TrimSpace(stderr.String()))
	}
	img, err := ocr.DecodePhoto(bytes.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("docscan: the scanner's image: %w", err)
	}
	return img, nil
}
