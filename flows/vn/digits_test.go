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
		"Hoa bán na 01689 123 456":              true, // a number from before 2018
		"lh 0168.912.3456":                      true,
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
		// Digits said in words, or letters typed for digits.
		"Hoa không chín một hai ba bốn năm sáu bảy tám":     true,
		"Hoa khong chin mot hai ba bon nam sau bay tam":     true,
		"KHÔNG CHÍN MỘT HAI BA BỐN NĂM SÁU BẢY TÁM":         true,
		"gọi không chín mốt, hai ba bốn, năm sáu bẩy tám":   false, // said in pairs, set apart by commas
		"gọi không chín mốt hai ba bốn năm sáu bẩy tám":     true,
		"zalo không 9 một 2 ba 4 năm 6 bảy 8":               true,
		"lh không 912 345 678":                              true,
		"zero nine one two three four five six seven eight": true,
		"Hoa O912345678":                          true,
		"Hoa o912.345.678":                        true,
		"Hoa 09l2 345 678":                        true,
		"Hoa O9I2-345-67O":                        true,
		"Hoa O968.lll.222":                        true,
		"Hoa 0968 III 222":                        true,
		"Hoa 0968 lll 22 Na":                      false,
		"Hoa 0912 345 678 ạ":                      true,
		"hai ba quả, năm 2026":                    false,
		"Na chín, không phun thuốc, 25.000 đ/kg":  false,
		"giao 20-12, 5 tạ, loại một, bán lẻ":      false,
		"năm 2026 tháng chín, hai ba tấn":         false,
		"chìn bón một hai ba bốn năm sáu bảy tám": false, // other words, a digit short
		"lol 1 OI l0":                             false,
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

// Digits said in words, with their diacritics or none, and letters typed
// for digits in a word of digits, are read as digits; other words end a
// run, as any letter does.
func TestDigitRunsReadDigitsInWords(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"không chín một hai ba bốn năm sáu bảy tám": "không chín một hai ba bốn năm sáu bảy tám=0912345678",
		"Khong Chin Mot, hai":                     "Khong Chin Mot, hai=0912",
		"không 9 tám 7 sáu 5":                     "không 9 tám 7 sáu 5=098765",
		"chín mốt hai lăm bẩy tư":                 "chín mốt hai lăm bẩy tư=912574",
		"lh O912 345 678":                         "O912 345 678=0912345678",
		"09l2.345.67O ạ":                          "09l2.345.67O=0912345670",
		"+84 9I2":                                 "+84 9I2=84912",
		"năm 2026, hai ba quả":                    "năm 2026, hai ba=5202623", // a comma ends no run
		"chìn bón, bán lẻ, linh tinh, Ol, lo, oO": "",
		"Chợ Ba Đình":                             "Ba=3",
		"0968 lll 222 Na lo 5 Ol":                 "0968 lll 222=0968111222|5=5",
		"lo 0968 Il":                              "0968=0968",
		"lh0912":                                  "0912=0912",
		"abc0912def345":                           "0912=0912|345=345",
		"kho\u0302ng chi\u0301n (decomposed)":     "kho\u0302ng chi\u0301n=09",
	} {
		var got []string
		for _, r := range DigitRuns(text) {
			got = append(got, text[r.Start:r.End]+"="+r.Digits())
		}
		if strings.Join(got, "|") != want {
			t.Errorf("DigitRuns(%q) = %q, want %q", text, strings.Join(got, "|"), want)
		}
	}
}

