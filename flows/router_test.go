package flows_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/locales"
)

// conversation drives the router directly, as the engine does, with a clock
// the test moves.
type conversation struct {
	t      *testing.T
	router *flows.Router
	users  flows.Users
	now    time.Time
	sess   *flows.Session
	said   []flows.Reply // by the last input
	update int
}

// mustDeps are the flows' dependencies on db (nil: none), with the real
// texts and catalogs and the clock now.
func mustDeps(t testing.TB, db *postgres.DB, now func() time.Time) flows.Deps {
	t.Helper()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	catalogs, err := locales.Catalogs()
	if err != nil {
		t.Fatal(err)
	}
	d := flows.Deps{Catalogs: catalogs, Texts: texts, Now: now, TTL: 24 * time.Hour,
		OrderTimeout: 12 * time.Hour, AnnounceDelay: time.Second}
	if db != nil {
		d.Users, d.Chats, d.Sellers, d.Listings, d.Markets, d.Roles, d.UserChats, d.Orders, d.Links = db, db, db, db, db, db, db, db, db
		d.Held = db
	}
	return d
}

func newConversation(t *testing.T) *conversation {
	db := pgtest.MustOpen(t)
	c := &conversation{t: t, users: db, now: time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)}
	c.router = flows.NewRouter(mustDeps(t, db, func() time.Time { return c.now }))
	return c
}

// send handles one input from user 7 in their private chat and returns the
// IDs of the messages said; "+menu" marks the one that ends a task and
// shows where the main menu is.
func (c *conversation) send(kind flows.InputKind, text string) []string {
	c.t.Helper()
	c.update++
	in := flows.Input{Channel: flows.Telegram, UpdateID: strconv.Itoa(c.update), ChatID: "7", ChatType: flows.Private,
		UserID: "7", UserName: "Lan", Lang: "vi", Kind: kind, Text: text, MessageID: strconv.Itoa(c.update)}
	if len(text) > 1 && text[0] == '/' {
		in.Command = text[1:]
	}
	if kind == flows.KindPhoto {
		in.Photo = &flows.Photo{FileID: "photo-" + in.UpdateID}
	}
	return c.deliver(in)
}

// deliver handles in, an input of send's making, as send does.
func (c *conversation) deliver(in flows.Input) []string {
	c.t.Helper()
	user, err := c.users.Touch(context.Background(), in)
	if err != nil {
		c.t.Fatal(err)
	}
	res, err := c.router.Handle(context.Background(), user, c.sess, in)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sess, c.said = res.Session, res.Replies
	var ids []string
	for _, r := range res.Replies {
		if r.Menu {
			r.Text.ID += "+menu"
		}
		ids = append(ids, r.Text.ID)
	}
	return ids
}

func (c *conversation) step() string {
	if !c.sess.Active() { // between tasks it may keep the choices on screen
		return ""
	}
	return string(c.sess.Flow) + "/" + string(c.sess.Step)
}

// turn is one input of a conversation test and what it should lead to.
type turn struct {
	kind  flows.InputKind
	text  string
	after time.Duration // the user comes back after this long
	step  string        // flow/step afterwards, "" for none
	said  []string      // message IDs, in order
}

// play sends the turns in order, checking each.
func (c *conversation) play(turns []turn) {
	c.t.Helper()
	for i, turn := range turns {
		c.now = c.now.Add(turn.after)
		said := c.send(turn.kind, turn.text)
		if c.step() != turn.step || !equal(said, turn.said) {
			c.t.Fatalf("turn %d %q: step %q said %v; want step %q said %v", i, turn.text, c.step(), said, turn.step, turn.said)
		}
	}
}

const text = flows.KindText

// toSellQuantity registers a farmer on their first /ban and takes a
// listing of quýt with one photo to the quantity question.
var toSellQuantity = []turn{
	{text, "/ban", 0, "sell/reg_name", []string{"sell.register_first", "reg.name"}},
	{text, "1", 0, "sell/reg_phone", []string{"reg.phone"}},
	{text, "0912 345 678", 0, "sell/reg_commune", []string{"reg.phone_ok", "reg.commune"}},
	{text, "xã Quang Lang, Chi Lăng", 0, "sell/reg_code", []string{"reg.code"}},
	{text, "bỏ qua", 0, "sell/reg_bank", []string{"reg.bank"}},
	{text, "bỏ qua", 0, "sell/product", []string{"reg.done", "sell.product"}},
	{text, "quýt", 0, "sell/photos", []string{"sell.photos"}},
	{flows.KindPhoto, "", 0, "sell/photos", []string{"sell.photo_got"}},
	{text, "xong", 0, "sell/quantity", []string{"sell.quantity"}},
}

