package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func newBot(t *testing.T, s *Server) *tgbotapi.BotAPI {
	t.Helper()
	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(Token, s.Endpoint())
	if err != nil {
		t.Fatalf("NewBotAPIWithAPIEndpoint: %v", err)
	}
	return bot
}

// wantAPIError asserts that err is a Telegram error with the description.
func wantAPIError(t *testing.T, err error, desc string) *tgbotapi.Error {
	t.Helper()
	var tgErr *tgbotapi.Error
	if !errors.As(err, &tgErr) {
		t.Fatalf("err = %v (%T), want a *tgbotapi.Error %q", err, err, desc)
	}
	if tgErr.Message != desc {
		t.Fatalf("error = %q, want %q", tgErr.Message, desc)
	}
	return tgErr
}

func keyboard(buttons ...tgbotapi.InlineKeyboardButton) tgbotapi.InlineKeyboardMarkup {
	return tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(buttons...))
}

func TestGetMe(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)
	if bot.Self.UserName != DefaultBotUsername || bot.Self.ID != DefaultBotID || !bot.Self.IsBot ||
		bot.Self.FirstName != BotFirstName || !bot.Self.CanJoinGroups {
		t.Errorf("Self = %+v", bot.Self)
	}

	s.SetBot(42, "other_bot")
	me, err := bot.GetMe()
	if err != nil || me.ID != 42 || me.UserName != "other_bot" {
		t.Errorf("GetMe = %+v, %v", me, err)
	}

	_, err = tgbotapi.NewBotAPIWithAPIEndpoint("999:wrong", s.Endpoint())
	if e := wantAPIError(t, err, "Unauthorized"); e.Code != http.StatusUnauthorized {
		t.Errorf("code = %d", e.Code)
	}
	if got := s.CallsTo("getme"); len(got) != 3 || got[2].Status != http.StatusUnauthorized {
		t.Errorf("getMe calls = %+v", got)
	}
}

func TestSendMessage(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)

	msg := tgbotapi.NewMessage(42, "Chào bà con")
	msg.ReplyMarkup = keyboard(
		tgbotapi.NewInlineKeyboardButtonData("Bán lúa", "sell:rice"),
		tgbotapi.NewInlineKeyboardButtonURL("Giá", "https://example.com/gia"),
	)
	got, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	if got.MessageID != 1 || got.Text != "Chào bà con" || got.Chat.ID != 42 || got.Chat.Type != "private" ||
		got.From == nil || !got.From.IsBot || got.From.UserName != DefaultBotUsername || got.Date == 0 {
		t.Errorf("message = %+v", got)
	}
	if got.ReplyMarkup == nil || len(got.ReplyMarkup.InlineKeyboard[0]) != 2 ||
		*got.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "sell:rice" {
		t.Errorf("reply_markup = %+v", got.ReplyMarkup)
	}

	call := s.CallsTo("sendMessage")[0]
	if call.ChatID != "42" || call.Params["text"] != "Chào bà con" || call.Files != nil {
		t.Errorf("call = %+v", call)
	}
	var mk tgbotapi.InlineKeyboardMarkup
	if err := call.JSON("reply_markup", &mk); err != nil || mk.InlineKeyboard[0][1].Text != "Giá" {
		t.Errorf("reply_markup param = %+v, %v", mk, err)
	}
	var res tgbotapi.Message
	if err := call.DecodeResult(&res); err != nil || res.MessageID != 1 {
		t.Errorf("result = %+v, %v", res, err)
	}

	// Ids count per chat; negative chats are supergroups.
	second, _ := bot.Send(tgbotapi.NewMessage(42, "hai"))
	group, _ := bot.Send(tgbotapi.NewMessage(-1001, "nhóm"))
	if second.MessageID != 2 || group.MessageID != 1 || group.Chat.Type != "supergroup" || group.Chat.Title != GroupTitle {
		t.Errorf("second = %+v, group = %+v", second, group)
	}

	// Reply keyboards are not echoed in the message, as on Telegram.
	contact := tgbotapi.NewMessage(42, "Gửi số điện thoại")
	contact.ReplyMarkup = tgbotapi.NewOneTimeReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonContact("Chia sẻ")))
	if got, err := bot.Send(contact); err != nil || got.ReplyMarkup != nil {
		t.Errorf("reply keyboard message = %+v, %v", got.ReplyMarkup, err)
	}
	// A reply names the original.
	reply := tgbotapi.NewMessage(42, "trả lời")
	reply.ReplyToMessageID = 1
	if got, err := bot.Send(reply); err != nil || got.ReplyToMessage == nil || got.ReplyToMessage.Text != "Chào bà con" {
		t.Errorf("reply = %+v, %v", got.ReplyToMessage, err)
	}
	if n := len(s.Messages(42)); n != 4 {
		t.Errorf("Messages(42) has %d messages", n)
	}
}

