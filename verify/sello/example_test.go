package sello_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"

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
