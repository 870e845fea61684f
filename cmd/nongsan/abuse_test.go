package main

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
	"github.com/nongsan-bot/nongsan/flows"
)

// postRaw posts body to path with a secret in header (none when "") and
// returns the status.
func (b *testBot) postRaw(path, header, secret string, body []byte) int {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.URL+path, bytes.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(header, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// What reaches a webhook that is not a platform's update, on Telegram and
// Zalo: without the secret or with a wrong one 401; over 1 MiB 413; not
// JSON, cut short, or nested deeper than a decoder follows 400. Telegram
// and Zalo never send those, so the 400 answers a forger or a broken
// proxy, whom a retry does not help either (CONTRACT: not JSON, 400).
// Nothing refused is processed: no message is sent.
func TestWebhooksRefuseWhatIsNotAnUpdate(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	b := z.b
	u := zalotest.User{ID: "6ede9afa66b88fe6d6a9", Name: "Nông dân Zalo"}
	zaloBody := zalotest.Wrapped(z.Z.Text(zalotest.Private(u), u, "/start"))
	for _, hook := range []struct {
		path, header, secret, other string
		body                        []byte
	}{
		{"/webhook/telegram", telegramtest.SecretHeader, testSecret, zaloSecret, telegramtest.UpdateJSON(b.Up.Text(farmer, farmer, "/start"))},
		{"/webhook/zalo", zalo.SecretHeader, zaloSecret, testSecret, zaloBody},
	} {
		wrong := []byte(hook.secret)
		wrong[len(wrong)-1] ^= 1
		for _, c := range []struct {
			name   string
			secret string
			body   []byte
			want   int
		}{
			{"no secret", "", hook.body, http.StatusUnauthorized},
			{"a wrong secret", string(wrong), hook.body, http.StatusUnauthorized},
			{"the secret's first half", hook.secret[:len(hook.secret)/2], hook.body, http.StatusUnauthorized},
			{"the secret and more", hook.secret + "x", hook.body, http.StatusUnauthorized},
			{"the other platform's secret", hook.other, hook.body, http.StatusUnauthorized},
			{"over 1 MiB", hook.secret, append(bytes.Repeat([]byte(" "), 1<<20), hook.body...), http.StatusRequestEntityTooLarge},
			{"not JSON", hook.secret, []byte("<xml/>"), http.StatusBadRequest},
			{"empty", hook.secret, nil, http.StatusBadRequest},
			{"cut short", hook.secret, hook.body[:len(hook.body)/2], http.StatusBadRequest},
			{"nested 100.000 deep", hook.secret, []byte(strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)), http.StatusBadRequest},
			{"an object nested 100.000 deep", hook.secret, []byte(strings.Repeat(`{"a":`, 100_000) + "1" + strings.Repeat("}", 100_000)), http.StatusBadRequest},
		} {
			if got := b.postRaw(hook.path, hook.header, c.secret, c.body); got != c.want {
				t.Errorf("%s, %s: %d, want %d", hook.path, c.name, got, c.want)
			}
		}
	}
	if n := len(b.TG.CallsTo("sendMessage")) + len(z.Z.CallsTo("sendMessage")); n != 0 {
		t.Fatalf("refused requests were processed: %d messages sent", n)
	}
}

// Every command only moderators (or a group's admins) may use, by a user
// who is neither: refused with the words for it, and nothing done.
func TestPrivilegedCommandsAreRefusedToOthers(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	const group, nobody = int64(-1004444444444), int64(6006)
	b.TG.SetMemberStatus(group, groupAdmin, "administrator")
	if code := b.Post(b.Up.AddedToGroup(group, groupAdmin, telegramtest.DefaultBotID)); code != http.StatusOK {
		t.Fatal(code)
	}
	for _, c := range []struct {
		chat       int64
		say, wants string
	}{
		{nobody, "/thongbao", "broadcast.refused"},
		{nobody, "/thongke", "figures.refused"},
		{nobody, "/themmod", "roles.refused"},
		{nobody, "/xoamod", "roles.refused"},
		{nobody, "/gotin " + code, "moderation.refused"},
		{nobody, "/chan " + code, "moderation.refused"},
		{nobody, "/bochan", "moderation.refused"},
		{nobody, "gỡ " + code, "moderation.refused"},
		{nobody, "chặn " + code, "moderation.refused"},
		{nobody, "/start tb_" + itoa(group), "broadcast.own_refused"},
		{group, "/dangky", "group.admins_only"},
		{group, "/huydangky", "group.admins_only"},
		{group, "/thongbao Bà con ơi, mai họp chợ", "broadcast.group_admins_only"},
	} {
		before := len(b.Sent(c.chat))
		if code := b.Post(b.Up.Text(c.chat, nobody, c.say)); code != http.StatusOK {
			t.Fatalf("%q: %d", c.say, code)
		}
		// a group's answer may wait its turn behind the group's gap
		waitFor(t, c.say+"'s answer", func() bool { return len(b.Sent(c.chat)) > before })
		got := b.Sent(c.chat)[before:]
		if want := text(t, "vi", c.wants); len(got) == 0 || !strings.HasPrefix(got[0].Text, want) {
			t.Errorf("%q in %d: %+v, want %s", c.say, c.chat, got, c.wants)
		}
	}
	if status := listingStatus(t, b, code); status != "active" {
		t.Errorf("the listing is %q, want still active", status)
	}
	if n, err := pgExec(b, "SELECT 1 FROM market_groups"); err != nil || n != 0 {
		t.Errorf("markets: %d (%v), want none registered", n, err)
	}
	if n, err := pgExec(b, "SELECT 1 FROM broadcasts"); err != nil || n != 0 {
		t.Errorf("broadcasts: %d (%v), want none", n, err)
	}
	if role := roleOf(t, b, nobody); role != "" {
		t.Errorf("the user's role is %q, want none", role)
	}
}

// What a webhook takes though the bot makes nothing, or only part, of it.
// Update kinds the bot does not handle get a 200 and no answer: a 4xx
// would only have the platform deliver them again. Invalid UTF-8 in a
// text or a name is read as U+FFFD (Go's JSON decoder) and answered, and
// stored as valid text. A field the bot does not read may nest deep.
func TestWebhooksTakeWhatTheyDoNotUnderstand(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	b := z.b
	u := zalotest.User{ID: "6ede9afa66b88fe6d6a9", Name: "Nông dân Zalo"}
	unknown := z.Z.Event("message.reaction.received", zalotest.Private(u), u)
	for _, c := range []struct {
		path, header, secret string
		body                 []byte
	}{
		{"/webhook/telegram", telegramtest.SecretHeader, testSecret, []byte(`{"update_id": 900001, "poll": {"id": "1", "question": "?", "options": []}}`)},
		{"/webhook/telegram", telegramtest.SecretHeader, testSecret, []byte(`{"update_id": 900002, "chat_boost": {"chat": {"id": -100123, "type": "channel"}}}`)},
		{"/webhook/telegram", telegramtest.SecretHeader, testSecret, []byte(`{"update_id": 900003}`)},
		{"/webhook/zalo", zalo.SecretHeader, zaloSecret, zalotest.Wrapped(unknown)},
	} {
		if got := b.postRaw(c.path, c.header, c.secret, c.body); got != http.StatusOK {
			t.Errorf("%s %s: %d, want 200", c.path, c.body, got)
		}
	}
	if n := len(b.TG.CallsTo("sendMessage")) + len(z.Z.CallsTo("sendMessage")); n != 0 {
		t.Fatalf("updates of unknown kinds were answered: %d messages", n)
	}

	// Invalid UTF-8 in the user's name and text.
	body := telegramtest.UpdateJSON(b.Up.Text(farmer, farmer, "/start"))
	body = bytes.ReplaceAll(body, []byte("Nông dân"), []byte("N\xffng d\xe2n"))
	body = bytes.Replace(body, []byte(`"text":"/start"`), []byte("\"text\":\"/start \xc3\x28\""), 1)
	if got := b.postRaw("/webhook/telegram", telegramtest.SecretHeader, testSecret, body); got != http.StatusOK {
		t.Fatalf("an update with invalid UTF-8: %d, want 200", got)
	}
	if got := b.Sent(farmer); len(got) == 0 || !strings.Contains(got[0].Text, "N\uFFFDng") {
		t.Errorf("answered %+v, want a greeting with the name as read", got)
	}
	var name string
	queryRow(t, b.Env["DATABASE_URL"], `SELECT platform_name FROM users WHERE platform_id = $1`, []any{itoa(farmer)}, &name)
	if !utf8.ValidString(name) || !strings.Contains(name, "\uFFFD") {
		t.Errorf("stored name %q, want valid text with U+FFFD", name)
	}

	// An update with a field nested 5.000 deep is read (the decoder's limit
	// is 10.000).
	deep := telegramtest.UpdateJSON(b.Up.Text(buyer, buyer, "/start"))
	deep = append(deep[:len(deep)-1], []byte(`,"x":`+strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+"}")...)
	if got := b.postRaw("/webhook/telegram", telegramtest.SecretHeader, testSecret, deep); got != http.StatusOK {
		t.Fatalf("an update with a deep field: %d, want 200", got)
	}
	if len(b.Sent(buyer)) == 0 {
		t.Error("the update with a deep field was not answered")
	}
}

// One user sends 1.000 updates as fast as the webhook takes them (a few
// seconds: the machine's rate, not 5.000 a second under the race
// detector) while three farmers list. Every update gets a 200: a 429 or 5xx would have
// Telegram deliver the whole flood again, later. The flooder is answered
// up to MAX_MESSAGES_PER_MINUTE, told once per minute to slow down (the
// one reply the rest of the burst gets), and then nothing; the limit is
// counted in the chat's state, read and written anyway (no Redis round
// trip more). The farmers' conversations finish meanwhile.
func TestAFloodFromOneUserIsLimited(t *testing.T) {
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["MAX_MESSAGES_PER_MINUTE"] = "30"
	b := startBot(t, tg, env)
	l := newLoad(t, tg, b.URL, 3)
	start := time.Now()
	l.start()
	const flooder, updates, senders = int64(6666), 1000, 8
	flood := newLoad(t, tg, b.URL, 0) // for its deliveries and their count
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for range updates / senders {
				flood.post(b.Up.Text(flooder, flooder, "còn na không?"))
			}
		})
	}
	wg.Wait()
	l.wait()
	l.check(env["DATABASE_URL"])
	minutes := int(time.Since(start)/time.Minute) + 1

	if got := flood.statuses(); got[http.StatusOK] != updates/senders*senders {
		t.Errorf("the flood's deliveries by status: %v, want every one 200", got)
	}
	slow, answers, tooFast := 0, flood.received(flooder), text(t, "vi", "limits.too_fast")
	for _, m := range answers {
		if m == tooFast {
			slow++
		}
	}
	if slow < 1 || slow > minutes {
		t.Errorf("the flooder was told to slow down %d times in %d minute(s), want once a minute", slow, minutes)
	}
	if max := minutes * (30*2 + 1); len(answers) > max {
		t.Errorf("the flooder got %d messages in %d minute(s), want at most %d", len(answers), minutes, max)
	}
	t.Logf("%d updates from one user in %s: %d answers, %d of them asking to slow down", updates/senders*senders, time.Since(start).Round(time.Millisecond), len(answers), slow)
}

