package remoteid

import (
	"errors"
	"testing"
)

func TestDecodeReply(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Reply
		err  bool
	}{
		{"array", `[{"Res":1,"ID":"1283876988","Cred":9}]`, Reply{Res: 1, ID: "1283876988", Cred: 9}, false},
		{"bare object", `{"Res":1,"ID":"1283876988","Cred":9}`, Reply{Res: 1, ID: "1283876988", Cred: 9}, false},
		{"double credits", `[{"Res":1,"Cred":12.0}]`, Reply{Res: 1, Cred: 12}, false},
		{"numbers as strings", `[{"Res":"-3","ID":1283876988,"Cred":"7","Error":"Falta Telefono"}]`, Reply{Res: -3, ID: "1283876988", Cred: 7, Error: "Falta Telefono"}, false},
		{"names in any case", `{"res":-2,"id":null,"CRED":0}`, Reply{Res: -2}, false},
		{"spaces", " \n[{\"Res\":-1}]\n", Reply{Res: -1}, false},
		{"empty", ``, Reply{}, true},
		{"legacy text", `1`, Reply{}, true},
		{"no Res", `[{"ID":"1"}]`, Reply{}, true},
		{"two elements", `[{"Res":1},{"Res":1}]`, Reply{}, true},
		{"empty array", `[]`, Reply{}, true},
		{"null", `null`, Reply{}, true},
		{"fractional Res", `{"Res":1.5}`, Reply{}, true},
		{"huge Res", `{"Res":1e12}`, Reply{}, true},
		{"Cred not a number", `{"Res":1,"Cred":"many"}`, Reply{}, true},
		{"html", `<html>busy</html>`, Reply{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeReply([]byte(tt.body))
			if tt.err {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("err = %v, want ErrMalformed", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func FuzzDecodeReply(f *testing.F) {
	for _, s := range []string{
		`[{"Res":1,"ID":"1283876988","Cred":9}]`, `{"Res":-3,"Error":"x"}`, `[{"Res":"1","Cred":"12.0"}]`,
		`[]`, `null`, `1`, `{"res":1,"RES":-1}`, `[{"Res":1,"ID":{"a":1}}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeReply(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error not ErrMalformed: %v", err)
			}
			return
		}
		_ = r.Res.Message("es") + r.Res.Message("en")
	})
}
