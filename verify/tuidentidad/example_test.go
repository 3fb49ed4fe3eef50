package tuidentidad_test

import (
	"encoding/json"
	"fmt"

	"cotejo/verify/credential"
	"cotejo/verify/tuidentidad"
)

func ExampleINERequestFor() {
	// A model G credential: the CIC, and the OCR's last 9 digits (the identificador del
	// ciudadano).
	c := credential.Credential{Modelo: credential.ModelG, CIC: "204978519", OCR: "1234092333274"}
	req, err := tuidentidad.INERequestFor(c, tuidentidad.MapOptions{})
	if err != nil {
		panic(err)
	}
	out, _ := json.Marshal(req)
	fmt.Println(string(out))
	// Output: {"type":"G","id":"204978519","ocr":"092333274","issueNumber":""}
}

func ExampleRecord_Result() {
	// The verification is a JSON document inside a JSON string: decoded twice.
	body := `{"verificationId":"v1","verificationType":2,"verificationStatus":3,"verification":"{\"rfc\":\"PELJ800101AB1\"}","warnings":[]}`
	r, err := tuidentidad.ParseRecord([]byte(body))
	if err != nil {
		panic(err)
	}
	res, err := r.Result()
	fmt.Println(r.Status, res.RFC, err)
	// Output: delivering PELJ800101AB1 <nil>
}
