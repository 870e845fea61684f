package telegramtest

import (
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Over Telegram's limits the fake answers 429 with retry_after and sends
// nothing; a group's limit holds for that group only.
func TestLimitsAnswer429(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)
	s.SetLimits(1000, 2) // a group: one message each 30 s, 15 s early at most
	if _, err := bot.Send(tgbotapi.NewMessage(-100777, "Chợ phiên")); err != nil {
		t.Fatal(err)
	}
	_, err := bot.Send(tgbotapi.NewMessage(-100777, "Chợ phiên"))
	if tgErr := wantAPIError(t, err, "Too Many Requests: retry after 15"); tgErr.RetryAfter != 15 {
		t.Errorf("retry_after %d", tgErr.RetryAfter)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(-100888, "Chợ khác")); err != nil {
		t.Errorf("another group: %v", err)
	}
	if s.Delivered(-100777) != 1 || s.RateLimited() != 1 {
		t.Errorf("delivered %d, 429s %d", s.Delivered(-100777), s.RateLimited())
	}
	s.SetLimits(1, 0) // overall: one a second, half a second early at most
	bot.Send(tgbotapi.NewMessage(42, "một"))
	if _, err := bot.Send(tgbotapi.NewMessage(43, "hai")); err == nil {
		t.Error("a second message in the same instant went through a limit of one a second")
	}
}

// A pin needs the bot to be an admin of the group.
func TestPinNeedsAdminRights(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)
	m, err := bot.Send(tgbotapi.NewMessage(-100777, "Thông báo"))
	if err != nil {
		t.Fatal(err)
	}
	pin := tgbotapi.PinChatMessageConfig{ChatID: -100777, MessageID: m.MessageID}
	_, err = bot.Request(pin)
	wantAPIError(t, err, "Bad Request: not enough rights to manage pinned messages in the chat")
	s.SetMemberStatus(-100777, DefaultBotID, "administrator")
	if _, err := bot.Request(pin); err != nil {
		t.Fatal(err)
	}
	if s.Pinned(-100777) != m.MessageID {
		t.Errorf("pinned %d, want %d", s.Pinned(-100777), m.MessageID)
	}
}

// A held call is carried out on Release, even when its client gave up.
func TestHeldCallsAreCarriedOut(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)
	s.Hold("sendMessage")
	done := make(chan error, 1)
	go func() {
		_, err := bot.Send(tgbotapi.NewMessage(-100777, "Thông báo"))
		done <- err
	}()
	s.WaitHolding(t, 1)
	if s.Delivered(-100777) != 0 {
		t.Fatal("a held call was carried out before Release")
	}
	s.Release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s.Delivered(-100777) != 1 {
		t.Errorf("delivered %d after Release, want 1", s.Delivered(-100777))
	}
}

// HoldNext holds the next call only: the calls after it are answered.
func TestHoldNextHoldsOneCall(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)
	s.HoldNext("editMessageText", 1)
	m, err := bot.Send(tgbotapi.NewMessage(42, "Đã gửi 1/3"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := bot.Send(tgbotapi.NewEditMessageText(42, m.MessageID, "Đã gửi 2/3"))
		done <- err
	}()
	s.WaitHolding(t, 1)
	if _, err := bot.Send(tgbotapi.NewEditMessageText(42, m.MessageID, "Đã gửi 3/3")); err != nil {
		t.Fatalf("the next edit: %v", err)
	}
	s.Release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := s.Messages(42); len(got) != 1 || got[0].Text != "Đã gửi 2/3" {
		t.Errorf("messages %+v, want the held edit last", got)
	}
}
