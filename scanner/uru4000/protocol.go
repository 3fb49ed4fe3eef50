package uru4000

import (
	"context"
	"crypto/aes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"time"
)

// The reader is driven through registers, read and written with vendor control
// requests (request 4, value = register). What each one does was found by reverse
// engineering (libfprint's uru4000 driver is the reference); names here are ours.
const (
	vendorRequest = 0x04

	regHWStat      = 0x07   // power state, see powerUp
	regScrambleIdx = 0x33   // write: key number, then a 32-bit seed (little-endian)
	regScrambleKey = 0x34   // read: that key, XORed with the seed
	regMode        = 0x4e   // what the reader does next, one of the mode constants
	regDeviceInfo  = 0xf0   // 16 bytes of hardware and firmware versions
	regResponse    = 0x2000 // challenge-response (Microsoft v2): the answer, 16 bytes
	regChallenge   = 0x2010 // the question, 16 bytes
)

// Modes written to regMode.
const (
	modeAwaitFingerOn  = 0x10
	modeAwaitFingerOff = 0x12
	modeCapture        = 0x20
	modeOff            = 0x70
)

// Interrupt messages: the first two bytes (big-endian) of each 64-byte interrupt transfer.
const (
	irqScanPowerOn = 0x56aa // the sensor is powered and ready
	irqFingerOn    = 0x0101
	irqFingerOff   = 0x0200
)

// hwstat bits.
const (
	hwLowPower = 0x80 // the sensor is off
	hwConfused = 0x04 // with hwLowPower: the reader needs its power cycled
	hwRebooted = 0x01 // after a power cycle: it is back
)

// The image the reader sends on its bulk endpoint: a 64-byte header, then up to 290
// lines of 384 pixels, in blocks the header describes.
const (
	width, height = 384, 290
	headerLen     = 64
	frameLen      = headerLen + width*height
	numBlocks     = 15
)

// Block flags.
const (
	blockChangeKey   = 0x80 // ask for the next key before this block
	blockNoKeyUpdate = 0x04 // the key does not advance over this block
	blockScrambled   = 0x02
	blockRepeat      = 0x01 // no lines of its own: repeat the lines that come next
)

// crKey is the AES-128 key the Microsoft v2 reader expects its challenges encrypted with.
var crKey = [16]byte{
	0x79, 0xac, 0x91, 0x79, 0x5c, 0xa1, 0x47, 0x8e,
	0x98, 0xe0, 0x0f, 0x3c, 0x59, 0x8f, 0x5f, 0x4b,
}

// registers is the reader's register file: the driver speaks to it through control
// transfers, the tests to a fake.
type registers interface {
	read(ctx context.Context, reg uint16, n int) ([]byte, error)
	write(ctx context.Context, reg uint16, data ...byte) error
}

