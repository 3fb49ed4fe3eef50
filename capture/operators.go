package capture

import "cotejo/capture/signin"

// OperatorList is who may sign in, by name, for the sign-in screen's list.
func (k *Kiosk) OperatorList() []Operator {
	if k.Operators == nil {
		return nil
	}
	var out []Operator
	for _, o := range k.Operators.List() {
		out = append(out, Operator{ID: o.ID, Name: o.Name, Supervisor: o.Role == signin.RoleSupervisor})
	}
	return out
}