func TestConversations(t *testing.T) {
	tests := []struct {
		name  string
		turns []turn
	}{
		{"language by number", []turn{
			{text, "/ngonngu", 0, "language/pick", []string{"lang.ask"}},
			{text, "2", 0, "", []string{"lang.done+menu"}},
		}},
		{"language by label without diacritics", []turn{
			{text, "/ngonngu", 0, "language/pick", []string{"lang.ask"}},
			{text, "TIENG VIET", 0, "", []string{"lang.done+menu"}},
		}},
		{"voice note and photo reprompt", []turn{
			{text, "/ngonngu", 0, "language/pick", []string{"lang.ask"}},
			{flows.KindVoice, "", 0, "language/pick", []string{"unclear.voice", "lang.ask"}},
			{flows.KindPhoto, "", 0, "language/pick", []string{"unclear.photo", "lang.ask"}},
		}},
		{"back on the first question", []turn{
			{text, "/ngonngu", 0, "language/pick", []string{"lang.ask"}},
			{text, "quay lại", 0, "language/pick", []string{"back.none", "lang.ask"}},
		}},
		{"abandoned flow expires kindly", []turn{
			{text, "/ngonngu", 0, "language/pick", []string{"lang.ask"}},
			{text, "2", 25 * time.Hour, "", []string{"session.expired", "menu.title"}},
		}},
		{"a day is not yet too long", []turn{
			{text, "/ngonngu", 0, "language/pick", []string{"lang.ask"}},
			{text, "1", 23 * time.Hour, "", []string{"lang.done+menu"}},
		}},
		{"menu button opens help", []turn{
			{flows.KindChoice, "menu:help", 0, "", []string{"help.text+menu"}},
		}},
		{"unknown command", []turn{
			{text, "/abc", 0, "", []string{"command.unknown", "menu.title"}},
		}},
		{"cancel with nothing to cancel", []turn{
			{text, "/huy", 0, "", []string{"cancel.nothing", "menu.title"}},
		}},
		{"a profile changes one field, and the ones that follow it", []turn{
			{text, "/hoso", 0, "profile/reg_name", []string{"reg.name"}},
			{flows.KindChoice, "keep", 0, "profile/reg_phone", []string{"reg.phone"}},
			{text, "0912 345 678", 0, "profile/reg_commune", []string{"reg.phone_ok", "reg.commune"}},
			{text, "xã Quang Lang, Chi Lăng", 0, "profile/reg_code", []string{"reg.code"}},
			{text, "bỏ qua", 0, "profile/reg_bank", []string{"reg.bank"}},
			{text, "bỏ qua", 0, "profile/summary", []string{"reg.done", "profile.summary"}},
			{flows.KindChoice, "field:bank", 0, "profile/reg_bank", []string{"reg.bank"}},
			{text, "agribank", 0, "profile/reg_account", []string{"reg.account"}},
			{text, "quay lại", 0, "profile/reg_bank", []string{"reg.bank"}},
			{text, "agribank", 0, "profile/reg_account", []string{"reg.account"}},
			{text, "1234 5678 9012", 0, "profile/reg_holder", []string{"reg.holder"}},
			{flows.KindChoice, "keep", 0, "profile/summary", []string{"profile.summary"}},
			{flows.KindChoice, "field:place", 0, "profile/reg_commune", []string{"reg.commune"}},
			{text, "Hà Giang", 0, "profile/reg_area", []string{"reg.area"}},
			{text, "tỉnh khác", 0, "profile/summary", []string{"profile.summary"}},
			{text, "🏷 Mã vùng trồng", 0, "profile/reg_code", []string{"reg.code"}}, // a former label
			{text, strings.Repeat("VN-LSOR-0012 ", 5), 0, "profile/reg_code", []string{"reg.code_long"}},
			{text, "vn-lsor-0012", 0, "profile/summary", []string{"profile.summary"}},
		}},
		{"the menu's numbers can be typed, but not days later", []turn{
			{text, "/start", 0, "", []string{"start.welcome", "menu.title"}},
			{text, "5", 0, "", []string{"help.text+menu"}},
			{text, "/huy", 0, "", []string{"cancel.nothing", "menu.title"}},
			{text, "5", 25 * time.Hour, "", []string{"unclear.text", "menu.title"}},
		}},
		{"a tap on the menu keyboard sets the question aside", []turn{
			{text, "/ngonngu", 0, "language/pick", []string{"lang.ask"}},
			{text, "📋 Hàng tôi đang bán", 0, "language/pick", []string{"mine.none", "lang.ask"}},
		}},
		{"a keyboard from before a label changed still works, even at a question answered by typing", []turn{
			{text, "/hoso", 0, "profile/reg_name", []string{"reg.name"}},
			{flows.KindChoice, "keep", 0, "profile/reg_phone", []string{"reg.phone"}},
			{text, "0912 345 678", 0, "profile/reg_commune", []string{"reg.phone_ok", "reg.commune"}},
			{text, "📋 Tin của tôi", 0, "profile/reg_commune", []string{"mine.none", "reg.commune"}},
			{text, "📋 My listings", 0, "profile/reg_commune", []string{"mine.none", "reg.commune"}},
		}},
		{"a command sets the flow in progress aside", []turn{
			{text, "/ngonngu", 0, "language/pick", []string{"lang.ask"}},
			{text, "/start", 0, "language/pick", []string{"start.again", "lang.ask"}},
		}},
		{"the task set aside survives any number of menu taps", []turn{
			{text, "/hoso", 0, "profile/reg_name", []string{"reg.name"}},
			{text, "Hoàng Văn Lâm", 0, "profile/reg_phone", []string{"reg.phone"}},
			{text, "🌐 Ngôn ngữ / Language", 0, "language/pick", []string{"lang.ask"}},
			{text, "❓ Trợ giúp", 0, "language/pick", []string{"help.text", "lang.ask"}},
			{text, "📦 Đơn hàng", 0, "language/pick", []string{"orders.none", "lang.ask"}},
			{text, "1", 0, "profile/reg_phone", []string{"lang.done", "reg.phone"}},
		}},
		{"the task in progress, or set aside, named again goes on; its command starts afresh", []turn{
			{text, "/hoso", 0, "profile/reg_name", []string{"reg.name"}},
			{text, "Hoàng Văn Lâm", 0, "profile/reg_phone", []string{"reg.phone"}},
			{text, "👤 Hồ sơ", 0, "profile/reg_phone", []string{"flow.resume", "reg.phone"}},
			{text, "🌐 Ngôn ngữ / Language", 0, "language/pick", []string{"lang.ask"}},
			{text, "hồ sơ", 0, "profile/reg_phone", []string{"flow.resume", "reg.phone"}},
			{text, "/hoso", 0, "profile/reg_name", []string{"flow.left", "reg.name"}},
		}},
		{"the sell draft outlives its own menu button and /ban", append(slices.Clone(toSellQuantity), []turn{
			{text, "🌾 Đăng bán", 0, "sell/quantity", []string{"flow.resume", "sell.quantity"}},
			{text, "🌐 Ngôn ngữ / Language", 0, "language/pick", []string{"lang.ask"}},
			{text, "🌾 Đăng bán", 0, "sell/quantity", []string{"flow.resume", "sell.quantity"}},
			// /ban again: the listing goes on, not afresh (she would lose it).
			{text, "/ban", 0, "sell/quantity", []string{"sell.still_writing", "sell.quantity"}},
			{text, "🌐 Ngôn ngữ / Language", 0, "language/pick", []string{"lang.ask"}},
			{text, "/ban", 0, "sell/quantity", []string{"sell.still_writing", "sell.quantity"}},
			{text, "huỷ", 0, "", []string{"cancel.done+menu"}},
			{text, "/ban", 0, "sell/product", []string{"sell.product"}},
		}...)},
		{"the choices on screen still count after a refused answer", []turn{
			{text, "/hoso", 0, "profile/reg_name", []string{"reg.name"}},
			{text, "1", 0, "profile/reg_phone", []string{"reg.phone"}},
			{text, "0912 345 678", 0, "profile/reg_commune", []string{"reg.phone_ok", "reg.commune"}},
			{text, "xã Quang Lang, Chi Lăng", 0, "profile/reg_code", []string{"reg.code"}},
			{text, "bỏ qua", 0, "profile/reg_bank", []string{"reg.bank"}},
			{text, "xyz", 0, "profile/reg_bank", []string{"reg.bank_unknown"}},
			{text, "xyz", 0, "profile/reg_bank", []string{"reg.bank_unknown"}},
			{text, "bỏ qua", 0, "profile/summary", []string{"reg.done", "profile.summary"}},
		}},
		{"a refused quantity keeps Đúng and Gõ lại", append(slices.Clone(toSellQuantity), []turn{
			{text, "2000 tấn", 0, "sell/quantity_check", []string{"sell.quantity_too_much"}},
			{text, "abc", 0, "sell/quantity_check", []string{"sell.quantity_bad"}},
			{text, "2", 0, "sell/quantity", []string{"sell.quantity"}},
		}...)},
		{"the product changed from the summary by mistake: back to the list of fields", append(slices.Clone(toSellQuantity), []turn{
			{text, "5 tạ", 0, "sell/price", []string{"sell.price"}},
			{text, "25k", 0, "sell/ready", []string{"sell.ready"}},
			{text, "hôm nay", 0, "sell/note", []string{"sell.note"}},
			{text, "bỏ qua", 0, "sell/summary", []string{"sell.summary"}},
			{text, "sửa", 0, "sell/edit", []string{"sell.edit_pick"}},
			{text, "sản phẩm", 0, "sell/product", []string{"sell.product"}}, // a former label
			{text, "quay lại", 0, "sell/edit", []string{"sell.edit_pick"}},
			{text, "🌾 Tên hàng", 0, "sell/product", []string{"sell.product"}},
			{text, "quay lại", 0, "sell/edit", []string{"sell.edit_pick"}},
			{text, "không sửa", 0, "sell/summary", []string{"sell.summary"}},
		}...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			newConversation(t).play(tt.turns)
		})
	}
}

