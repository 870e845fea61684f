package flows

import "testing"

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
		{"Phí xác minh STK 0123456789 VCB", "Phí xác minh STK … VCB"},
		{"Chợ Na https://bit.ly/xacminh", "Chợ Na …"},
		{"Chợ Na t.me/xacminh", "Chợ Na …"},
		{"Chợ Na zalo.me/0912345678", "Chợ Na …"},
		{"Chợ Na www.xacminh.vn/phi", "Chợ Na …"},
		{"Chợ Na xacminh-nongsan.com", "Chợ Na …"},
		{"Chợ Na liên hệ @xacminh_bot", "Chợ Na liên hệ …"},
	} {
		if got := safeTitle(tt.title); got != tt.want {
			t.Errorf("%q is repeated as %q, want %q", tt.title, got, tt.want)
		}
	}
}