func TestSendMessageErrors(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)
	long := strings.Repeat("ệ", 4096)

	withMarkup := func(text string, b tgbotapi.InlineKeyboardButton) tgbotapi.MessageConfig {
		m := tgbotapi.NewMessage(42, text)
		m.ReplyMarkup = keyboard(b)
		return m
	}
	html := tgbotapi.NewMessage(42, "<b>"+long+"</b>")
	html.ParseMode = tgbotapi.ModeHTML

	for _, tc := range []struct {
		name string
		msg  tgbotapi.MessageConfig
		want string // "" = ok
	}{
		{"no chat", tgbotapi.NewMessage(0, "x"), "Bad Request: chat_id is empty"},
		{"empty", tgbotapi.NewMessage(42, ""), "Bad Request: message text is empty"},
		{"blank", tgbotapi.NewMessage(42, "  \n"), "Bad Request: message text is empty"},
		{"4096", tgbotapi.NewMessage(42, long), ""},
		{"4097", tgbotapi.NewMessage(42, long+"!"), "Bad Request: message is too long"},
		{"emoji count twice", tgbotapi.NewMessage(42, strings.Repeat("🌾", 2049)), "Bad Request: message is too long"},
		{"html tags not counted", html, ""},
		{"data 64", withMarkup("x", tgbotapi.NewInlineKeyboardButtonData("a", strings.Repeat("d", 64))), ""},
		{"data 65", withMarkup("x", tgbotapi.NewInlineKeyboardButtonData("a", strings.Repeat("d", 65))), "Bad Request: BUTTON_DATA_INVALID"},
		{"tg url", withMarkup("x", tgbotapi.NewInlineKeyboardButtonURL("a", "tg://resolve?domain=x")), ""},
		{"ftp url", withMarkup("x", tgbotapi.NewInlineKeyboardButtonURL("a", "ftp://x.vn/f")),
			"Bad Request: inline keyboard button URL 'ftp://x.vn/f' is invalid: Unsupported URL protocol"},
		{"text button", withMarkup("x", tgbotapi.InlineKeyboardButton{Text: "a"}),
			"Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := bot.Send(tc.msg)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if e := wantAPIError(t, err, tc.want); e.Code != http.StatusBadRequest {
				t.Errorf("code = %d", e.Code)
			}
		})
	}

	s.BlockChat(43)
	_, err := bot.Send(tgbotapi.NewMessage(43, "x"))
	if e := wantAPIError(t, err, "Forbidden: bot was blocked by the user"); e.Code != http.StatusForbidden {
		t.Errorf("code = %d", e.Code)
	}
	s.BlockChat(-1002)
	_, err = bot.Send(tgbotapi.NewMessage(-1002, "x"))
	wantAPIError(t, err, "Forbidden: bot was kicked from the supergroup chat")
	s.UnblockChat(43)
	if _, err := bot.Send(tgbotapi.NewMessage(43, "x")); err != nil {
		t.Errorf("after UnblockChat: %v", err)
	}
	// An upgraded group refuses everything sent to its old id, naming the new one.
	s.UpgradeGroup(-5, -1005)
	for _, c := range []tgbotapi.Chattable{tgbotapi.NewMessage(-5, "x"), tgbotapi.NewPhoto(-5, tgbotapi.FileID("f"))} {
		_, err = bot.Send(c)
		if e := wantAPIError(t, err, "Bad Request: group chat was upgraded to a supergroup chat"); e.MigrateToChatID != -1005 {
			t.Errorf("after UpgradeGroup: %+v", e)
		}
	}
	if _, err := bot.Send(tgbotapi.NewMessage(-1005, "x")); err != nil {
		t.Errorf("the supergroup: %v", err)
	}
	if c := s.CallsTo("sendMessage")[0]; c.Status != http.StatusBadRequest || c.Error != "Bad Request: chat_id is empty" || c.Result != nil {
		t.Errorf("failed call = %+v", c)
	}
}

func TestSendDocument(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)
	csv := []byte("\ufeffSản phẩm,Số đơn\r\nNa,2\r\n")
	up := tgbotapi.NewDocument(42, tgbotapi.FileBytes{Name: "thong-ke-2026-11.csv", Bytes: csv})
	up.Caption = "📊 Số liệu"
	msg, err := bot.Send(up)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Document == nil || msg.Document.FileName != "thong-ke-2026-11.csv" || msg.Document.FileSize != len(csv) ||
		msg.Caption != "📊 Số liệu" {
		t.Fatalf("message = %+v, document %+v", msg, msg.Document)
	}
	call := s.CallsTo("sendDocument")[0]
	if f := call.Files["document"]; f.Name != "thong-ke-2026-11.csv" || !bytes.Equal(f.Bytes, csv) {
		t.Errorf("upload = %+v", f)
	}
	if _, err := bot.Send(tgbotapi.NewDocument(42, tgbotapi.FileBytes{Name: "x.csv"})); err == nil {
		t.Error("an empty file was sent")
	}
}

