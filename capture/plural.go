package capture

import "fmt"

// triesLeft says how many PIN tries are left, with the noun agreeing with the count.
func triesLeft(n int, lang string) string {
	if lang == "en" {
		if n == 1 {
			return "Wrong operator or PIN. 1 try left."
		}
		return fmt.Sprintf("Wrong operator or PIN. %d tries left.", n)
	}
	if n == 1 {
		return "Operador o PIN incorrecto. Queda 1 intento."
	}
	return fmt.Sprintf("Operador o PIN incorrecto. Quedan %d intentos.", n)
}
