package flows_test

import (
	"slices"
	"testing"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/locales"
)

// The areas of /dangky and of a follow: the province named alone is every
// area; named beside areas, as an address names it, only where they are.
func TestTheProvinceBesideAreasIsOnlyWhereTheyAre(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		typed   string
		tags    []string
		unknown string
	}{
		{"", nil, ""},
		{"Lạng Sơn", nil, ""},
		{"lang son", nil, ""},
		{"tỉnh Lạng Sơn", nil, ""},
		{"Chi Lăng, Lạng Sơn", []string{"chi_lang"}, ""},
		{"chi lang lang son", []string{"chi_lang"}, ""},
		{"Lạng Sơn, Chi Lăng", []string{"chi_lang"}, ""},
		{"Chi Lăng, Bắc Sơn, Lạng Sơn", []string{"chi_lang", "bac_son"}, ""},
		{"Chi Lăng và Bắc Sơn tỉnh Lạng Sơn", []string{"chi_lang", "bac_son"}, ""},
		{"huyện Chi Lăng, tỉnh Lạng Sơn", []string{"chi_lang"}, ""},
		{"TP Lạng Sơn", []string{"tp_lang_son"}, ""},
		{"Thành phố Lạng Sơn, Lạng Sơn", []string{"tp_lang_son"}, ""},
		{"Cao Lộc, Lạng Sơn và TP Lạng Sơn", []string{"cao_loc", "tp_lang_son"}, ""},
		{"Chi Lăng, Hà Giang", []string{"chi_lang"}, "Hà Giang"},
		{"na Chi Lăng, Lạng Sơn", []string{"chi_lang"}, "na"},
		{"na Lạng Sơn", nil, "na"},
	} {
		tags, unknown := flows.AreasIn(texts, tt.typed)
		if !slices.Equal(tags, tt.tags) || unknown != tt.unknown {
			t.Errorf("%q reads as %q, %q left; want %q, %q left", tt.typed, tags, unknown, tt.tags, tt.unknown)
		}
	}
}
