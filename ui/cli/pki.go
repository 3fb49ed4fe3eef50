package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	"cotejo/capture"
	"cotejo/scanner/biometrics/enrolled"
	"cotejo/verify"
	"cotejo/verify/pki"
	"cotejo/verify/sandbox"
)

// The development PKI, the institution's CSR for INE, and INE's stand-in.

func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("sandbox", stderr)
	addr := fs.String("addr", "", "address to listen on (default: [sandbox] addr)")
	padron := fs.String("padron", "", "voter register JSON (default: the synthetic one shipped)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := capture.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	st := cfg.Sandbox
	if *padron != "" {
		p, err := filepath.Abs(*padron)
		if err != nil {
			return err
		}
		st.Padron = p
	}
	if *addr != "" {
		st.Addr = *addr
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	srv, tlsConf, err := st.Open(cfg.Dir(), logger, &enrolled.Matcher{})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", st.Addr)
	if err != nil {
		return err
	}
	logger.Info("sandbox escuchando", "addr", ln.Addr().String(), "ruta", verify.ServicePath)
	return sandbox.Serve(ctx, ln, srv, tlsConf, logger)
}

func runPKI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("say 'cotejo pki init --dir D' or 'cotejo pki csr --out D ...'")
	}
	switch args[0] {
	case "init":
		fs, _ := newFlags("pki init", stderr)
		dir := fs.String("dir", "", "folder for the PKI and its cotejo.toml")
		inst := fs.String("institution", "Banco Demo", "institution name")
		addr := fs.String("addr", "127.0.0.1:8443", "sandbox address the config points at")
		force := fs.Bool("force", false, "overwrite an existing PKI")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *dir == "" {
			return errors.New("--dir is required")
		}
		cfgPath, err := capture.NewDemoConfig(ctx, *dir, pki.Options{Institution: *inst, SandboxAddr: *addr, Force: *force})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "PKI de desarrollo lista en %s\nConfiguración: %s\n", *dir, cfgPath)
		return nil
	case "csr":
		fs, _ := newFlags("pki csr", stderr)
		out := fs.String("out", ".", "folder for institution-key.pem and institution.csr")
		var req pki.CSRRequest
		fs.StringVar(&req.State, "state", "", "state (ST), e.g. CIUDAD DE MEXICO")
		fs.StringVar(&req.City, "city", "", "city (L)")
		fs.StringVar(&req.Organization, "org", "", "institution (O)")
		fs.StringVar(&req.CommonName, "cn", "", "server FQDN (CN)")
		fs.StringVar(&req.Email, "email", "", "contact e-mail (emailAddress)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		keyPEM, csrPEM, err := pki.NewCSR(req)
		if err != nil {
			return err
		}
		keyPath, csrPath := filepath.Join(*out, "institution-key.pem"), filepath.Join(*out, "institution.csr")
		for _, f := range []struct {
			path string
			data []byte
			mode os.FileMode
		}{{keyPath, keyPEM, 0o600}, {csrPath, csrPEM, 0o644}} {
			if _, err := os.Stat(f.path); err == nil {
				return fmt.Errorf("%s exists; not overwriting a key or CSR", f.path)
			}
			if err := pki.WriteFile(f.path, f.data, f.mode); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "Llave: %s\nSolicitud (CSR) para el INE: %s\n", keyPath, csrPath)
		return nil
	}
	return fmt.Errorf("no pki command %q (init, csr)", args[0])
}