// After a refused answer the question's choices are still on screen: their
// numbers mean them, not a date or a quantity.
func TestNumbersOfChoicesAfterARefusal(t *testing.T) {
	c := newConversation(t)
	c.now = time.Date(2026, 8, 5, 9, 0, 0, 0, time.UTC) // "1" as a day would be 1/9
	c.play(append(slices.Clone(toSellQuantity), []turn{
		{text, "2000 tấn", 0, "sell/quantity_check", []string{"sell.quantity_too_much"}},
		{text, "abc", 0, "sell/quantity_check", []string{"sell.quantity_bad"}},
		{text, "1", 0, "sell/price", []string{"sell.price"}}, // Đúng
		{text, "25k", 0, "sell/ready", []string{"sell.ready"}},
		{text, "31/2", 0, "sell/ready", []string{"sell.ready_no_such"}},
		{text, "1", 0, "sell/note", []string{"sell.note"}}, // Hôm nay
		{text, "bỏ qua", 0, "sell/summary", []string{"sell.summary"}},
	}...))
	summary := c.said[len(c.said)-1].Text.Data
	if summary["Quantity"] != "2.000 tấn" || !strings.HasSuffix(summary["Ready"].(string), " 5/8") {
		t.Fatalf("summary of %v, ready %v", summary["Quantity"], summary["Ready"])
	}
}

