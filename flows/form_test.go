package flows

import (
	"reflect"
	"strings"
	"testing"
)

// Transitions name a form's rows by their fields in the flow's struct
// (To(f.price)), so the compiler catches a row that does not exist; this
// checks that every such row is filled in and is in its form's table.
func TestEveryRowNamedByAFlowIsInItsTable(t *testing.T) {
	sell := newSell(Deps{})
	profile := newProfile(Deps{})
	order := newOrder(Deps{})
	farmers := newFarmers(Deps{})
	for _, tc := range []struct {
		owner any
		table any
	}{
		{sell, sell.form.Rows}, {sell.reg, sell.form.Rows}, {sell.assist, sell.form.Rows},
		{profile, profile.form.Rows}, {profile.reg, profile.form.Rows}, {order, order.form.Rows},
		{farmers, farmers.form.Rows},
	} {
		table := reflect.ValueOf(tc.table)
		inTable := map[uintptr]bool{}
		for i := range table.Len() {
			inTable[table.Index(i).Pointer()] = true
		}
		v := reflect.Indirect(reflect.ValueOf(tc.owner))
		rows := 0
		for i := range v.NumField() {
			field := v.Field(i)
			if field.Kind() != reflect.Pointer || !strings.HasPrefix(field.Type().Elem().Name(), "Field[") {
				continue
			}
			rows++
			name := v.Type().Name() + "." + v.Type().Field(i).Name
			if field.IsNil() {
				t.Errorf("%s is not filled in", name)
			} else if !inTable[field.Pointer()] {
				t.Errorf("%s is not in its form's table", name)
			}
		}
		if rows == 0 {
			t.Errorf("%T has no rows", tc.owner)
		}
	}
}
