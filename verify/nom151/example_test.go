package nom151_test

import (
	"fmt"
	"os"

	"cotejo/verify/nom151"
)

// Reading the seed's sample answer: the checks, the folio and the evidence to keep.
func ExampleParseResponse() {
	raw, err := os.ReadFile("testdata/seed_response.xml")
	if err != nil {
		panic(err)
	}
	r, err := nom151.ParseResponse(raw)
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Passed(), r.ConstanciaSerie, r.ConstanciaAlgoritmo)
	fmt.Println(r.ValidaFecha.UTC().Format("2006-01-02 15:04:05Z"), r.ConstanciaFecha.Format("2006-01-02 15:04:05.000Z"))
	fmt.Println(string(r.PDF[:8]))
	// Output:
	// true 10526380 SHA-256
	// 2022-01-31 18:27:39Z 2022-01-31 18:25:02.115Z
	// %PDF-1.4
}
