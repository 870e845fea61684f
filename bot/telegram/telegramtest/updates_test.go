package telegramtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// field walks decoded JSON: field(t, v, "message", "chat", "type").
func field(t *testing.T, v any, path ...string) any {
	t.Helper()
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%v: not an object at %q", path, k)
		}
		v = m[k]
	}
	return v
}

func decodeJSON(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestTextJSON(t *testing.T) {
	u := NewUpdates()
	raw := UpdateJSON(u.Text(42, 42, "/start ref_abc"))
	if strings.Contains(string(raw), "null") {
		t.Errorf("JSON has nulls: %s", raw)
	}
	v := decodeJSON(t, raw)
	for path, want := range map[string]any{
		"update_id":                  1.0,
		"message.message_id":         1.0,
		"message.chat.id":            42.0,
		"message.chat.type":          "private",
		"message.chat.first_name":    "Nông dân 42",
		"message.chat.username":      "user42",
		"message.from.id":            42.0,
		"message.from.is_bot":        nil, // omitted, as tgbotapi omits false
		"message.from.first_name":    "Nông dân 42",
		"message.from.username":      "user42",
		"message.from.language_code": "vi",
		"message.text":               "/start ref_abc",
	} {
		if got := field(t, v, strings.Split(path, ".")...); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	ents := field(t, v, "message", "entities").([]any)
	if e := ents[0].(map[string]any); len(ents) != 1 || e["type"] != "bot_command" || e["offset"] != 0.0 || e["length"] != 6.0 {
		t.Errorf("entities = %v", ents)
	}
	if field(t, v, "message", "date").(float64) == 0 {
		t.Error("no date")
	}
}

func TestText(t *testing.T) {
	u := NewUpdates()
	upd := u.Text(42, 42, "/start xyz")
	if m := upd.Message; !m.IsCommand() || m.Command() != "start" || m.CommandArguments() != "xyz" {
		t.Errorf("command = %q %q", m.Command(), m.CommandArguments())
	}
	if m := u.Text(42, 42, "/ban").Message; m.Command() != "ban" || m.CommandArguments() != "" || m.MessageID != 2 {
		t.Errorf("bare command = %+v", m)
	}
	if m := u.Text(42, 42, "bán lúa").Message; m.IsCommand() || m.Entities != nil {
		t.Errorf("plain = %+v", m)
	}

	g := u.Text(-1001, 42, "/gia@nongsan_test_bot lúa").Message
	if !g.Chat.IsSuperGroup() || g.Chat.Title != GroupTitle || g.From.ID != 42 || g.MessageID != 1 ||
		g.Command() != "gia" || g.CommandWithAt() != "gia@nongsan_test_bot" || g.CommandArguments() != "lúa" {
		t.Errorf("group = %+v %+v", g, g.Chat)
	}

	en := u.WithLanguage("en").Text(42, 42, "hi")
	if en.Message.From.LanguageCode != "en" || en.UpdateID != 5 || en.Message.MessageID != 4 {
		t.Errorf("WithLanguage = %+v", en.Message)
	}
	if none := u.WithLanguage("").User(1); none.LanguageCode != "" {
		t.Errorf("no language = %+v", none)
	}
}

func TestMediaUpdates(t *testing.T) {
	u := NewUpdates()
	p := u.Photo(42, 42, "AgAD-lua", "album-1", "Lúa mới gặt").Message
	if len(p.Photo) != 3 || p.Photo[2].FileID != "AgAD-lua" || p.Photo[2].Width <= p.Photo[0].Width ||
		p.MediaGroupID != "album-1" || p.Caption != "Lúa mới gặt" {
		t.Errorf("photo = %+v", p)
	}
	if raw := string(UpdateJSON(u.Photo(42, 42, "X", "", ""))); strings.Contains(raw, "media_group_id") || strings.Contains(raw, "caption") {
		t.Errorf("empty fields in %s", raw)
	}

	c := u.Contact(42, 42, "+84901234567").Message.Contact
	if c.PhoneNumber != "+84901234567" || c.UserID != 42 || c.FirstName != "Nông dân 42" {
		t.Errorf("contact = %+v", c)
	}
	if s := u.Sticker(42, 42).Message.Sticker; s == nil || s.FileID == "" || s.Emoji == "" {
		t.Errorf("sticker = %+v", s)
	}
	if v := u.Voice(42, 42).Message.Voice; v == nil || v.FileID == "" || v.Duration == 0 || v.MimeType != "audio/ogg" {
		t.Errorf("voice = %+v", v)
	}

	cb := u.Callback(42, 42, 7, "sell:rice")
	if q := cb.CallbackQuery; q.Data != "sell:rice" || q.From.ID != 42 || q.ID == "" || q.ChatInstance == "" ||
		q.Message.MessageID != 7 || !q.Message.From.IsBot || q.Message.Chat.ID != 42 {
		t.Errorf("callback = %+v", q)
	}
	if cb.CallbackData() != "sell:rice" || cb.FromChat().ID != 42 || cb.SentFrom().ID != 42 {
		t.Errorf("callback helpers: %q %v %v", cb.CallbackData(), cb.FromChat(), cb.SentFrom())
	}

	added := u.AddedToGroup(-1001, 42, DefaultBotID)
	v := decodeJSON(t, UpdateJSON(added))
	for path, want := range map[string]any{
		"my_chat_member.chat.type":                     "supergroup",
		"my_chat_member.chat.title":                    GroupTitle,
		"my_chat_member.from.id":                       42.0,
		"my_chat_member.old_chat_member.status":        "left",
		"my_chat_member.new_chat_member.status":        "member",
		"my_chat_member.new_chat_member.user.is_bot":   true,
		"my_chat_member.new_chat_member.user.username": DefaultBotUsername,
	} {
		if got := field(t, v, strings.Split(path, ".")...); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	if _, ok := v["message"]; ok {
		t.Error("my_chat_member update has a message")
	}
}

func TestUpdatesConcurrent(t *testing.T) {
	u := NewUpdates()
	var mu sync.Mutex
	seen := map[int]bool{}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			for range 20 {
				id := u.Text(42, 42, "x").UpdateID
				mu.Lock()
				seen[id] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 400 {
		t.Errorf("%d distinct update ids", len(seen))
	}
	if next := u.Text(42, 42, "x").Message.MessageID; next != 401 {
		t.Errorf("next message id = %d", next)
	}
}

func TestBoundUpdates(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)
	u := s.NewUpdates()

	in := u.Text(42, 42, "xin chào")
	if in.Message.MessageID != 1 {
		t.Fatalf("user message id %d", in.Message.MessageID)
	}
	reply := tgbotapi.NewMessage(42, "Chào bác! Bác muốn bán gì?")
	reply.ReplyToMessageID = in.Message.MessageID
	reply.ReplyMarkup = keyboard(tgbotapi.NewInlineKeyboardButtonData("Lúa", "sell:rice"))
	sent, err := bot.Send(reply)
	if err != nil {
		t.Fatal(err)
	}
	if sent.MessageID != 2 || sent.ReplyToMessage == nil || sent.ReplyToMessage.Text != "xin chào" {
		t.Errorf("reply = %+v", sent)
	}

	cb := u.Callback(42, 42, sent.MessageID, "sell:rice").CallbackQuery
	if cb.Message.Text != sent.Text || cb.Message.ReplyMarkup == nil ||
		*cb.Message.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "sell:rice" {
		t.Errorf("callback message = %+v", cb.Message)
	}

	_, err = bot.Send(tgbotapi.NewEditMessageText(42, in.Message.MessageID, "x"))
	wantAPIError(t, err, "Bad Request: message can't be edited")
	if _, err := bot.Request(tgbotapi.NewDeleteMessage(42, in.Message.MessageID)); err != nil {
		t.Errorf("deleting the user's message: %v", err)
	}

	photo := u.Photo(42, 42, "AgAD-qr", "", "")
	if got := s.Messages(42); len(got) != 2 || got[1].MessageID != photo.Message.MessageID || got[1].Photo[2].FileID != "AgAD-qr" {
		t.Errorf("Messages = %+v", got)
	}

	// Update ids come from s, so queued updates stay in order.
	s.QueueUpdate(u.Text(42, 42, "a"))
	s.QueueUpdate(tgbotapi.Update{Message: u.Text(42, 42, "b").Message})
	got, err := bot.GetUpdates(tgbotapi.NewUpdate(0))
	if err != nil || len(got) != 2 || got[1].UpdateID != got[0].UpdateID+2 {
		t.Errorf("updates = %+v, %v", got, err)
	}

	s.SetBot(99, "bot99")
	u.AddedToGroup(-1001, 42, 99)
	m, err := bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: -1001, UserID: 99}})
	if err != nil || m.Status != "member" || m.User.UserName != "bot99" {
		t.Errorf("bot member = %+v, %v", m, err)
	}
}

func TestPost(t *testing.T) {
	const secret = "webhook-secret_1"
	var got []tgbotapi.Update
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(SecretHeader) != secret {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
		var bot tgbotapi.BotAPI
		upd, err := bot.HandleUpdate(r)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		got = append(got, *upd)
	}))
	defer hook.Close()

	u := NewUpdates()
	if code := Post(t, hook.URL, secret, u.Contact(42, 42, "0901234567")); code != http.StatusOK {
		t.Errorf("status %d", code)
	}
	if code := Post(t, hook.URL, "wrong", u.Text(42, 42, "x")); code != http.StatusUnauthorized {
		t.Errorf("wrong secret: status %d", code)
	}
	if code := Post(t, hook.URL, "", u.Text(42, 42, "x")); code != http.StatusUnauthorized {
		t.Errorf("no secret: status %d", code)
	}
	if len(got) != 1 || got[0].Message.Contact.PhoneNumber != "0901234567" || got[0].Message.Chat.Type != "private" {
		t.Errorf("received %+v", got)
	}
}