func TestSendPhoto(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)
	jpegBytes := []byte("\xff\xd8\xff\xe0 not really a jpeg")

	up := tgbotapi.NewPhoto(42, tgbotapi.FileBytes{Name: "lua.jpg", Bytes: jpegBytes})
	up.Caption = "Lúa ST25"
	msg, err := bot.Send(up)
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Photo) != 3 || msg.Caption != "Lúa ST25" || msg.MessageID != 1 {
		t.Fatalf("message = %+v", msg)
	}
	largest := msg.Photo[2]
	if largest.Width <= msg.Photo[0].Width || largest.FileSize != len(jpegBytes) || largest.FileUniqueID == "" {
		t.Errorf("sizes = %+v", msg.Photo)
	}
	call := s.CallsTo("sendPhoto")[0]
	if f := call.Files["photo"]; f.Name != "lua.jpg" || !bytes.Equal(f.Bytes, jpegBytes) {
		t.Errorf("upload = %+v", f)
	}
	if call.Params["chat_id"] != "42" || call.Params["caption"] != "Lúa ST25" {
		t.Errorf("params = %v", call.Params)
	}

	// getFile and the download serve the uploaded bytes.
	f, err := bot.GetFile(tgbotapi.FileConfig{FileID: largest.FileID})
	if err != nil || f.FilePath != "photos/"+largest.FileID+".jpg" || f.FileSize != len(jpegBytes) {
		t.Fatalf("GetFile = %+v, %v", f, err)
	}
	if got := download(t, fmt.Sprintf(s.FileEndpoint(), Token, f.FilePath)); !bytes.Equal(got, jpegBytes) {
		t.Errorf("downloaded %q", got)
	}

	// By file_id: form-encoded, and the largest size keeps the id.
	msg, err = bot.Send(tgbotapi.NewPhoto(-1001, tgbotapi.FileID("AgAD-known")))
	if err != nil || msg.Photo[2].FileID != "AgAD-known" {
		t.Errorf("by file_id = %+v, %v", msg.Photo, err)
	}
	if c := s.CallsTo("sendPhoto")[1]; c.Params["photo"] != "AgAD-known" || c.Files != nil {
		t.Errorf("by file_id call = %+v", c)
	}
	// By URL: fetched as Telegram fetches it, refused when it is no image.
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/a.jpg":
			w.Write(defaultJPEG)
		case "/page":
			io.WriteString(w, "<html><body>not a photo</body></html>")
		default:
			http.NotFound(w, r)
		}
	}))
	defer web.Close()
	msg, err = bot.Send(tgbotapi.NewPhoto(42, tgbotapi.FileURL(web.URL+"/a.jpg")))
	if err != nil {
		t.Fatalf("by URL: %v", err)
	}
	f, err = bot.GetFile(tgbotapi.FileConfig{FileID: msg.Photo[2].FileID})
	if err != nil {
		t.Fatal(err)
	}
	if got := download(t, fmt.Sprintf(s.FileEndpoint(), Token, f.FilePath)); !bytes.Equal(got, defaultJPEG) {
		t.Errorf("a photo sent by URL downloads as %q", got)
	}
	_, err = bot.Send(tgbotapi.NewPhoto(42, tgbotapi.FileURL(web.URL+"/page")))
	wantAPIError(t, err, "Bad Request: wrong type of the web page content")
	_, err = bot.Send(tgbotapi.NewPhoto(42, tgbotapi.FileURL(web.URL+"/gone.jpg")))
	wantAPIError(t, err, "Bad Request: failed to get HTTP URL content")
	album := tgbotapi.NewMediaGroup(42, []any{
		tgbotapi.NewInputMediaPhoto(tgbotapi.FileURL(web.URL + "/a.jpg")),
		tgbotapi.NewInputMediaPhoto(tgbotapi.FileURL(web.URL + "/page")),
	})
	_, err = bot.SendMediaGroup(album)
	wantAPIError(t, err, "Bad Request: wrong type of the web page content")

	// SetFile sets the content of a file_id nobody uploaded.
	s.SetFile("AgAD-qr", []byte("PNG QR"))
	if got := download(t, fmt.Sprintf(s.FileEndpoint(), Token, "photos/AgAD-qr.jpg")); string(got) != "PNG QR" {
		t.Errorf("SetFile download = %q", got)
	}
	if got := download(t, fmt.Sprintf(s.FileEndpoint(), Token, "photos/unknown.jpg")); !bytes.Equal(got, defaultJPEG) {
		t.Errorf("default download = %q", got)
	}

	long := tgbotapi.NewPhoto(42, tgbotapi.FileID("AgAD-known"))
	long.Caption = strings.Repeat("a", 1025)
	_, err = bot.Send(long)
	wantAPIError(t, err, "Bad Request: message caption is too long")

	_, err = bot.Send(tgbotapi.NewPhoto(42, tgbotapi.FileBytes{Name: "empty.jpg"}))
	wantAPIError(t, err, "Bad Request: file must be non-empty")
}