// What a farmer or a buyer types that looks like SQL, HTML or Markdown
// (name, commune, listing note; address, order note) is stored as typed (read back from PostgreSQL), sent back as plain
// text (no parse_mode: Telegram shows it as typed, never as markup), and
// escaped in the web pages (html/template: the store, the listing and the
// market's list), never run.
func TestTypedMarkupAndSQLStayText(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	const (
		name    = `<b>Lan</b> "Hoa"'); DROP TABLE sellers;--`
		commune = `xã <i>Quang Lang</i> & *Chi Lăng*`
		note    = `**na dai** _quả to_ [xem](javascript:alert(1)) <script>alert(1)</script> ' OR 1=1 --`
	)
	b.Say(farmer, "/ban")
	b.expect(farmer, "reg.name", "Name", "Nông dân 1001")
	b.Say(farmer, name)
	b.expect(farmer, "reg.phone")
	if code := b.Post(b.Up.Contact(farmer, farmer, phoneOf(farmer))); code != http.StatusOK {
		t.Fatal(code)
	}
	b.Say(farmer, commune)
	b.expect(farmer, "reg.code")
	for _, answer := range []string{"bỏ qua", "agribank", "1234 5678 9012", "1"} {
		b.Say(farmer, answer)
	}
	b.expect(farmer, "sell.product")
	b.Tap(farmer, "p:na-chi-lang")
	b.album(farmer, "album-1", "photo-1")
	for _, answer := range []string{"xong", "5 tạ", "25k", "hôm nay", note} {
		b.Say(farmer, answer)
	}
	if summary := b.Last(farmer).Text; !strings.Contains(summary, note) || !strings.Contains(summary, commune) {
		t.Errorf("the summary does not show what was typed:\n%s", summary)
	}
	b.Publish(farmer)
	code := b.publishedCode(farmer)

	var gotName, gotCommune, gotNote string
	queryRow(t, b.Env["DATABASE_URL"], `SELECT s.name, s.commune, l.note FROM listings l JOIN sellers s ON s.id = l.seller_id
		WHERE l.code = $1`, []any{code}, &gotName, &gotCommune, &gotNote)
	if gotName != name || gotCommune != commune || gotNote != note {
		t.Errorf("stored %q, %q, %q; want them as typed", gotName, gotCommune, gotNote)
	}
	// A buyer's address and note, to the farmer.
	const (
		address  = `12 <b>Trần Phú</b>'; DELETE FROM orders;--`
		buyerSay = `<a href="https://x.example">gọi</a> *nhanh* ' OR '1'='1`
	)
	b.Say(buyer, deepLink(code))
	b.Say(buyer, "100kg")
	b.Tap(buyer, "keep")
	if code := b.Post(b.Up.Contact(buyer, buyer, "+84987654321")); code != http.StatusOK {
		t.Fatal(code)
	}
	b.Say(buyer, "giao tận nơi")
	b.expect(buyer, "order.address")
	b.Say(buyer, address)
	b.expect(buyer, "order.note")
	b.Say(buyer, buyerSay)
	b.Place(buyer)
	told := b.notice(farmer, "🛒 Đơn mới")
	if !strings.Contains(told.Text, buyerSay) {
		t.Errorf("the farmer's notice does not show the buyer's note as typed:\n%s", told.Text)
	}
	var gotAddress, gotBuyerNote string
	queryRow(t, b.Env["DATABASE_URL"], `SELECT address, note FROM orders`, nil, &gotAddress, &gotBuyerNote)
	if gotAddress != address || gotBuyerNote != buyerSay {
		t.Errorf("stored order: %q, %q; want them as typed", gotAddress, gotBuyerNote)
	}

	for _, c := range b.TG.Calls() {
		if mode := c.Params["parse_mode"]; mode != "" {
			t.Errorf("%s to %s with parse_mode %s: typed text would be read as markup", c.Method, c.ChatID, mode)
		}
	}
	for _, page := range []string{b.storeOf(flows.Telegram, itoa(farmer)), b.Env["PUBLIC_BASE_URL"] + "/cho/" + code, b.Env["PUBLIC_BASE_URL"] + "/cho"} {
		status, html, _ := download(t, page)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d", page, status)
		}
		for _, raw := range []string{"<b>Lan</b>", "<i>Quang", "<script>alert(1)</script>", `"Hoa"'`} {
			if strings.Contains(html, raw) {
				t.Errorf("%s shows %q unescaped", page, raw)
			}
		}
		if !strings.Contains(html, template.HTMLEscapeString(name)) {
			t.Errorf("%s does not show the name, escaped", page)
		}
	}
}