// A run of digits holds several numbers where they are clearly not one:
// groups set apart loosely or by a dash between spaces, fewer than 9
// digits around the split, the least a phone number has (one short).
func TestDigitRunNumbers(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"Chợ Na Chi Lăng 2025 - 15/8":      "2025|15|8",
		"15/8 – 2025":                      "15|8|2025",
		"15/8/2025":                        "15|8|2025",
		"5/9, 6/9, 7/9":                    "5|9|6|9|7|9",
		"2025-15/8":                        "2025-15|8", // a dash without spaces joins
		"2025 - 2026 - 2027":               "2025 - 2026 - 2027",
		"không chín 1 2 3 4":               "không chín 1 2 3 4",
		"0912 - 345 - 678":                 "0912 - 345 - 678",
		"0912 - 345 - 67":                  "0912 - 345 - 67",
		"+84 - 912 - 345 - 678":            "+84 - 912 - 345 - 678",
		"09/12/34/56/78":                   "09/12/34/56/78",
		"12 09/1234/5678":                  "12 09/1234/5678",
		"2025 - 0912 345 678":              "2025 - 0912 345 678",
		"12345678901234567 - 0912 345 678": "12345678901234567|0912 345 678",
		"0912 345 678 - 12345678901234567": "0912 345 678|12345678901234567",
	} {
		var got []string
		for _, r := range DigitRuns(text) {
			for _, n := range r.Numbers() {
				got = append(got, text[n.Start:n.End])
			}
		}
		if strings.Join(got, "|") != want {
			t.Errorf("numbers of %q: %q, want %q", text, strings.Join(got, "|"), want)
		}
	}
}

func FuzzContainsPhone(f *testing.F) {
	for _, s := range []string{"0912 345 678", "lh 0912,345,678", "０９１２３４５６７８", "05/09, 06/09", "+84 912 345 678",
		"Na 5 tạ 25k", "\xff1\xff", "①②③", "+", "12+", "1,5 tấn", "không chín một hai", "O9l2 345", "năm 2026",
		"2025 - 15/8", "0912 - 345 - 678", "15/8/2025 - 0912 345 678 - 2026"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		digits := 0
		for _, r := range s {
			digits += len(digitsOf(r))
		}
		inRuns, longest, prevEnd := 0, 0, -1
		for _, r := range DigitRuns(s) {
			if r.Start < prevEnd || r.Start >= r.End || r.End > len(s) || len(r.Groups) == 0 {
				t.Fatalf("DigitRuns(%q): run %+v after %d", s, r, prevEnd)
			}
			prevEnd = r.End
			// A run ends with a digit, or a word read as digits.
			last, _ := utf8.DecodeLastRuneInString(s[:r.End])
			next, _ := utf8.DecodeRuneInString(s[r.End:])
			if !inWord(last) || r.End < len(s) && inWord(next) && digitsOf(last) == "" {
				t.Fatalf("DigitRuns(%q): run %q ends with no digit", s, s[r.Start:r.End])
			}
			for _, g := range r.Groups {
				if g.Digits == "" || !allDigits(g.Digits) {
					t.Fatalf("DigitRuns(%q): group %+v", s, g)
				}
			}
			inRuns += len(r.Digits())
			longest = max(longest, len(r.Digits()))
			// Split into numbers, the run keeps its digits in order, and a
			// phone number in it stays within one of them.
			var numbers []string
			phone := false
			for i, n := range r.Numbers() {
				if n.Start < r.Start || n.End > r.End || n.Start >= n.End || i == 0 && n.Start != r.Start {
					t.Fatalf("DigitRuns(%q): number %q of run %q", s, s[n.Start:n.End], s[r.Start:r.End])
				}
				numbers = append(numbers, n.Digits())
				phone = phone || ContainsPhone(s[n.Start:n.End])
			}
			if strings.Join(numbers, "") != r.Digits() {
				t.Fatalf("DigitRuns(%q): numbers %q of run %q", s, numbers, s[r.Start:r.End])
			}
			if !phone && ContainsPhone(s[r.Start:r.End]) {
				t.Fatalf("DigitRuns(%q): the phone number in %q is split: %q", s, s[r.Start:r.End], numbers)
			}
		}
		// Every digit is in a run; words add theirs.
		if inRuns < digits {
			t.Fatalf("DigitRuns(%q) holds %d digits of %d", s, inRuns, digits)
		}
		if ContainsPhone(s) && longest < 10 {
			t.Fatalf("ContainsPhone(%q) with runs of %d digits at most", s, longest)
		}
		// A number written apart from the rest is found, whatever is around it.
		for _, phone := range []string{" 0912,345,678 ", " ０９１２ ３４５ ６７８ ", " 0912_345_678 "} {
			if !ContainsPhone(s + phone + s) {
				t.Fatalf("ContainsPhone(%q) = false", s+phone+s)
			}
		}
	})
}
