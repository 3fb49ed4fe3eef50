package pki

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"cotejo/storage/ownerfs"
)

// CA is a certificate authority that can issue certificates.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

func serial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	return n.Add(n, big.NewInt(1)), nil
}

// NewCA makes a self-signed root valid ten years from now.
func NewCA(name string, bits int, now time.Time) (*CA, error) {
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, err
	}
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{Country: []string{"MX"}, Organization: []string{name}, CommonName: name},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key}, nil
}

// Issue signs a certificate for pub from the template; a random serial is set when the
// template has none.
func (ca *CA) Issue(tmpl *x509.Certificate, pub crypto.PublicKey) (*x509.Certificate, error) {
	t := *tmpl
	if t.SerialNumber == nil {
		sn, err := serial()
		if err != nil {
			return nil, err
		}
		t.SerialNumber = sn
	}
	der, err := x509.CreateCertificate(rand.Reader, &t, ca.Cert, pub, ca.Key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// Options shape a development PKI. Zero values take the defaults.
type Options struct {
	Institution    string   // default "Banco Demo"
	Hosts          []string // server names and addresses; default localhost, 127.0.0.1, ::1
	SandboxAddr    string   // where the generated config points; default 127.0.0.1:8443
	EncryptionBits int      // INE's encryption key; default 4096 as INE's
	SigningBits    int      // both signing keys; default 2048
	CABits         int      // default 3072
	Force          bool     // overwrite an existing PKI
	Now            func() time.Time
}

// Files names what Init wrote, by absolute path.
type Files struct {
	RootCA, RootCAKey               string
	ServerCert, ServerKey           string
	EncryptionKey, EncryptionPublic string
	INESigningCert, INESigningKey   string
	ClientCert, ClientKey           string
	SigningCert, SigningKey         string
	Config                          string
}

// Init writes a complete development PKI into dir: INE's root CA, server certificate,
// encryption key pair and response-signing certificate; the institution's TLS client
// certificate and signing key, both issued by INE's CA; and cotejo.toml using them.
func Init(ctx context.Context, dir string, o Options) (*Files, error) {
	if o.Institution == "" {
		o.Institution = "Banco Demo"
	}
	if len(o.Hosts) == 0 {
		o.Hosts = []string{"localhost", "127.0.0.1", "::1"}
	}
	if o.SandboxAddr == "" {
		o.SandboxAddr = "127.0.0.1:8443"
	}
	o.EncryptionBits = cmp(o.EncryptionBits, 4096)
	o.SigningBits = cmp(o.SigningBits, 2048)
	o.CABits = cmp(o.CABits, 3072)
	if o.Now == nil {
		o.Now = time.Now
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := ownerfs.MkdirAll(abs); err != nil {
		return nil, err
	}
	p := func(name string) string { return filepath.Join(abs, name) }
	f := &Files{
		RootCA: p("ine-root-ca.pem"), RootCAKey: p("ine-root-ca-key.pem"),
		ServerCert: p("ine-server.pem"), ServerKey: p("ine-server-key.pem"),
		EncryptionKey: p("ine-encryption-key.pem"), EncryptionPublic: p("ine-encryption-public.pem"),
		INESigningCert: p("ine-signing.pem"), INESigningKey: p("ine-signing-key.pem"),
		ClientCert: p("institution-client.pem"), ClientKey: p("institution-client-key.pem"),
		SigningCert: p("institution-signing.pem"), SigningKey: p("institution-signing-key.pem"),
		Config: p("cotejo.toml"),
	}
	if !o.Force {
		for _, path := range f.all() {
			if _, err := os.Stat(path); err == nil {
				return nil, fmt.Errorf("pki: %s exists; use --force to replace the PKI", path)
			}
		}
	}
	now := o.Now()
	ca, err := NewCA("INE Autoridad Certificadora (desarrollo)", o.CABits, now)
	if err != nil {
		return nil, err
	}
	if err := writeCert(f.RootCA, ca.Cert); err != nil {
		return nil, err
	}
	if err := writeKey(f.RootCAKey, ca.Key); err != nil {
		return nil, err
	}
	type leaf struct {
		cert, key string
		bits      int
		tmpl      *x509.Certificate
	}
	var ips []net.IP
	var dns []string
	for _, h := range o.Hosts {
		if ip := net.ParseIP(h); ip != nil {
			ips = append(ips, ip)
		} else {
			dns = append(dns, h)
		}
	}
	name := func(cn, org string) pkix.Name {
		return pkix.Name{Country: []string{"MX"}, Organization: []string{org}, CommonName: cn}
	}
	leaves := []leaf{
		{f.ServerCert, f.ServerKey, o.SigningBits, &x509.Certificate{
			Subject: name("INE SVCV (desarrollo)", "INE"), DNSNames: dns, IPAddresses: ips,
			NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(3, 0, 0),
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}},
		{f.INESigningCert, f.INESigningKey, o.SigningBits, &x509.Certificate{
			Subject:   name("INE firma de respuestas (desarrollo)", "INE"),
			NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(3, 0, 0),
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}},
		{f.ClientCert, f.ClientKey, o.SigningBits, &x509.Certificate{
			Subject:   name(o.Institution+" cliente", o.Institution),
			NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(3, 0, 0),
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}},
		{f.SigningCert, f.SigningKey, o.SigningBits, &x509.Certificate{
			Subject:   name(o.Institution+" firma", o.Institution),
			NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(3, 0, 0),
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}},
	}
	for _, l := range leaves {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		key, err := rsa.GenerateKey(rand.Reader, l.bits)
		if err != nil {
			return nil, err
		}
		cert, err := ca.Issue(l.tmpl, &key.PublicKey)
		if err != nil {
			return nil, err
		}
		if err := writeCert(l.cert, cert); err != nil {
			return nil, err
		}
		if err := writeKey(l.key, key); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	enc, err := rsa.GenerateKey(rand.Reader, o.EncryptionBits)
	if err != nil {
		return nil, err
	}
	if err := writeKey(f.EncryptionKey, enc); err != nil {
		return nil, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&enc.PublicKey)
	if err != nil {
		return nil, err
	}
	if err := WritePEM(f.EncryptionPublic, "PUBLIC KEY", pubDER, 0o644); err != nil {
		return nil, err
	}
	var cfg bytes.Buffer
	if err := configTemplate().Execute(&cfg, o); err != nil {
		return nil, err
	}
	if err := writeAtomic(f.Config, cfg.Bytes(), 0o600); err != nil {
		return nil, err
	}
	return f, nil
}

func cmp(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func (f *Files) all() []string {
	return []string{f.RootCA, f.RootCAKey, f.ServerCert, f.ServerKey, f.EncryptionKey, f.EncryptionPublic,
		f.INESigningCert, f.INESigningKey, f.ClientCert, f.ClientKey, f.SigningCert, f.SigningKey, f.Config}
}

func writeCert(path string, c *x509.Certificate) error {
	return WritePEM(path, "CERTIFICATE", c.Raw, 0o644)
}

func writeKey(path string, k crypto.Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return err
	}
	return WritePEM(path, "PRIVATE KEY", der, 0o600)
}

func configTemplate() *template.Template {
	return template.Must(template.New("cotejo.toml").Parse(`# Cotejo development configuration written by ` + "`cotejo pki init`" + `.
# Every path is relative to this file. Never use these keys with the real INE.
lang = "es"

[service]
url = "https://{{.SandboxAddr}}/cxf/SVD/EntidadesExternas/consulta"
ca_cert = "ine-root-ca.pem"
client_cert = "institution-client.pem"
client_key = "institution-client-key.pem"
ine_encryption_key = "ine-encryption-public.pem"
ine_signing_cert = "ine-signing.pem"
signing_cert = "institution-signing.pem"
signing_key = "institution-signing-key.pem"
oaep_hash = "sha256"
mgf1_hash = "sha256"
digest_encoding = "base64"
timeout = "30s"
threshold = 70

[branch]
codigo_postal = "06000"
ciudad = "CDMX"
estado = 9
latitud = 19.4326
longitud = -99.1332

[storage]
path = "cotejo.db"         # the offline queue, results and audit trail (sealed)
# key_provider: "file" by default, "dpapi" on Windows (the key file sealed for this
# account); or "passphrase" ($COTEJO_PASSPHRASE), "keyring"
key_file = "cotejo.key"    # made on first use, readable by this user only
retention_days = 30

[scanner]
kind = "simulated"         # the demo's fingerprint reader: a register citizen's synthetic fingers
citizen = "P001"           # whose fingers it shows
quality = "good"           # how they are placed: good, fair or poor
impostor = false           # true: someone else's fingers, which INE must not match

[sandbox]
addr = "{{.SandboxAddr}}"
tls_cert = "ine-server.pem"
tls_key = "ine-server-key.pem"
client_ca = "ine-root-ca.pem"
encryption_key = "ine-encryption-key.pem"
signing_cert = "ine-signing.pem"
signing_key = "ine-signing-key.pem"
institution_certs = ["institution-signing.pem"]
`))
}

// CSRRequest is the subject INE asks institutions for (section 4 of its spec).
type CSRRequest struct {
	State, City, Organization, CommonName, Email string
	Bits                                         int // default 2048
}

var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// NewCSR makes the institution's RSA key and a CSR with C=MX, ST, L, O, CN and
// emailAddress in the subject, as OpenSSL writes it.
func NewCSR(req CSRRequest) (keyPEM, csrPEM []byte, err error) {
	var missing []string
	for _, f := range []struct{ name, v string }{{"state", req.State}, {"city", req.City}, {"org", req.Organization}, {"cn", req.CommonName}, {"email", req.Email}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("pki: the CSR needs %s", strings.Join(missing, ", "))
	}
	if !strings.Contains(req.Email, "@") {
		return nil, nil, errors.New("pki: email is not an e-mail address")
	}
	bits := cmp(req.Bits, 2048)
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, nil, err
	}
	subject := pkix.Name{
		Country: []string{"MX"}, Province: []string{req.State}, Locality: []string{req.City},
		Organization: []string{req.Organization}, CommonName: req.CommonName,
		ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidEmailAddress, Value: req.Email}},
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: subject, SignatureAlgorithm: x509.SHA256WithRSA,
	}, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pemBytes("PRIVATE KEY", keyDER), pemBytes("CERTIFICATE REQUEST", der), nil
}
