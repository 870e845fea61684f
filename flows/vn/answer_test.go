package vn

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNameAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		cut      bool
	}{
		{"Hoàng Thị Hoa", "Hoàng Thị Hoa", false},
		{"Tôi tên là Hoàng Thị Hoa", "Hoàng Thị Hoa", true},
		{"toi ten la Hoang Thi Hoa", "Hoang Thi Hoa", true},
		{"Tên tôi là Lâm ạ", "Lâm", true},
		{"Dạ, em tên là Lan nhé", "Lan", true},
		{"Họ tên: Nguyễn Văn Minh", "Nguyễn Văn Minh", true},
		{"Họ và tên: Lê Thị Hà", "Lê Thị Hà", true},
		{"tôi là Hoa", "Hoa", true},
		{"tên em la hoa a", "hoa", true},
		{"Tên: Hoa", "Hoa", true},
		{"Ho ten cua toi la Lam.", "Lam", true},
		{"Cháu tên là Nông Văn Sáng ạ", "Nông Văn Sáng", true},
		// Names that look like a lead or a particle stay whole.
		{"Nguyễn Văn A", "Nguyễn Văn A", false},
		{"nguyễn văn a", "nguyễn văn a", false},
		{"nguyễn thu hà", "nguyễn thu hà", false},
		{"Lã Văn Minh", "Lã Văn Minh", false},
		{"Minh Lã", "Minh Lã", false},
		{"Tên", "Tên", false},
		{"tôi tên là", "tôi tên là", false},
		{"Dạ", "Dạ", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got, cut := NameAnswer(tt.in); got != tt.want || cut != tt.cut {
			t.Errorf("NameAnswer(%q) = %q, %v; want %q, %v", tt.in, got, cut, tt.want, tt.cut)
		}
	}
}

func TestPlaceAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		cut      bool
	}{
		{"xã Quang Lang, Chi Lăng", "xã Quang Lang, Chi Lăng", false},
		{"tôi ở thôn Bản Chành xã Hữu Kiên", "thôn Bản Chành xã Hữu Kiên", true},
		{"Nhà em ở xã Quang Lang, Chi Lăng ạ", "xã Quang Lang, Chi Lăng", true},
		{"o xa Quang Lang chi lang", "xa Quang Lang chi lang", true},
		{"Địa chỉ: thôn Nà Pàn, Bắc Sơn", "thôn Nà Pàn, Bắc Sơn", true},
		{"Dạ ở Chi Lăng nhé", "Chi Lăng", true},
		{"Ở", "Ở", false},
		{"Hữu Lũng", "Hữu Lũng", false},
		{"thôn Nà Ở (cạnh chợ)", "thôn Nà Ở (cạnh chợ)", false},
	}
	for _, tt := range tests {
		if got, cut := PlaceAnswer(tt.in); got != tt.want || cut != tt.cut {
			t.Errorf("PlaceAnswer(%q) = %q, %v; want %q, %v", tt.in, got, cut, tt.want, tt.cut)
		}
	}
}

func FuzzNameAnswer(f *testing.F) {
	for _, s := range []string{"Tôi tên là Hoàng Thị Hoa", "dạ ạ", "tên: :", "\xff", "ở ở ở", "Nguyễn Văn A", "tôi ở (xã)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, read := range []func(string) (string, bool){NameAnswer, PlaceAnswer} {
			got, cut := read(s)
			n := Normalize(s)
			switch {
			case !cut && got != n:
				t.Fatalf("%q: nothing cut, yet %q is not the answer %q", s, got, n)
			case cut && (got == "" || !strings.Contains(n, got) || len(got) >= len(n)):
				t.Fatalf("%q: cut to %q, not a shorter part of %q", s, got, n)
			case !utf8.ValidString(got):
				t.Fatalf("%q: %q is not UTF-8", s, got)
			}
		}
	})
}
