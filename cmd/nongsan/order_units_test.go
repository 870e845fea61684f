package main

import (
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// An order of less than one of the listing's unit reads as the buyer typed
// it, on both sides: "50 kg" from a listing in tấn, not "50 kg (0,05 tấn)".
// From one of the listing's unit on, the listing's unit is said too:
// "1.500 kg (1,5 tấn)".
func TestAnOrderUnderOneOfTheListingsUnitReadsAsTyped(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.markets()
	b.register(farmer)
	code := b.listing(farmer, "2 tấn", "25k")
	second := buyer + 1

	for _, tt := range []struct {
		user         int64
		typed, shown string
		total        string
	}{
		{buyer, "50 kg", "50 kg", "1.250.000 đ"},
		{second, "1500 kg", "1.500 kg (1,5 tấn)", "37.500.000 đ"},
	} {
		b.Say(tt.user, deepLink(code))
		b.Say(tt.user, tt.typed)
		b.Tap(tt.user, "keep")
		b.Post(b.Up.Contact(tt.user, tt.user, "+84987654321"))
		b.Tap(tt.user, "pickup")
		b.Tap(tt.user, "skip")
		if s := b.Last(tt.user).Text; !strings.Contains(s, tt.shown+" Na Chi Lăng") && !strings.Contains(s, tt.shown+" × 25.000 đ/kg") || !strings.Contains(s, tt.total) {
			t.Fatalf("%s: order summary:\n%s", tt.typed, s)
		}
		b.Place(tt.user)
		if s := b.Finished(tt.user).Text; !strings.Contains(s, ": "+tt.shown+" Na Chi Lăng") {
			t.Fatalf("%s: order placed: %q", tt.typed, s)
		}
		if s := b.notice(farmer, "🛒 Đơn mới: "+tt.shown+" Na Chi Lăng").Text; !strings.Contains(s, tt.total) {
			t.Fatalf("%s: farmer's notice:\n%s", tt.typed, s)
		}
		b.Say(tt.user, "/don")
		b.Tap(tt.user, b.Last(tt.user).Data[0])
		if s := b.Last(tt.user).Text; !strings.Contains(s, tt.shown+" Na Chi Lăng") {
			t.Errorf("%s: the buyer's /don: %q", tt.typed, s)
		}
	}
	b.Say(farmer, "/don")
	buttons := strings.Join(b.Last(farmer).Buttons, "\n")
	if !strings.Contains(buttons, "Bán 50 kg Na Chi Lăng") || !strings.Contains(buttons, "Bán 1.500 kg (1,5 tấn) Na Chi Lăng") {
		t.Errorf("the farmer's /don:\n%s", buttons)
	}
}