func download(t *testing.T, u string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, body)
	}
	return body
}

func TestSendMediaGroup(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)
	var media []any
	for i := range 3 {
		p := tgbotapi.NewInputMediaPhoto(tgbotapi.FileBytes{Name: fmt.Sprintf("%d.jpg", i), Bytes: []byte{byte('a' + i)}})
		if i == 0 {
			p.Caption = "Xoài cát Hòa Lộc"
		}
		media = append(media, p)
	}
	msgs, err := bot.SendMediaGroup(tgbotapi.NewMediaGroup(42, media))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("%d messages", len(msgs))
	}
	for i, m := range msgs {
		if m.MediaGroupID == "" || m.MediaGroupID != msgs[0].MediaGroupID || m.MessageID != i+1 || len(m.Photo) != 3 {
			t.Errorf("message %d = %+v", i, m)
		}
	}
	if msgs[0].Caption != "Xoài cát Hòa Lộc" || msgs[1].Caption != "" {
		t.Errorf("captions %q %q", msgs[0].Caption, msgs[1].Caption)
	}

	call := s.CallsTo("sendMediaGroup")[0]
	if len(call.Files) != 3 || string(call.Files["file-2"].Bytes) != "c" {
		t.Errorf("files = %+v", call.Files)
	}
	var items []struct{ Type, Media string }
	if err := call.JSON("media", &items); err != nil || items[1].Media != "attach://file-1" || items[1].Type != "photo" {
		t.Errorf("media = %+v, %v", items, err)
	}

	// file_ids only: form-encoded.
	ids := []any{tgbotapi.NewInputMediaPhoto(tgbotapi.FileID("A")), tgbotapi.NewInputMediaPhoto(tgbotapi.FileID("B"))}
	msgs, err = bot.SendMediaGroup(tgbotapi.NewMediaGroup(42, ids))
	if err != nil || len(msgs) != 2 || msgs[1].Photo[2].FileID != "B" || msgs[0].MessageID != 4 {
		t.Errorf("by file_id = %+v, %v", msgs, err)
	}

	one := []any{tgbotapi.NewInputMediaPhoto(tgbotapi.FileID("A"))}
	_, err = bot.SendMediaGroup(tgbotapi.NewMediaGroup(42, one))
	wantAPIError(t, err, "Bad Request: media must include 2-10 items")
	var eleven []any
	for range 11 {
		eleven = append(eleven, tgbotapi.NewInputMediaPhoto(tgbotapi.FileID("A")))
	}
	_, err = bot.SendMediaGroup(tgbotapi.NewMediaGroup(42, eleven))
	wantAPIError(t, err, "Bad Request: too many messages to send as an album")
	long := tgbotapi.NewInputMediaPhoto(tgbotapi.FileID("A"))
	long.Caption = strings.Repeat("a", 1025)
	_, err = bot.SendMediaGroup(tgbotapi.NewMediaGroup(42, []any{long, long}))
	wantAPIError(t, err, "Bad Request: message caption is too long")
}

func TestJSONAndQueryRequests(t *testing.T) {
	s := NewServer(t)
	post := func(method string, body any) (int, envelope) {
		t.Helper()
		raw, _ := json.Marshal(body)
		resp, err := http.Post(fmt.Sprintf(s.Endpoint(), Token, method), "application/json", bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var env envelope
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, env
	}

	status, env := post("sendMessage", map[string]any{
		"chat_id": 42, "text": "JSON",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]string{{{"text": "a", "callback_data": "b"}}}},
	})
	if status != 200 || !env.OK {
		t.Fatalf("sendMessage: %d %+v", status, env)
	}
	c := s.CallsTo("sendMessage")[0]
	if c.ChatID != "42" || c.Params["text"] != "JSON" || c.Params["reply_markup"] != `{"inline_keyboard":[[{"callback_data":"b","text":"a"}]]}` {
		t.Errorf("JSON params = %v", c.Params)
	}

	status, env = post("sendMediaGroup", map[string]any{
		"chat_id": -1001,
		"media":   []map[string]string{{"type": "photo", "media": "attach://missing"}, {"type": "photo", "media": "X"}},
	})
	if status != 400 || env.Description != "Bad Request: can't parse InputMedia: media not found" {
		t.Errorf("missing attach: %d %+v", status, env)
	}

	// Query string, GET, method name in any case.
	q := url.Values{"chat_id": {"7"}, "text": {"qua GET"}}
	resp, err := http.Get(fmt.Sprintf(s.Endpoint(), Token, "SENDMESSAGE") + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET status %d", resp.StatusCode)
	}
	if c := s.CallsTo("sendMessage"); len(c) != 2 || c[1].Method != "sendMessage" || c[1].Params["text"] != "qua GET" {
		t.Errorf("GET call = %+v", c)
	}
}

