// Package uru4000 drives the DigitalPersona U.are.U 4000, 4000B and 4500 fingerprint
// readers and the Microsoft ones built on them (the models in package usb). The
// protocol was learnt from libfprint's uru4000 driver (reverse engineered by Daniel
// Drake and Timo Teräs); this is an independent implementation of it on gousb.
//
// A reader is opened (powered up) once, then gives one image per Capture: the driver
// asks it to wait for a finger, reads the image, unscrambles it if the firmware
// scrambled it, and waits for the finger to be lifted so that the next Capture is a new
// placement. Close powers it down.
package uru4000

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/google/gousb"

	"cotejo/scanner"
	"cotejo/scanner/usb"
	"cotejo/scanner/usb/emulation"
)

// Config chooses the reader and, for tests, the driver's random numbers.
type Config struct {
	// Bus and Address choose a reader (see usb.List); zero takes the first supported
	// reader found.
	Bus, Address int
	// Seed gives the numbers the driver hands the reader to hide the key of a scrambled
	// image in transit: it is called once per Capture, scrambled image or not, and once
	// more for each key change within an image, the order libfprint's driver draws them
	// in. Nil draws them from crypto/rand, or from GLib's generator under Emulation; a
	// replayed recording needs the ones used when it was recorded, as the reader's
	// answers depend on them.
	Seed func() uint32
	// Emulation draws the seeds as libfprint's driver does under FP_DEVICE_EMULATION=1
	// (GLib's generator seeded 0xFACADE), so that recordings made that way (libfprint's
	// test suite's, or a branch's for support) replay against this driver. The caller
	// reads the environment (emulation.Enabled); the driver never does. Never for
	// real captures: the seeds are then known to anyone.
	Emulation bool
}

// Timeouts. The reader answers control requests in a millisecond; a reader that does not
// answer in these is broken or gone.
const (
	controlTimeout = 2 * time.Second
	imageTimeout   = 5 * time.Second // from capture mode to the whole image
	offTimeout     = time.Second     // the power-off write in Close
	imageTries     = 3               // damaged images read again before giving up
)

// Device is an open reader. Like every scanner.Device it is used by one goroutine at a
// time, except Close.
type Device struct {
	info   scanner.Info
	rotate bool // the 4000B/4500 sends its image upside down
	seed   func() uint32

	usb  *gousb.Context
	dev  *gousb.Device
	cfg  *gousb.Config
	intf *gousb.Interface
	bulk *gousb.InEndpoint

	events  chan scanner.Event
	irqs    chan uint16        // interrupt messages, for Open and Capture; closed when the endpoint fails
	irqErr  error              // why, set before irqs is closed
	irqStop context.CancelFunc // stops the interrupt reader
	irqDone chan struct{}

	goneOnce sync.Once
	gone     chan struct{} // closed when the reader is unplugged
	goneErr  error         // why, set before gone is closed

	life context.Context // ends when Close is called
	end  context.CancelFunc

	capture   sync.Mutex // held by Capture, and by Close to wait for it
	closeOnce sync.Once
	closeErr  error
}

var _ scanner.Device = (*Device)(nil)

// Open finds the reader cfg chooses, claims it and powers it up. ctx bounds the whole
// of it. Errors wrap usb.ErrNotFound (no such reader), usb.ErrPermission (the udev rule
// is missing), scanner.ErrBusy (another program has it) or scanner.ErrUnplugged.
func Open(ctx context.Context, cfg Config) (*Device, error) {
	found, err := usb.List(ctx)
	if err != nil && len(found) == 0 {
		return nil, err
	}
	var f *usb.Found
	for i := range found {
		if cfg.Bus == 0 && cfg.Address == 0 || found[i].Bus == cfg.Bus && found[i].Address == cfg.Address {
			f = &found[i]
			break
		}
	}
	if f == nil {
		if cfg.Bus != 0 || cfg.Address != 0 {
			return nil, fmt.Errorf("uru4000: no supported reader at bus %d address %d: %w", cfg.Bus, cfg.Address, usb.ErrNotFound)
		}
		return nil, fmt.Errorf("uru4000: %w", usb.ErrNotFound)
	}
	d := &Device{
		info: scanner.Info{Vendor: f.Maker, Model: f.Name, Serial: f.Serial,
			// DigitalPersona gives 512 dpi (averaged over the field) for the whole family.
			PPI: 512, Width: width, Height: height},
		rotate: f.Vendor == 0x05ba && f.Product == 0x000a,
		seed:   cfg.Seed,
		events: make(chan scanner.Event, 8),
		irqs:   make(chan uint16, 16),
		gone:   make(chan struct{}),
	}
	switch {
	case d.seed != nil:
	case cfg.Emulation:
		d.seed = emulatedSeeds()
	default:
		d.seed = randomSeed
	}
	if err := d.open(ctx, *f); err != nil {
		d.release()
		return nil, err
	}
	return d, nil
}

