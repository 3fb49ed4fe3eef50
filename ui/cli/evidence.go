package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"cotejo/verify/nom151"
)

// runEvidence dispatches on its first word, so that other kinds of evidence can join
// nom151 as subcommands.
func runEvidence(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	subs := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"nom151": runEvidenceNOM151,
		"attach": runEvidenceAttach,
		"verify": runEvidenceVerify,
	}
	if len(args) == 0 {
		return errors.New("say 'cotejo evidence verify [--cert cert.pem] [--json] FILE.pdf|--audit|--remote ID [FILE.pdf]', 'cotejo evidence nom151 --folio N FILE', 'cotejo evidence nom151 --constancia CONST FILE' or 'cotejo evidence attach --entry ID --folio N|--constancia CONST'")
	}
	run, ok := subs[args[0]]
	if !ok {
		return fmt.Errorf("no evidence command %q (verify, nom151, attach)", args[0])
	}
	return run(ctx, args[1:], stdout, stderr)
}

// runEvidenceNOM151 checks FILE against its NOM-151 constancy with Sovos (or its
// stand-in) and saves the evidence sheet. Exit status 4: the service answered and the
// file does not check out.
func runEvidenceNOM151(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("evidence nom151", stderr)
	folio := fs.Int64("folio", 0, "the constancy's folio (validaFolioNOM151)")
	constancia := fs.String("constancia", "", "the constancy file as the PSC issued it (validaNOM151)")
	env := fs.String("env", "", "uat or production: the service's address, unless --url or the configuration gives one")
	url := fs.String("url", "", "the service's address (default: [nom151] url, else UAT's)")
	entidad := fs.String("entidad", "", "entity code (default: [nom151] entidad)")
	usuario := fs.String("usuario", "", "user (default: [nom151] usuario)")
	clave := fs.String("clave", "", "password (default: $COTEJO_NOM151_CLAVE, else [nom151] clave); prefer those, a flag shows in the process list")
	ca := fs.String("ca", "", "PEM file of the CAs the service's certificate must chain to (default: [nom151] ca_cert, else the system's)")
	sha512 := fs.Bool("sha512", false, "the constancy was requested with SHA-512 (default SHA-256)")
	name := fs.String("name", "", "the document's name on the evidence sheet (default: FILE's base name)")
	out := fs.String("out", "", "folder for the evidence PDF (default: FILE's folder)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	lang := fs.String("lang", "es", "es or en")
	timeout := fs.Duration("timeout", 0, "bound on the call (default: [nom151] timeout, else 2m)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || (*folio == 0) == (*constancia == "") {
		return errors.New("say --folio N or --constancia CONST, and one FILE")
	}
	file := fs.Arg(0)
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	st, err := nom151Settings(*cfgPath, explicit, *env)
	if err != nil {
		return err
	}
	set := func(v string, dst *string) {
		if v != "" {
			*dst = v
		}
	}
	set(*url, &st.URL)
	set(*entidad, &st.Entidad)
	set(*usuario, &st.Usuario)
	set(os.Getenv("COTEJO_NOM151_CLAVE"), &st.Clave)
	set(*clave, &st.Clave)
	set(*ca, &st.CACert)
	if *timeout > 0 {
		st.Timeout = *timeout
	}
	client, err := st.Client()
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	digest, err := nom151.Digest(f, *sha512)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if *name == "" {
		*name = filepath.Base(file)
	}
	var res *nom151.Result
	if *constancia != "" {
		var cons []byte
		if cons, err = os.ReadFile(*constancia); err != nil {
			return err
		}
		res, err = client.ValidateConstancy(ctx, *name, digest, cons)
	} else {
		res, err = client.ValidateFolio(ctx, *name, digest, *folio)
	}
	if err != nil {
		return serviceError(err, *asJSON, *lang, stdout)
	}
	var saved string
	if len(res.PDF) > 0 {
		saved = nom151.EvidencePath(file, *out, res.ConstanciaSerie)
		// The sheet names the document and may name a person: the owner's alone.
		if err := os.WriteFile(saved, res.PDF, 0o600); err != nil {
			return err
		}
	}
	rp := res.Report(saved)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rp)
	} else {
		err = rp.WriteText(stdout, *lang)
	}
	if err != nil {
		return err
	}
	if !rp.Passed {
		return &exitError{code: 4, err: errors.New("the file does not check out against its constancy")}
	}
	return nil
}

// nom151Settings starts from the configuration file's [nom151] section (a missing file
// is an error only when it was named), and --env, when given, sets the address.
func nom151Settings(cfgPath string, explicit bool, env string) (nom151.Settings, error) {
	var st nom151.Settings
	if _, err := os.Stat(cfgPath); err == nil || explicit {
		if st, err = nom151.LoadSettings(cfgPath); err != nil {
			return st, err
		}
	}
	if env != "" || st.URL == "" {
		e, err := nom151.Environment(env)
		if err != nil {
			return st, err
		}
		st.URL = e.URL
	}
	return st, nil
}

// serviceError tells the operator what the service's refusal means, in lang; with
// --json the refusal is printed as JSON too.
func serviceError(err error, asJSON bool, lang string, stdout io.Writer) error {
	var ee *nom151.EstadoError
	var fe *nom151.FaultError
	msg := ""
	switch {
	case errors.As(err, &ee):
		msg = ee.Message(lang) + " (Estado " + strconv.Itoa(int(ee.Estado)) + ")"
	case errors.As(err, &fe):
		msg = fe.Message(lang)
	case errors.Is(err, context.DeadlineExceeded):
		msg = map[bool]string{true: "The NOM-151 service did not answer in time.", false: "El servicio NOM-151 no respondió a tiempo."}[lang == "en"]
	default:
		return err
	}
	if asJSON {
		v := struct {
			Estado      *nom151.Estado `json:"estado,omitempty"`
			Descripcion string         `json:"descripcion,omitempty"`
			Clase       string         `json:"clase,omitempty"`
			Mensaje     string         `json:"mensaje"`
		}{Mensaje: msg}
		if ee != nil {
			v.Estado, v.Descripcion, v.Clase = &ee.Estado, ee.Descripcion, ee.Estado.Class().String()
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if e := enc.Encode(v); e != nil {
			return e
		}
	}
	return &exitError{code: 1, err: errors.New(msg)}
}