func TestUnknownMethod(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)
	_, err := bot.Request(tgbotapi.NewDice(42))
	if e := wantAPIError(t, err, "Not Found"); e.Code != http.StatusNotFound {
		t.Errorf("code = %d", e.Code)
	}
	if c := s.CallsTo("sendDice"); len(c) != 1 || c[0].Status != http.StatusNotFound {
		t.Errorf("calls = %+v", c)
	}
}

func TestFailNext(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)

	s.FailNext("sendMessage", 2, Failure{RetryAfter: 3})
	for range 2 {
		_, err := bot.Send(tgbotapi.NewMessage(42, "x"))
		e := wantAPIError(t, err, "Too Many Requests: retry after 3")
		if e.Code != http.StatusTooManyRequests || e.RetryAfter != 3 {
			t.Errorf("error = %+v", e)
		}
	}
	if _, err := bot.Send(tgbotapi.NewMessage(42, "x")); err != nil {
		t.Errorf("third send: %v", err)
	}
	calls := s.CallsTo("sendMessage")
	if len(calls) != 3 || calls[0].Status != 429 || calls[0].Result != nil || calls[2].Status != 200 {
		t.Errorf("calls = %+v", calls)
	}

	// tgbotapi's multipart path (UploadFiles) drops the error code: Code is 0.
	s.FailNext("sendPhoto", 1, Failure{RetryAfter: 5})
	_, err := bot.Send(tgbotapi.NewPhoto(42, tgbotapi.FileBytes{Name: "a.jpg", Bytes: []byte("a")}))
	if e := wantAPIError(t, err, "Too Many Requests: retry after 5"); e.Code != 0 || e.RetryAfter != 5 {
		t.Errorf("upload error = %+v", e)
	}

	s.FailNext("", 1, Failure{Status: 502})
	_, err = bot.Request(tgbotapi.NewChatAction(42, tgbotapi.ChatTyping))
	wantAPIError(t, err, "Bad Gateway")
	s.FailNext("sendMessage", 1, Failure{MigrateToChatID: -1009})
	_, err = bot.Send(tgbotapi.NewMessage(-5, "x"))
	if e := wantAPIError(t, err, "Bad Request: group chat was upgraded to a supergroup chat"); e.MigrateToChatID != -1009 {
		t.Errorf("migrate = %+v", e)
	}
	s.FailNext("sendMessage", 1, Failure{Status: 403, Description: "Forbidden: user is deactivated"})
	_, err = bot.Send(tgbotapi.NewMessage(42, "x"))
	wantAPIError(t, err, "Forbidden: user is deactivated")

	// A failure for one chat passes the others by.
	s.FailNext("sendMessage", 1, Failure{RetryAfter: 7, ChatID: -5})
	if _, err := bot.Send(tgbotapi.NewMessage(42, "x")); err != nil {
		t.Errorf("a send to another chat: %v", err)
	}
	_, err = bot.Send(tgbotapi.NewMessage(-5, "x"))
	wantAPIError(t, err, "Too Many Requests: retry after 7")
	if _, err := bot.Send(tgbotapi.NewMessage(-5, "x")); err != nil {
		t.Errorf("the chat's next send: %v", err)
	}
}