// A market group whose title looks like markup or SQL, and a group admin's
// announcement that does: the title is stored as it is and shown as plain
// text wherever the bot names the group (the farmer's notice of a post, the
// announcement's summary); the announcement reaches the group as typed; no
// call asks Telegram to read markup (parse_mode, an album's captions
// included); the market's pages show neither unescaped.
func TestGroupTitlesAndAnnouncementsWithMarkupStayText(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	const (
		group        = int64(-1005555555555)
		title        = `<b>Chợ</b> *Na* _Lạng Sơn_ [vào](javascript:alert(1)) <script>alert(1)</script> '); DROP TABLE chats;--`
		announcement = `<i>Họp chợ</i> **sáng mai** [đăng ký](javascript:alert(2)) ' OR 1=1 --`
	)
	titled := func(u tgbotapi.Update) tgbotapi.Update {
		if u.Message != nil {
			c := *u.Message.Chat
			c.Title = title
			u.Message.Chat = &c
		}
		if u.MyChatMember != nil {
			u.MyChatMember.Chat.Title = title
		}
		return u
	}
	b.TG.SetMemberStatus(group, groupAdmin, "administrator")
	for _, u := range []tgbotapi.Update{b.Up.AddedToGroup(group, groupAdmin, telegramtest.DefaultBotID), b.Up.Text(group, groupAdmin, "/dangky")} {
		if code := b.Post(titled(u)); code != http.StatusOK {
			t.Fatal(code)
		}
	}
	var stored string
	queryRow(t, b.Env["DATABASE_URL"], `SELECT title FROM chats WHERE channel = 'telegram' AND chat_id = $1`, []any{itoa(group)}, &stored)
	if stored != title {
		t.Errorf("stored title %q, want it as Telegram gave it", stored)
	}

	// A listing goes to the group; the farmer is told where, by its title.
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	if posted := b.notice(farmer, "📢"); !strings.Contains(posted.Text, title) {
		t.Errorf("the notice of the post does not name the group as it is titled:\n%s", posted.Text)
	}

	// The group's admin announces to it.
	if code := b.Post(titled(b.Up.Text(group, groupAdmin, "/thongbao"))); code != http.StatusOK {
		t.Fatal(code)
	}
	b.expectIn(group, "broadcast.group_open")
	b.Say(groupAdmin, "/start tb_"+itoa(group))
	b.expect(groupAdmin, "broadcast.text_own")
	b.Say(groupAdmin, announcement)
	b.expect(groupAdmin, "broadcast.photo")
	b.Tap(groupAdmin, "skip")
	if summary := b.Last(groupAdmin).Text; !strings.Contains(summary, title) {
		t.Errorf("the summary does not name the group as it is titled:\n%s", summary)
	}
	b.Tap(groupAdmin, "send")
	b.expectOnce(groupAdmin, "broadcast.started", "Count", 1)
	waitSent(t, b, group, func(s sent) bool { return strings.Contains(s.Text, announcement) }, 1)
	var storedText string
	queryRow(t, b.Env["DATABASE_URL"], `SELECT text FROM broadcasts`, nil, &storedText)
	if storedText != announcement {
		t.Errorf("stored announcement %q, want it as typed", storedText)
	}

	for _, c := range b.TG.Calls() {
		modes := []string{c.Params["parse_mode"]}
		if c.Method == "sendMediaGroup" {
			var media []struct {
				ParseMode string `json:"parse_mode"`
			}
			if err := c.JSON("media", &media); err != nil {
				t.Fatal(err)
			}
			for _, m := range media {
				modes = append(modes, m.ParseMode)
			}
		}
		for _, mode := range modes {
			if mode != "" {
				t.Errorf("%s to %s with parse_mode %s: a title or typed text would be read as markup", c.Method, c.ChatID, mode)
			}
		}
	}
	for _, page := range []string{b.Env["PUBLIC_BASE_URL"] + "/cho", b.Env["PUBLIC_BASE_URL"] + "/cho/" + code, b.storeOf(flows.Telegram, itoa(farmer))} {
		status, html, _ := download(t, page)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d", page, status)
		}
		if !strings.Contains(html, code) {
			t.Errorf("%s does not show the listing %s", page, code)
		}
		for _, raw := range []string{"<b>Chợ</b>", "<script>alert(1)</script>", "<i>Họp chợ</i>", "javascript:"} {
			if strings.Contains(html, raw) {
				t.Errorf("%s shows %q unescaped", page, raw)
			}
		}
	}
}
