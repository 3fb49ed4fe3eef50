// Package standin is a stand-in for Sovos' NOM-151 validation service: an HTTPS SOAP 1.2
// server answering validaFolioNOM151 and validaNOM151 as the digest of the seed says the
// service does, with its own PSC issuing constancies in a format of its own. It serves
// tests, training and demos.
//
// Besides the checks, the document name (nombreArchivoOriginal) chooses a misbehaviour,
// so every answer can be reached from the client:
//
//	ESTADO_<n>…  answer Estado n (any code, e.g. ESTADO_-111.pdf), after authentication
//	FAULT…       answer a SOAP fault (env:Receiver)
//	SLOW…        answer nothing until the request is abandoned (or Config.SlowWait)
//	HUGE…        answer a valid result padded past any sane size
package standin

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"cotejo/verify/nom151"
)

// The seed's sample provider.
const (
	SovosName   = "PSC Advantage Security (Pruebas)"
	SovosPolicy = "1.16.484.101.10.316.1.2"
)

// Path is where the stand-in serves, as in UAT's WSDL address.
const Path = "/wsnom_validacion/webservice.asmx"

// Account is a user of the service. Estado, when set, is answered after a correct
// password: 4 pending activation, 5 or 6 locked, 7 password expired, 15 no permission,
// 27 entity without permission, or any other account code.
type Account struct {
	Entidad, Usuario, Clave string
	Estado                  nom151.Estado
}

// Config is what a Server needs.
type Config struct {
	PSC         *PSC // the provider the stand-in is (Sovos); required
	Accounts    []Account
	MaxAttempts int // wrong passwords before the account locks (3); default 3
	Now         func() time.Time
	// SeedSpellings answers with the seed sample's names (contanciaFecha, pscNombre,
	// validaFolioNOM151Response for both operations) instead of the table's.
	SeedSpellings bool
	SlowWait      time.Duration // how long SLOW… waits at most; default 10 minutes
	MaxRequest    int64         // bytes; default 8 MiB
	Logger        *slog.Logger
}

// Server answers the service's SOAP requests. It is safe for concurrent use.
type Server struct {
	cfg Config

	mu        sync.Mutex
	store     map[int64]stored
	attempts  map[[2]string]int // wrong passwords by entidad and usuario
	nextFolio int64
}

type stored struct {
	entidad string
	file    []byte
}

// New checks the configuration and makes a server with an empty store.
func New(cfg Config) (*Server, error) {
	if cfg.PSC == nil {
		return nil, errors.New("standin: no PSC")
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SlowWait <= 0 {
		cfg.SlowWait = 10 * time.Minute
	}
	if cfg.MaxRequest <= 0 {
		cfg.MaxRequest = 8 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg, store: map[int64]stored{}, attempts: map[[2]string]int{}, nextFolio: 10526380}, nil
}

// Issue has the stand-in's PSC seal a constancy over digest for entidad, stores it
// under a new folio and returns the folio and the file.
func (s *Server) Issue(entidad string, digest []byte) (int64, []byte, error) {
	s.mu.Lock()
	folio := s.nextFolio
	s.nextFolio++
	s.mu.Unlock()
	file, err := s.cfg.PSC.Issue(folio, entidad, digest, s.cfg.Now())
	if err != nil {
		return 0, nil, err
	}
	return folio, file, s.Add(entidad, file)
}

// Add stores any constancy file under its own folio for entidad: one from another PSC,
// or a tampered one, so validaFolioNOM151 can meet them.
func (s *Server) Add(entidad string, file []byte) error {
	c, err := DecodeConstancy(file)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.store[c.Folio] = stored{entidad, bytes.Clone(file)}
	if c.Folio >= s.nextFolio {
		s.nextFolio = c.Folio + 1
	}
	return nil
}

// ServeHTTP serves the WSDL on GET …?WSDL and the operations on POST.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/webservice.asmx") {
		http.NotFound(w, r)
		return
	}
	if r.Method == http.MethodGet && strings.EqualFold(r.URL.RawQuery, "wsdl") {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = io.WriteString(w, wsdl(r))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/soap+xml" {
		http.Error(w, "SOAP 1.2 wants Content-Type application/soap+xml", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxRequest))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	a := s.Handle(r.Context(), body)
	// One line per request: the operation and the code, nothing about the document.
	s.cfg.Logger.Info("nom151", "op", a.Op, "estado", int(a.Estado), "falla", a.Fault)
	if a.Fault {
		w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
	} else {
		w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	}
	_, _ = w.Write(a.Body)
}

// Answer is what Handle made of one request.
type Answer struct {
	Op     string
	Estado nom151.Estado
	Fault  bool // a SOAP fault, served with HTTP 500
	Body   []byte
}

