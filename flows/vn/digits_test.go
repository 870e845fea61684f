package vn

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// A phone number in a text shown in group posts is found however it is
// written and whatever digits come before it; growing codes, prices,
// quantities, dates and account numbers are not taken for one.
func TestContainsPhone(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]bool{
		"Na Chi Lăng LH 0912345678":     true,
		"Mít Thái, zalo 0912.345.678":   true,
		"Na loại 1 0912 345 678":        true, // the grade's digit joins the run
		"Hoàng Văn Lâm +84 912 345 678": true,
		"xã Quang Lang (+84) 912345678": true,
		"HOANG VAN LAM 84912345678":     true,
		"Bưởi 2026-0388-123-456":        true,
		"lh0912345678":                  true,
		"0912 345 678 (zalo)":           true,
		// Commas, slashes, underscores, stars, full-width digits.
		"Na 5 tạ 25k, mai có hàng, lh 0912,345,678": true,
		"lh 0912/345/678":                       true,
		"lh 0912 / 345 / 678":                   true,
		"lh 0912_345_678":                       true,
		"lh 0912*345*678":                       true,
		"lh ０９１２３４５６７８":                         true,
		"lh ０９１２ ３４５ ６７８":                       true,
		"lh 091,234,5678":                       true,
		"lh +84,912,345,678":                    true,
		"lh 0912 • 345 • 678":                   true,
		"lh 0912\u200b345678":                   true,
		"lh 0912\u00a0345\u00a0678":             true,
		"gọi 0912…345…678":                      true,
		"VN-LSOR-0012":                          false,
		"xã Quang Lang, Chi Lăng":               false,
		"Na Chi Lăng 25.000 đ/kg":               false,
		"25,000đ, 1,5 tấn":                      false,
		"1234 5678 9012":                        false,
		"0212 345 678":                          false, // a landline prefix, not a mobile
		"0912 345 67":                           false, // a digit short
		"giao các ngày 05/09, 06/09, 07/09":     false,
		"giá 25,000, 30,000, 35,000":            false,
		"loại 1: 35k, loại 2: 30k, loại 3: 25k": false,
		"STK 0123456789123 Vietcombank":         false,
		"½ tấn":                                 false,
		// A long run of digit groups is read in linear time, a phone at its end found.
		strings.Repeat("12 ", 5000) + "0912 345 678": true,
		strings.Repeat("12,", 5000) + "0912,345,678": true,
		strings.Repeat("1-", 5000):                   false,
		strings.Repeat("05/", 5000):                  false,
	} {
		if got := ContainsPhone(text); got != want {
			t.Errorf("ContainsPhone(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestDigitRuns(t *testing.T) {
	t.Parallel()
	text := "Na 5 tạ, lh (+84) 912,345,678 nhé; mã ０１２-3"
	runs := DigitRuns(text)
	var got []string
	for _, r := range runs {
		got = append(got, text[r.Start:r.End]+"="+r.Digits())
	}
	want := []string{"5=5", "+84) 912,345,678=84912345678", "０１２-3=0123"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("runs %q, want %q", got, want)
	}
	g := runs[1].Groups
	if !g[0].Plus || g[0].Loose || g[1].Plus || g[1].Loose || !g[2].Loose || !g[3].Loose {
		t.Errorf("groups of %q: %+v", text[runs[1].Start:runs[1].End], g)
	}
}

func FuzzContainsPhone(f *testing.F) {
	for _, s := range []string{"0912 345 678", "lh 0912,345,678", "０９１２３４５６７８", "05/09, 06/09", "+84 912 345 678",
		"Na 5 tạ 25k", "\xff1\xff", "①②③", "+", "12+", "1,5 tấn"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		digits := 0
		for _, r := range s {
			digits += len(digitsOf(r))
		}
		if ContainsPhone(s) && digits < 10 {
			t.Fatalf("ContainsPhone(%q) with %d digits", s, digits)
		}
		inRuns, prevEnd := 0, -1
		for _, r := range DigitRuns(s) {
			if r.Start < prevEnd || r.Start >= r.End || r.End > len(s) || len(r.Groups) == 0 {
				t.Fatalf("DigitRuns(%q): run %+v after %d", s, r, prevEnd)
			}
			prevEnd = r.End
			last, _ := utf8.DecodeLastRuneInString(s[:r.End])
			if digitsOf(last) == "" {
				t.Fatalf("DigitRuns(%q): run %q ends with no digit", s, s[r.Start:r.End])
			}
			for _, g := range r.Groups {
				if !allDigits(g.Digits) {
					t.Fatalf("DigitRuns(%q): group %+v", s, g)
				}
			}
			inRuns += len(r.Digits())
		}
		if inRuns != digits {
			t.Fatalf("DigitRuns(%q) holds %d digits of %d", s, inRuns, digits)
		}
		// A number written apart from the rest is found, whatever is around it.
		for _, phone := range []string{" 0912,345,678 ", " ０９１２ ３４５ ６７８ ", " 0912_345_678 "} {
			if !ContainsPhone(s + phone + s) {
				t.Fatalf("ContainsPhone(%q) = false", s+phone+s)
			}
		}
	})
}
