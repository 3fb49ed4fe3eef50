# Cotejo. `make run` is the demo and `make test` the tests, each from a fresh Debian 12.
GO       ?= go
BIN      := bin/cotejo
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.7.0
# Every Debian package the build, the app and the tests need.
DEBS := gcc g++ pkg-config openssl ca-certificates curl \
	libgl1-mesa-dev xorg-dev libwayland-dev libxkbcommon-dev xvfb imagemagick \
	libtesseract-dev libleptonica-dev tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-osd \
	libusb-1.0-0-dev umockdev tshark softhsm2 gpsd gpsd-clients cups-daemon cups-client fonts-dejavu-core fonts-ocr-b \
	fonts-liberation fonts-freefont-ttf fonts-noto-core \
	dbus-daemon gnome-keyring sane-utils libxml2-utils ghostscript python3 \
	dpkg-dev lintian desktop-file-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build run screenshots test bench lint fuzz clean deb test-deb windows-deps windows test-windows windows-screenshots windows-installer windows-tools

# The version cotejo version prints and the Debian package carries: the newest tag (v
# dropped), else FyneApp.toml's version with the commit; .dirty when files differ from it.
BASEVERSION := $(shell sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
ifeq ($(origin VERSION),undefined)
VERSION := $(shell v=$$(git describe --tags --dirty 2>/dev/null) && echo "$${v#v}" || \
	{ c=$$(git rev-parse --short HEAD 2>/dev/null) && echo "$(BASEVERSION)+git$$c$$(git diff --quiet HEAD 2>/dev/null || echo .dirty)"; } || \
	echo "$(BASEVERSION)")
endif
COMMIT   := $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
# SOURCE_DATE_EPOCH, when set, makes the build date reproducible.
DATE     := $(shell date -u -d "@$${SOURCE_DATE_EPOCH:-$$(date +%s)}" +%Y-%m-%dT%H:%M:%SZ)
VERSION_FLAGS := -X cotejo/ui/cli.version=$(VERSION) -X cotejo/ui/cli.commit=$(COMMIT) -X cotejo/ui/cli.date=$(DATE)
# Debian versions take no hyphen without a revision: 1.2.0-3-gabc becomes 1.2.0+3+gabc.
DEBVERSION := $(subst -,+,$(VERSION))
DEB := dist/cotejo_$(DEBVERSION)_$(shell dpkg --print-architecture 2>/dev/null || echo amd64).deb

# Installs only what is missing, so a second run is quiet.
deps:
	@missing=""; for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@$(GO) mod download

build: deps
	CGO_ENABLED=1 $(GO) build -ldflags '$(VERSION_FLAGS)' -o $(BIN) .

# The Debian package, dist/cotejo_VERSION_ARCH.deb (see dist/debian/): a stripped,
# position-independent binary linked with Debian's hardening (read-only relocations,
# bound at start), then lintian, which fails on any error or warning.
deb: deps
	CGO_ENABLED=1 $(GO) build -trimpath -buildmode=pie \
		-ldflags '-s -w -extldflags "-Wl,-z,relro,-z,now" $(VERSION_FLAGS)' -o dist/build/cotejo .
	strip --strip-unneeded --remove-section=.comment dist/build/cotejo
	dist/debian/mkdeb.sh dist/build/cotejo $(DEBVERSION) $(DEB)
	lintian --fail-on error,warning $(DEB)
	@echo $(DEB)

# Builds the package, installs it on this machine (root), runs cotejo version and the
# demo from the installed files, and purges it. Slow; CI does not run it yet.
test-deb:
	COTEJO_DEB_TEST=1 $(GO) test -run TestDebianPackage -count=1 -v -timeout 60m .

# Windows (docs/windows.md). windows-deps cross-builds tesseract, leptonica (zlib, libpng,
# libjpeg-turbo) and libusb-1.0 from Debian's source packages with mingw-w64, once, into
# ~/.cache/cotejo-windows/KEY/ (it installs the mingw-w64 and build tools it needs, and
# adds deb-src lines); windows makes dist/windows/cotejo/: cotejo.exe, the DLLs it loads
# and tessdata/ (a folder, so the DLLs do not mix with the scripts). test-windows runs
# it under Wine (installing wine and wine64). None of this is part of make test.
windows-deps:
	dist/windows/build-deps.sh

windows:
	@prefix=$$(dist/windows/build-deps.sh) && prefix=$$(echo "$$prefix" | tail -n 1) && \
		dist/windows/mkexe.sh "$$prefix" dist/windows/cotejo -ldflags '-s -w $(VERSION_FLAGS)' >/dev/null
	@echo dist/windows/cotejo/cotejo.exe

test-windows: windows-tools
	COTEJO_WINDOWS_TEST=1 $(GO) test -run 'TestWindowsBuild|TestReadersINF' -count=1 -v -timeout 90m .

# The window's screenshots from cotejo.exe under Wine and Xvfb (as make screenshots does
# on Linux), in docs/screenshots/windows/. A screen larger than the window: Wine draws a
# window that does not fit where neither GDI nor GL can read it back (black shots).
windows-screenshots: windows windows-tools
	rm -rf docs/screenshots/windows dist/windows/demo
	xvfb-run -a -s "-screen 0 1600x1000x24" dist/windows/wine/run.sh dist/windows/cotejo/cotejo.exe \
		gui --demo dist/windows/demo --screenshots docs/screenshots/windows

# The installer (NSIS, per machine): dist/windows/cotejo-setup.exe. Tested under Wine
# by TestWindowsBuild.
windows-installer: windows windows-tools
	makensis -V2 -DVERSION=$(VERSION) -DSRC=$(CURDIR)/dist/windows/cotejo -DOUT=$(CURDIR)/dist/windows/cotejo-setup.exe dist/windows/cotejo.nsi
	@echo dist/windows/cotejo-setup.exe

# What the Windows tests need beyond make windows-deps's compilers: Wine, NSIS and xdotool. Not in
# DEBS: make test does not need them.
windows-tools:
	@missing=""; for p in wine wine64 nsis xdotool; do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] || DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null