func randomSeed() uint32 {
	var b [4]byte
	rand.Read(b[:]) // never fails: crypto/rand crashes the program instead
	// Below 2³¹, as libfprint's seeds are: readers have seen no others.
	return binary.LittleEndian.Uint32(b[:]) & 0x7fffffff
}

// emulatedSeeds draws seeds as libfprint's driver does under emulation:
// g_rand_int_range(0, RAND_MAX) from a generator seeded once, when the reader is
// opened, with 0xFACADE.
func emulatedSeeds() func() uint32 {
	r := emulation.NewRand(emulation.Seed)
	return func() uint32 { return uint32(r.Int32Range(0, math.MaxInt32)) }
}

// imageSeeds gives an image's key requests their seeds: first, drawn when the capture
// began, then one drawn from next for each key change.
func imageSeeds(first uint32, next func() uint32) func() uint32 {
	used := false
	return func() uint32 {
		if used {
			return next()
		}
		used = true
		return first
	}
}

// open claims the reader, starts reading its interrupts and powers it up. On failure the
// caller releases what was taken.
func (d *Device) open(ctx context.Context, f usb.Found) error {
	const op = "uru4000: opening the reader"
	var err error
	if d.usb, err = usb.NewContext(); err != nil {
		return err
	}
	devs, err := d.usb.OpenDevices(func(desc *gousb.DeviceDesc) bool {
		return desc.Bus == f.Bus && desc.Address == f.Address &&
			desc.Vendor == gousb.ID(f.Vendor) && desc.Product == gousb.ID(f.Product)
	})
	if len(devs) == 0 {
		if err == nil { // unplugged since it was listed
			err = gousb.ErrorNoDevice
		}
		return usb.Wrap(op, err)
	}
	d.dev = devs[0]
	d.dev.ControlTimeout = controlTimeout
	if d.info.Serial == "" {
		d.info.Serial, _ = d.dev.SerialNumber() // a reader without one is fine
	}
	// The reader's single interface is vendor-specific (class, subclass and protocol 255);
	// the Microsoft keyboard has others.
	n, err := d.dev.ActiveConfigNum()
	if err != nil {
		return usb.Wrap(op, err)
	}
	if d.cfg, err = d.dev.Config(n); err != nil {
		return usb.Wrap(op, unwrapGousb(err))
	}
	num := -1
	for _, in := range d.cfg.Desc.Interfaces {
		for _, alt := range in.AltSettings {
			if alt.Class == gousb.ClassVendorSpec && alt.SubClass == gousb.ClassVendorSpec && alt.Protocol == 0xff {
				num = in.Number
			}
		}
	}
	if num < 0 {
		return fmt.Errorf("%s: it has no fingerprint interface", op)
	}
	if d.intf, err = d.cfg.Interface(num, 0); err != nil {
		return usb.Wrap(op, unwrapGousb(err))
	}
	intr, err := d.intf.InEndpoint(1)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if d.bulk, err = d.intf.InEndpoint(2); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	// The interrupt endpoint is read all the time the reader is open, as the reader
	// expects: a stream submits the first read now, before any register is touched,
	// and each next one as soon as the last completes.
	s, err := intr.NewStream(64, 1)
	if err != nil {
		return usb.Wrap(op, err)
	}
	var irqCtx context.Context
	irqCtx, d.irqStop = context.WithCancel(context.Background())
	d.irqDone = make(chan struct{})
	go d.readInterrupts(irqCtx, s)

	d.life, d.end = context.WithCancel(context.Background())
	if err := powerUp(ctx, d, d.irqs, f.Vendor == 0x045e && f.Product == 0x00ca); err != nil {
		return d.fail("uru4000: powering the reader up", err)
	}
	if _, err := d.read(ctx, regDeviceInfo, 16); err != nil {
		return d.fail("uru4000: reading the reader's versions", err)
	}
	return nil
}

// unwrapGousb recovers libusb's error from one of gousb's that formats it with %v
// (claiming an interface, choosing a configuration), so that usb.Wrap can tell
// "busy" and "no permission" apart; gousb keeps only its text.
func unwrapGousb(err error) error {
	for _, e := range []gousb.Error{gousb.ErrorAccess, gousb.ErrorBusy, gousb.ErrorNoDevice} {
		if !errors.Is(err, e) && strings.Contains(err.Error(), e.Error()) {
			return fmt.Errorf("%w (%v)", e, err)
		}
	}
	return err
}

