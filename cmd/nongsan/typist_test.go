package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// chatter is a channel as a typist drives it: a user's private chat (its
// id is the user's), where the user types or sends a photo, and what each
// chat received.
type chatter interface {
	name(user string) string // the user's name on the platform
	send(user, text string)
	sendPhoto(user, photo, album string)
	received(chat string) []string // the texts (or captions), oldest first
	buttons() bool                 // whether the channel shows buttons (else numbered lists)
}

// typist runs conversations by typing only, as on channels without
// buttons; on a channel with buttons it types their labels.
type typist struct {
	t testing.TB
	c chatter
}

// say sends text from user in their private chat.
func (p *typist) say(user, text string) {
	p.t.Helper()
	p.c.send(user, text)
}

// last is the last message in chat.
func (p *typist) last(chat string) string {
	p.t.Helper()
	msgs := p.c.received(chat)
	if len(msgs) == 0 {
		p.t.Fatalf("nothing sent to %s", chat)
	}
	return msgs[len(msgs)-1]
}

// expect checks that the last reply in chat starts with message id. A reply
// longer than the channel's limit comes as several messages, cut at a line
// or a space: the last few are read together, latest first.
func (p *typist) expect(chat, id string, kv ...any) string {
	p.t.Helper()
	if !p.c.buttons() { // the renderer says so to every text
		kv = append(kv[:len(kv):len(kv)], "NoButtons", true)
	}
	if n, ok := p.c.(interface{ botName() string }); ok { // users find the bot by this name there
		kv = append(kv[:len(kv):len(kv)], "BotName", n.botName())
	}
	want := text(p.t, "vi", id, kv...)
	// A group's answer may wait its turn behind the group's gap: poll.
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs := p.c.received(chat)
		for i := len(msgs) - 1; i >= 0 && i >= len(msgs)-3; i-- {
			got := strings.Join(msgs[i:], "\n")
			if strings.HasPrefix(squash(got), squash(want)) {
				return got
			}
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("in %s the bot said %q\nwant %s: %q", chat, p.last(chat), id, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// squash turns every run of spaces and line breaks into one space.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// answer checks each question (a message id) in turn and types its answer.
func (p *typist) answer(chat string, questionsAndAnswers ...string) {
	p.t.Helper()
	for i := 0; i+1 < len(questionsAndAnswers); i += 2 {
		p.expect(chat, questionsAndAnswers[i])
		p.say(chat, questionsAndAnswers[i+1])
	}
}

// number is the number printed before label in a numbered list.
func (p *typist) number(msg, id string, kv ...any) string {
	p.t.Helper()
	n, ok := numbered(msg, text(p.t, "vi", id, kv...))
	if !ok {
		p.t.Fatalf("no numbered %q in %q", text(p.t, "vi", id, kv...), msg)
	}
	return n
}

// choose is what to type for a choice: its number where msg lists it,
// else (a button) its label.
func (p *typist) choose(msg, id string, kv ...any) string {
	p.t.Helper()
	label := text(p.t, "vi", id, kv...)
	if n, ok := numbered(msg, label); ok {
		return n
	}
	return label
}

func numbered(msg, label string) (string, bool) {
	m := regexp.MustCompile(`(?m)^(\d+)\. ` + regexp.QuoteMeta(label) + `$`).FindStringSubmatch(msg)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// wait polls chat until a message satisfies ok.
func (p *typist) wait(chat string, ok func(string) bool) string { return p.waitAfter(chat, 0, ok) }

// waitAfter polls chat until a message after the first skip ones satisfies ok.
func (p *typist) waitAfter(chat string, skip int, ok func(string) bool) string {
	p.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range p.c.received(chat)[skip:] {
			if ok(m) {
				return m
			}
		}
		time.Sleep(10 * time.Millisecond) // polling, not synchronisation
	}
	p.t.Fatalf("no such message in %s: %q", chat, p.c.received(chat))
	return ""
}

// register registers user as a farmer of Chi Lăng by typing, choices
// answered by number where they are numbered, up to the product question.
func (p *typist) register(user, phone string) {
	p.t.Helper()
	p.say(user, "/ban")
	name := p.c.name(user)
	ask := p.expect(user, "reg.name", "Name", name)
	p.say(user, p.choose(ask, "reg.name_keep", "Name", name))
	p.answer(user, "reg.phone", phone, "reg.commune", "xã Quang Lang, Chi Lăng", "reg.code", "bỏ qua",
		"reg.bank", "agribank", "reg.account", "1234 5678 9012")
	p.expect(user, "reg.holder", "Holder", strings.ToUpper(vn.Fold(name)))
	p.say(user, "1")
}

// publish writes a listing of na with two photos, answered by words, from
// the product question; it returns the message saying it is published (or
// saved, without market groups), and the listing's code.
func (p *typist) publish(user, quantity, price string) (published, code string) {
	p.t.Helper()
	p.expect(user, "sell.product")
	p.say(user, "na chi lang")
	p.expect(user, "sell.photos")
	for _, photo := range []string{"photo-1", "photo-2"} {
		p.c.sendPhoto(user, photo, "album-"+quantity)
	}
	for _, answer := range []string{"xong", quantity, price, "hôm nay", "bỏ qua"} {
		p.say(user, answer)
	}
	before := len(p.c.received(user))
	p.say(user, p.choose(p.last(user), "sell.publish"))
	published = p.waitAfter(user, before, func(s string) bool {
		return strings.HasPrefix(s, "✅ Đã đăng tin") || strings.HasPrefix(s, "✅ Đã lưu tin")
	})
	return published, regexp.MustCompile(`NS-[2-9A-HJ-NP-Z]{4}`).FindString(published)
}

// toPhone answers a buyer's quantity question and keeps her name, up to
// the phone question.
func (p *typist) toPhone(buyer, quantity string) {
	p.t.Helper()
	p.say(buyer, quantity)
	name := p.c.name(buyer)
	ask := p.expect(buyer, "order.name", "Name", name)
	p.say(buyer, p.choose(ask, "reg.name_keep", "Name", name))
}

// order answers a buyer's order questions by typing, from the quantity
// question to placing it, and returns the order's code.
func (p *typist) order(buyer, quantity string) string {
	p.t.Helper()
	p.toPhone(buyer, quantity)
	p.answer(buyer, "order.phone", "0987 654 321", "order.delivery", "giao tận nơi",
		"order.address", "12 Trần Phú, Ba Đình, Hà Nội", "order.note", "bỏ qua")
	before := len(p.c.received(buyer))
	p.say(buyer, "đặt hàng")
	placed := p.waitAfter(buyer, before, func(s string) bool { return strings.Contains(s, "DH-") })
	return regexp.MustCompile(`DH-[2-9A-HJ-NP-Z]{4}`).FindString(placed)
}
