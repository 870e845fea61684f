package flows_test

import (
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/nongsan-bot/nongsan/flows"
)

// A notice's command is read however a farmer types it; other text with a
// code is no command.
func TestTypedCommandsAreReadHoweverTheyAreTyped(t *testing.T) {
	for _, tt := range []struct{ text, action, code string }{
		{"NHẬN DH-7K2Q", "accept", "DH-7K2Q"},
		{"nhan dh-7k2q", "accept", "DH-7K2Q"},
		{"Nhận  DH7K2Q", "accept", "DH-7K2Q"},
		{norm.NFD.String("nhận đơn dh 7k2q"), "accept", "DH-7K2Q"},
		{"✅ Nhận đơn DH-7K2Q", "accept", "DH-7K2Q"},
		{"từ chối DH-7K2Q", "decline", "DH-7K2Q"},
		{"Đã giao DH-7K2Q", "ship", "DH-7K2Q"},
		{"da nhan hang dh-7k2q", "received", "DH-7K2Q"},
		{"hủy DH-7K2Q", "cancel", "DH-7K2Q"},
		{"huỷ đơn DH-7K2Q", "cancel", "DH-7K2Q"},
		{"bán thêm NS-7K2Q", "renew", "NS-7K2Q"},
		{"ngung ban ns7k2q", "close", "NS-7K2Q"},
		{"mua NS-7K2Q", "", ""},  // an order, read by the order flow
		{"nhận NS-7K2Q", "", ""}, // accepting is for orders
		{"bán thêm DH-7K2Q", "", ""},
		{"DH-7K2Q", "", ""},
		{"nhận hàng ở chợ DH-7K2Q nhé", "", ""},
	} {
		_, action, code, ok := flows.TypedAction(flows.Input{Kind: flows.KindText, Text: tt.text})
		if ok != (tt.action != "") || action != tt.action || code != tt.code {
			t.Errorf("%q: %q %q %v, want %q %q", tt.text, action, code, ok, tt.action, tt.code)
		}
	}
}