func TestEdits(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)

	_, err := bot.Send(tgbotapi.NewEditMessageText(42, 99, "x"))
	wantAPIError(t, err, "Bad Request: message to edit not found")

	kb := keyboard(tgbotapi.NewInlineKeyboardButtonData("Có", "yes"))
	msg := tgbotapi.NewMessage(42, "Bạn bán bao nhiêu?")
	msg.ReplyMarkup = kb
	sent, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}

	_, err = bot.Send(tgbotapi.NewEditMessageTextAndMarkup(42, sent.MessageID, "Bạn bán bao nhiêu?", kb))
	wantAPIError(t, err, errNotModified.desc)

	edited, err := bot.Send(tgbotapi.NewEditMessageTextAndMarkup(42, sent.MessageID, "Đã chọn: Có", kb))
	if err != nil || edited.Text != "Đã chọn: Có" || edited.EditDate == 0 || edited.ReplyMarkup == nil {
		t.Fatalf("edited = %+v, %v", edited, err)
	}
	// Without reply_markup the keyboard goes.
	edited, err = bot.Send(tgbotapi.NewEditMessageText(42, sent.MessageID, "Cảm ơn"))
	if err != nil || edited.ReplyMarkup != nil {
		t.Errorf("edited = %+v, %v", edited, err)
	}
	_, err = bot.Send(tgbotapi.NewEditMessageReplyMarkup(42, sent.MessageID, kb))
	if err != nil {
		t.Errorf("markup edit: %v", err)
	}
	_, err = bot.Send(tgbotapi.NewEditMessageReplyMarkup(42, sent.MessageID, kb))
	wantAPIError(t, err, errNotModified.desc)
	_, err = bot.Send(tgbotapi.NewEditMessageCaption(42, sent.MessageID, "x"))
	wantAPIError(t, err, "Bad Request: there is no caption in the message to edit")
	if got := s.Messages(42); len(got) != 1 || got[0].Text != "Cảm ơn" || got[0].ReplyMarkup == nil {
		t.Errorf("Messages = %+v", got)
	}

	photo, err := bot.Send(tgbotapi.NewPhoto(42, tgbotapi.FileID("P1")))
	if err != nil {
		t.Fatal(err)
	}
	_, err = bot.Send(tgbotapi.NewEditMessageText(42, photo.MessageID, "x"))
	wantAPIError(t, err, "Bad Request: there is no text in the message to edit")
	if c, err := bot.Send(tgbotapi.NewEditMessageCaption(42, photo.MessageID, "Giá mới")); err != nil || c.Caption != "Giá mới" {
		t.Errorf("caption edit = %+v, %v", c, err)
	}
	_, err = bot.Send(tgbotapi.NewEditMessageCaption(42, photo.MessageID, "Giá mới"))
	wantAPIError(t, err, errNotModified.desc)
	m, err := bot.Send(tgbotapi.EditMessageMediaConfig{
		BaseEdit: tgbotapi.BaseEdit{ChatID: 42, MessageID: photo.MessageID},
		Media:    tgbotapi.NewInputMediaPhoto(tgbotapi.FileBytes{Name: "new.jpg", Bytes: []byte("new")}),
	})
	if err != nil || m.Photo[2].FileID == "P1" || m.Caption != "" {
		t.Errorf("media edit = %+v, %v", m, err)
	}
	if c := s.CallsTo("editMessageMedia")[0]; string(c.Files["file-0"].Bytes) != "new" {
		t.Errorf("media edit files = %+v", c.Files)
	}
	_, err = bot.Send(tgbotapi.EditMessageMediaConfig{
		BaseEdit: tgbotapi.BaseEdit{ChatID: 42, MessageID: sent.MessageID},
		Media:    tgbotapi.NewInputMediaPhoto(tgbotapi.FileID("P2")),
	})
	wantAPIError(t, err, "Bad Request: there is no media in the message to edit")

	// deleteMessage answers true: use Request, not Send.
	if _, err := bot.Request(tgbotapi.NewDeleteMessage(42, sent.MessageID)); err != nil {
		t.Errorf("delete: %v", err)
	}
	_, err = bot.Request(tgbotapi.NewDeleteMessage(42, sent.MessageID))
	wantAPIError(t, err, "Bad Request: message to delete not found")
	_, err = bot.Send(tgbotapi.NewEditMessageText(42, sent.MessageID, "x"))
	wantAPIError(t, err, "Bad Request: message to edit not found")
}

func TestTrueMethods(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)
	for _, c := range []tgbotapi.Chattable{
		tgbotapi.NewCallback("123", "Đã nhận"),
		tgbotapi.NewChatAction(42, tgbotapi.ChatTyping),
		tgbotapi.DeleteWebhookConfig{},
		tgbotapi.LeaveChatConfig{ChatID: -1001},
		tgbotapi.NewDeleteMyCommands(),
	} {
		resp, err := bot.Request(c)
		if err != nil || string(resp.Result) != "true" {
			t.Errorf("%T: %s, %v", c, resp.Result, err)
		}
	}
	if st := s.CallsTo("answerCallbackQuery")[0].Params; st["callback_query_id"] != "123" || st["text"] != "Đã nhận" {
		t.Errorf("answerCallbackQuery params = %v", st)
	}
}

