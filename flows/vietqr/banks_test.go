package vietqr

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func loadBanks(t *testing.T) []Bank {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "locales", "banks.toml"))
	if err != nil {
		t.Fatal(err)
	}
	banks, err := ParseBanks(data)
	if err != nil {
		t.Fatalf("ParseBanks(locales/banks.toml): %v", err)
	}
	return banks
}

func TestBanksFile(t *testing.T) {
	banks := loadBanks(t)
	if len(banks) < 40 {
		t.Errorf("%d banks, want at least 40", len(banks))
	}
	bins := map[string]string{}
	codes := map[string]bool{}
	for _, b := range banks {
		if !isDigits(b.BIN, 6) {
			t.Errorf("%s: BIN %q is not 6 digits", b.Code, b.BIN)
		}
		if other, dup := bins[b.BIN]; dup {
			t.Errorf("BIN %s: %s and %s", b.BIN, other, b.Code)
		}
		bins[b.BIN] = b.Code
		if codes[b.Code] {
			t.Errorf("code %s twice", b.Code)
		}
		codes[b.Code] = true
		// Every bank can be turned into a payload.
		if _, err := Payload(Transfer{BIN: b.BIN, Account: "0123456789"}); err != nil {
			t.Errorf("%s: %v", b.Code, err)
		}
	}
	// BINs checked against the published lists cited in banks.toml.
	want := map[string]string{
		"Vietcombank": "970436", "VietinBank": "970415", "BIDV": "970418",
		"Agribank": "970405", "Techcombank": "970407", "MB Bank": "970422",
		"ACB": "970416", "VPBank": "970432", "TPBank": "970423",
		"Sacombank": "970403", "HDBank": "970437", "VIB": "970441",
		"SHB": "970443", "SeABank": "970440", "OCB": "970448", "MSB": "970426",
		"LPBank": "970449", "Eximbank": "970431", "Nam A Bank": "970428",
		"Bac A Bank": "970409", "ABBANK": "970425", "VietABank": "970427",
		"PVcomBank": "970412", "SCB": "970429", "BaoViet Bank": "970438",
		"KienlongBank": "970452", "NCB": "970419", "PGBank": "970430",
		"Saigonbank": "970400", "MBV": "970414", "GPBank": "970408",
		"Vietbank": "970433", "BVBank": "970454", "Vikki Bank": "970406",
		"Co-opBank": "970446", "VCBNeo": "970444", "Cake": "546034",
		"Ubank": "546035", "Timo": "963388",
	}
	byName := map[string]Bank{}
	for _, b := range banks {
		byName[b.ShortName] = b
	}
	for name, bin := range want {
		b, ok := byName[name]
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if b.BIN != bin {
			t.Errorf("%s: BIN %s, want %s", name, b.BIN, bin)
		}
	}
}

