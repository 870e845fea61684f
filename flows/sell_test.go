package flows

import (
	"strings"
	"testing"
)

// A phone number in any field shown in group posts is found, however it is
// written and whatever digits come before it; growing codes, prices and
// account numbers are not taken for one.
func TestContainsPhone(t *testing.T) {
	for text, want := range map[string]bool{
		"Na Chi Lăng LH 0912345678":     true,
		"Mít Thái, zalo 0912.345.678":   true,
		"Na loại 1 0912 345 678":        true, // the grade's digit joins the run
		"Hoàng Văn Lâm +84 912 345 678": true,
		"xã Quang Lang (+84) 912345678": true,
		"HOANG VAN LAM 84912345678":     true,
		"Bưởi 2026-0388-123-456":        true,
		"VN-LSOR-0012":                  false,
		"xã Quang Lang, Chi Lăng":       false,
		"Na Chi Lăng 25.000 đ/kg":       false,
		"1234 5678 9012":                false,
		"0212 345 678":                  false, // a landline prefix, not a mobile
		// A long run of digit groups is read in linear time, a phone at its end found.
		strings.Repeat("12 ", 5000) + "0912 345 678": true,
		strings.Repeat("1-", 5000):                   false,
	} {
		if got := containsPhone(text); got != want {
			t.Errorf("containsPhone(%q) = %v, want %v", text, got, want)
		}
	}
}