// readInterrupts passes the reader's interrupt messages to Open and Capture, and finger
// and unplug events to whoever reads Events.
func (d *Device) readInterrupts(ctx context.Context, s *gousb.ReadStream) {
	defer close(d.irqDone)
	defer close(d.irqs)
	buf := make([]byte, 64)
	// A read may complete, and its successor be submitted, just as ctx ends: that one
	// must be cancelled and waited for too, or gousb would touch it after Close.
	defer finish(s, buf)
	for {
		n, err := s.ReadContext(ctx, buf)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			// The stream ends at its first failure; Open and Capture see irqs closed.
			d.irqErr = fmt.Errorf("reading the interrupt endpoint: %w", err)
			if usb.IsNoDevice(err) {
				d.unplugged(err)
			}
			return
		}
		if n < 2 {
			continue
		}
		irq := binary.BigEndian.Uint16(buf)
		switch irq {
		case irqFingerOn:
			d.emit(scanner.FingerOn)
		case irqFingerOff:
			d.emit(scanner.FingerOff)
		}
		select {
		case d.irqs <- irq:
		default: // nobody has read the last 16: they are stale
		}
	}
}

func (d *Device) emit(e scanner.Event) {
	select {
	case d.events <- e:
	default: // nobody listening: dropped, as scanner.Device says
	}
}

// unplugged records that the reader is gone (once) and tells Events.
func (d *Device) unplugged(err error) {
	d.goneOnce.Do(func() {
		d.goneErr = fmt.Errorf("%w (%w)", scanner.ErrUnplugged, err)
		close(d.gone)
		d.emit(scanner.Unplugged)
	})
}

