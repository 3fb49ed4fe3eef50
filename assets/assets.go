// Package assets holds the files Cotejo ships inside its binary: the sandbox's synthetic
// voter register, and later the privacy notice, sample credentials and the icon.
package assets

import _ "embed"

// Padron returns the synthetic voter register the sandbox answers from. Every citizen in
// it is fictitious.
func Padron() []byte { return padron }

//go:embed padron.json
var padron []byte
