package sello_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"cotejo/verify/sello"
)

func ExampleBuild() {
	c, err := sello.Build([]sello.Field{
		{Name: "RFCContribuyente", Value: "  AAA010101AAA "},
		{Name: "Codigo", Value: "ABC123DEF456\n"},
		{Name: "Nota", Value: "", Optional: true},
		{Name: "Version", Value: "1.0"},
	})
	fmt.Println(c, err)
	_, err = sello.Build([]sello.Field{{Name: "Nombre", Value: "A|B"}})
	fmt.Println(err)
	// Output:
	// ||AAA010101AAA|ABC123DEF456|1.0|| <nil>
	// sello: Nombre: the value cannot contain the character | (it separates the values of the cadena original).
}

func ExampleSeal() {
	// In the kiosk the key is in an HSM (pkcs11.Signer is a sello.Signer); any
	// crypto.Signer holding an RSA key will do.
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	s, _ := sello.KeySigner(key)
	c := "||AAA010101AAA|ABC123DEF456|1.0||"
	firma, _ := sello.Seal(context.Background(), s, c)
	fmt.Println(len(firma), sello.Verify(&key.PublicKey, c, firma))
	fmt.Println(sello.Verify(&key.PublicKey, "||AAA010101AAA|ABC123DEF456|1.1||", firma))
	// Output:
	// 344 <nil>
	// sello: the sello does not match the cadena original: the cadena or the sello was altered, or the certificate is not the signer's: crypto/rsa: verification error
}

func ExampleEvidence_Verify() {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	s, _ := sello.KeySigner(key)
	e := sello.Evidence{
		Indice: "0f6c2b1e", At: time.Date(2026, 11, 30, 23, 38, 9, 0, time.UTC),
		Operator: "demo", Branch: "Banco Demo, Sucursal Centro",
		CURP: "MAMA************35", CIC: "*****6789",
		ConsentVersion: "2026-01", ConsentAt: time.Date(2026, 11, 30, 23, 36, 51, 0, time.UTC),
		Answer: "Válida", AnswerSHA256: sha256.Sum256([]byte("INE's signed answer")),
	}
	sealed, _ := e.Seal(context.Background(), s)
	fmt.Println(sealed.Cadena)

	cert := &x509.Certificate{PublicKey: &key.PublicKey}
	fmt.Println(e.Verify(cert, sealed))
	sealed.Cadena = strings.Replace(sealed.Cadena, "|demo|", "|otro|", 1)
	fmt.Println(e.Verify(cert, sealed))
	// Output:
	// ||1.0|0f6c2b1e|2026-11-30T23:38:09Z|demo|Banco Demo, Sucursal Centro|MAMA************35|*****6789|2026-01|2026-11-30T23:36:51Z|Válida|c5ae90c730881d05fef8330222b9a9188bce91b4bf30d9f311408c85f0505fa8||
	// <nil>
	// sello: the cadena original does not match the record; fields that differ: Operador
}
