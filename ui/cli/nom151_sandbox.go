package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"cotejo/verify/nom151"
	"cotejo/verify/nom151/standin"
	"cotejo/verify/sandbox"
)

// runNOM151Sandbox serves the stand-in for Sovos' NOM-151 validation service over TLS,
// writes a client configuration for it, and issues constancies for the files named.
func runNOM151Sandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("nom151-sandbox", stderr)
	addr := fs.String("addr", "127.0.0.1:8451", "address to listen on")
	dir := fs.String("dir", "nom151-sandbox", "folder for ca.pem, nom151.toml and the constancies issued")
	var acct standin.Account
	fs.StringVar(&acct.Entidad, "entidad", "DEMO", "the one account's entity code")
	fs.StringVar(&acct.Usuario, "usuario", "demo", "its user")
	fs.StringVar(&acct.Clave, "clave", "demo1234", "its password")
	seed := fs.Bool("seed-spellings", false, "answer with the seed sample's element names (contanciaFecha, pscNombre)")
	sha512 := fs.Bool("sha512", false, "issue the constancies over SHA-512 digests (default SHA-256)")
	var issue []string
	fs.Func("issue", "issue a constancy for this file at start-up (repeatable): FILE's constancy is written to the folder", func(s string) error {
		issue = append(issue, s)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	now := time.Now()
	psc, err := standin.NewPSC(standin.SovosName, standin.SovosPolicy, 2048, now)
	if err != nil {
		return err
	}
	srv, err := standin.New(standin.Config{PSC: psc, Accounts: []standin.Account{acct}, SeedSpellings: *seed, Logger: logger})
	if err != nil {
		return err
	}
	tlsConf, caPEM, err := standin.TLS(now)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	url := "https://" + ln.Addr().String() + standin.Path
	cfg, err := standin.WriteClientFiles(*dir, url, acct, caPEM)
	if err != nil {
		ln.Close()
		return err
	}
	for _, file := range issue {
		if err := issueConstancy(srv, acct.Entidad, file, *dir, *sha512, stdout); err != nil {
			ln.Close()
			return err
		}
	}
	fmt.Fprintf(stdout, "Simulador NOM-151 en %s\nConfiguración del cliente: %s\nPruebe: cotejo evidence nom151 --config %s --folio FOLIO ARCHIVO\n", url, cfg, cfg)
	logger.Info("simulador NOM-151 escuchando", "addr", ln.Addr().String(), "ruta", standin.Path)
	return sandbox.Serve(ctx, ln, srv, tlsConf, logger)
}

// issueConstancy seals a constancy over file and writes it as DIR/BASE.constancia.
func issueConstancy(srv *standin.Server, entidad, file, dir string, sha512 bool, stdout io.Writer) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	digest, err := nom151.Digest(f, sha512)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	folio, cons, err := srv.Issue(entidad, digest)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, filepath.Base(file)+".constancia")
	if err := os.WriteFile(path, cons, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Constancia folio %d para %s: %s\n", folio, file, path)
	return nil
}
