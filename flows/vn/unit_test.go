package vn

import "testing"

func TestParseUnit(t *testing.T) {
	tests := []struct {
		in   string
		want Unit
		ok   bool
	}{
		{"kg", UnitKg, true}, {"Ký", UnitKg, true}, {"kí", UnitKg, true}, {"ki lô", UnitKg, true},
		{"kilo", UnitKg, true}, {"cân", UnitKg, true}, {"1 kg", UnitKg, true}, {"/kg", UnitKg, true},
		{"một cân", UnitKg, true}, {"1kg", UnitKg, true},
		{"yến", UnitYen, true}, {"yen", UnitYen, true},
		{"tạ", UnitTa, true}, {"ta", UnitTa, true},
		{"tấn", UnitTan, true}, {"tan", UnitTan, true}, {"t", UnitTan, true},
		{"lạng", UnitLang, true}, {"lang", UnitLang, true},
		{"quả", UnitQua, true}, {"qua", UnitQua, true}, {"trái", UnitQua, true}, {"trai", UnitQua, true},
		{"chục", UnitChuc, true}, {"chuc", UnitChuc, true},
		{"thùng", UnitThung, true}, {"bao", UnitBao, true}, {"bó", UnitBo, true},
		{"con", UnitCon, true}, {"lít", UnitLit, true}, {"LIT", UnitLit, true},
		{"buồng", UnitBuong, true}, {"nải", UnitNai, true}, {"sọt", UnitSot, true}, {"bì", UnitBi, true},
		{"mớ", UnitMo, true}, {"cây", UnitCay, true}, {"hộp", UnitHop, true}, {"kiện", UnitKien, true},
		{"Lạng Sơn", "", false}, {"lang son", "", false}, {"g", "", false}, {"", "", false},
		{"kg kg", "", false}, {"2 kg", "", false}, {"bịch", "", false}, {"tan roi", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseUnit(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseUnit(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for _, u := range Units() {
		if got, ok := ParseUnit(string(u)); !ok || got != u {
			t.Errorf("ParseUnit(%q) = %q, %v", u, got, ok)
		}
	}
}

func FuzzParseUnit(f *testing.F) {
	for _, s := range []string{"kg", "ki lô", "Lạng Sơn", "/1 kg", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, ok := ParseUnit(s)
		if ok != u.Valid() || (!ok && u != "") {
			t.Fatalf("ParseUnit(%q) = %q, %v", s, u, ok)
		}
		if ok {
			if back, ok2 := ParseUnit(string(u)); !ok2 || back != u {
				t.Fatalf("canonical %q does not parse", u)
			}
		}
	})
}
