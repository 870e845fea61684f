package bot_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/bottest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/locales"
)

func texts(t *testing.T) *locales.Texts {
	t.Helper()
	tx, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

var chat = flows.ChatRef{Channel: bottest.Name, ChatID: "7"}

// plain sends r through the renderer to the text-only test channel and
// returns what the user reads.
func plain(t *testing.T, r flows.Reply) ([]string, flows.Sent) {
	t.Helper()
	ch := bottest.New()
	r.To, r.Lang = chat, "vi"
	sent, err := bot.Render(ch, texts(t)).Send(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ch.Sent(chat.ChatID) {
		out = append(out, m.Text)
	}
	return out, sent
}

func TestChoicesBecomeTheNumbersTheRouterAccepts(t *testing.T) {
	got, _ := plain(t, flows.Reply{Text: flows.M("lang.ask"), Choices: [][]flows.Choice{
		{{Label: flows.M("lang.vi"), Value: "lang:vi", Number: 3}},
		{{Label: flows.M("lang.en"), Value: "lang:en", Number: 4}},
	}})
	tx := texts(t)
	want := tx.Text("vi", flows.M("lang.ask")) + "\n\n3. " + tx.Text("vi", flows.M("lang.vi")) + "\n4. " + tx.Text("vi", flows.M("lang.en"))
	if len(got) != 1 || got[0] != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestWithoutDeepLinksAnOrderSaysWhatToType(t *testing.T) {
	got, _ := plain(t, flows.Reply{Text: flows.M("post.footer", "Product", "Na", "Code", "NS-7K2Q"),
		Choices: [][]flows.Choice{{{Label: flows.M("post.order"), Do: &flows.Action{Kind: flows.ActOrder, Code: "NS-7K2Q"}}}}})
	if len(got) != 1 || !strings.HasSuffix(got[0], "\n\n🛒 Nhắn MUA NS-7K2Q cho Nông Sản Bot để đặt hàng") {
		t.Fatalf("got %q", got)
	}
	got, _ = plain(t, flows.Reply{Text: flows.M("group.help"), Choices: [][]flows.Choice{
		{{Label: flows.M("group.open_private"), Do: &flows.Action{Kind: flows.ActOpenChat}}},
		{{Label: flows.M("post.order"), Do: &flows.Action{Kind: flows.ActListing, Code: "NS-7K2Q"}}},
	}})
	tx := texts(t)
	if want := "\n\n" + tx.Text("vi", flows.M("render.open_chat")) + "\n" + tx.Text("vi", flows.M("render.listing_by_text", "Code", "NS-7K2Q")); len(got) != 1 || !strings.HasSuffix(got[0], want) {
		t.Fatalf("got %q", got)
	}
}

// otherName is the text-only test channel where users find the bot by another
// name, as on Zalo (ZALO_BOT_NAME).
type otherName struct{ *bottest.Channel }

func (n otherName) Caps() bot.Caps {
	caps := n.Channel.Caps()
	caps.BotName = "Bot Nông Sản"
	return caps
}

// On Zalo a bot's name must begin with "Bot": the texts that send users to
// the bot name it as they can find it there.
func TestWhereTheBotHasAnotherNameTheTextsSayIt(t *testing.T) {
	ch := otherName{bottest.New()}
	r := flows.Reply{To: chat, Lang: "vi", Text: flows.M("post.footer", "Product", "Na", "Code", "NS-7K2Q"),
		Choices: [][]flows.Choice{{{Label: flows.M("post.order"), Do: &flows.Action{Kind: flows.ActOrder, Code: "NS-7K2Q"}}}}}
	if _, err := bot.Render(ch, texts(t)).Send(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	r.Text, r.Choices = flows.M("group.help"), [][]flows.Choice{{{Label: flows.M("group.open_private"), Do: &flows.Action{Kind: flows.ActOpenChat}}}}
	if _, err := bot.Render(ch, texts(t)).Send(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	got := ch.Sent(chat.ChatID)
	if len(got) != 2 || !strings.HasSuffix(got[0].Text, "\n\n🛒 Nhắn MUA NS-7K2Q cho Bot Nông Sản để đặt hàng") ||
		!strings.HasPrefix(got[1].Text, "🌾 Muốn bán hay mua, bà con nhắn riêng cho Bot Nông Sản ạ.") ||
		!strings.HasSuffix(got[1].Text, "💬 Nhắn riêng cho Bot Nông Sản để bán hoặc mua nhé.") {
		t.Fatalf("got %+v", got)
	}
}

func TestLongTextIsSplitAtLinesNotCut(t *testing.T) {
	var lines []string
	for i := range 40 {
		lines = append(lines, "Dòng số "+strconv.Itoa(i)+": na Chi Lăng ngọt, quả to, giao trong ngày.")
	}
	long := strings.Join(lines, "\n")
	got, _ := plain(t, flows.Reply{Text: flows.M("orders.timeline", "Code", "DH-7K2Q", "Events", long)})
	if len(got) < 2 {
		t.Fatalf("not split: %d messages", len(got))
	}
	for _, part := range got {
		if n := len(utf16.Encode([]rune(part))); n > bottest.MaxText {
			t.Errorf("a part of %d characters", n)
		}
		if !strings.HasSuffix(part, ".") {
			t.Errorf("a part ends inside a line: …%q", part[max(0, len(part)-30):])
		}
	}
	if joined := strings.Join(got, "\n"); !strings.Contains(joined, long) {
		t.Error("text lost in splitting")
	}
}

func TestSplitFallsBackToSentencesThenWords(t *testing.T) {
	sentence := strings.Repeat("Na ngọt. ", 10) // 90 characters, no line break
	for _, part := range bot.Split(sentence, 40) {
		if !strings.HasSuffix(part, ".") {
			t.Errorf("split inside a sentence: %q", part)
		}
	}
	word := strings.Repeat("a", 100)
	if parts := bot.Split(word, 40); len(parts) != 3 || strings.Join(parts, "") != word {
		t.Errorf("a long word: %q", parts)
	}
	// Emoji count twice, as Telegram counts them.
	if parts := bot.Split(strings.Repeat("🌾", 30), 40); len(parts) != 2 {
		t.Errorf("emoji: %d parts", len(parts))
	}
}

func TestWithoutEditsAnEditIsANoteOrNothing(t *testing.T) {
	note := flows.M("post.note", "Code", "NS-7K2Q", "Product", "Na", "Remaining", "450 kg", "Price", "25.000 đ/kg", "Ended", "")
	got, _ := plain(t, flows.Reply{Text: flows.M("post.caption"), Edit: &flows.Edit{MessageID: "5", Note: &note}})
	if len(got) != 1 || got[0] != "📝 Tin bán NS-7K2Q (Na): còn 450 kg, giá 25.000 đ/kg" {
		t.Fatalf("got %q", got)
	}
	if got, _ := plain(t, flows.Reply{Text: flows.M("post.caption"), Edit: &flows.Edit{MessageID: "5"}}); len(got) != 0 {
		t.Fatalf("an edit without a note sent %q", got)
	}
}

func TestAFinishedTaskEndsWithTheMenuHint(t *testing.T) {
	got, _ := plain(t, flows.Reply{Text: flows.M("cancel.done"), Menu: true})
	if want := "\n\n" + texts(t).Text("vi", flows.M("render.menu_hint")); len(got) != 1 || !strings.HasSuffix(got[0], want) {
		t.Fatalf("got %q", got)
	}
}

// own are photos kept by channel, as the flows store them.
func own(channel flows.Channel, refs ...string) []string {
	var tokens []string
	for _, ref := range refs {
		tokens = append(tokens, flows.PhotoRef{ID: flows.NewPhotoID(), Channel: channel, Ref: ref}.String())
	}
	return tokens
}

func TestPhotosWithoutAlbumsGoOneByOneCaptionLast(t *testing.T) {
	ch := bottest.New()
	r := flows.Reply{To: chat, Lang: "vi", Photos: own(bottest.Name, "a", "b", "c"), Text: flows.M("post.footer", "Product", "Na", "Code", "NS-7K2Q")}
	sent, err := bot.Render(ch, texts(t)).Send(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	msgs := ch.Sent(chat.ChatID)
	if len(msgs) != 3 || msgs[0].Photo != "a" || msgs[2].Photo != "c" || msgs[0].Text != "" || msgs[2].Text == "" {
		t.Fatalf("sent %+v", msgs)
	}
	if len(sent.MessageIDs) != 1 || sent.MessageIDs[0] != msgs[0].ID {
		t.Errorf("reported %+v", sent)
	}
}

// rich is a channel with every capability, recording what it is asked to send.
type rich struct{ outs []bot.Out }

func (r *rich) Name() flows.Channel { return "rich" }
func (r *rich) Caps() bot.Caps {
	return bot.Caps{Buttons: true, Edits: true, Albums: true, AlbumCaptions: true, DeepLinks: true, MenuKeyboard: true,
		PhotoUploads: true, MaxText: 4096, MaxCaption: 1024}
}
func (r *rich) Parse([]byte) (flows.Input, bool, error)                 { return flows.Input{}, false, nil }
func (r *rich) Ack(context.Context, flows.Input) error                  { return nil }
func (r *rich) Mount(*http.ServeMux, func(string, string) http.Handler) {}
func (r *rich) DeepLink(p string) string                                { return "https://t.me/bot?start=" + p }
func (r *rich) Post(_ context.Context, o bot.Out) (flows.Sent, error) {
	r.outs = append(r.outs, o)
	return flows.Sent{MessageIDs: []string{strconv.Itoa(len(r.outs))}}, nil
}

func TestAnAlbumGetsItsButtonInAFollowingMessage(t *testing.T) {
	ch := &rich{}
	footer := flows.M("post.footer", "Product", "Na", "Code", "NS-7K2Q")
	r := flows.Reply{To: chat, Lang: "vi", Photos: own("rich", "a", "b"), Text: flows.M("post.caption"), Footer: &footer,
		Choices: [][]flows.Choice{{{Label: flows.M("post.order"), Do: &flows.Action{Kind: flows.ActOrder, Code: "NS-7K2Q"}}}}}
	sent, err := bot.Render(ch, texts(t)).Send(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.outs) != 2 || len(ch.outs[0].Photos) != 2 || len(ch.outs[0].Buttons) != 0 {
		t.Fatalf("sent %+v", ch.outs)
	}
	if b := ch.outs[1].Buttons; len(b) != 1 || b[0][0].URL != "https://t.me/bot?start=buy_NS7K2Q" {
		t.Fatalf("footer buttons %+v", b)
	}
	if sent.MessageIDs[0] != "1" || sent.FooterID != "2" {
		t.Errorf("reported %+v", sent)
	}
}

func TestAFinishedTaskKeepsTheMenuOnScreen(t *testing.T) {
	ch := &rich{}
	r := flows.Reply{To: chat, Lang: "vi", Text: flows.M("cancel.done"), Menu: true}
	if _, err := bot.Render(ch, texts(t)).Send(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if len(ch.outs) != 1 || len(ch.outs[0].Keyboard) != len(flows.MainMenu()) || strings.Contains(ch.outs[0].Text, "menu") {
		t.Fatalf("sent %+v", ch.outs)
	}
}

// flaky refuses its nth message once.
type flaky struct {
	rich
	failAt int
}

func (f *flaky) Post(ctx context.Context, o bot.Out) (flows.Sent, error) {
	if f.failAt == len(f.outs)+1 {
		f.failAt = 0
		return flows.Sent{}, &bot.RetryAfterError{After: time.Minute}
	}
	return f.rich.Post(ctx, o)
}

func TestAReplyStoppedHalfwayGoesOnFromThere(t *testing.T) {
	ch := &flaky{failAt: 2}
	footer := flows.M("post.footer", "Product", "Na", "Code", "NS-7K2Q")
	r := flows.Reply{To: chat, Lang: "vi", Photos: own("rich", "a", "b"), Text: flows.M("post.caption"), Footer: &footer,
		Choices: [][]flows.Choice{{{Label: flows.M("post.order"), Do: &flows.Action{Kind: flows.ActOrder, Code: "NS-7K2Q"}}}}}
	rendered := bot.Render(ch, texts(t))
	_, err := rendered.Send(context.Background(), r)
	var part *bot.PartialError
	var ra *bot.RetryAfterError
	if !errors.As(err, &part) || !errors.As(err, &ra) || part.Sent.Parts != 1 {
		t.Fatalf("first send: %v", err)
	}
	r.Done = &part.Sent
	sent, err := rendered.Send(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.outs) != 2 || len(ch.outs[0].Photos) != 2 || len(ch.outs[1].Buttons) != 1 {
		t.Fatalf("the album went again, or the button did not: %+v", ch.outs)
	}
	if sent.MessageIDs[0] != "1" || sent.FooterID != "2" || sent.Parts != 2 {
		t.Errorf("reported %+v", sent)
	}
}

func TestAnAlbumWithoutButtonsIsOneMessage(t *testing.T) {
	ch := &rich{}
	r := flows.Reply{To: chat, Lang: "vi", Photos: own("rich", "a", "b"), Text: flows.M("post.caption")}
	sent, err := bot.Render(ch, texts(t)).Send(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.outs) != 1 || sent.FooterID != "" {
		t.Fatalf("sent %+v, reported %+v", ch.outs, sent)
	}
}

// On a channel without buttons, a notice's choices sent to another chat
// say what to type, from anywhere; group texts name no button.
func TestWithoutButtonsANoticeSaysWhatToTypeAndGroupsHearOfNoButton(t *testing.T) {
	accept, decline := flows.M("typed.accept", "Code", "DH-7K2Q"), flows.M("typed.decline", "Code", "DH-7K2Q")
	got, _ := plain(t, flows.Reply{Text: flows.M("orders.done", "Code", "DH-7K2Q", "Status", "x"), Choices: [][]flows.Choice{{
		{Label: flows.M("order.accept"), Value: "ord:accept:1", Typed: &accept},
		{Label: flows.M("order.decline"), Value: "ord:decline:1", Typed: &decline},
	}}})
	if len(got) != 1 || !strings.HasSuffix(got[0], "\n\n✅ Nhận đơn: nhắn NHẬN DH-7K2Q\n❌ Từ chối: nhắn TỪ CHỐI DH-7K2Q") {
		t.Fatalf("got %q", got)
	}
	for _, id := range []string{"group.help", "group.hello", "group.order_privately"} {
		got, _ := plain(t, flows.Reply{Text: flows.M(id, "Name", "Lâm", "Product", "Na", "Code", "NS-7K2Q")})
		if len(got) == 0 || strings.Contains(strings.Join(got, " "), "bấm") {
			t.Errorf("%s on a channel without buttons: %q", id, got)
		}
	}
}

// On a channel without buttons, a question says to choose from its numbered
// list rather than to press, and the phone question only asks to type the
// number (there is no contact button); with buttons, they name the button.
func TestWithoutButtonsTextsSayChooseNotPress(t *testing.T) {
	got, _ := plain(t, flows.Reply{Text: flows.M("sell.price_check", "Price", "900.000 đ/kg"), Choices: [][]flows.Choice{
		{{Label: flows.M("choice.yes"), Value: "yes", Number: 1}},
		{{Label: flows.M("choice.retype"), Value: "retype", Number: 2}},
	}})
	if len(got) != 1 || !strings.Contains(got[0], "anh/chị chọn ✅ Đúng vậy.") || !strings.Contains(got[0], "\n1. ✅ Đúng vậy\n2. ✏️ Gõ lại") {
		t.Fatalf("got %q", got)
	}
	got, _ = plain(t, flows.Reply{Text: flows.M("reg.phone"), AskContact: true})
	if len(got) != 1 || strings.Contains(got[0], "bấm") || strings.Contains(got[0], "Gửi số điện thoại của tôi") ||
		!strings.Contains(got[0], "Anh/chị gõ số điện thoại, ví dụ: 0912 345 678") {
		t.Fatalf("phone question without buttons: %q", got)
	}
	r := &rich{}
	if _, err := bot.Render(r, texts(t)).Send(context.Background(), flows.Reply{To: chat, Lang: "vi", Text: flows.M("reg.phone"), AskContact: true}); err != nil {
		t.Fatal(err)
	}
	if len(r.outs) != 1 || !strings.Contains(r.outs[0].Text, "Anh/chị bấm 📱 Gửi số điện thoại của tôi, hoặc gõ số") {
		t.Fatalf("phone question with buttons: %+v", r.outs)
	}
}

// urlsOnly is a channel that takes photos by URL only, as Zalo does.
type urlsOnly struct{ rich }

func (u *urlsOnly) Name() flows.Channel { return "urls" }
func (u *urlsOnly) Caps() bot.Caps {
	return bot.Caps{PhotoURLs: true, MaxText: 2000, MaxCaption: 2000}
}

func TestEachChannelShowsAPhotoItsOwnWay(t *testing.T) {
	tg := flows.PhotoRef{ID: flows.NewPhotoID(), Channel: flows.Telegram, Ref: "AgACAgIAAxkBAAIB"}
	zalo := flows.PhotoRef{ID: flows.NewPhotoID(), Channel: "urls", Ref: "https://cdn.zalo.example/photo.jpg?a=b:c"}
	legacy := "AgACAgIAAxkBAAIC"                                                     // a Telegram file_id stored before photos had ids
	noID := flows.PhotoRef{Channel: "urls", Ref: "https://cdn.zalo.example/old.jpg"} // one without a public address
	photos := []string{tg.String(), zalo.String(), legacy, noID.String()}
	const media = "https://nongsan.example/media/"
	for _, c := range []struct {
		name string
		ad   bot.Adapter
		want []string
	}{
		// Telegram keeps its own by file_id; the others come by our URL;
		// an old Zalo link without an id cannot be shown there.
		{"telegram", &named{name: flows.Telegram}, []string{tg.Ref, media + zalo.ID, legacy}},
		// By URL only: ours for every photo with an id, even its own (the
		// CDN's link may expire); without one, its own link is all there is.
		{"urls only", &urlsOnly{}, []string{media + tg.ID, media + zalo.ID, noID.Ref}},
	} {
		r := bot.Render(c.ad, texts(t))
		r.MediaURL = media
		reply := flows.Reply{To: chat, Lang: "vi", Photos: photos, Text: flows.M("post.caption")}
		if _, err := r.Send(context.Background(), reply); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range c.ad.(interface{ sent() []bot.Out }).sent() {
			got = append(got, o.Photos...)
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s shows %q, want %q", c.name, got, c.want)
		}
	}
}

// named is a rich channel under another name.
type named struct {
	rich
	name flows.Channel
}

func (n *named) Name() flows.Channel { return n.name }

func (r *rich) sent() []bot.Out { return r.outs }

// refusesLinks refuses every photo given by URL, as Telegram does when it
// cannot fetch it.
type refusesLinks struct{ named }

func (r *refusesLinks) Post(ctx context.Context, o bot.Out) (flows.Sent, error) {
	for _, p := range o.Photos {
		if strings.HasPrefix(p, "https://") {
			return flows.Sent{}, &bot.UndeliverableError{Reason: "Bad Request: failed to get HTTP URL content"}
		}
	}
	return r.rich.Post(ctx, o)
}

func TestAPostWhosePhotoLinkIsRefusedGoesWithoutIt(t *testing.T) {
	ch := &refusesLinks{named{name: flows.Telegram}}
	r := bot.Render(ch, texts(t))
	r.MediaURL = "https://nongsan.example/media/"
	zalo := own(flows.Zalo, "https://f.zalo.me/a.jpg")
	footer := flows.M("post.footer", "Product", "Na", "Code", "NS-7K2Q")
	reply := flows.Reply{To: chat, Lang: "vi", Photos: append(own(flows.Telegram, "AgAD"), zalo...), Text: flows.M("post.caption"),
		Footer: &footer, Choices: [][]flows.Choice{{{Label: flows.M("post.order"), Do: &flows.Action{Kind: flows.ActOrder, Code: "NS-7K2Q"}}}}}
	sent, err := r.Send(context.Background(), reply)
	if err != nil {
		t.Fatal(err)
	}
	// The album's caption went as a text, the button after it.
	if len(ch.outs) != 2 || len(ch.outs[0].Photos) != 0 || ch.outs[0].Text == "" || len(ch.outs[1].Buttons) != 1 {
		t.Fatalf("sent %+v", ch.outs)
	}
	if sent.MessageIDs[0] != "1" || sent.FooterID != "2" {
		t.Errorf("reported %+v", sent)
	}
	// A refusal of anything else is not worked around.
	ch.outs = nil
	_, err = bot.Render(ch, texts(t)).Send(context.Background(), flows.Reply{To: chat, Lang: "vi",
		Photos: own(flows.Telegram, "https://example.com/own.jpg"), Text: flows.M("post.caption")})
	if !bot.IsUndeliverable(err) || len(ch.outs) != 0 {
		t.Errorf("an own photo refused: %v, sent %+v", err, ch.outs)
	}
}

// refusesLocal refuses a button linking to a local address, as Telegram
// does.
type refusesLocal struct{ named }

func (r *refusesLocal) Post(ctx context.Context, o bot.Out) (flows.Sent, error) {
	for _, row := range o.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.URL, "http://localhost") {
				return flows.Sent{}, &bot.UndeliverableError{Reason: "Bad Request: BUTTON_URL_INVALID"}
			}
		}
	}
	return r.rich.Post(ctx, o)
}

func TestAPostWhosePageLinkIsRefusedGoesWithoutIt(t *testing.T) {
	ch := &refusesLocal{named{name: flows.Telegram}}
	r := bot.Render(ch, texts(t))
	r.PagesURL = "http://localhost:8080"
	order := flows.Choice{Label: flows.M("post.order"), Do: &flows.Action{Kind: flows.ActOrder, Code: "NS-7K2Q"}}
	page := flows.Choice{Label: flows.M("post.page"), URL: "http://localhost:8080/cho/NS-7K2Q"}
	for _, edit := range []*flows.Edit{nil, {MessageID: "9"}} {
		ch.outs = nil
		reply := flows.Reply{To: chat, Lang: "vi", Text: flows.M("post.caption"), Choices: [][]flows.Choice{{order, page}}, Edit: edit}
		if _, err := r.Send(context.Background(), reply); err != nil {
			t.Fatal(err)
		}
		if len(ch.outs) != 1 || len(ch.outs[0].Buttons) != 1 || len(ch.outs[0].Buttons[0]) != 1 ||
			!strings.Contains(ch.outs[0].Buttons[0][0].URL, "start=") {
			t.Errorf("edit %v: sent %+v, want the order button alone", edit, ch.outs)
		}
	}
}
