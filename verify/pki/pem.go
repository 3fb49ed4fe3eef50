// Package pki makes and loads the certificates and keys Cotejo speaks to INE with: a
// complete development PKI for the sandbox, the CSR a real institution sends to INE,
// and the PEM loaders the rest of the app uses.
package pki

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"cotejo/storage/ownerfs"
)

// LoadCertificates reads every certificate in a PEM file (a bundle).
func LoadCertificates(path string) ([]*x509.Certificate, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, raw = pem.Decode(raw)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}
	return out, nil
}

// LoadCertificate reads the first certificate of a PEM file.
func LoadCertificate(path string) (*x509.Certificate, error) {
	certs, err := LoadCertificates(path)
	if err != nil {
		return nil, err
	}
	return certs[0], nil
}

// readBlock reads the first PEM block of a file.
func readBlock(path string) (*pem.Block, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block", path)
	}
	return block, nil
}

// LoadPrivateKey reads a PKCS#8, PKCS#1 or SEC 1 private key.
func LoadPrivateKey(path string) (crypto.Signer, error) {
	if err := CheckPrivate(path); err != nil {
		return nil, err
	}
	block, err := readBlock(path)
	if err != nil {
		return nil, err
	}
	var key any
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("%s: %q is not a private key", path, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: %T cannot sign", path, key)
	}
	return s, nil
}

// LoadRSAPublicKey reads an RSA public key from a PUBLIC KEY, RSA PUBLIC KEY or
// CERTIFICATE block.
func LoadRSAPublicKey(path string) (*rsa.PublicKey, error) {
	block, err := readBlock(path)
	if err != nil {
		return nil, err
	}
	var pub any
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var c *x509.Certificate
		if c, err = x509.ParseCertificate(block.Bytes); err == nil {
			pub = c.PublicKey
		}
	default:
		return nil, fmt.Errorf("%s: %q is not a public key", path, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rsaPub, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%s: expected an RSA public key, found %T", path, pub)
	}
	return rsaPub, nil
}

// WritePEM writes one PEM block atomically: a crash never leaves half a key.
func WritePEM(path, typ string, der []byte, mode os.FileMode) error {
	return writeAtomic(path, pemBytes(typ, der), mode)
}

// WriteFile writes data to path through a temporary file renamed into place; with a
// mode that gives others nothing (0600) the file is private to its owner on Windows
// too (an owner-only ACL).
func WriteFile(path string, data []byte, mode os.FileMode) error {
	return writeAtomic(path, data, mode)
}

func writeAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if mode&0o077 == 0 {
		// Private before the first byte is written: on Windows, the owner-only ACL
		// (the mode below means nothing there).
		if err := ownerfs.Restrict(tmp); err != nil {
			f.Close()
			os.Remove(tmp)
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	_, err = f.Write(data)
	err = errors.Join(err, f.Chmod(mode), f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func pemBytes(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// CheckPrivate refuses a private key file others can read (group or others in its
// mode bits, or on Windows an entry of its access list for anyone but the user,
// SYSTEM and Administrators), as the data key is refused: a key that has been readable
// may have been copied. The error is an *ownerfs.ExposedError, es/en, with the command
// that makes the file private.
func CheckPrivate(path string) error {
	return ownerfs.Check(path)
}
