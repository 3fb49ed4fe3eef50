package remoteid_test

import (
	"fmt"

	"cotejo/verify/remoteid"
)

// A report as the provider sends it (every value a string, the result a JSON string)
// and the case it moves.
func ExampleParseWebhook() {
	body := `{"Servicio":"VERIFICACION_IDENTIDAD","ID":"1283876988","Estado":"5500",` +
		`"Result":"{\"Resultado\":-5,\"DNI\":{\"Caducado\":\"Si\"}}"}`
	e, err := remoteid.ParseWebhook("application/json", []byte(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	var c remoteid.Case
	c.Apply(e)
	c.Apply(e) // a duplicate changes nothing
	fmt.Println(c.Estado(), c.Estado().Message("en"))
	fmt.Println(c.Result().Resultado.Message("es"))
	fmt.Println(c.NeedsCertificate())
	// Output:
	// 5500 Rejected by a provider operator.
	// Documento de identidad vencido.
	// false
}

func ExampleRes_Message() {
	fmt.Println(remoteid.ResNoCredits.Message("es"))
	fmt.Println(remoteid.ResNoCredits.Message("en"))
	// Output:
	// No hay créditos suficientes en la cuenta del proveedor.
	// There are not enough credits in the provider account.
}