# The demo: the kiosk's window with a development PKI in demo/, the sandbox in-process,
# the simulated fingerprint reader and sample credentials. Sign in as demo / 1234 (or the
# supervisor, super / 9999). `./bin/cotejo demo --dir demo` is the same round trip in the
# terminal.
run: build
	./$(BIN) gui --demo demo

# The documentation's screenshots, from the real binary under Xvfb.
screenshots: build
	rm -f docs/screenshots/*.png
	xvfb-run -a -s "-screen 0 1280x800x24" ./$(BIN) gui --demo demo --screenshots docs/screenshots

# tesseract links OpenMP, whose threads slow each read several times over on two cores.
export OMP_THREAD_LIMIT := 1
# Pixel and minutiae code whose tests measure accuracy on the real fingerprint sets: the
# race detector makes their loops ten times slower and has little to find there (the
# ridge filters' two goroutines, and the reader's concurrent use, are race-checked in
# their own packages' tests).
NORACE := ./ocr/cardgen ./ocr/locate ./scanner/biometrics/fingergen ./scanner/biometrics/extract ./scanner/biometrics/match ./scanner/biometrics/quality

# COTEJO_WINDOWS_TEST=1 make test also runs the Windows tests (TestWindowsBuild,
# TestReadersINFWine): Wine and NSIS first, and time for the libraries' first build.
WINDOWS_TEST := $(filter 1,$(COTEJO_WINDOWS_TEST))
test: deps $(if $(WINDOWS_TEST),windows-tools)
	$(GO) vet ./...
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout $(if $(WINDOWS_TEST),150m,30m) $$($(GO) list ./... | grep -v -e /ocr/cardgen -e /ocr/locate -e /scanner/biometrics/fingergen -e /scanner/biometrics/extract -e /scanner/biometrics/match -e /scanner/biometrics/quality)
	CGO_ENABLED=1 $(GO) test -count=1 -timeout 15m $(NORACE)

# Benchmarks, then the OCR accuracy runs: 10 citizens × 6 models per level on the base
# layouts (levels 0–3), the tuned families mixed, the two held out, and every photo scene
# (6 cards a scene and level); about 40 min on two cores.
bench: deps
	CGO_ENABLED=1 $(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...
	CGO_ENABLED=1 $(GO) test -run TestAccuracy -ocr.accuracy=10 -ocr.accuracy.out=docs/ocr-accuracy.md -timeout 90m -v ./ocr/
	CGO_ENABLED=1 $(GO) test -run TestAccuracy -ocr.accuracy=10 -ocr.family=mixed -ocr.levels=0,1,2 -ocr.accuracy.out=docs/ocr-accuracy-mixed.md -timeout 90m -v ./ocr/
	CGO_ENABLED=1 $(GO) test -run TestAccuracy -ocr.accuracy=10 -ocr.family=heldout -ocr.levels=0,1,2 -ocr.accuracy.out=docs/ocr-accuracy-heldout.md -timeout 90m -v ./ocr/
	CGO_ENABLED=1 $(GO) test -run TestAccuracy -ocr.accuracy=10 -ocr.family=unseen -ocr.levels=0,1,2 -ocr.accuracy.out=docs/ocr-accuracy-unseen.md -timeout 90m -v ./ocr/
	CGO_ENABLED=1 $(GO) test -run TestAccuracy -ocr.accuracy=1 -ocr.scene=all -ocr.levels=0,1,2 -ocr.accuracy.out=docs/ocr-accuracy-scenes.md -timeout 90m -v ./ocr/

# Short fuzzing of every parser of outside data; longer with FUZZTIME=10m.
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseResponse -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./verify/
	$(GO) test -run '^$$' -fuzz FuzzHandle -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./verify/sandbox/
	$(GO) test -run '^$$' -fuzz FuzzValidateCURP -fuzztime $(FUZZTIME) ./verify/credential/
	$(GO) test -run '^$$' -fuzz FuzzOpen -fuzztime $(FUZZTIME) ./storage/sealbox/
	$(GO) test -run '^$$' -fuzz FuzzDecodeEntry -fuzztime $(FUZZTIME) ./storage/audit/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./ocr/mrz/
	$(GO) test -run '^$$' -fuzz FuzzFind -fuzztime $(FUZZTIME) ./ocr/zone/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./ocr/qrtext/
	$(GO) test -run '^$$' -fuzz FuzzFind -fuzztime $(FUZZTIME) ./ocr/locate/
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME) ./scanner/biometrics/template/
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME) ./scanner/biometrics/wsq/
	$(GO) test -run '^$$' -fuzz FuzzReadNMEA -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./capture/location/
	$(GO) test -run '^$$' -fuzz FuzzGPSDLine -fuzztime $(FUZZTIME) ./capture/location/
	$(GO) test -run '^$$' -fuzz FuzzReconcile -fuzztime $(FUZZTIME) ./ocr/
	$(GO) test -run '^$$' -fuzz '^FuzzAuditRecord$$' -fuzztime $(FUZZTIME) ./capture/
	$(GO) test -run '^$$' -fuzz '^FuzzReadSeal$$' -fuzztime $(FUZZTIME) ./capture/receipt/
	$(GO) test -run '^$$' -fuzz '^FuzzNormalize$$' -fuzztime $(FUZZTIME) ./verify/credential/
	$(GO) test -run '^$$' -fuzz '^FuzzParseResponse$$' -fuzztime $(FUZZTIME) ./verify/nom151/
	$(GO) test -run '^$$' -fuzz '^FuzzHandle$$' -fuzztime $(FUZZTIME) ./verify/nom151/standin/
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeReply$$' -fuzztime $(FUZZTIME) ./verify/remoteid/
	$(GO) test -run '^$$' -fuzz '^FuzzParseWebhook$$' -fuzztime $(FUZZTIME) ./verify/remoteid/
	$(GO) test -run '^$$' -fuzz '^FuzzServe$$' -fuzztime $(FUZZTIME) ./verify/remoteid/standin/
	$(GO) test -run '^$$' -fuzz '^FuzzBuild$$' -fuzztime $(FUZZTIME) ./verify/sello/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./verify/sello/
	$(GO) test -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime $(FUZZTIME) ./verify/sello/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./verify/sello/tbc/
	$(GO) test -run '^$$' -fuzz '^FuzzParseCreated$$' -fuzztime $(FUZZTIME) ./verify/tuidentidad/
	$(GO) test -run '^$$' -fuzz '^FuzzParseRecord$$' -fuzztime $(FUZZTIME) ./verify/tuidentidad/
	$(GO) test -run '^$$' -fuzz '^FuzzAuthMatches$$' -fuzztime $(FUZZTIME) ./verify/webhook/

lint:
	@bad=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$bad" ]; then echo "gofmt would change: $$bad"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

clean:
	rm -rf bin demo dist/build dist/*.deb dist/windows/cotejo
