package tuidentidad

// State is a state's number in the provider's catalogue (1–32).
type State int

// StateName is the state's name as the provider's catalogue writes it.
func StateName(s State) (string, bool) {
	names := stateNames()
	if s < 1 || int(s) > len(names) {
		return "", false
	}
	return names[s-1], true
}

// ValidState reports whether s is in the catalogue.
func ValidState(s State) bool { return s >= 1 && s <= 32 }

func stateNames() [32]string {
	return [32]string{"Aguascalientes", "Baja California", "Baja California Sur", "Campeche",
		"Coahuila", "Colima", "Chiapas", "Chihuahua", "Ciudad de México", "Durango", "Guanajuato",
		"Guerrero", "Hidalgo", "Jalisco", "Estado de México", "Michoacán", "Morelos", "Nayarit",
		"Nuevo León", "Oaxaca", "Puebla", "Querétaro", "Quintana Roo", "San Luis Potosí",
		"Sinaloa", "Sonora", "Tabasco", "Tamaulipas", "Tlaxcala", "Veracruz", "Yucatán", "Zacatecas"}
}
