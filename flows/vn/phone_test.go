package vn

import (
	"errors"
	"strings"
	"testing"
)

func TestParsePhone(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		// DOMAIN.md
		{"0912 345 678", "+84912345678", nil},
		{"0912.345.678", "+84912345678", nil},
		{"0912-345-678", "+84912345678", nil},
		{"+84 912 345 678", "+84912345678", nil},
		{"84912345678", "+84912345678", nil},
		{"(+84) 912345678", "+84912345678", nil},
		// Other habits.
		{"0912345678", "+84912345678", nil},
		{"+84912345678", "+84912345678", nil},
		{"+84 0912 345 678", "+84912345678", nil},
		{"0084 912 345 678", "+84912345678", nil},
		{"SĐT: 0912 345 678", "+84912345678", nil},
		{"zalo 0387654321", "+84387654321", nil},
		{"  0567 123 456 ", "+84567123456", nil},
		{"0701234567", "+84701234567", nil},
		{"0812345678", "+84812345678", nil},
		{"0987654321", "+84987654321", nil},
		// From before 2018: 11 digits, read as today's number.
		{"01689 123 456", "+84389123456", nil},
		{"0168.912.3456", "+84389123456", nil},
		{"01234567890", "+84834567890", nil},
		{"0120 123 4567", "+84701234567", nil},
		{"0186 123 4567", "+84561234567", nil},
		{"01991234567", "+84591234567", nil},
		{"+84 168 912 3456", "+84389123456", nil},
		{"841689123456", "+84389123456", nil},
		{"01301234567", "", ErrNotPhone}, // 0130 was never a mobile prefix
		{"0168912345", "", ErrNotPhone},  // 10 digits: neither old nor new
		// Not mobile numbers.
		{"0212 345 678", "", ErrNotPhone},   // landline prefix 02
		{"0412345678", "", ErrNotPhone},     // 04 is not mobile
		{"0612345678", "", ErrNotPhone},     // 06 is not mobile
		{"091234567", "", ErrNotPhone},      // 9 digits
		{"09123456789", "", ErrNotPhone},    // 11 digits
		{"912345678", "", ErrNotPhone},      // the 0 is missing
		{"+1 912 345 678", "", ErrNotPhone}, // not Vietnam
		{"+84 12 345 678", "", ErrNotPhone},
		{"0912 345 67a", "", ErrNotPhone},
		{"gọi cho tôi", "", ErrNotPhone},
		{"nhà 0912345678", "+84912345678", nil},
		{"địa chỉ 0912345678", "", ErrNotPhone},
		{"0912+345678", "", ErrNotPhone},
		{"", "", ErrNotPhone},
		{"++84912345678", "", ErrNotPhone},
	}
	for _, tt := range tests {
		got, err := ParsePhone(tt.in)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("ParsePhone(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestFormatPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+84912345678", "0912 345 678"},
		{"+84387654321", "0387 654 321"},
		{"0912345678", "0912345678"}, // not E.164: unchanged
		{"+8491234567", "+8491234567"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := FormatPhone(tt.in); got != tt.want {
			t.Errorf("FormatPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"0912 345 678", "+84 912 345 678", "(+84) 912345678", "SĐT: 0912345678", "\xff", "+",
		"số em là 0912 345 678 ạ", "0912345678 chị Lan", "số em 0912 345 678 tên Hoa", "0912 345 678 (zalo)", "đ0912345678ạ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParsePhone(s)
		if e2, rest, err2 := ParsePhoneRest(s); err == nil && (err2 != nil || rest != "" || e2 != e) {
			t.Fatalf("ParsePhoneRest(%q) = %q, %q, %v; ParsePhone %q", s, e2, rest, err2, e)
		}
		if err != nil {
			if e != "" {
				t.Fatalf("ParsePhone(%q) = %q with error", s, e)
			}
			return
		}
		if len(e) != 12 || !strings.HasPrefix(e, "+84") || !allDigits(e[1:]) || !strings.ContainsRune("35789", rune(e[3])) {
			t.Fatalf("ParsePhone(%q) = %q: not a +84 mobile number", s, e)
		}
		// Shown then read again gives the same number.
		if back, err := ParsePhone(FormatPhone(e)); err != nil || back != e {
			t.Fatalf("FormatPhone(%q) = %q reads as %q, %v", e, FormatPhone(e), back, err)
		}
	})
}
