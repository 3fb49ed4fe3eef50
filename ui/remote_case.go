package ui

import (
	"context"
	"net/url"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// remoteCaseScreen is one remote case: the notice, its verdict and state, each report
// received, what the provider found, and the certificate kept with it, which the
// operator saves in the receipts folder or opens.
type remoteCaseScreen struct {
	frame
	id      string
	verdict string // the case's verdict in words, for tests
	rc      capture.RemoteCase
	body    *fyne.Container
}

func (s *remoteCaseScreen) name() string { return "remotecase" }

func (s *remoteCaseScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	s.body = container.NewVBox()
	content := container.NewVBox(banner(capture.RemoteNotice(s.lang), colourWarn), s.body, s.status)
	buttons := []fyne.CanvasObject{
		s.button("back", s.t("nav.back"), widget.MediumImportance, func() { s.goTo(&remoteScreen{}) }),
		s.button("savecert", s.t("rem.savecert"), widget.MediumImportance, func() { s.saveCertificate(false) }),
		s.button("opencert", s.t("rem.opencert"), widget.HighImportance, func() { s.saveCertificate(true) }),
	}
	s.enable(false, "savecert", "opencert")
	if s.rc.ID != "" {
		s.show(s.rc)
	}
	return s.tf("rem.request", s.id), container.NewVScroll(content), buttons
}

func (s *remoteCaseScreen) start() {
	var rc capture.RemoteCase
	s.task(func(ctx context.Context) (err error) {
		rc, err = s.opts.Remote.Get(ctx, s.id)
		return err
	}, func() { s.show(rc) })
}

// show lays the case out.
func (s *remoteCaseScreen) show(rc capture.RemoteCase) {
	s.rc = rc
	s.verdict = rc.Verdict(s.lang)
	s.body.RemoveAll()
	col, mark := colourWarn, "⏳"
	switch rc.Outcome() {
	case capture.RemoteValidated:
		col, mark = colourGood, "✓"
	case capture.RemoteRejected:
		col, mark = colourBad, "✗"
	}
	s.body.Add(bigBanner(mark+"  "+s.verdict, col))
	s.body.Add(broken(rc.StateText(s.lang), 90))
	for _, line := range rc.Detail(s.lang, s.opts.Remote.Nationality()) {
		s.body.Add(broken(line, 90))
	}
	for _, e := range rc.Events {
		when := e.UltimaActualizacion
		if t, ok := s.opts.Remote.Client.ProviderTime(when); ok {
			when = t.Format("2006-01-02 15:04") // the kiosk's time, not the provider's
		}
		s.body.Add(line(when+"  "+e.Estado.Message(s.lang), colourNeutral))
	}
	has := len(rc.Certificate) > 0
	if has {
		s.body.Add(line("📄 "+s.t("rem.certificate"), colourGood))
	} else {
		s.body.Add(line(s.t("rem.nocertificate"), colourNeutral))
	}
	s.enable(has && s.opts.ReceiptDir != "", "savecert", "opencert")
}

// saveCertificate writes the PDF in the receipts folder (private to the kiosk's user)
// and, when open, hands it to the system's viewer.
func (s *remoteCaseScreen) saveCertificate(open bool) {
	pdf, dir := s.rc.Certificate, s.opts.ReceiptDir
	path := filepath.Join(dir, "verificacion-remota-"+s.rc.ID+".pdf")
	s.task(func(context.Context) error {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		return os.WriteFile(path, pdf, 0o600)
	}, func() {
		s.showInfo(s.tf("rem.saved", path))
		if open {
			if err := fyne.CurrentApp().OpenURL(&url.URL{Scheme: "file", Path: path}); err != nil {
				s.showError(err.Error())
			}
		}
	})
}