func readReg(ctx context.Context, r registers, reg uint16) (byte, error) {
	b, err := r.read(ctx, reg, 1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// powerUp brings the sensor out of low power and waits for it to say it is ready
// (irqScanPowerOn on irqs, which the caller fills from the interrupt endpoint). The
// reader's firmware is fickle here: a confused reader must be power cycled first, the
// power bit may need writing many times (and, on the Microsoft v2, a challenge answered
// between tries), and the ready interrupt sometimes never comes, so the whole sequence is
// tried three times.
func powerUp(ctx context.Context, r registers, irqs <-chan uint16, challenge bool) error {
	const attempts = 3
	for attempt := 1; ; attempt++ {
		err := powerUpOnce(ctx, r, irqs, challenge)
		if !errors.Is(err, errNoPowerIRQ) || attempt == attempts {
			return err
		}
	}
}

var errNoPowerIRQ = errors.New("the reader did not say it was ready after power-up")

func powerUpOnce(ctx context.Context, r registers, irqs <-chan uint16, challenge bool) error {
	hw, err := readReg(ctx, r, regHWStat)
	if err != nil {
		return err
	}
	if hw&(hwLowPower|hwConfused) == hwLowPower|hwConfused {
		if hw, err = powerCycle(ctx, r, hw); err != nil {
			return err
		}
	}
	if hw&hwLowPower == 0 {
		// Power it down first: it only reports readiness when it comes back up.
		if err := r.write(ctx, regHWStat, hw|hwLowPower); err != nil {
			return err
		}
	}
	drain(irqs)
	on := hw & 0x0f
	for try := 1; ; try++ {
		if err := r.write(ctx, regHWStat, on); err != nil {
			return err
		}
		now, err := readReg(ctx, r, regHWStat)
		if err != nil {
			return err
		}
		if now&hwLowPower == 0 {
			break
		}
		if try == 100 {
			return fmt.Errorf("the reader stayed in low power (status %#02x)", now)
		}
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			return err
		}
		if challenge {
			if err := answerChallenge(ctx, r); err != nil {
				return err
			}
		}
	}
	t := time.NewTimer(300 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case irq, ok := <-irqs:
			if !ok {
				return errIRQStopped
			}
			if irq == irqScanPowerOn {
				return nil
			}
		case <-t.C:
			return errNoPowerIRQ
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// errIRQStopped is what a wait on the interrupt channel gets when it was closed because
// the interrupt endpoint failed; the Device says why.
var errIRQStopped = errors.New("the reader's interrupt endpoint stopped")

// powerCycle gets a reader out of the confused state (low power and bit 2 both set) that
// some leave themselves in after being powered off: clear the high bits, then wait for
// bit 0 to say it came back.
func powerCycle(ctx context.Context, r registers, hw byte) (byte, error) {
	if err := r.write(ctx, regHWStat, hw&0x0f); err != nil {
		return 0, err
	}
	for try := 1; ; try++ {
		now, err := readReg(ctx, r, regHWStat)
		if err != nil {
			return 0, err
		}
		if now&hwRebooted != 0 {
			return now, nil
		}
		if try == 100 {
			return 0, fmt.Errorf("the reader did not come back after its power was cycled (status %#02x)", now)
		}
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			return 0, err
		}
	}
}

// answerChallenge proves to a Microsoft v2 reader that the driver is one it trusts: it
// encrypts the reader's 16-byte challenge with a fixed AES-128 key (one block, ECB).
func answerChallenge(ctx context.Context, r registers) error {
	q, err := r.read(ctx, regChallenge, aes.BlockSize)
	if err != nil {
		return err
	}
	a, err := challengeResponse(q)
	if err != nil {
		return err
	}
	return r.write(ctx, regResponse, a...)
}

func challengeResponse(challenge []byte) ([]byte, error) {
	if len(challenge) != aes.BlockSize {
		return nil, fmt.Errorf("challenge of %d bytes, want %d", len(challenge), aes.BlockSize)
	}
	c, err := aes.NewCipher(crKey[:])
	if err != nil {
		return nil, err
	}
	out := make([]byte, aes.BlockSize)
	c.Encrypt(out, challenge)
	return out, nil
}

// drain empties ch of interrupts nobody is waiting for any more.
func drain(ch <-chan uint16) {
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		default:
			return
		}
	}
}

// frame is one image as the reader sent it.
type frame struct {
	lines  int // lines of pixels sent, at most height-1
	keyNum byte
	blocks [numBlocks]struct{ flags, lines byte }
	pix    []byte // width×height, lines past those sent are zero
}

var errBadFrame = errors.New("the reader sent a damaged image")

// parseFrame checks the n bytes the reader sent in buf and describes them.
func parseFrame(buf []byte) (*frame, error) {
	if len(buf) < headerLen {
		return nil, fmt.Errorf("%w: %d bytes", errBadFrame, len(buf))
	}
	f := &frame{lines: int(binary.LittleEndian.Uint16(buf[4:])), keyNum: buf[6]}
	if f.lines >= height || len(buf) < headerLen+f.lines*width {
		return nil, fmt.Errorf("%w: %d lines in %d bytes", errBadFrame, f.lines, len(buf))
	}
	for i := range f.blocks {
		f.blocks[i].flags, f.blocks[i].lines = buf[16+2*i], buf[17+2*i]
	}
	f.pix = make([]byte, width*height)
	copy(f.pix, buf[headerLen:])
	return f, nil
}

