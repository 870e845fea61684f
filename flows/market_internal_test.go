package flows

import (
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// A group's title, chosen by whoever made the group, is repeated to
// farmers without what could lead them to a stranger; the rest of it
// stays as typed.
func TestAGroupsTitleIsRepeatedWithoutContacts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ title, want string }{
		{"Chợ nông sản Lạng Sơn", "Chợ nông sản Lạng Sơn"},
		{"Chợ Na 2026 - nhóm 12", "Chợ Na 2026 - nhóm 12"},
		{"Chợ Na gọi 0912 345 678", "Chợ Na gọi …"},
		{"Chợ Na gọi 0912.345.678 (Zalo)", "Chợ Na gọi … (Zalo)"},
		{"Chợ Na +84 912 345 678", "Chợ Na …"},
		{"Phí xác minh STK 0123456789 VCB", "Phí xác minh STK …"},
		{"Chợ Na https://bit.ly/xacminh", "Chợ Na …"},
		{"Chợ Na t.me/xacminh", "Chợ Na …"},
		{"Chợ Na zalo.me/0912345678", "Chợ Na …"},
		{"Chợ Na www.xacminh.vn/phi", "Chợ Na …"},
		{"Chợ Na xacminh-nongsan.com", "Chợ Na …"},
		{"Chợ Na liên hệ @xacminh_bot", "Chợ Na liên hệ …"},
		// Contacts in words: what follows a word pointing to one, up to
		// the end of its part of the title.
		{"Chợ Na Zalo tên Hùng", "Chợ Na Zalo …"},
		{"Chợ Na - kết bạn zalo anh Hùng - Lạng Sơn", "Chợ Na - kết bạn … - Lạng Sơn"},
		{"Chợ Na | SĐT Hùng | Chi Lăng", "Chợ Na | SĐT … | Chi Lăng"},
		{"Cho Na lien he anh Hung", "Cho Na lien he …"},
		{"Chợ Na, nhắn tin cho chị Lan", "Chợ Na, nhắn …"},
		{"Chợ Na (Zalo)", "Chợ Na (Zalo)"},
		{"Chợ nhận hàng Chi Lăng", "Chợ nhận hàng Chi Lăng"},
		{"Chợ gói quà Tết", "Chợ gói quà Tết"},
		// A contact word followed by nothing that leads to someone (a
		// number, a name after "tên" or "anh") keeps what follows.
		{"Chợ nông sản Zalo Lạng Sơn", "Chợ nông sản Zalo Lạng Sơn"},
		{"Chợ nông sản Zalo Lạng Sơn - gọi anh Hùng", "Chợ nông sản Zalo Lạng Sơn - gọi …"},
		{"Chợ Zalo anh em nông dân Chi Lăng", "Chợ Zalo anh em nông dân Chi Lăng"},
		{"Chợ Zalo bà con Hữu Lũng", "Chợ Zalo bà con Hữu Lũng"},
		{"Chợ Zalo Ba Chẽ", "Chợ Zalo Ba Chẽ"},
		{"Chợ Na Zalo 09 12", "Chợ Na Zalo …"},
		{"Chợ Na zalo ten Hung", "Chợ Na zalo …"},
		{"Chợ Na Zalo của a Hùng", "Chợ Na Zalo …"},
		{"Chợ Na Zalo Hùng không chín một hai ba bốn năm sáu bảy tám", "Chợ Na Zalo Hùng …"},
		// A contact word typed apart.
		{"Chợ Na Z a l o tên Hùng", "Chợ Na Z a l o …"},
		{"Chợ Na Z.a.l.o anh Hùng | Chi Lăng", "Chợ Na Z.a.l.o … | Chi Lăng"},
		{"Chợ Na S-Đ-T Hùng", "Chợ Na S-Đ-T …"},
		{"Chợ A B C Zalo", "Chợ A B C Zalo"},
		// Numbers however written.
		{"Chợ Na gọi 0 9 8 7 6 5 4 3 2 1", "Chợ Na gọi …"},
		{"Chợ Na 0 9 8 7 6 5 4 3 2 1", "Chợ Na …"},
		{"Chợ Na 0912_345_678", "Chợ Na …"},
		{"Chợ Na O912 345 678", "Chợ Na …"},
		{"Chợ Na 09l2.345.678", "Chợ Na …"},
		{"Chợ Na ０９１２ ３４５ ６７８", "Chợ Na …"},
		{"Chợ Na 𝟎𝟗𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "Chợ Na …"},
		{"Chợ Na ⓪⑨①②③④⑤⑥", "Chợ Na …"},
		{"Chợ Na không chín tám bảy sáu năm bốn ba hai một", "Chợ Na …"},
		{"Cho Na khong chin tam bay sau nam bon ba hai mot", "Cho Na …"},
		{"Chợ Na không 9 tám 7 sáu 5", "Chợ Na …"},
		{"Chợ Na abc0912345678", "Chợ Na abc…"},
		{"Chợ Na O9l2345678", "Chợ Na …"},
		{"Chợ Na 0968 lll 222", "Chợ Na …"},
		{"Chợ Na khong chin 1 2 3 4", "Chợ Na …"},
		// Words and numbers that are no contact stay.
		{"Chợ Ba Đình năm 2026", "Chợ Ba Đình năm 2026"},
		{"Chợ hai huyện Chi Lăng - Hữu Lũng", "Chợ hai huyện Chi Lăng - Hữu Lũng"},
		// Digits that are clearly not one number stay: a year and a day
		// apart, dates; not when they may be a phone number's, or more.
		{"Chợ Na Chi Lăng 2025 - 15/8", "Chợ Na Chi Lăng 2025 - 15/8"},
		{"Chợ Na 15/8 – 2025", "Chợ Na 15/8 – 2025"},
		{"Phiên chợ 15/8/2025", "Phiên chợ 15/8/2025"},
		{"Chợ phiên 5/9, 6/9, 7/9", "Chợ phiên 5/9, 6/9, 7/9"},
		{"Chợ Na 2025 - 2026 - nhóm 3", "Chợ Na 2025 - 2026 - nhóm 3"},
		{"Chợ Na 2025 - 123456", "Chợ Na …"},
		{"Chợ Na 0912 - 345 - 678", "Chợ Na …"},
		{"Chợ Na 091 - 234 - 5678", "Chợ Na …"},
		{"Chợ Na 0912 - 345 - 67", "Chợ Na …"},
		{"Chợ Na +84 - 912 - 345 - 678", "Chợ Na …"},
		{"Chợ Na 09/12/34/56/78", "Chợ Na …"},
		{"Chợ Na 12 09/1234/5678", "Chợ Na …"},
		{"Chợ Na 2025 - 0912 345 678", "Chợ Na …"},
		{"Chợ Na 15/8/2025 - 0912 345 678 - 2026", "Chợ Na …"},
	} {
		if got := safeTitle(tt.title); got != tt.want {
			t.Errorf("%q is repeated as %q, want %q", tt.title, got, tt.want)
		}
	}
}