// fail wraps err from doing op, noting an unplugged reader on the way.
func (d *Device) fail(op string, err error) error {
	if errors.Is(err, errIRQStopped) {
		select {
		case <-d.gone:
			return fmt.Errorf("%s: %w", op, d.goneErr)
		default:
			if d.irqErr != nil {
				return usb.Wrap(op, d.irqErr)
			}
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	if usb.IsNoDevice(err) {
		d.unplugged(err)
	}
	return usb.Wrap(op, err)
}

// read and write are the reader's registers, over control transfers. gousb cannot cancel
// a control transfer, so ctx is checked before each; controlTimeout bounds the wait.
// A transfer that timed out or failed on the wire is tried again, twice: the registers
// hold values, so writing or reading one again does no harm.
func (d *Device) read(ctx context.Context, reg uint16, n int) ([]byte, error) {
	buf := make([]byte, n)
	err := d.control(ctx, gousb.ControlIn|gousb.ControlVendor|gousb.ControlDevice, reg, buf)
	if err != nil {
		return nil, fmt.Errorf("reading register %#x: %w", reg, err)
	}
	return buf, nil
}

func (d *Device) write(ctx context.Context, reg uint16, data ...byte) error {
	err := d.control(ctx, gousb.ControlOut|gousb.ControlVendor|gousb.ControlDevice, reg, data)
	if err != nil {
		return fmt.Errorf("writing register %#x: %w", reg, err)
	}
	return nil
}

func (d *Device) control(ctx context.Context, rType uint8, reg uint16, buf []byte) error {
	var err error
	for try := 0; try < 3; try++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		var n int
		n, err = d.dev.Control(rType, vendorRequest, reg, 0, buf)
		if err == nil && n != len(buf) {
			err = fmt.Errorf("%d bytes of %d", n, len(buf))
		}
		if err == nil || !(errors.Is(err, gousb.ErrorTimeout) || errors.Is(err, gousb.ErrorIO)) {
			break
		}
	}
	return err
}

// Info describes the reader.
func (d *Device) Info() scanner.Info { return d.info }

// Events reports finger on and off as the reader sees them, and Unplugged. The channel
// is not closed.
func (d *Device) Events() <-chan scanner.Event { return d.events }

// Capture waits for a finger, takes its image and waits for the finger to be lifted.
// It returns ctx.Err() when ctx ends before the image is taken; when ctx ends while
// waiting for the finger to be lifted, the image is returned all the same. Close ends a
// Capture with scanner.ErrClosed; an unplugged reader gives scanner.ErrUnplugged.
func (d *Device) Capture(ctx context.Context) (*scanner.Capture, error) {
	if d.life.Err() != nil {
		return nil, scanner.ErrClosed
	}
	d.capture.Lock()
	defer d.capture.Unlock()
	if d.life.Err() != nil {
		return nil, scanner.ErrClosed
	}
	select {
	case <-d.gone:
		return nil, fmt.Errorf("uru4000: capture: %w", d.goneErr)
	default:
	}
	run, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(d.life, cancel)()
	c, err := d.take(run)
	switch {
	case err == nil:
		return c, nil
	case d.life.Err() != nil:
		return nil, fmt.Errorf("uru4000: capture: %w", scanner.ErrClosed)
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	return nil, err
}

// take is Capture's work, in run, which ends with the caller's ctx or with Close.
func (d *Device) take(run context.Context) (*scanner.Capture, error) {
	drain(d.irqs)
	if err := d.write(run, regMode, modeAwaitFingerOn); err != nil {
		return nil, d.fail("uru4000: asking for a finger", err)
	}
	if err := d.await(run, irqFingerOn); err != nil {
		return nil, d.fail("uru4000: waiting for a finger", err)
	}
	// Drawn as the capture starts whether or not the image comes scrambled, as
	// libfprint does: an emulated replay of several captures depends on the order.
	seed := d.seed()
	f, err := d.readImage(run)
	if err != nil {
		return nil, err
	}
	if f.scrambled() {
		if err := f.unscramble(run, readerKey(d, imageSeeds(seed, d.seed))); err != nil {
			return nil, d.fail("uru4000: unscrambling the image", err)
		}
	}
	c := &scanner.Capture{Image: &image.Gray{Pix: f.image(d.rotate), Stride: width,
		Rect: image.Rect(0, 0, width, height)}, PPI: d.info.PPI, At: time.Now()}

	// The image is taken: from here only Close makes the capture fail. The caller's ctx
	// ending, or the reader failing, while the finger is still on it loses nothing; a
	// reader that failed says so at the next Capture.
	drain(d.irqs)
	err = d.write(run, regMode, modeAwaitFingerOff)
	if err == nil {
		err = d.await(run, irqFingerOff)
	}
	if err != nil {
		err = d.fail("uru4000: waiting for the finger to be lifted", err)
		if d.life.Err() != nil {
			return nil, err
		}
	}
	return c, nil
}

// await waits for the interrupt want. Others are ignored: more "ready" messages, and
// 0x0800, which the reader sends before an image that will come out damaged (and be
// read again).
func (d *Device) await(ctx context.Context, want uint16) error {
	for {
		select {
		case irq, ok := <-d.irqs:
			if !ok {
				return errIRQStopped
			}
			if irq == want {
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// readImage switches the reader to capture mode and reads its image. The read is
// submitted before the mode is written so that no byte of the image is missed. A
// damaged image is read again, as the reader sends another while in capture mode.
func (d *Device) readImage(ctx context.Context) (*frame, error) {
	const op = "uru4000: reading the image"
	buf := make([]byte, frameLen)
	for try := 1; ; try++ {
		s, err := d.bulk.NewStream(frameLen, 1) // submits the read now
		if err != nil {
			return nil, d.fail(op, err)
		}
		s.Close() // one read only: the stream is not to submit another
		if try == 1 {
			if err := d.write(ctx, regMode, modeCapture); err != nil {
				finish(s, buf)
				return nil, d.fail(op, err)
			}
		}
		rctx, cancel := context.WithTimeout(ctx, imageTimeout)
		n, err := s.ReadContext(rctx, buf)
		if err != nil && ctx.Err() == nil && rctx.Err() != nil {
			err = fmt.Errorf("no image in %v", imageTimeout)
		}
		cancel()
		finish(s, buf)
		if err != nil {
			return nil, d.fail(op, err)
		}
		f, err := parseFrame(buf[:n])
		if err == nil {
			return f, nil
		}
		if try == imageTries {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
	}
}

// finish ends a stream: a transfer still in flight is cancelled and waited for, and
// all are freed (reading a closed stream to its end does that), so that none is left
// for libusb to complete after the device is closed.
func finish(s *gousb.ReadStream, buf []byte) {
	s.Close()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for {
		if _, err := s.ReadContext(done, buf); err != nil {
			return
		}
	}
}

// Close powers the reader down and releases it. A Capture in progress ends with
// scanner.ErrClosed first (Close waits for it: at most a control transfer's timeout, 2
// s, on a reader that stopped answering). Close may be called from any goroutine, and
// more than once; later calls return nil.
func (d *Device) Close() error {
	d.closeOnce.Do(func() {
		d.end()
		d.capture.Lock() // wait for a Capture to see it
		defer d.capture.Unlock()
		select {
		case <-d.gone:
		default:
			ctx, cancel := context.WithTimeout(context.Background(), offTimeout)
			if err := d.write(ctx, regMode, modeOff); err != nil && !usb.IsNoDevice(err) {
				d.closeErr = usb.Wrap("uru4000: powering the reader down", err)
			}
			cancel()
		}
		d.release()
	})
	return d.closeErr
}

// release stops the interrupt reader (cancelling its transfer) and gives the reader
// back, in that order: libusb must not close a handle with transfers in flight.
func (d *Device) release() {
	if d.irqStop != nil {
		d.irqStop()
		<-d.irqDone
	}
	if d.intf != nil {
		d.intf.Close()
	}
	if d.cfg != nil {
		d.cfg.Close()
	}
	if d.dev != nil {
		d.dev.Close()
	}
	if d.usb != nil {
		d.usb.Close()
	}
	if d.end != nil {
		d.end()
	}
}