func TestCommands(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)
	cmds := []tgbotapi.BotCommand{{Command: "start", Description: "Bắt đầu"}, {Command: "ban", Description: "Đăng bán"}}
	if _, err := bot.Request(tgbotapi.NewSetMyCommands(cmds...)); err != nil {
		t.Fatal(err)
	}
	got, err := bot.GetMyCommands()
	if err != nil || len(got) != 2 || got[1] != cmds[1] {
		t.Errorf("GetMyCommands = %+v, %v", got, err)
	}
	// Another scope has its own list.
	scoped, err := bot.GetMyCommandsWithConfig(tgbotapi.NewGetMyCommandsWithScope(tgbotapi.NewBotCommandScopeAllGroupChats()))
	if err != nil || len(scoped) != 0 {
		t.Errorf("scoped = %+v, %v", scoped, err)
	}
	_, err = bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "Bán", Description: "x"}))
	wantAPIError(t, err, "Bad Request: BOT_COMMAND_INVALID")
	if _, err := bot.Request(tgbotapi.NewDeleteMyCommands()); err != nil {
		t.Fatal(err)
	}
	if got, _ := bot.GetMyCommands(); len(got) != 0 {
		t.Errorf("after delete = %+v", got)
	}
}

func TestWebhook(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)

	// tgbotapi v5.5.1's WebhookConfig has no secret_token: set it with MakeRequest.
	_, err := bot.MakeRequest("setWebhook", tgbotapi.Params{
		"url":             "https://nongsan.example.vn/telegram/webhook",
		"secret_token":    "s3cr3t_-X",
		"allowed_updates": `["message","callback_query","my_chat_member"]`,
		"max_connections": "20",
	})
	if err != nil {
		t.Fatal(err)
	}
	w := s.Webhook()
	if w.URL != "https://nongsan.example.vn/telegram/webhook" || w.SecretToken != "s3cr3t_-X" || w.MaxConnections != 20 ||
		len(w.AllowedUpdates) != 3 || w.AllowedUpdates[2] != "my_chat_member" {
		t.Errorf("Webhook = %+v", w)
	}
	info, err := bot.GetWebhookInfo()
	if err != nil || info.URL != w.URL || info.MaxConnections != 20 || len(info.AllowedUpdates) != 3 || info.PendingUpdateCount != 0 {
		t.Errorf("GetWebhookInfo = %+v, %v", info, err)
	}

	// getUpdates conflicts with a webhook.
	_, err = bot.GetUpdates(tgbotapi.NewUpdate(0))
	if e := wantAPIError(t, err, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"); e.Code != 409 {
		t.Errorf("code = %d", e.Code)
	}

	for params, want := range map[string]string{
		"http://nongsan.example.vn/hook":       "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
		"https://nongsan.example.vn:8080/hook": "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
	} {
		_, err = bot.MakeRequest("setWebhook", tgbotapi.Params{"url": params})
		wantAPIError(t, err, want)
	}
	_, err = bot.MakeRequest("setWebhook", tgbotapi.Params{"url": "https://x.vn/h", "secret_token": "abc+/="})
	wantAPIError(t, err, "Bad Request: secret token contains unallowed characters")

	if _, err := bot.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatal(err)
	}
	if w := s.Webhook(); w.URL != "" {
		t.Errorf("after delete = %+v", w)
	}
}

func TestChatInfo(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)
	s.SetMemberStatus(-1001, 5, "administrator")
	s.SetMemberStatus(-1001, 9, "creator")
	s.SetMemberStatus(-1001, DefaultBotID, "administrator")
	s.SetMemberStatus(-1001, 6, "left")

	member := func(chat, user int64) tgbotapi.ChatMember {
		t.Helper()
		m, err := bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: chat, UserID: user}})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := member(-1001, 5); !m.IsAdministrator() || m.User.ID != 5 || !m.CanDeleteMessages {
		t.Errorf("admin = %+v", m)
	}
	if m := member(-1001, 9); !m.IsCreator() {
		t.Errorf("creator = %+v", m)
	}
	if m := member(-1001, 7); m.Status != "member" || m.User.FirstName != userFirstName(7) {
		t.Errorf("default = %+v", m)
	}
	if m := member(-1001, DefaultBotID); !m.User.IsBot || m.User.UserName != DefaultBotUsername {
		t.Errorf("bot = %+v", m)
	}

	admins, err := bot.GetChatAdministrators(tgbotapi.ChatAdministratorsConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: -1001}})
	if err != nil || len(admins) != 3 || admins[0].User.ID != 9 || admins[1].User.ID != 5 {
		t.Errorf("admins = %+v, %v", admins, err)
	}
	n, err := bot.GetChatMembersCount(tgbotapi.ChatMemberCountConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: -1001}})
	if err != nil || n != 3 {
		t.Errorf("count = %d, %v", n, err)
	}
	chat, err := bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: -1001}})
	if err != nil || !chat.IsSuperGroup() || chat.Title != GroupTitle {
		t.Errorf("chat = %+v, %v", chat, err)
	}
	chat, err = bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: 42}})
	if err != nil || !chat.IsPrivate() || chat.UserName != "user42" {
		t.Errorf("private chat = %+v, %v", chat, err)
	}
}

