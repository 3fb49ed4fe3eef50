package tbc_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"

	"cotejo/verify/sello"
	"cotejo/verify/sello/tbc"
)

func ExampleSign() {
	key, _ := rsa.GenerateKey(rand.Reader, 2048) // in production: an HSM or the taxpayer's key
	s, _ := sello.KeySigner(key)
	d, cadena, err := tbc.Sign(context.Background(), s, tbc.Consulta{RFC: "AAA010101AAA", Codigo: "ABC123DEF456"})
	fmt.Println(cadena, err, d.Verify(&key.PublicKey))
	_, _, err = tbc.Sign(context.Background(), s, tbc.Consulta{RFC: "AAA010101AAA", Codigo: "abc"})
	fmt.Println(err)
	// Output:
	// ||AAA010101AAA|ABC123DEF456|1.0|| <nil> <nil>
	// tbc: Codigo: the code must have exactly 12 capital letters (A-Z) or digits.
}
