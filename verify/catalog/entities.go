package catalog

// EntityInfo is a federal entity of the spec's catalogue (annex 5.3).
type EntityInfo struct {
	Number  int
	Name    string // as INE writes it
	Display string // as a person reads it
	CURP    string // two-letter code in the CURP
}

func entityTable() [32]EntityInfo {
	return [32]EntityInfo{
		{1, "AGUASCALIENTES", "Aguascalientes", "AS"},
		{2, "BAJA CALIFORNIA", "Baja California", "BC"},
		{3, "BAJA CALIFORNIA SUR", "Baja California Sur", "BS"},
		{4, "CAMPECHE", "Campeche", "CC"},
		{5, "COAHUILA", "Coahuila", "CL"},
		{6, "COLIMA", "Colima", "CM"},
		{7, "CHIAPAS", "Chiapas", "CS"},
		{8, "CHIHUAHUA", "Chihuahua", "CH"},
		{9, "CIUDAD DE MEXICO", "Ciudad de México", "DF"},
		{10, "DURANGO", "Durango", "DG"},
		{11, "GUANAJUATO", "Guanajuato", "GT"},
		{12, "GUERRERO", "Guerrero", "GR"},
		{13, "HIDALGO", "Hidalgo", "HG"},
		{14, "JALISCO", "Jalisco", "JC"},
		{15, "MEXICO", "Estado de México", "MC"},
		{16, "MICHOACAN", "Michoacán", "MN"},
		{17, "MORELOS", "Morelos", "MS"},
		{18, "NAYARIT", "Nayarit", "NT"},
		{19, "NUEVO LEON", "Nuevo León", "NL"},
		{20, "OAXACA", "Oaxaca", "OC"},
		{21, "PUEBLA", "Puebla", "PL"},
		{22, "QUERETARO", "Querétaro", "QT"},
		{23, "QUINTANA ROO", "Quintana Roo", "QR"},
		{24, "SAN LUIS POTOSI", "San Luis Potosí", "SP"},
		{25, "SINALOA", "Sinaloa", "SL"},
		{26, "SONORA", "Sonora", "SR"},
		{27, "TABASCO", "Tabasco", "TC"},
		{28, "TAMAULIPAS", "Tamaulipas", "TS"},
		{29, "TLAXCALA", "Tlaxcala", "TL"},
		{30, "VERACRUZ", "Veracruz", "VZ"},
		{31, "YUCATAN", "Yucatán", "YN"},
		{32, "ZACATECAS", "Zacatecas", "ZS"},
	}
}

// Entities lists the 32 entities in number order.
func Entities() []EntityInfo {
	t := entityTable()
	return t[:]
}

// ValidEntity reports whether n is an entity number (1–32).
func ValidEntity(n int) bool { return n >= 1 && n <= 32 }

// EntityName is the entity's name as INE writes it.
func EntityName(n int) (string, bool) {
	if !ValidEntity(n) {
		return "", false
	}
	return entityTable()[n-1].Name, true
}

// EntityFromCURPState maps a CURP's two-letter state to the entity number; NE (born
// abroad) maps to 0 with ok true.
func EntityFromCURPState(code string) (int, bool) {
	if code == "NE" {
		return 0, true
	}
	for _, e := range entityTable() {
		if e.CURP == code {
			return e.Number, true
		}
	}
	return 0, false
}

// CURPState is the two-letter CURP code of an entity.
func CURPState(entity int) (string, bool) {
	if !ValidEntity(entity) {
		return "", false
	}
	return entityTable()[entity-1].CURP, true
}