func TestGetUpdates(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)
	u := NewUpdates()
	first, second := u.Text(42, 42, "/start"), u.Text(42, 42, "lúa")
	s.QueueUpdate(first)
	s.QueueUpdate(second)

	got, err := bot.GetUpdates(tgbotapi.UpdateConfig{Limit: 1})
	if err != nil || len(got) != 1 || got[0].UpdateID != first.UpdateID || !got[0].Message.IsCommand() {
		t.Fatalf("limit 1 = %+v, %v", got, err)
	}
	got, _ = bot.GetUpdates(tgbotapi.NewUpdate(0))
	if len(got) != 2 {
		t.Fatalf("unconfirmed = %d updates", len(got))
	}
	got, _ = bot.GetUpdates(tgbotapi.NewUpdate(second.UpdateID + 1))
	if len(got) != 0 {
		t.Fatalf("after confirming = %+v", got)
	}
	if info, _ := bot.GetWebhookInfo(); info.PendingUpdateCount != 0 {
		t.Errorf("pending = %d", info.PendingUpdateCount)
	}

	// A long poll waits for an update.
	start := time.Now()
	queued := make(chan struct{})
	go func() {
		defer close(queued)
		waitPolling(s)
		s.QueueUpdate(u.Text(42, 42, "sau"))
	}()
	got, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: second.UpdateID + 1, Timeout: 5})
	if err != nil || len(got) != 1 || got[0].Message.Text != "sau" {
		t.Fatalf("long poll = %+v, %v", got, err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("long poll took %v", d)
	}
	<-queued
	// A long poll with nothing to answer returns [] after its timeout.
	start = time.Now()
	got, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: got[0].UpdateID + 1, Timeout: 1})
	if err != nil || len(got) != 0 || time.Since(start) < 900*time.Millisecond {
		t.Errorf("empty long poll = %+v, %v after %v", got, err, time.Since(start))
	}

	// Negative offsets keep the last updates.
	for range 3 {
		s.QueueUpdate(u.Sticker(42, 42))
	}
	got, _ = bot.GetUpdates(tgbotapi.NewUpdate(-1))
	if len(got) != 1 || got[0].Message.Sticker == nil {
		t.Errorf("offset -1 = %+v", got)
	}
}

func TestGetUpdatesChan(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)
	u := NewUpdates()
	ch := bot.GetUpdatesChan(tgbotapi.UpdateConfig{Timeout: 1})
	defer bot.StopReceivingUpdates()

	s.QueueUpdate(u.Text(-1001, 42, "ai bán cà phê?"))
	s.QueueUpdate(u.Callback(42, 42, 1, "sell:coffee"))
	for _, want := range []string{"ai bán cà phê?", "sell:coffee"} {
		select {
		case upd := <-ch:
			got := upd.CallbackData()
			if upd.Message != nil {
				got = upd.Message.Text
			}
			if got != want {
				t.Errorf("update = %+v, want %q", upd, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no update %q", want)
		}
	}
}

func TestWaitCalls(t *testing.T) {
	s := NewServer(t)
	bot := newBot(t, s)

	go func() {
		for i := range 3 {
			bot.Send(tgbotapi.NewMessage(42, fmt.Sprint(i)))
		}
	}()
	calls := s.WaitCalls(t, "sendMessage", 3)
	if len(calls) != 3 || calls[2].Params["text"] != "2" {
		t.Errorf("calls = %+v", calls)
	}
	if all := s.WaitCalls(t, "", 4); len(all) != 4 || all[0].Method != "getMe" {
		t.Errorf("all = %+v", all)
	}

	// Failing after the timeout.
	s.waitTimeout = 50 * time.Millisecond
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.WaitCalls(rec, "sendPhoto", 1)
	}()
	<-done
	if !strings.Contains(rec.msg, "1 call(s) of sendPhoto, got 0") || !strings.Contains(rec.msg, "sendMessage(200)") {
		t.Errorf("fatal = %q", rec.msg)
	}
}

// fatalRecorder records Fatalf and ends the goroutine, like testing.T.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// waitPolling blocks until a getUpdates call is waiting for updates.
func waitPolling(s *Server) {
	for {
		s.mu.Lock()
		polling, changed := s.polling, s.changed
		s.mu.Unlock()
		if polling > 0 {
			return
		}
		select {
		case <-changed:
		case <-time.After(5 * time.Second):
			return
		}
	}
}
