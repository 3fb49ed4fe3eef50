package verify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Similarity is a fingerprint similarity in percent, 0–100. INE sends it as a string
// with a percent sign ("87.5%"); some deployments send a bare number.
type Similarity float64

// UnmarshalJSON accepts 87.5, "87.5", "87.5%", "87,5 %" and treats "" like null.
func (s *Similarity) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		str = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(str), "%"))
		str = strings.ReplaceAll(str, ",", ".")
		if str == "" {
			*s = 0
			return nil
		}
		b = []byte(str)
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("verify: similarity %q is not a number", b)
	}
	if math.IsNaN(v) || v < 0 || v > 100 { // NaN compares false with everything
		return fmt.Errorf("verify: similarity %v is outside 0–100", v)
	}
	*s = Similarity(v)
	return nil
}

// MarshalJSON writes the form INE's samples show: "100.0%".
func (s Similarity) MarshalJSON() ([]byte, error) {
	return json.Marshal(strconv.FormatFloat(float64(s), 'f', 1, 64) + "%")
}