// Whatever the title, what the bot repeats of it holds no number of six
// digits (DigitRun.Numbers), no phone number, no link and no @name, and
// cleaning it again changes nothing.
func FuzzSafeTitle(f *testing.F) {
	for _, seed := range []string{"Chợ Na gọi 0912 345 678", "Zalo tên Hùng", "không chín tám bảy sáu năm bốn",
		"Chợ nông sản Zalo Lạng Sơn", "Z a l o anh Hùng", "S.Đ.T 09",
		"Chợ Na https://bit.ly/x", "０９１２ ３４５ ６７８", "Chợ Na | SĐT Hùng | Chi Lăng", "O9l2-345-678", "@xacminh",
		"Chợ Na Chi Lăng 2025 - 15/8", "0912 - 345 - 678", "09/12/34/56/78", "5/9, 6/9, 7/9"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, title string) {
		if !utf8.ValidString(title) {
			return
		}
		got := safeTitle(title)
		if !utf8.ValidString(got) {
			t.Fatalf("%q gives invalid UTF-8 %q", title, got)
		}
		plain := norm.NFKC.String(got)
		if m := linkLike.FindString(plain); m != "" {
			t.Fatalf("%q is repeated as %q, with %q", title, got, m)
		}
		for _, r := range vn.DigitRuns(plain) {
			for _, n := range r.Numbers() {
				if len(n.Digits()) >= 6 {
					t.Fatalf("%q is repeated as %q, with %q", title, got, plain[n.Start:n.End])
				}
			}
		}
		if vn.ContainsPhone(plain) {
			t.Fatalf("%q is repeated as %q, with a phone number", title, got)
		}
		if again := safeTitle(got); again != got {
			t.Fatalf("%q is repeated as %q, then %q", title, got, again)
		}
	})
}