func TestMatchBank(t *testing.T) {
	banks := loadBanks(t)
	tests := []struct{ in, wantBIN string }{
		{"vietcombank", "970436"},
		{"VCB", "970436"},
		{"vcb", "970436"},
		{"Vietcom", "970436"},
		{"ngân hàng ngoại thương", "970436"},
		{"970436", "970436"},
		{"agribank", "970405"},
		{"Agri", "970405"},
		{"AGRIBANK", "970405"},
		{"nông nghiệp", "970405"},
		{"Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam", "970405"},
		{"NH nông nghiệp", "970405"},
		{"mb", "970422"},
		{"MB Bank", "970422"},
		{"mbbank", "970422"},
		{"quân đội", "970422"},
		{"techcombank", "970407"},
		{"tcb", "970407"},
		{"Techcom", "970407"},
		{"bidv", "970418"},
		{"BIDV ", "970418"},
		{"vietinbank", "970415"},
		{"Viettinbank", "970415"},
		{"ctg", "970415"},
		{"ICB", "970415"},
		{"công thương", "970415"},
		{"acb", "970416"},
		{"á châu", "970416"},
		{"Sacombank", "970403"},
		{"sacom bank", "970403"},
		{"TP bank", "970423"},
		{"vpbank", "970432"},
		{"LienVietPostBank", "970449"},
		{"lien viet post bank", "970449"},
		{"LPBank", "970449"},
		{"lộc phát", "970449"},
		{"OceanBank", "970414"},
		{"mbv", "970414"},
		{"DongA Bank", "970406"},
		{"Đông Á", "970406"},
		{"vikki", "970406"},
		{"CBBank", "970444"},
		{"VCB Neo", "970444"},
		{"Viet Capital Bank", "970454"},
		{"Bản Việt", "970454"},
		{"BVBank", "970454"},
		{"Bảo Việt", "970438"},
		{"co-op bank", "970446"},
		{"coopbank", "970446"},
		{"Nam A Bank", "970428"},
		{"nam á", "970428"},
		{"bắc á", "970409"},
		{"Saigonbank", "970400"},
		{"SCB", "970429"},
		{"Eximbank", "970431"},
		{"Cake", "546034"},
		{"timo", "963388"},
		{"Ubank", "546035"},
		{"Kiên Long", "970452"},
		{"MSB", "970426"},
		{"Maritime Bank", "970426"},
		{"PG Bank", "970430"},
		{"shinhan", "970424"},
	}
	for _, tt := range tests {
		b, ok := MatchBank(banks, tt.in)
		if !ok {
			t.Errorf("MatchBank(%q): no match, want %s", tt.in, tt.wantBIN)
			continue
		}
		if b.BIN != tt.wantBIN {
			t.Errorf("MatchBank(%q) = %s %s, want %s", tt.in, b.ShortName, b.BIN, tt.wantBIN)
		}
	}
	for _, in := range []string{"", "   ", "bank", "ngân hàng", "vietcombankk", "xyz", "chuyen khoan", "9704", "Ngân hàng Nhà nước"} {
		if b, ok := MatchBank(banks, in); ok {
			t.Errorf("MatchBank(%q) = %s, want no match", in, b.ShortName)
		}
	}
}

func TestParseBanksRejects(t *testing.T) {
	const good = `
[[bank]]
code = "VCB"
short_name = "Vietcombank"
name = "Ngân hàng TMCP Ngoại Thương Việt Nam"
bin = "970436"
aliases = ["Vietcom"]
`
	if banks, err := ParseBanks([]byte(good)); err != nil || len(banks) != 1 || banks[0].Aliases[0] != "Vietcom" {
		t.Fatalf("ParseBanks(good) = %+v, %v", banks, err)
	}
	second := func(code, short, name, bin, aliases string) string {
		return good + "\n[[bank]]\ncode = \"" + code + "\"\nshort_name = \"" + short +
			"\"\nname = \"" + name + "\"\nbin = \"" + bin + "\"\naliases = [" + aliases + "]\n"
	}
	bad := map[string]string{
		"not TOML":       "[[bank]\ncode=",
		"empty":          "",
		"unknown key":    good + "swift = \"BFTVVNVX\"\n",
		"missing name":   "[[bank]]\ncode = \"X\"\nshort_name = \"X\"\nbin = \"970400\"\n",
		"5-digit BIN":    second("ICB", "VietinBank", "Công thương", "97041", ""),
		"letters in BIN": second("ICB", "VietinBank", "Công thương", "97041A", ""),
		"duplicate BIN":  second("ICB", "VietinBank", "Công thương", "970436", ""),
		"shared alias":   second("ICB", "VietinBank", "Công thương", "970415", `"Vietcom"`),
		"shared code":    second("vcb", "VietinBank", "Công thương", "970415", ""),
		"empty alias":    second("ICB", "VietinBank", "Công thương", "970415", `"  "`),
	}
	for name, data := range bad {
		if _, err := ParseBanks([]byte(data)); !errors.Is(err, ErrBankData) {
			t.Errorf("%s: err = %v, want ErrBankData", name, err)
		}
	}
}
