package signin

import (
	"cmp"
	"slices"
)

// List is the operators by name, without their PIN hashes: for a touch screen's sign-in,
// where the operator taps their name rather than typing an id.
func (b *Book) List() []Operator {
	out := make([]Operator, 0, len(b.ops))
	for _, o := range b.ops {
		o.PIN = ""
		out = append(out, o)
	}
	slices.SortFunc(out, func(x, y Operator) int { return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.ID, y.ID)) })
	return out
}
