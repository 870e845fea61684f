package vn

import (
	"os"
	"strings"
	"testing"
)

func loadCatalog(t testing.TB) *Catalog {
	t.Helper()
	data, err := os.ReadFile("../../locales/products.toml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCatalogFile(t *testing.T) {
	c := loadCatalog(t)
	want := []string{"na-chi-lang", "quyt-bac-son", "hong-vanh-khuyen", "hong-khong-hat", "thach-den",
		"hoa-hoi", "dao-mau-son", "cam", "buoi", "vai", "nhan", "man", "chuoi", "rau", "gao", "ngo",
		"khoai", "lac", "dau", "mat-ong", "trung", "trung-cut", "ga", "lon"}
	for _, k := range want {
		p, ok := c.ByKey(k)
		if !ok {
			t.Errorf("no product %s", k)
			continue
		}
		if p.Name == "" || p.NameEN == "" || !p.Unit.Valid() {
			t.Errorf("%s: incomplete %+v", k, p)
		}
	}
	units := map[string]Unit{"trung": UnitQua, "trung-cut": UnitQua, "ga": UnitKg, "rau": UnitKg, "mat-ong": UnitLit}
	for k, u := range units {
		if p, _ := c.ByKey(k); p.Unit != u {
			t.Errorf("%s: unit %s, want %s", k, p.Unit, u)
		}
	}
	f := c.Featured()
	if len(f) < 7 || len(f) > 10 {
		t.Errorf("%d featured products", len(f))
	}
	for _, k := range want[:7] { // every Lang Son specialty is a button
		if p, _ := c.ByKey(k); !p.Featured || p.Area == "" && k != "hoa-hoi" {
			t.Errorf("%s: featured %v, area %q", k, p.Featured, p.Area)
		}
	}
	if p, _ := c.ByKey("na-chi-lang"); p.Name != "Na Chi L\u0103ng" || p.Area != "chi-lang" {
		t.Errorf("na-chi-lang = %+v", p)
	}
	// Returned products are copies.
	p, _ := c.ByKey("na-chi-lang")
	p.Aliases[0] = "x"
	if q, _ := c.ByKey("na-chi-lang"); q.Aliases[0] == "x" {
		t.Error("ByKey shares the catalog's slice")
	}
	if len(c.Products()) != len(want) {
		t.Errorf("%d products, want %d", len(c.Products()), len(want))
	}
}

func TestCatalogMatch(t *testing.T) {
	c := loadCatalog(t)
	tests := []struct{ in, want string }{
		{"na", "na-chi-lang"},
		{"Na", "na-chi-lang"},
		{"mãng cầu", "na-chi-lang"},
		{"mang cau", "na-chi-lang"},
		{"na chi lang", "na-chi-lang"},
		{"Na Chi Lăng", "na-chi-lang"},
		{"na dai", "na-chi-lang"},
		{"NA DAI loại 1", "na-chi-lang"},
		{"bán na", "na-chi-lang"},
		{"quả na", "na-chi-lang"},
		{"Na 🍈", "na-chi-lang"},
		// What a Telex or VNI keyboard left, on a phone that did not make
		// it into marks.
		{"nax", "na-chi-lang"},
		{"naf", "na-chi-lang"},
		{"na2", "na-chi-lang"},
		{"cams", "cam"},
		{"quyts", "quyt-bac-son"},
		{"buwoir", "buoi"},
		{"vair", "vai"},
		{"nhanx", "nhan"},
		{"chuoois", "chuoi"},
		{"ngoo", "ngo"},
		{"lajc", "lac"},
		{"gaf", "ga"},
		{"lowjn", "lon"},
		{"rauj", "rau"},
		{"gaoj", "gao"},
		{"maatj ong", "mat-ong"},
		{"ma65t ong", "mat-ong"},
		{"mat ong", "mat-ong"},
		{"hoongf khoong hatj", "hong-khong-hat"},
		{"thachj ddeen", "thach-den"},
		{"trungws", "trung"},
		{"truwngs", "trung"},
		{"quyts bawcs sown", "quyt-bac-son"},
		{"camr own", ""}, // cảm ơn, no orange
		{"🍊 cam", "cam"},
		{"quyt", "quyt-bac-son"},
		{"quýt", "quyt-bac-son"},
		{"trứng cút", "trung-cut"},
		{"trung cut", "trung-cut"},
		{"trứng chim cút", "trung-cut"},
		{"trứng gà", "trung"},
		{"Quýt Bắc Sơn", "quyt-bac-son"},
		{"quyt bac son", "quyt-bac-son"},
		{"hong vanh khuyen", "hong-vanh-khuyen"},
		{"hồng không hạt", "hong-khong-hat"},
		{"Hồng không hạt Bảo Lâm", "hong-khong-hat"},
		{"thạch đen", "thach-den"},
		{"sương sáo", "thach-den"},
		{"hoa hồi", "hoa-hoi"},
		{"hồi khô", "hoa-hoi"},
		{"đại hồi", "hoa-hoi"},
		{"đào", "dao-mau-son"},
		{"dao mau son", "dao-mau-son"},
		{"cam", "cam"},
		{"cam sành", "cam"},
		{"bưởi", "buoi"},
		{"vải", "vai"},
		{"vải thiều", "vai"},
		{"nhãn", "nhan"},
		{"mận", "man"},
		{"chuối", "chuoi"},
		{"rau", "rau"},
		{"rau muống", "rau"},
		{"rau cải ngọt", "rau"},
		{"gạo", "gao"},
		{"gạo nếp", "gao"},
		{"ngô", "ngo"},
		{"bắp", "ngo"},
		{"ngô nếp", "ngo"},
		{"khoai", "khoai"},
		{"khoai lang", "khoai"},
		{"lạc", "lac"},
		{"đậu phộng", "lac"},
		{"đậu", "dau"},
		{"đậu xanh", "dau"},
		{"mật ong", "mat-ong"},
		{"mat ong rung", "mat-ong"},
		{"trứng", "trung"},
		{"trứng gà", "trung"},
		{"gà", "ga"},
		{"gà ri", "ga"},
		{"gà thả vườn", "ga"},
		{"lợn", "lon"},
		{"heo", "lon"},
		{"thịt lợn", "lon"},
		{"  QUYT!! ", "quyt-bac-son"},
		// One typo on a long enough name.
		{"quyt bac sonn", "quyt-bac-son"},
		{"na chi lnag", "na-chi-lang"},
		{"mang cua", "na-chi-lang"},
		// Not in the catalog: free text.
		{"", ""},
		{"sầu riêng", ""},
		{"hồng", ""},
		{"nam", ""},
		{"bán", ""},
		{"xyz", ""},
	}
	for _, tt := range tests {
		p, ok := c.Match(tt.in)
		if p.Key != tt.want || ok != (tt.want != "") {
			t.Errorf("Match(%q) = %q, %v; want %q", tt.in, p.Key, ok, tt.want)
		}
	}
}

func TestParseCatalogErrors(t *testing.T) {
	good := "[[product]]\nkey = \"na\"\nname = \"Na\"\nunit = \"kg\"\n"
	if _, err := ParseCatalog([]byte(good)); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, toml, want string }{
		{"syntax", "[[product]\n", "product catalog"},
		{"empty", "", "no product"},
		{"key", strings.Replace(good, `"na"`, `"Na Chi"`, 1), "slug"},
		{"no name", strings.Replace(good, `"Na"`, `""`, 1), "no name"},
		{"unit", strings.Replace(good, `"kg"`, `"ky"`, 1), "not canonical"},
		{"dup key", good + good, "duplicate key"},
		{"dup alias", good + "[[product]]\nkey = \"na2\"\nname = \"Mang cau\"\naliases = [\"NA\"]\nunit = \"kg\"\n", "names both"},
		{"unknown field", good + "colour = \"red\"\n", "unknown field"},
		{"area", good + "area = \"Chi Lang\"\n", "area"},
		{"empty alias", good + "aliases = [\"  \"]\n", "empty alias"},
		{"piece_min of a product by the kg", good + "piece_min = 200\n", "piece_min"},
		{"piece_min below zero", strings.Replace(good, `"kg"`, `"qua"`, 1) + "piece_min = -1\n", "piece_min"},
	}
	for _, tt := range tests {
		_, err := ParseCatalog([]byte(tt.toml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestWithinOneEdit(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"quyt", "quyt", true}, {"quyt", "quytt", true}, {"quyt", "qyut", true}, {"quyt", "quit", true},
		{"quyt", "qu", false}, {"abcd", "badc", false}, {"", "a", true}, {"ab", "ba", true},
	}
	for _, tt := range tests {
		if got := withinOneEdit(tt.a, tt.b); got != tt.want {
			t.Errorf("withinOneEdit(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

func FuzzParseCatalog(f *testing.F) {
	data, err := os.ReadFile("../../locales/products.toml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data, "na")
	f.Add([]byte("[[product]]\nkey = \"a\"\nname = \"A\"\nunit = \"kg\"\n"), "a")
	f.Fuzz(func(t *testing.T, data []byte, query string) {
		c, err := ParseCatalog(data)
		if err != nil {
			return
		}
		for _, p := range c.Products() {
			// Every product is found by its own name and key.
			if got, ok := c.Match(p.Name); !ok || got.Key != p.Key {
				t.Fatalf("Match(%q) = %q, %v; want %q", p.Name, got.Key, ok, p.Key)
			}
			if got, ok := c.ByKey(p.Key); !ok || got.Key != p.Key {
				t.Fatalf("ByKey(%q)", p.Key)
			}
		}
		if p, ok := c.Match(query); ok {
			if _, ok := c.ByKey(p.Key); !ok {
				t.Fatalf("Match(%q) = unknown %q", query, p.Key)
			}
		}
	})
}

// A qualifier that matters is kept in the name shown (issue 12, item 4).
func TestCatalogMatchName(t *testing.T) {
	c := loadCatalog(t)
	tests := []struct{ in, key, name string }{
		{"mật ong rừng", "mat-ong", "Mật ong rừng"},
		{"mat ong rung", "mat-ong", "Mat ong rung"},
		{"bưởi da xanh", "buoi", "Bưởi da xanh"},
		{"na dai", "na-chi-lang", "Na dai"},
		{"bán na dai loại 1", "na-chi-lang", "Na dai"},
		{"gà đồi", "ga", "Gà đồi"},
		{"mãng cầu", "na-chi-lang", "Mãng cầu"},
		{"na", "na-chi-lang", "Na Chi Lăng"},
		{"quả na", "na-chi-lang", "Na Chi Lăng"},
		{"Na Chi Lăng", "na-chi-lang", "Na Chi Lăng"},
		{"hồi", "hoa-hoi", "Hoa hồi"},
		{"cây thạch đen", "thach-den", "Thạch đen"},
		{"quyt bac sonn", "quyt-bac-son", "Quýt Bắc Sơn"},
		{"mật ong", "mat-ong", "Mật ong"},
	}
	for _, tt := range tests {
		p, name, ok := c.MatchName(tt.in)
		if !ok || p.Key != tt.key || name != tt.name {
			t.Errorf("MatchName(%q) = %q, %q, %v; want %q, %q", tt.in, p.Key, name, ok, tt.key, tt.name)
		}
	}
	if _, _, ok := c.MatchName("sầu riêng"); ok {
		t.Error("MatchName(sầu riêng) matched")
	}
}