func TestEveryFlowIsWired(t *testing.T) {
	r := flows.NewRouter(mustDeps(t, nil, time.Now))
	names := map[flows.FlowName]bool{}
	for _, f := range r.Flows {
		names[f.Name] = true
		if f.Start == nil {
			t.Errorf("flow %s has no start", f.Name)
		}
		for step, def := range f.Steps {
			if def.Prompt == nil || def.Handle == nil {
				t.Errorf("%s/%s lacks a prompt or a handler", f.Name, step)
			}
		}
	}
	for cmd, name := range r.Commands {
		if !names[name] {
			t.Errorf("command /%s opens unknown flow %s", cmd, name)
		}
	}
	for word, name := range r.Entries {
		if !names[name] {
			t.Errorf("entry %q opens unknown flow %s", word, name)
		}
	}
	for _, cmd := range flows.Commands {
		if _, ok := r.Commands[cmd]; !ok && cmd != "help" && cmd != "huy" {
			t.Errorf("menu command /%s is not handled", cmd)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A draft that does not decode is unusable state, whether an answer or a
// question reads it: the engine resets the chat on ErrBadState.
func TestUnreadableDraftIsBadState(t *testing.T) {
	now := time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)
	router := flows.NewRouter(mustDeps(t, nil, func() time.Time { return now }))
	for flow, before := range map[flows.FlowName]flows.Step{"sell": "note", "order": "note", "profile": "reg_name"} {
		for _, text := range []string{"5 tạ", "trợ giúp", "quay lại"} {
			sess := &flows.Session{Flow: flow, Step: "summary", History: []flows.Step{before},
				Data: []byte(`{"listing": garbage`), Updated: now}
			in := flows.Input{Channel: flows.Telegram, UpdateID: "1", ChatID: "7", ChatType: flows.Private,
				UserID: "7", Kind: flows.KindText, Text: text}
			_, err := router.Handle(context.Background(), &flows.User{ID: 1}, sess, in)
			if !errors.Is(err, flows.ErrBadState) {
				t.Errorf("%s, %q: %v, want ErrBadState", flow, text, err)
			}
		}
	}
}
