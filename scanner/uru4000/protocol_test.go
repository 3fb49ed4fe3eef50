package uru4000

import (
	"bytes"
	"context"
	"crypto/aes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/gousb"
	"go.uber.org/goleak"

	"cotejo/scanner"
	"cotejo/scanner/usb"
)

// No test may leave a goroutine behind: the driver's interrupt reader, gousb's event
// loop and its transfers must all end with Close.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The key register as its shift-and-XOR description reads: the new top bit is the
// parity of the tapped bits.
func refNextKey(k uint32) uint32 {
	var parity uint32
	for i := range 32 {
		if 0x9248144d>>i&1 == 1 {
			parity ^= k >> i & 1
		}
	}
	return parity<<31 | k>>1
}

func TestNextKey(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		k := r.Uint32()
		if got, want := nextKey(k), refNextKey(k); got != want {
			t.Fatalf("nextKey(%#x) = %#x, want %#x", k, got, want)
		}
	}
	for bit, want := range map[uint]byte{4: 0x01, 8: 0x02, 11: 0x04, 14: 0x08, 18: 0x10, 21: 0x20, 24: 0x40, 29: 0x80, 0: 0, 31: 0} {
		if got := keyByte(1 << bit); got != want {
			t.Errorf("keyByte(bit %d) = %#x, want %#x", bit, got, want)
		}
	}
}

// scramble is what the reader does to a block, as the decoding implies: byte i+1 sent
// is pixel i XOR the key's byte, and the key steps once per pixel.
func scramble(plain []byte, k uint32) ([]byte, uint32) {
	sent := make([]byte, len(plain))
	sent[0] = 0x5a // not a pixel
	for i := 0; i < len(plain)-1; i++ {
		sent[i+1] = plain[i] ^ keyByte(k)
		k = refNextKey(k)
	}
	return sent, refNextKey(k)
}

