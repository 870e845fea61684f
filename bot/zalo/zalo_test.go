package zalo_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/bot/zalo"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
	"github.com/nongsan-bot/nongsan/flows"
)

func newBot(t *testing.T) (*zalo.Bot, *zalotest.Server) {
	t.Helper()
	s := zalotest.NewServer(t)
	s.SetCanJoinGroups(true)
	b, err := zalo.New(zalotest.Token, s.Endpoint(), &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return b, s
}

func TestNewLearnsWhoTheBotIs(t *testing.T) {
	b, _ := newBot(t)
	if me := b.Me(); me.ID != zalotest.BotID || me.AccountName != zalotest.AccountName || !me.CanJoinGroups {
		t.Errorf("getMe: %+v", me)
	}
	s := zalotest.NewServer(t)
	_, err := zalo.New("1:wrong-token", s.Endpoint(), http.DefaultClient)
	if err == nil || strings.Contains(err.Error(), "wrong-token") {
		t.Errorf("a wrong token: %v", err)
	}
	_, err = zalo.New(zalotest.Token, "http://127.0.0.1:1/bot%s/%s", http.DefaultClient)
	if err == nil || strings.Contains(err.Error(), zalotest.Token) {
		t.Errorf("an unreachable API: the token must not show in %v", err)
	}
}

func TestParse(t *testing.T) {
	b, s := newBot(t)
	var logs strings.Builder
	b.Log = zerolog.New(&logs)
	ted := zalotest.User{ID: "6ede9afa66b88fe6d6a9", Name: "Ted"}
	group := zalotest.Group("g-5a1f")
	text := s.Text(zalotest.Private(ted), ted, "/start  abc ")
	fromBot := text
	fromBot.Message = &zalo.Message{From: zalo.User{ID: "b1", IsBot: true}, Chat: zalotest.Private(ted), MessageID: "m-bot", Text: "hi"}
	voice := s.Event("message.voice.received", zalotest.Private(ted), ted)
	reaction := s.Event("message.reaction.received", zalotest.Private(ted), ted)
	video := s.Event("message.video.received", zalotest.Private(ted), ted)
	audio := s.Event("message.audio.received", zalotest.Private(ted), ted)
	captioned := s.Event("message.video.received", zalotest.Private(ted), ted)
	captioned.Message.Caption = "Na Chi Lăng 5 tạ"
	noPhoto := s.Image(zalotest.Private(ted), ted, "na-1", "")
	noPhoto.Message.Photo = ""
	for _, c := range []struct {
		name string
		body []byte
		ok   bool
		want flows.Input
	}{
		{"wrapped command", zalotest.Wrapped(text), true, flows.Input{Kind: flows.KindText, Text: "/start  abc ", Command: "start", Arg: "abc", ChatType: flows.Private}},
		// In a group the bot hears only @mentions of itself: the mention is
		// no part of what it reads.
		{"bare text in a group", zalotest.Bare(s.Text(group, ted, "mua NS-7K2Q")), true, flows.Input{Kind: flows.KindText, Text: "mua NS-7K2Q", ChatType: flows.Group}},
		{"a command in a group", zalotest.Wrapped(s.Text(group, ted, "@Bot Nông Sản /dangky Chi Lăng")), true, flows.Input{Kind: flows.KindText, Text: "/dangky Chi Lăng", Command: "dangky", Arg: "Chi Lăng", ChatType: flows.Group}},
		{"image", zalotest.Wrapped(s.Image(zalotest.Private(ted), ted, "na-1", "Na Chi Lăng")), true, flows.Input{Kind: flows.KindPhoto, Text: "Na Chi Lăng", ChatType: flows.Private}},
		{"sticker", zalotest.Bare(s.Sticker(zalotest.Private(ted), ted)), true, flows.Input{Kind: flows.KindSticker, ChatType: flows.Private}},
		// A protected account's message, whatever it was.
		{"unsupported", zalotest.Bare(s.Unsupported(group, ted)), true, flows.Input{Kind: flows.KindProtected, ChatType: flows.Group}},
		{"voice", zalotest.Wrapped(voice), true, flows.Input{Kind: flows.KindVoice, ChatType: flows.Private}},
		// Not in Zalo's docs, but named so by other Zalo bots: answered as
		// on Telegram, a caption read as what was typed.
		{"video", zalotest.Wrapped(video), true, flows.Input{Kind: flows.KindVideo, ChatType: flows.Private}},
		{"audio", zalotest.Bare(audio), true, flows.Input{Kind: flows.KindVoice, ChatType: flows.Private}},
		{"a captioned video", zalotest.Wrapped(captioned), true, flows.Input{Kind: flows.KindText, Text: "Na Chi Lăng 5 tạ", ChatType: flows.Private}},
		{"an event the bot does not know", zalotest.Wrapped(reaction), false, flows.Input{}},
		// An image without its URL holds nothing to keep: the user is told what is expected.
		{"image without a photo", zalotest.Wrapped(noPhoto), true, flows.Input{Kind: flows.KindOther, ChatType: flows.Private}},
		{"a bot", zalotest.Bare(fromBot), false, flows.Input{}},
		// chat_type is read whatever its letter case; a type the docs do
		// not name is private when the chat's id is the sender's.
		{"private in lower case", zalotest.Bare(s.Text(zalo.Chat{ID: ted.ID, ChatType: "private"}, ted, "xin chào")), true, flows.Input{Kind: flows.KindText, Text: "xin chào", ChatType: flows.Private}},
		{"group in mixed case", zalotest.Bare(s.Text(zalo.Chat{ID: "g-5a1f", ChatType: "Group"}, ted, "@Bot Nông Sản /dangky")), true, flows.Input{Kind: flows.KindText, Text: "/dangky", Command: "dangky", ChatType: flows.Group}},
		{"an unknown type, the sender's own chat", zalotest.Bare(s.Text(zalo.Chat{ID: ted.ID, ChatType: "USER"}, ted, "/ban")), true, flows.Input{Kind: flows.KindText, Text: "/ban", Command: "ban", ChatType: flows.Private}},
		{"an unknown type, another chat", zalotest.Bare(s.Text(zalo.Chat{ID: "c-77", ChatType: "COMMUNITY"}, ted, "/ban")), false, flows.Input{}},
		{"no type, the sender's own chat", zalotest.Bare(s.Text(zalo.Chat{ID: ted.ID}, ted, "/ban")), true, flows.Input{Kind: flows.KindText, Text: "/ban", Command: "ban", ChatType: flows.Private}},
		// getUpdates' documented sample has no event_name and first_name.
		{"no event name", []byte(`{"message":{"chat":{"id":"c1","chat_type":"PRIVATE"},"text":"Xin chào","message_id":"m1","date":1,"from":{"id":"c1","first_name":"Nguyen Van A"}}}`),
			true, flows.Input{Kind: flows.KindText, Text: "Xin chào", ChatType: flows.Private}},
	} {
		in, ok, err := b.Parse(c.body)
		if err != nil || ok != c.ok {
			t.Errorf("%s: ok %v, %v", c.name, ok, err)
			continue
		}
		if !ok {
			continue
		}
		if in.Kind != c.want.Kind || in.Text != c.want.Text || in.Command != c.want.Command || in.Arg != c.want.Arg ||
			in.ChatType != c.want.ChatType || in.Channel != flows.Zalo || in.Lang != "vi" ||
			in.UpdateID == "" || in.UpdateID != in.MessageID || in.UserID == "" || in.UserName == "" {
			t.Errorf("%s: %+v", c.name, in)
		}
	}
	in, _, _ := b.Parse(zalotest.Wrapped(s.Image(zalotest.Private(ted), ted, "na-1", "")))
	if in.Photo == nil || in.Photo.FileID != s.PhotoURL("na-1") || in.UserName != "Ted" || in.ChatID != ted.ID {
		t.Errorf("image: %+v %+v", in, in.Photo)
	}
	if !strings.Contains(logs.String(), "message.reaction.received") {
		t.Errorf("the unknown event is not logged: %s", logs.String())
	}
	if _, _, err := b.Parse([]byte(`not json`)); err == nil {
		t.Error("not JSON: no error")
	}
	// JSON but no event, as Zalo's test request when the webhook is saved
	// may be: acknowledged, not refused.
	for _, body := range []string{`{}`, `{"ok":true}`, `{"ok":true,"result":"x"}`, `{"ok":true,"result":{}}`, `[1]`, `"x"`} {
		if _, ok, err := b.Parse([]byte(body)); ok || err != nil {
			t.Errorf("%s: ok %v, %v", body, ok, err)
		}
	}
}

// An image's URL as events have carried it (OpenClaw's Zalo channel met
// these): photo as a string, an array or an object, photo_url, url, or an
// attachment.
func TestParseReadsTheImageURLWhereverItIs(t *testing.T) {
	b, _ := newBot(t)
	var logs strings.Builder
	b.Log = zerolog.New(&logs)
	const u = "https://photo-stal.zadn.vn/abc/na.jpg"
	event := func(fields string) []byte {
		return []byte(`{"ok":true,"result":{"event_name":"message.image.received","message":{"from":{"id":"u1","display_name":"Lan"},` +
			`"chat":{"id":"u1","chat_type":"PRIVATE"},"message_id":"m1","date":1,"caption":"Na",` + fields + `}}}`)
	}
	for _, c := range []struct {
		name, fields, want string
	}{
		{"photo, a string", `"photo":"` + u + `"`, u},
		{"photo, an array of strings", `"photo":["` + u + `"]`, u},
		{"photo, an array of objects", `"photo":[{"width":1,"url":"` + u + `"}]`, u},
		{"photo, an object", `"photo":{"photo_url":"` + u + `"}`, u},
		{"photo_url", `"photo_url":"` + u + `"`, u},
		{"url", `"url":"` + u + `"`, u},
		{"an image attachment", `"attachments":[{"type":"image","payload":{"url":"` + u + `"}}]`, u},
		{"an attachment of no type", `"attachments":[{"url":"` + u + `"}]`, u},
		{"after a file attachment", `"attachments":[{"type":"file","url":"https://f/x.pdf"},{"type":"photo","data":{"image_url":"` + u + `"}}]`, u},
		{"photo, a number", `"photo":7`, ""},
		{"only a file attachment", `"attachments":[{"type":"file","url":"https://f/x.pdf"}]`, ""},
		{"nothing", `"text":""`, ""},
	} {
		in, ok, err := b.Parse(event(c.fields))
		if err != nil || !ok {
			t.Errorf("%s: ok %v, %v", c.name, ok, err)
			continue
		}
		switch {
		case c.want == "" && (in.Kind != flows.KindOther || in.Photo != nil):
			t.Errorf("%s: %s %+v, want no photo", c.name, in.Kind, in.Photo)
		case c.want != "" && (in.Kind != flows.KindPhoto || in.Photo == nil || in.Photo.FileID != c.want || in.Text != "Na"):
			t.Errorf("%s: %s %q %+v, want the photo %s", c.name, in.Kind, in.Text, in.Photo, c.want)
		}
	}
	if strings.Contains(logs.String(), "f/x.pdf") || !strings.Contains(logs.String(), "without an image URL") {
		t.Errorf("an image without a URL is logged without URLs: %s", logs.String())
	}
	// Without an event name (getUpdates' sample), a photo_url is an image.
	in, ok, err := b.Parse([]byte(`{"message":{"from":{"id":"u1"},"chat":{"id":"u1","chat_type":"PRIVATE"},"message_id":"m2","photo_url":"` + u + `"}}`))
	if err != nil || !ok || in.Kind != flows.KindPhoto || in.Photo == nil || in.Photo.FileID != u {
		t.Errorf("photo_url without an event name: %v %v %+v", ok, err, in)
	}
}

// In a group Zalo delivers only what @mentions the bot (or replies to it),
// the mention written in the text: the command or the buy code after it is
// read as if typed alone.
func TestParseReadsWhatFollowsTheMentionInAGroup(t *testing.T) {
	b, s := newBot(t)
	ted := zalotest.User{ID: "u1", Name: "Ted"}
	for _, c := range []struct {
		name, botName, text, wantText, wantCmd, wantArg string
	}{
		{"the bot's name", "", "@Bot Nông Sản /dangky Chi Lăng", "/dangky Chi Lăng", "dangky", "Chi Lăng"},
		{"another case", "", "@bot nông sản /huydangky", "/huydangky", "huydangky", ""},
		{"a buy after the mention", "", "@Bot Nông Sản mua NS-7K2Q", "mua NS-7K2Q", "", ""},
		{"after another member's mention", "", "@Lan Anh @Bot Nông Sản MUA NS-7K2Q", "MUA NS-7K2Q", "", ""},
		{"decomposed accents", "", "@Bot No\u0302ng Sa\u0309n /thongbao", "/thongbao", "thongbao", ""},
		{"a configured name", "Bot Chợ Lạng Sơn", "@Bot Chợ Lạng Sơn /dangky", "/dangky", "dangky", ""},
		// A name the bot was not told: a command still begins at its "/".
		{"an unknown name before a command", "Bot Chợ Lạng Sơn", "@Bot Nông Sản /dangky Bắc Sơn", "/dangky Bắc Sơn", "dangky", "Bắc Sơn"},
		{"an unknown name and no command", "Bot Chợ Lạng Sơn", "@Bot Nông Sản mua 1/2 tạ", "@Bot Nông Sản mua 1/2 tạ", "", ""},
		{"no mention", "", "/dangky", "/dangky", "dangky", ""},
	} {
		b.BotName = zalo.DefaultBotName
		if c.botName != "" {
			b.BotName = c.botName
		}
		ev := s.Event(zalo.EventText, zalotest.Group("g1"), ted)
		ev.Message.Text = c.text
		in, ok, err := b.Parse(zalotest.Wrapped(ev))
		if err != nil || !ok || in.Text != c.wantText || in.Command != c.wantCmd || in.Arg != c.wantArg {
			t.Errorf("%s: %v %v text %q command %q arg %q", c.name, ok, err, in.Text, in.Command, in.Arg)
		}
		// Without a mention it can only be a reply to one of the bot's
		// messages, which one Zalo does not say.
		if reply := !strings.HasPrefix(c.text, "@"); in.RepliesToBot != reply || in.ReplyTo != "" {
			t.Errorf("%s: replies to the bot %t (%q), want %t", c.name, in.RepliesToBot, in.ReplyTo, reply)
		}
	}
	// In a private chat nothing is taken off.
	in, _, _ := b.Parse(zalotest.Wrapped(s.Text(zalotest.Private(ted), ted, "@Bot Nông Sản /ban")))
	if in.Command != "" || in.Text != "@Bot Nông Sản /ban" {
		t.Errorf("private: %+v", in)
	}
}

func TestPost(t *testing.T) {
	b, s := newBot(t)
	ctx := context.Background()
	to := flows.ChatRef{Channel: flows.Zalo, ChatID: "u1"}
	sent, err := b.Post(ctx, bot.Out{To: to, Text: "Xin chào"})
	if err != nil || len(sent.MessageIDs) != 1 || sent.MessageIDs[0] == "" {
		t.Fatalf("sendMessage: %+v %v", sent, err)
	}
	if _, err := b.Post(ctx, bot.Out{To: to, Text: "Na", Photos: []string{s.PhotoURL("na")}}); err != nil {
		t.Fatal(err)
	}
	// A VietQR payload: the text alone, which gives the account in words.
	if _, err := b.Post(ctx, bot.Out{To: to, Text: "Số tài khoản 1234", QR: "00020101021238570010A000000727"}); err != nil {
		t.Fatal(err)
	}
	got := s.Received("u1")
	if len(got) != 3 || got[0].Text != "Xin chào" || got[1].Photo != s.PhotoURL("na") || got[1].Text != "Na" ||
		got[2].Text != "Số tài khoản 1234" || got[2].Photo != "" {
		t.Errorf("received: %+v", got)
	}
	if err := b.Typing(ctx, "u1"); err != nil || len(s.CallsTo("sendChatAction")) != 1 || s.CallsTo("sendChatAction")[0].Params["action"] != "typing" {
		t.Errorf("typing: %v %+v", err, s.CallsTo("sendChatAction"))
	}
}

func TestPostClassifiesErrors(t *testing.T) {
	b, s := newBot(t)
	var logs strings.Builder
	b.Log = zerolog.New(&logs)
	to := flows.ChatRef{Channel: flows.Zalo, ChatID: "u1"}
	post := func(o bot.Out) error {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err := b.Post(ctx, o)
		return err
	}
	var retry *bot.RetryAfterError
	s.FailNext("sendMessage", 1, zalotest.Failure{Code: 429, Description: "Quota exceeded"})
	if err := post(bot.Out{To: to, Text: "a"}); !errors.As(err, &retry) || retry.After <= 0 || !retry.Unsaid || retry.Reason != "Quota exceeded" {
		t.Errorf("429: %v", err)
	}
	if err := post(bot.Out{To: to, Text: strings.Repeat("a", 2001)}); !bot.IsUndeliverable(err) {
		t.Errorf("too long: %v", err)
	}
	// 403 is Zalo's internal server error: retried, the chat not taken
	// for gone.
	s.FailNext("sendMessage", 1, zalotest.Failure{Code: 403, Description: "Internal server error"})
	if err := post(bot.Out{To: to, Text: "a"}); err == nil || bot.IsUndeliverable(err) || bot.IsGone(err) || errors.As(err, &retry) {
		t.Errorf("403: %v", err)
	}
	// 401 is the bot's token (reset in Bot Creator): the whole channel
	// waits, as for the quota.
	s.FailNext("sendMessage", 1, zalotest.Failure{Code: 401, Description: "Unauthorized"})
	if err := post(bot.Out{To: to, Text: "a"}); !errors.As(err, &retry) || !retry.Unsaid || !retry.Unauthorized || bot.IsUndeliverable(err) {
		t.Errorf("401: %v", err)
	}
	// A refusal that says the chat is lost to the bot, whatever its code.
	for _, c := range []zalotest.Failure{
		{Code: 400, Description: "User has blocked the bot"},
		{Code: 403, Description: "Bot is not a member of this group"},
		{Code: 404, Description: "Người dùng đã chặn bot"},
	} {
		s.FailNext("sendMessage", 1, c)
		if err := post(bot.Out{To: to, Text: "a"}); !bot.IsGone(err) {
			t.Errorf("%d %q: %v, want gone", c.Code, c.Description, err)
		}
	}
	s.FailNext("sendMessage", 1, zalotest.Failure{Code: 400})
	if err := post(bot.Out{To: to, Text: "a"}); !bot.IsUndeliverable(err) || bot.IsGone(err) {
		t.Errorf("400: %v", err)
	}
	s.FailNext("sendMessage", 1, zalotest.Failure{Status: 502})
	if err := post(bot.Out{To: to, Text: "a"}); err == nil || bot.IsUndeliverable(err) || errors.As(err, &retry) {
		t.Errorf("502: %v", err)
	}
	s.FailNext("sendMessage", 1, zalotest.Failure{Hang: 5 * time.Second})
	start := time.Now()
	err := post(bot.Out{To: to, Text: "a"})
	if err == nil || bot.IsUndeliverable(err) || time.Since(start) > 2*time.Second || strings.Contains(err.Error(), zalotest.Token) {
		t.Errorf("a hang past the deadline: %v after %v", err, time.Since(start))
	}
	if len(s.Received("u1")) != 0 {
		t.Errorf("delivered: %+v", s.Received("u1"))
	}
	// Each 4xx is logged with its method, code and description, so that
	// the wording of "blocked" and "not in the group" can be learnt; never
	// the token, the chat or the text.
	for _, want := range []string{`"method":"sendMessage","code":429,"description":"Quota exceeded"`,
		`"code":401,"description":"Unauthorized"`, `"code":403,"description":"Bot is not a member of this group"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("not logged: %s\n%s", want, logs.String())
		}
	}
	for _, never := range []string{zalotest.Token, "u1", strings.Repeat("a", 20)} {
		if strings.Contains(logs.String(), never) {
			t.Errorf("logged %q: %s", never, logs.String())
		}
	}
}

func TestWebhookAdmin(t *testing.T) {
	b, s := newBot(t)
	ctx := context.Background()
	if _, err := b.SetWebhook(ctx, "https://x.test/webhook/zalo", "short"); err == nil {
		t.Error("a 5-character secret was sent")
	}
	if _, err := b.SetWebhook(ctx, "https://x.test/webhook/zalo", strings.Repeat("s", 257)); err == nil {
		t.Error("a 257-character secret was sent")
	}
	if len(s.CallsTo("setWebhook")) != 0 {
		t.Error("setWebhook called with a bad secret")
	}
	s.SetVerification(&zalo.Verification{Outcome: "webhook.http.403", Hint: "Check WAF rules"})
	if v, err := b.SetWebhook(ctx, "https://x.test/webhook/zalo", "a-secret-of-enough"); err != nil || v == nil || v.OK ||
		v.Outcome != "webhook.http.403" || v.Hint != "Check WAF rules" {
		t.Fatalf("a webhook Zalo's test request failed: %+v %v", v, err)
	}
	s.SetVerification(nil)
	if v, err := b.SetWebhook(ctx, "https://x.test/webhook/zalo", "a-secret-of-enough"); err != nil || v == nil || !v.OK || v.Outcome != "webhook.ok" {
		t.Fatalf("set: %+v %v", v, err)
	}
	if info, err := b.WebhookInfo(ctx); err != nil || info.URL != "https://x.test/webhook/zalo" || info.UpdatedAt == 0 {
		t.Errorf("info: %+v %v", info, err)
	}
	if err := b.DeleteWebhook(ctx); err != nil || s.Webhook().URL != "" {
		t.Errorf("delete: %v %+v", err, s.Webhook())
	}
}

func TestPollHandsEachEventOnce(t *testing.T) {
	b, s := newBot(t)
	ted := zalotest.User{ID: "u1", Name: "Ted"}
	for _, text := range []string{"một", "hai"} {
		s.QueueEvent(s.Text(zalotest.Private(ted), ted, text))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 10)
	refused := false
	done := make(chan error, 1)
	go func() {
		done <- b.Poll(ctx, func(body []byte) bool {
			in, ok, err := b.Parse(body)
			if err != nil || !ok {
				t.Errorf("polled %s: %v", body, err)
			}
			if in.Text == "hai" && !refused {
				refused = true // handed again
				return false
			}
			got <- in.Text
			return true
		})
	}()
	for _, want := range []string{"một", "hai"} {
		select {
		case text := <-got:
			if text != want {
				t.Errorf("polled %q, want %q", text, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%q not polled", want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
}

// longTexts says message "long" at length, over two of Zalo's messages,
// and any other by its id.
type longTexts struct{}

func (longTexts) Text(_ string, m flows.Msg) string {
	if m.ID == "long" {
		return strings.Repeat("Na Chi Lăng chín cây, ngọt lịm, giao tận nơi.\n", 100)
	}
	return m.ID
}
func (longTexts) Langs() []string { return []string{"vi"} }

// Behind the renderer, a long reply with photos goes as Zalo takes it: one
// photo a message, captions and texts within 2000 characters.
func TestRenderedRepliesFitZalo(t *testing.T) {
	b, s := newBot(t)
	to := flows.ChatRef{Channel: flows.Zalo, ChatID: "u1"}
	photos := []string{s.PhotoURL("na-1"), s.PhotoURL("na-2"), s.PhotoURL("na-3")}
	var tokens []string // as the flows keep them; without ids, shown by their own URL
	for _, u := range photos {
		tokens = append(tokens, flows.PhotoRef{Channel: flows.Zalo, Ref: u}.String())
	}
	reply := flows.Reply{To: to, Lang: "vi", Text: flows.M("long"), Photos: tokens,
		Choices: [][]flows.Choice{{{Label: flows.M("yes"), Value: "yes", Number: 1}}}}
	if _, err := bot.Render(b, longTexts{}).Send(context.Background(), reply); err != nil {
		t.Fatal(err)
	}
	got := s.Received("u1")
	var sentPhotos []string
	text := ""
	for _, m := range got {
		if m.Photo != "" {
			sentPhotos = append(sentPhotos, m.Photo)
		}
		text += m.Text
	}
	if len(got) < 5 || !slices.Equal(sentPhotos, photos) || !strings.HasSuffix(got[len(got)-1].Text, "1. yes") ||
		strings.Count(text, "Na Chi Lăng") != 100 {
		t.Errorf("received %d messages, photos %q", len(got), sentPhotos)
	}
	for _, c := range s.Calls() {
		if c.Status != http.StatusOK {
			t.Errorf("Zalo refused %s: %s", c.Method, c.Error)
		}
	}
}

// quotaReplicas are two replicas of the bot, sharing one Redis, on a fake
// clock that the test moves on, with a reply queued to each of n chats.
func quotaReplicas(t *testing.T, b *zalo.Bot, now *time.Time, n, senders int) []*bot.Engine {
	t.Helper()
	store := redistest.MustOpen(t)
	replica := func() *bot.Engine {
		e := &bot.Engine{Store: store, Channels: bot.Channels{}, Metrics: bot.NewMetrics(), Log: zerolog.Nop(),
			Now: func() time.Time { return *now }, Attempt: 5 * time.Second, RetryMin: 500 * time.Millisecond,
			RetryMax: 10 * time.Second, QuotaMax: 30 * time.Minute, Senders: senders}
		e.Channels.Add(bot.Render(b, longTexts{}))
		return e
	}
	for i := range n {
		to := flows.ChatRef{Channel: flows.Zalo, ChatID: "u" + strconv.Itoa(i)}
		if err := store.Enqueue(context.Background(), []flows.Reply{{To: to, Lang: "vi", Text: flows.M("Na Chi Lăng còn 5 tạ")}}, *now); err != nil {
			t.Fatal(err)
		}
	}
	return []*bot.Engine{replica(), replica()}
}

// countRefused counts the sends Zalo refused with a 429.
func countRefused(s *zalotest.Server) int {
	n := 0
	for _, c := range s.CallsTo("sendMessage") {
		if c.Code == http.StatusTooManyRequests {
			n++
		}
	}
	return n
}

// delivered counts the chats that got their reply, failing the test if
// one got it twice.
func delivered(t *testing.T, s *zalotest.Server, n int) int {
	t.Helper()
	got := 0
	for i := range n {
		switch r := s.Received("u" + strconv.Itoa(i)); {
		case len(r) > 1:
			t.Fatalf("chat %d got its reply %d times", i, len(r))
		case len(r) == 1 && r[0].Text == "Na Chi Lăng còn 5 tạ":
			got++
		}
	}
	return got
}

// Zalo's 429 ("Quota exceeded") says neither for how long nor whether the
// quota is per second or per day. When it is a day's, twenty replies wait
// from nine in the evening: the bot, on both its replicas, tries Zalo less
// and less often, one reply at a time and at least every half hour, a few
// dozen requests in all instead of one every few seconds for every chat
// (17 280 in this test when each chat backed off on its own, up to
// RetryMax), and sets none aside. The quota starts again at midnight:
// every user gets the reply once, a minute later.
func TestRepliesHeldByZalosDailyQuotaArriveJustAfterMidnightWithFewTries(t *testing.T) {
	b, s := newBot(t)
	ctx := context.Background()
	ict := time.FixedZone("ICT", 7*3600)
	now := time.Date(2026, 8, 15, 21, 0, 0, 0, ict)
	midnight := time.Date(2026, 8, 16, 0, 0, 0, 0, ict)
	const chats, step = 20, 5 * time.Second // step: the sweepers' interval
	replicas := quotaReplicas(t, b, &now, chats, 4)
	s.SetDown("sendMessage", &zalotest.Failure{Code: http.StatusTooManyRequests, Description: "Quota exceeded"})
	var all time.Time       // when the last reply arrived
	var refused []time.Time // when Zalo refused a try, on the test's clock
	for ; now.Before(midnight.Add(10 * time.Minute)); now = now.Add(step) {
		if !now.Before(midnight) {
			s.SetDown("sendMessage", nil)
		}
		for _, e := range replicas {
			if err := e.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for range countRefused(s) - len(refused) {
			refused = append(refused, now)
		}
		if all.IsZero() && delivered(t, s, chats) == chats {
			all = now
		}
	}
	if len(refused) == 0 {
		t.Fatal("Zalo refused nothing")
	}
	if len(refused) > 30 {
		t.Errorf("Zalo refused %d requests in the three hours of its quota, want a few dozen at most", len(refused))
	}
	for i := 1; i < len(refused); i++ {
		if gap := refused[i].Sub(refused[i-1]); gap > 30*time.Minute+time.Minute {
			t.Errorf("no try from %s to %s: the bot must try at least every half hour", refused[i-1].In(ict).Format("15:04:05"), refused[i].In(ict).Format("15:04:05"))
		}
	}
	if last := refused[len(refused)-1]; last.Before(midnight.Add(-30*time.Minute - time.Minute)) {
		t.Errorf("the last try before midnight was at %s", last.In(ict).Format("15:04:05"))
	}
	if n := delivered(t, s, chats); n != chats || all.After(midnight.Add(2*time.Minute)) {
		t.Fatalf("%d of %d users got their reply, the last at %s; want all of them by 00:02", n, chats, all.In(ict).Format("15:04:05"))
	}
	if dead, err := replicas[0].Store.DeadLetters(ctx); err != nil || len(dead) != 0 {
		t.Fatalf("set aside: %+v %v", dead, err)
	}
	if calls := s.CallsTo("sendMessage"); len(calls) != len(refused)+chats {
		t.Errorf("%d requests: %d refused and %d for %d replies", len(calls), len(refused), len(calls)-len(refused), chats)
	}
}

// A limit of a second or so is over after a couple of quick tries: the
// channel's hold keeps no reply waiting long. Five replies arrive within
// seconds, for the two refused tries and the five sends.
func TestAShortZaloLimitIsTriedOneReplyAtATimeAndOverInSeconds(t *testing.T) {
	b, s := newBot(t)
	ctx := context.Background()
	start := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	now := start
	const chats, step = 5, 250 * time.Millisecond
	replicas := quotaReplicas(t, b, &now, chats, 1)
	s.FailNext("sendMessage", 2, zalotest.Failure{Code: http.StatusTooManyRequests, Description: "Quota exceeded"})
	for ; delivered(t, s, chats) < chats && now.Before(start.Add(time.Minute)); now = now.Add(step) {
		for _, e := range replicas {
			if err := e.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if took := now.Sub(start); delivered(t, s, chats) != chats || took > 15*time.Second {
		t.Fatalf("%d of %d replies arrived in %s, want all within 15 s", delivered(t, s, chats), chats, took)
	}
	if calls := s.CallsTo("sendMessage"); len(calls) != 2+chats {
		t.Errorf("%d requests to Zalo, want the 2 refused and %d sends", len(calls), chats)
	}
}

// When Zalo's quota hold ends, one chat tries Zalo (the probe) and the
// others wait for its answer, on both replicas. The answer, not the time
// the try was given (Attempt and a margin, 7 s here), ends their wait:
// once a try goes through, every user waiting has the reply at the next
// sweep. A try refused again keeps them waiting, with no request to Zalo
// until the next hold ends; the try after it brings every reply with it.
func TestRepliesWaitingForAZaloTryGoAsSoonAsItGoesThrough(t *testing.T) {
	for _, c := range []struct {
		name         string
		refusedAgain bool
	}{{"goes through", false}, {"refused again", true}} {
		t.Run(c.name, func(t *testing.T) {
			b, s := newBot(t)
			ctx := context.Background()
			start := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
			now := start
			const chats, step = 5, 250 * time.Millisecond // step: the sweepers' interval
			replicas := quotaReplicas(t, b, &now, chats, 1)
			replicas[1].Senders = chats
			sweep := func(e *bot.Engine) {
				if err := e.Sweep(ctx); err != nil {
					t.Error(err)
				}
			}
			quota := zalotest.Failure{Code: http.StatusTooManyRequests, Description: "Quota exceeded"}
			s.SetDown("sendMessage", &quota)
			sweep(replicas[0]) // refused: Zalo is held for a second
			now = start.Add(3 * time.Second)
			s.HoldNext("sendMessage", 1)
			trying := make(chan struct{})
			go func() { defer close(trying); sweep(replicas[0]) }() // one chat tries
			s.WaitHolding(t, 1)
			sweep(replicas[1]) // the others, on the other replica
			if calls := s.CallsTo("sendMessage"); len(calls) != 1 {
				t.Fatalf("%d requests to Zalo while one chat tried it, want only the first refused", len(calls))
			}
			if !c.refusedAgain {
				s.SetDown("sendMessage", nil)
			}
			s.Release()
			<-trying
			reopens := now // Zalo takes messages again
			if c.refusedAgain {
				reopens = now.Add(2 * time.Second) // when the next hold ends
			}
			var first, all time.Time // when the first and the last reply arrived
			if delivered(t, s, chats) > 0 {
				first = now // the try's
			}
			for ; all.IsZero() && now.Before(start.Add(time.Minute)); now = now.Add(step) {
				if !now.Before(reopens) {
					s.SetDown("sendMessage", nil)
				} else if n := len(s.CallsTo("sendMessage")); n != 2 {
					t.Fatalf("%d requests to Zalo by %s, while the hold after the refused try lasted; want the 2 refused",
						n, now.Sub(start))
				}
				for _, e := range replicas {
					sweep(e)
				}
				n := delivered(t, s, chats)
				if n > 0 && first.IsZero() {
					first = now
				}
				if n == chats {
					all = now
				}
			}
			if all.IsZero() {
				t.Fatalf("%d of %d replies arrived", delivered(t, s, chats), chats)
			}
			if late := all.Sub(first); late > step {
				t.Errorf("the last reply arrived %s after the first went through, want within a sweep (%s)", late, step)
			}
			refusals := 1
			if c.refusedAgain {
				refusals = 2
			}
			if calls := s.CallsTo("sendMessage"); len(calls) != refusals+chats {
				t.Errorf("%d requests to Zalo, want %d refused and %d replies", len(calls), refusals, chats)
			}
		})
	}
}

// A 429 met by a post to a market group holds the bulk sends only: the
// farmers' and buyers' private replies go on at once, and the group's post
// waits for the hold, then goes.
func TestAZaloQuotaMetByAGroupPostHoldsThePostsNotTheReplies(t *testing.T) {
	b, s := newBot(t)
	ctx := context.Background()
	start := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	now := start
	const chats = 3
	replicas := quotaReplicas(t, b, &now, chats, 4)
	group := flows.ChatRef{Channel: flows.Zalo, ChatID: "g-chilang"}
	post := flows.Reply{To: group, Group: true, Lang: "vi", Text: flows.M("Na Chi Lăng còn 5 tạ")}
	if err := replicas[0].Store.Enqueue(ctx, []flows.Reply{post}, now); err != nil {
		t.Fatal(err)
	}
	s.FailNext("sendMessage", 1, zalotest.Failure{Code: http.StatusTooManyRequests, Description: "Quota exceeded"})
	replicas[0].Deliver(ctx, group) // refused: the posts wait
	if len(s.Received(group.ChatID)) != 0 || countRefused(s) != 1 {
		t.Fatalf("the group's post: %+v, %d refused", s.Received(group.ChatID), countRefused(s))
	}
	for _, e := range replicas {
		if err := e.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := delivered(t, s, chats); n != chats {
		t.Fatalf("%d of %d private replies arrived while the group's post waited for the quota", n, chats)
	}
	if len(s.Received(group.ChatID)) != 0 {
		t.Fatal("the group's post went before its hold ended")
	}
	for now = start; len(s.Received(group.ChatID)) == 0 && now.Before(start.Add(10*time.Second)); now = now.Add(250 * time.Millisecond) {
		for _, e := range replicas {
			if err := e.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := s.Received(group.ChatID); len(got) != 1 || now.Sub(start) > 5*time.Second {
		t.Fatalf("the group's post: %+v after %s", got, now.Sub(start))
	}
}

// A quota that refuses one chat while a send to another goes through is
// that chat's own (a cap per recipient): once learnt, its refusals hold
// that chat alone, and the others' replies go at once.
func TestAZaloChatRefusedOnItsOwnWaitsAlone(t *testing.T) {
	b, s := newBot(t)
	ctx := context.Background()
	now := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	replicas := quotaReplicas(t, b, &now, 0, 4)
	e := replicas[0]
	e.Log = zerolog.New(zerolog.NewTestWriter(t))
	chat := func(id string) flows.ChatRef { return flows.ChatRef{Channel: flows.Zalo, ChatID: id} }
	say := func(id string) {
		t.Helper()
		if err := e.Store.Enqueue(ctx, []flows.Reply{{To: chat(id), Lang: "vi", Text: flows.M("Na Chi Lăng còn 5 tạ")}}, now); err != nil {
			t.Fatal(err)
		}
		e.Deliver(ctx, chat(id))
	}
	quota := zalotest.Failure{Code: http.StatusTooManyRequests, Description: "Quota exceeded"}
	s.FailNext("sendMessage", 1, quota)
	say("chatty") // refused: the channel waits a second
	now = now.Add(3 * time.Second)
	say("u0") // goes through: the refusal was chatty's own
	if len(s.Received("u0")) != 1 {
		t.Fatalf("u0 after the hold: %+v", s.Received("u0"))
	}
	s.FailNext("sendMessage", 1, quota)
	say("chatty") // refused again, at once: chatty alone waits
	say("u1")
	if len(s.Received("u1")) != 1 || len(s.Received("chatty")) != 0 {
		for _, c := range s.CallsTo("sendMessage") {
			t.Logf("%s %d %s", c.ChatID, c.Code, c.At)
		}
		t.Fatalf("u1 %+v, chatty %+v: after chatty's own refusal, u1's reply must go at once", s.Received("u1"), s.Received("chatty"))
	}
	for end := now.Add(time.Minute); len(s.Received("chatty")) < 2 && now.Before(end); now = now.Add(250 * time.Millisecond) {
		if err := e.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.Received("chatty")) != 2 {
		t.Fatalf("chatty's two replies: %+v", s.Received("chatty"))
	}
}

// After the bot's token is reset in Bot Creator, Zalo answers 401 to
// everything: the whole channel waits, trying once a minute at most, sets
// nothing aside, and says so on nongsan_channel_unauthorized. Once the
// token works again (the new one set, and a restart), every reply arrives
// within about a minute and the alert clears.
func TestAZaloTokenResetHoldsTheChannelUntilTheTokenWorks(t *testing.T) {
	b, s := newBot(t)
	ctx := context.Background()
	start := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	now := start
	const chats, step = 5, time.Second
	replicas := quotaReplicas(t, b, &now, chats, 4)
	s.SetDown("sendMessage", &zalotest.Failure{Code: http.StatusUnauthorized, Description: "Unauthorized"})
	sweep := func() {
		for _, e := range replicas {
			if err := e.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	alert := func() float64 {
		v := 0.0
		for _, e := range replicas {
			v = max(v, testutil.ToFloat64(e.Metrics.Unauthorized.WithLabelValues("zalo")))
		}
		return v
	}
	for ; now.Before(start.Add(30 * time.Minute)); now = now.Add(step) {
		sweep()
	}
	calls := s.CallsTo("sendMessage")
	if len(calls) == 0 || len(calls) > 45 || delivered(t, s, chats) != 0 {
		t.Fatalf("%d requests in the half hour the token was refused, want one a minute at most", len(calls))
	}
	if alert() != 1 {
		t.Error("nongsan_channel_unauthorized is not 1 while the token is refused")
	}
	if dead, err := replicas[0].Store.DeadLetters(ctx); err != nil || len(dead) != 0 {
		t.Fatalf("set aside: %+v %v", dead, err)
	}
	s.SetDown("sendMessage", nil)
	works := now
	for ; delivered(t, s, chats) < chats && now.Before(works.Add(5*time.Minute)); now = now.Add(step) {
		sweep()
	}
	if n := delivered(t, s, chats); n != chats || now.Sub(works) > time.Minute+5*time.Second {
		t.Fatalf("%d of %d replies arrived, %s after the token worked again", n, chats, now.Sub(works))
	}
	sweep()
	if alert() != 0 {
		t.Error("nongsan_channel_unauthorized still 1 after sends went through")
	}
}
