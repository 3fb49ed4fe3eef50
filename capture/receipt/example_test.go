package receipt_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"cotejo/capture/receipt"
)

func ExampleWrite() {
	similarity := 83.5
	r := receipt.Receipt{
		Lang:        "es",
		Institution: "Banco Ejemplo, Sucursal Centro",
		Operator:    "Juana Pérez",
		Indice:      "7c9e6679-7425-40de-944b-e07fc1f90ae7",
		At:          time.Date(2025, 3, 14, 16, 32, 5, 0, time.UTC),
		Verdict:     "VÁLIDA: la credencial está vigente y los datos coinciden",
		Good:        true,
		Situation:   "La credencial se encuentra vigente.",
		Citizen:     "MARÍA MARTÍNEZ MARTÍNEZ",
		CURP:        "MAMA800101MDFRRR35", // printed as MAMA************35
		CIC:         "123456789",          // printed as *****6789
		Fields: []receipt.Field{
			{Label: "Nombre", Mark: "✓"},
			{Label: "Año de registro", Mark: "✗"},
		},
		Fingers: []receipt.Finger{
			{Label: "Índice derecho", Similarity: &similarity, Threshold: 70},
			{Label: "Índice izquierdo", Threshold: 70}, // not compared: "—"
		},
	}

	f, err := os.Create(filepath.Join(os.TempDir(), "cotejo-receipt-example.pdf"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	// Empty Options: the DejaVu fonts from Debian's fonts-dejavu-core.
	if err := receipt.Write(f, r, receipt.Options{}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("written")
	// Output: written
}