// scrambled tells a scrambled image from a plain one: the reader does not say, but
// scrambled pixels are noise, so two neighbouring lines differ far more than in any
// picture of skin. (The threshold is libfprint's, found by trying.)
func (f *frame) scrambled() bool {
	present := 0
	for _, b := range f.blocks {
		if b.flags&blockRepeat == 0 {
			present += int(b.lines)
		}
	}
	if present < 2 {
		return false
	}
	a, b := f.pix[:width], f.pix[width:2*width]
	sum := 0
	for i := range width {
		sum += int(a[i]) + int(b[i])
	}
	mean := sum / width
	dev := 0
	for i := range width {
		d := int(a[i]) + int(b[i]) - mean
		dev += d * d
	}
	return dev/width >= 5000
}

// keyFunc asks the reader for the key it scrambled with under key number n.
type keyFunc func(ctx context.Context, n byte) (uint32, error)

// readerKey returns the keyFunc of a reader: the driver sends a seed of its choosing
// with the key number and gets the key back XORed with that seed, so the key never
// crosses the wire in clear.
func readerKey(r registers, seed func() uint32) keyFunc {
	return func(ctx context.Context, n byte) (uint32, error) {
		s := seed()
		if err := r.write(ctx, regScrambleIdx, n, byte(s), byte(s>>8), byte(s>>16), byte(s>>24)); err != nil {
			return 0, err
		}
		k, err := r.read(ctx, regScrambleKey, 4)
		if err != nil {
			return 0, err
		}
		return binary.LittleEndian.Uint32(k) ^ s, nil
	}
}

// unscramble decodes, in place, the blocks the reader scrambled. The key runs through
// every pixel of the image, scrambled or not, unless a block says otherwise; a block
// may ask for a new key first.
func (f *frame) unscramble(ctx context.Context, key keyFunc) error {
	k, err := key(ctx, f.keyNum)
	if err != nil {
		return err
	}
	line := 0
	for _, b := range f.blocks {
		if line >= f.lines || b.lines == 0 {
			break
		}
		if b.flags&blockChangeKey != 0 {
			f.keyNum++
			if k, err = key(ctx, f.keyNum); err != nil {
				return err
			}
		}
		end := min(line+int(b.lines), height)
		switch b.flags & (blockNoKeyUpdate | blockScrambled) {
		case blockScrambled:
			k = descramble(f.pix[line*width:end*width], k)
		case 0:
			k = advance(k, (end-line)*width)
		}
		if b.flags&blockRepeat == 0 {
			line = end
		}
	}
	return nil
}

// The scrambling is a stream cipher: a 32-bit linear feedback shift register (taps
// 0x9248144d, new bit in at the top) gives one byte per pixel from eight of its bits.
// The reader also shifts the block by one byte, so pixel i is byte i+1 of what it sent,
// and the last pixel of a block is lost (zero).

func nextKey(k uint32) uint32 {
	return uint32(bits.OnesCount32(k&0x9248144d)&1)<<31 | k>>1
}

func advance(k uint32, n int) uint32 {
	for range n {
		k = nextKey(k)
	}
	return k
}

// keyByte is the byte the key XORs its pixel with: bits 4, 8, 11, 14, 18, 21, 24 and 29.
func keyByte(k uint32) byte {
	var b byte
	for i, bit := range [8]uint{4, 8, 11, 14, 18, 21, 24, 29} {
		b |= byte(k>>bit&1) << i
	}
	return b
}

func descramble(p []byte, k uint32) uint32 {
	if len(p) == 0 {
		return k
	}
	for i := range len(p) - 1 {
		p[i] = p[i+1] ^ keyByte(k)
		k = nextKey(k)
	}
	p[len(p)-1] = 0
	return nextKey(k)
}

// image lays the blocks out as the picture (repeated blocks repeat lines), turns it
// right side up and makes ridges dark: the reader sees them light.
func (f *frame) image(rotate bool) []byte {
	out := make([]byte, width*height)
	to, from := 0, 0
	for _, b := range f.blocks {
		if from >= f.lines || b.lines == 0 || to >= height {
			break
		}
		n := min(int(b.lines), height-to, height-from)
		copy(out[to*width:(to+n)*width], f.pix[from*width:(from+n)*width])
		if b.flags&blockRepeat == 0 {
			from += n
		}
		to += n
	}
	if rotate { // half a turn is the pixels in reverse order
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	for i, v := range out {
		out[i] = 255 - v
	}
	return out
}
