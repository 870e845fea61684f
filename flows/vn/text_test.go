package vn

import (
	"testing"
	"unicode"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Đăng bán", "dang ban"},
		{"  dang   BAN ", "dang ban"},
		{"Đồng ý", "dong y"},
		{"huỷ", "huy"},
		{"hủy", "huy"},
		{"hu\u0079\u0309", "huy"}, // NFD
		{"Trợ giúp", "tro giup"},
		{"Lạng Sơn", "lang son"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	// "ệ" typed as e + circumflex + dot below (NFD) becomes one code point.
	if got := Normalize("  Ch\u0069 L\u0103ng  n\u0065\u0302\u0323  "); got != "Chi Lăng nệ" {
		t.Errorf("Normalize = %q", got)
	}
	// Copied from a web page or a chat app: zero-width spaces and joiners.
	if got := Normalize("\ufeffđồng\u200b ý\u200d\u00a0"); got != "đồng ý" {
		t.Errorf("Normalize = %q", got)
	}
	// Control characters: PostgreSQL refuses a NUL in text.
	for in, want := range map[string]string{"Lâm\x00": "Lâm", "Lam\x00 \x1b[31m": "Lam [31m", "a\tb\r\nc\x7f\u0085": "a b c"} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Lâm\x00", "a\x00b", "\u0085x", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Normalize(s)
		for _, r := range got {
			if unicode.IsControl(r) {
				t.Fatalf("Normalize(%q) = %q keeps control character %U", s, got, r)
			}
		}
		if Normalize(got) != got {
			t.Errorf("Normalize not idempotent for %q", s)
		}
	})
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Đăng bán", "hu\u0079\u0309", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Fold(Fold(s)) != Fold(s) {
			t.Errorf("Fold not idempotent for %q", s)
		}
	})
}

// Fold runs a dozen times an update: it must not cost a chain of buffers
// each time (it cost 8 KiB, most of an update's allocations).
func TestFoldAllocates(t *testing.T) {
	for _, s := range []string{"quay lại", "5 ta", "Đồng ý"} {
		if n := testing.AllocsPerRun(100, func() { Fold(s) }); n > 5 {
			t.Errorf("Fold(%q) allocates %v times", s, n)
		}
	}
}

func BenchmarkFold(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Fold("Quay lại")
	}
}

// Latin text, Vietnamese above all, is folded a rune at a time: the same as
// the transform chain, for every rune of the Latin blocks, alone and among
// others and stray marks; other scripts go through the chain.
func TestFoldLatinIsFoldAny(t *testing.T) {
	taken := 0
	for r := rune(0); r < 0x1F00; r++ {
		if r == 0x370 {
			r = 0x1E00
		}
		for _, s := range []string{string(r), "a" + string(r) + "b " + string(r), "Đ" + string(r) + "\u0301b\u0323 " + string(r)} {
			s = Normalize(s)
			got, ok := foldLatin(s)
			if !ok {
				continue // composed into another script: the chain's
			}
			taken++
			if want := foldAny(s); got != want {
				t.Errorf("foldLatin(%q) = %q, the transform chain %q", s, got, want)
			}
		}
	}
	if taken < 3*(0x370+0x100)*9/10 {
		t.Errorf("foldLatin took only %d texts", taken)
	}
	for _, s := range []string{"가", "Ωμέγα", "🍈 Na", "ক্ষ"} {
		if _, ok := foldLatin(s); ok {
			t.Errorf("foldLatin took %q", s)
		}
	}
}