// TestUnscramble checks the block bookkeeping: the key runs over plain blocks, stands
// still over no-update blocks, is replaced where a block asks, and repeated blocks take
// no lines of their own.
func TestUnscramble(t *testing.T) {
	type blk struct{ flags, lines byte }
	blocks := []blk{
		{blockScrambled, 10},
		{0, 5},                                 // plain, the key runs on
		{blockRepeat, 3},                       // no lines of its own
		{blockNoKeyUpdate, 4},                  // plain, the key stands still
		{blockScrambled, 7},                    //
		{blockChangeKey | blockScrambled, 6},   // new key first
		{blockScrambled | blockNoKeyUpdate, 2}, // neither decoded nor keyed
		{0, 0},                                 // end
	}
	keys := map[byte]uint32{3: 0xdeadbeef, 4: 0x12345678}
	r := rand.New(rand.NewPCG(3, 4))
	plain := make([]byte, width*height)
	for i := range plain {
		plain[i] = byte(r.IntN(256))
	}
	buf := make([]byte, headerLen+width*height)
	lines := 0
	k := keys[3]
	want := bytes.Clone(plain)
	for i, b := range blocks {
		buf[16+2*i], buf[17+2*i] = b.flags, b.lines
		if b.lines == 0 {
			break
		}
		if b.flags&blockChangeKey != 0 {
			k = keys[4]
		}
		seg := plain[lines*width : (lines+int(b.lines))*width]
		out := buf[headerLen+lines*width : headerLen+(lines+int(b.lines))*width]
		switch b.flags & (blockScrambled | blockNoKeyUpdate) {
		case blockScrambled:
			var sent []byte
			sent, k = scramble(seg, k)
			copy(out, sent)
			want[(lines+int(b.lines))*width-1] = 0 // lost in the shift
		case 0:
			copy(out, seg)
			k = advance(k, len(seg))
		default:
			copy(out, seg)
		}
		if b.flags&blockRepeat == 0 {
			lines += int(b.lines)
		}
	}
	buf[4], buf[5], buf[6] = byte(lines), 0, 3
	buf = buf[:headerLen+lines*width]

	f, err := parseFrame(buf)
	if err != nil {
		t.Fatal(err)
	}
	var asked []byte
	err = f.unscramble(context.Background(), func(_ context.Context, n byte) (uint32, error) {
		asked = append(asked, n)
		return keys[n], nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(asked, []byte{3, 4}) {
		t.Errorf("keys asked for %v, want [3 4]", asked)
	}
	if !bytes.Equal(f.pix[:lines*width], want[:lines*width]) {
		for i := range lines * width {
			if f.pix[i] != want[i] {
				t.Fatalf("pixel %d (line %d) is %#x, want %#x", i, i/width, f.pix[i], want[i])
			}
		}
	}
}

func TestReaderKey(t *testing.T) {
	fr := newFakeReader(0x01)
	key := readerKey(fr, func() uint32 { return 0x01020304 })
	k, err := key(context.Background(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if k != fr.key(7) {
		t.Errorf("key %#x, want %#x", k, fr.key(7))
	}
	if want := "w33=0704030201 r34"; fr.ops() != want {
		t.Errorf("transfers %q, want %q", fr.ops(), want)
	}
}

func TestImageLayout(t *testing.T) {
	f := &frame{lines: 3, pix: make([]byte, width*height)}
	for l := range 3 {
		for x := range width {
			f.pix[l*width+x] = byte(10 * (l + 1))
		}
	}
	f.blocks[0] = struct{ flags, lines byte }{0, 1}
	f.blocks[1] = struct{ flags, lines byte }{blockRepeat, 2} // line 1 twice, then again
	f.blocks[2] = struct{ flags, lines byte }{0, 2}
	img := f.image(false)
	for l, want := range []byte{10, 20, 30, 20, 30, 0} {
		if got := 255 - img[l*width]; got != want {
			t.Errorf("line %d is %d, want %d", l, got, want)
		}
	}
	rot := f.image(true)
	if rot[len(rot)-1] != img[0] || rot[0] != img[len(img)-1] || rot[len(rot)-width] != img[width-1] {
		t.Error("a half turn should reverse the pixels")
	}
}

func TestParseFrame(t *testing.T) {
	buf := make([]byte, headerLen+10*width)
	buf[4] = 10
	if _, err := parseFrame(buf); err != nil {
		t.Errorf("a frame of 10 lines: %v", err)
	}
	if _, err := parseFrame(buf[:len(buf)-1]); !errors.Is(err, errBadFrame) {
		t.Errorf("a short frame: %v", err)
	}
	binary.LittleEndian.PutUint16(buf[4:], height)
	if _, err := parseFrame(buf); !errors.Is(err, errBadFrame) {
		t.Errorf("a frame claiming %d lines: %v", height, err)
	}
}

func TestScrambled(t *testing.T) {
	f := &frame{lines: 2, pix: make([]byte, width*height)}
	f.blocks[0].lines = 2
	for i := range 2 * width {
		f.pix[i] = byte(100 + i%width/8) // skin: smooth
	}
	if f.scrambled() {
		t.Error("a smooth image taken for a scrambled one")
	}
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 2 * width {
		f.pix[i] = byte(r.IntN(256))
	}
	if !f.scrambled() {
		t.Error("noise taken for an image")
	}
	f.blocks[0].flags = blockRepeat
	if f.scrambled() {
		t.Error("no lines of its own, yet scrambled")
	}
}

// fakeReader is the reader's registers as the power-up needs them: hwstat follows
// writes (the power bit only once a challenge is answered, when one is required) and
// the ready interrupt follows power-up.
type fakeReader struct {
	hw        byte
	challenge bool // require a challenge answered
	answered  bool
	silent    bool // never send the ready interrupt
	stubborn  int  // power-up writes ignored before one takes
	irqs      chan uint16
	log       []string
	q         [16]byte
	keyReg    []byte // what the key register reads, after a seed is written
}

func newFakeReader(hw byte) *fakeReader {
	return &fakeReader{hw: hw, irqs: make(chan uint16, 16), q: [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}}
}

func (f *fakeReader) key(n byte) uint32 { return 0xa5a50000 | uint32(n) }

func (f *fakeReader) ops() string { return fmt.Sprint(f.log)[1 : len(fmt.Sprint(f.log))-1] }

func (f *fakeReader) read(_ context.Context, reg uint16, n int) ([]byte, error) {
	f.log = append(f.log, fmt.Sprintf("r%x", reg))
	switch reg {
	case regHWStat:
		return []byte{f.hw}, nil
	case regChallenge:
		return f.q[:], nil
	case regScrambleKey:
		if f.keyReg == nil {
			return nil, errors.New("no seed written")
		}
		return f.keyReg, nil
	}
	return make([]byte, n), nil
}

func (f *fakeReader) write(_ context.Context, reg uint16, data ...byte) error {
	f.log = append(f.log, fmt.Sprintf("w%x=%x", reg, data))
	switch reg {
	case regHWStat:
		v := data[0]
		if v&hwLowPower == 0 && f.hw&hwLowPower != 0 {
			if f.challenge && !f.answered || f.stubborn > 0 {
				f.stubborn--
				return nil
			}
			if !f.silent {
				f.irqs <- irqScanPowerOn
			}
		}
		if f.hw&(hwLowPower|hwConfused) == hwLowPower|hwConfused {
			v |= hwRebooted
		}
		f.hw = v
	case regResponse:
		c, _ := aes.NewCipher(crKey[:])
		var want [16]byte
		c.Encrypt(want[:], f.q[:])
		f.answered = bytes.Equal(data, want[:])
	case regScrambleIdx:
		seed := uint32(data[1]) | uint32(data[2])<<8 | uint32(data[3])<<16 | uint32(data[4])<<24
		k := f.key(data[0]) ^ seed
		f.keyReg = []byte{byte(k), byte(k >> 8), byte(k >> 16), byte(k >> 24)}
	}
	return nil
}

func TestPowerUp(t *testing.T) {
	ctx := context.Background()
	t.Run("as recorded", func(t *testing.T) {
		f := newFakeReader(0x01)
		if err := powerUp(ctx, f, f.irqs, false); err != nil {
			t.Fatal(err)
		}
		// The sequence the 4500's recording shows.
		if want := "r7 w7=81 w7=01 r7"; f.ops() != want {
			t.Errorf("transfers %q, want %q", f.ops(), want)
		}
	})
	t.Run("confused", func(t *testing.T) {
		f := newFakeReader(0x85)
		if err := powerUp(ctx, f, f.irqs, false); err != nil {
			t.Fatal(err)
		}
		if want := "r7 w7=05 r7 w7=85 w7=05 r7"; f.ops() != want {
			t.Errorf("transfers %q, want %q", f.ops(), want)
		}
	})
	t.Run("stubborn", func(t *testing.T) {
		f := newFakeReader(0x81)
		f.stubborn = 2
		if err := powerUp(ctx, f, f.irqs, false); err != nil {
			t.Fatal(err)
		}
		if want := "r7 w7=01 r7 w7=01 r7 w7=01 r7"; f.ops() != want {
			t.Errorf("transfers %q, want %q", f.ops(), want)
		}
	})
	t.Run("challenge", func(t *testing.T) {
		f := newFakeReader(0x81)
		f.challenge = true
		if err := powerUp(ctx, f, f.irqs, true); err != nil {
			t.Fatal(err)
		}
		if !f.answered {
			t.Error("the challenge was not answered right")
		}
		if want := "r7 w7=01 r7 r2010 w2000="; len(f.ops()) < len(want) || f.ops()[:len(want)] != want {
			t.Errorf("transfers %q, want them to start %q", f.ops(), want)
		}
	})
	t.Run("no ready interrupt", func(t *testing.T) {
		f := newFakeReader(0x01)
		f.silent = true
		err := powerUp(ctx, f, f.irqs, false)
		if !errors.Is(err, errNoPowerIRQ) {
			t.Fatalf("err %v, want %v", err, errNoPowerIRQ)
		}
		if n := bytes.Count([]byte(f.ops()), []byte("w7=01")); n != 3 {
			t.Errorf("%d power-ups, want 3 tries", n)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		f := newFakeReader(0x01)
		f.silent = true
		ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if err := powerUp(ctx, f, f.irqs, false); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v, want the deadline", err)
		}
	})
}

func TestChallengeResponse(t *testing.T) {
	if _, err := challengeResponse(make([]byte, 15)); err == nil {
		t.Error("a 15-byte challenge answered")
	}
	a, err := challengeResponse(make([]byte, 16))
	if err != nil || len(a) != 16 || bytes.Equal(a, make([]byte, 16)) {
		t.Errorf("answer %x, %v", a, err)
	}
}

// The errors callers decide on must come through gousb's wrapping.
func TestErrors(t *testing.T) {
	for _, c := range []struct {
		err  error
		want error
	}{
		{gousb.TransferNoDevice, scanner.ErrUnplugged},
		{gousb.ErrorNoDevice, scanner.ErrUnplugged},
		{fmt.Errorf("failed to claim interface 0 on vid=05ba: %v", gousb.ErrorBusy), scanner.ErrBusy},
		{fmt.Errorf("failed to claim interface 0 on vid=05ba: %v", gousb.ErrorAccess), usb.ErrPermission},
	} {
		if err := usb.Wrap("uru4000: test", unwrapGousb(c.err)); !errors.Is(err, c.want) {
			t.Errorf("%v gives %v, which is not %v", c.err, err, c.want)
		}
	}
}

// Without a reader (a machine or container with none), Open says so.
func TestOpenNone(t *testing.T) {
	if isChild() {
		t.Skip("runs outside umockdev")
	}
	ctx := context.Background()
	found, err := usb.List(ctx)
	if err != nil {
		t.Skipf("skipping: libusb cannot list devices here: %v", err)
	}
	if len(found) > 0 {
		t.Skipf("skipping: a reader is plugged in (%v), and this test must not touch it", found[0])
	}
	if _, err := Open(ctx, Config{}); !errors.Is(err, usb.ErrNotFound) {
		t.Errorf("Open: %v, want ErrNotFound", err)
	}
	if _, err := Open(ctx, Config{Bus: 1, Address: 2}); !errors.Is(err, usb.ErrNotFound) {
		t.Errorf("Open(bus 1, address 2): %v, want ErrNotFound", err)
	}
}

// TestEmulatedSeeds checks the seeds sent under emulation, in libfprint's order: the
// one drawn as the capture began with the image's first key, a new draw at each key
// change, and a capture's draw even when its image was not scrambled.
func TestEmulatedSeeds(t *testing.T) {
	buf := make([]byte, headerLen+2*width)
	buf[4], buf[6] = 2, 3 // two lines, key 3
	buf[16], buf[17] = blockScrambled, 1
	buf[18], buf[19] = blockChangeKey|blockScrambled, 1
	tests := []struct {
		name     string
		captures int // before this one, whose images were not scrambled
		want     string
	}{
		// 0x51ea2124 is the seed in libfprint's U.are.U 4500 recording.
		{"first capture", 0, "w33=032421ea51 r34 w33=0420315a73 r34"},
		{"third capture", 2, "w33=031f5d7363 r34 w33=0484327e59 r34"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seeds := emulatedSeeds()
			for range tt.captures {
				seeds()
			}
			f, err := parseFrame(buf)
			if err != nil {
				t.Fatal(err)
			}
			fr := newFakeReader(0x01)
			if err := f.unscramble(context.Background(), readerKey(fr, imageSeeds(seeds(), seeds))); err != nil {
				t.Fatal(err)
			}
			if fr.ops() != tt.want {
				t.Errorf("transfers %q, want %q", fr.ops(), tt.want)
			}
		})
	}
}