// request is the part of an envelope the stand-in reads.
type request struct {
	XMLName xml.Name `xml:"http://www.w3.org/2003/05/soap-envelope Envelope"`
	Header  struct {
		Auth *struct {
			Entidad, Usuario, Clave *string
		} `xml:"http://tempuri.org/ AuthSoapHd"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Header"`
	Body struct {
		Ops []struct {
			XMLName    xml.Name
			Nombre     *string `xml:"http://tempuri.org/ nombreArchivoOriginal"`
			Huella     *string `xml:"http://tempuri.org/ huellaDigitalArchivo"`
			Folio      *string `xml:"http://tempuri.org/ folio"`
			Constancia *string `xml:"http://tempuri.org/ Constancia"`
		} `xml:",any"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
}

// Handle answers one request body. It never panics on bad input: a malformed envelope
// becomes a SOAP fault, anything else an Estado.
func (s *Server) Handle(ctx context.Context, body []byte) Answer {
	var req request
	if err := xml.Unmarshal(body, &req); err != nil {
		return s.fault("soap:Sender", "Server was unable to read request. ---> "+err.Error())
	}
	if len(req.Body.Ops) != 1 || req.Body.Ops[0].XMLName.Space != nom151.ServiceNS {
		return s.fault("soap:Sender", "The Body must hold one element of namespace "+nom151.ServiceNS)
	}
	op := req.Body.Ops[0]
	opName := op.XMLName.Local
	if opName != nom151.OpFolio && opName != nom151.OpConstancy {
		return s.fault("soap:Sender", "Unable to handle request without a valid action parameter: "+opName)
	}
	val := func(p *string) string {
		if p == nil {
			return ""
		}
		return strings.TrimSpace(*p)
	}
	var entidad, usuario, clave string
	if a := req.Header.Auth; a != nil {
		entidad, usuario, clave = val(a.Entidad), val(a.Usuario), val(a.Clave)
	}
	answer := func(e nom151.Estado) Answer {
		return Answer{Op: opName, Estado: e, Body: s.estadoBody(opName, e)}
	}
	if e := s.authenticate(entidad, usuario, clave); e != 0 {
		return answer(e)
	}
	nombre := val(op.Nombre)
	switch {
	case strings.HasPrefix(nombre, "ESTADO_"):
		code, _, _ := strings.Cut(strings.TrimPrefix(nombre, "ESTADO_"), ".")
		if n, err := strconv.Atoi(code); err == nil {
			return answer(nom151.Estado(n))
		}
	case strings.HasPrefix(nombre, "FAULT"):
		return s.fault("soap:Receiver", "Server was unable to process request. ---> forced by the document name")
	case strings.HasPrefix(nombre, "SLOW"):
		select {
		case <-ctx.Done():
		case <-time.After(s.cfg.SlowWait):
		}
	}
	switch {
	case nombre == "":
		return answer(-103)
	case utf8.RuneCountInString(nombre) > 200:
		return answer(22)
	case val(op.Huella) == "":
		return answer(-104)
	}
	digest, err := base64.StdEncoding.DecodeString(val(op.Huella))
	if err != nil {
		return answer(-105)
	}
	if len(digest) != 32 && len(digest) != 64 {
		return answer(-108)
	}
	var file []byte
	if opName == nom151.OpFolio {
		f := val(op.Folio)
		folio, err := strconv.ParseInt(f, 10, 64)
		switch {
		case err != nil:
			return answer(31)
		case folio <= 0:
			return answer(-106)
		}
		s.mu.Lock()
		st, ok := s.store[folio]
		s.mu.Unlock()
		if !ok || st.entidad != entidad {
			return answer(32)
		}
		file = st.file
	} else {
		c := val(op.Constancia)
		if c == "" {
			return answer(-112)
		}
		if file, err = base64.StdEncoding.DecodeString(c); err != nil {
			return answer(-107)
		}
	}
	con, err := DecodeConstancy(file)
	if err != nil {
		return answer(-107)
	}
	if len(con.Digest) != len(digest) {
		return answer(29) // the digest must use the constancy's algorithm
	}
	body = s.successBody(opName, nombre, digest, con)
	if strings.HasPrefix(nombre, "HUGE") {
		// A comment after the XML declaration: still a valid answer, only too long.
		decl, rest, _ := bytes.Cut(body, []byte("\n"))
		body = slices.Concat(decl, []byte("\n<!--"), bytes.Repeat([]byte{' '}, hugePadding), []byte("-->"), rest)
	}
	return Answer{Op: opName, Body: body}
}

// authenticate checks AuthSoapHd: 0 when the caller may go on.
func (s *Server) authenticate(entidad, usuario, clave string) nom151.Estado {
	switch {
	case entidad == "":
		return -100
	case usuario == "":
		return -101
	case clave == "":
		return -102
	case utf8.RuneCountInString(entidad) > 20 || utf8.RuneCountInString(usuario) > 20 || utf8.RuneCountInString(clave) > 20:
		return 22
	}
	var entity bool
	var acct *Account
	for i, a := range s.cfg.Accounts {
		if a.Entidad == entidad {
			entity = true
			if a.Usuario == usuario {
				acct = &s.cfg.Accounts[i]
			}
		}
	}
	if !entity {
		return 26
	}
	if acct == nil {
		return 1
	}
	key := [2]string{entidad, usuario}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.attempts[key] >= s.cfg.MaxAttempts {
		return 3
	}
	if clave != acct.Clave {
		s.attempts[key]++
		if s.attempts[key] >= s.cfg.MaxAttempts {
			return 3
		}
		return 2
	}
	s.attempts[key] = 0
	return acct.Estado
}
