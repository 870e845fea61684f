package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// population is the simulated users, user i chatting from private chat
// base+i.
type population struct {
	base   int64
	users  []*user
	groups map[int64]*user // the market groups, as their admin speaks in them
}

func (p *population) byChat(chat int64) *user {
	if i := chat - p.base; i >= 0 && i < int64(len(p.users)) {
		return p.users[i]
	}
	return p.groups[chat]
}

// updateIDs are Telegram's: one sequence for the bot, whichever chat.
var updateIDs atomic.Int64

// user is one simulated Telegram user: a keep-alive connection to each
// replica (requests go round-robin over them), an inbox the fake Bot API
// fills, and the user's own figures, merged at the end (nothing shared on
// the hot path).
type user struct {
	id      int64
	inbox   chan event
	targets []target
	secret  string
	timeout time.Duration
	next    int // the replica of the next request
	group   bool

	from, chat []byte // pre-rendered JSON of the user and their chat
	msgID      int64  // the user's own message ids
	lastBot    int64  // the id of the bot's last message, for button taps
	taps       int
	buf        []byte
	req        *fasthttp.Request
	resp       *fasthttp.Response
	timer      *time.Timer

	// Figures.
	latencies [][]int32 // by step of the loop: µs, POST sent → first Bot API call for the chat
	updates   int
	non200    int
	timeouts  int
	extra     int      // messages that were not the step's expected reply
	notices   int      // messages the bot sends on its own (a listing posted…)
	odd       []string // the first few of them
	last      string
	failed    string   // why the conversation stopped, "" if it did not
	codes     []string // listings published, as the bot named them
	orders    []string // orders placed, as the bot named them
}

// target is a replica's webhook, reached over one keep-alive connection.
type target struct {
	client *fasthttp.HostClient
	uri    string
}

func newUser(id int64, urls []string, secret string, timeout time.Duration) *user {
	u := &user{id: id, inbox: make(chan event, 64), secret: secret, timeout: timeout,
		req: fasthttp.AcquireRequest(), resp: fasthttp.AcquireResponse(), buf: make([]byte, 0, 1024)}
	for _, base := range urls {
		uri := base + "/webhook/telegram"
		addr := hostOf(base)
		u.targets = append(u.targets, target{uri: uri, client: &fasthttp.HostClient{
			Addr: addr, MaxConns: 1, ReadTimeout: timeout, WriteTimeout: timeout,
			MaxIdleConnDuration: time.Minute,
		}})
	}
	name := "Nông dân " + strconv.FormatInt(id, 10)
	user := "user" + strconv.FormatInt(id, 10)
	u.from = fmt.Appendf(nil, `{"id":%d,"is_bot":false,"first_name":%q,"username":%q,"language_code":"vi"}`, id, name, user)
	u.chat = fmt.Appendf(nil, `{"id":%d,"type":"private","first_name":%q,"username":%q}`, id, name, user)
	u.timer = time.NewTimer(time.Hour)
	u.timer.Stop()
	return u
}

// newGroupAdmin is admin speaking in the group chat: the bot's replies to
// the group reach this user's inbox.
func newGroupAdmin(chat, admin int64, urls []string, secret string, timeout time.Duration) *user {
	u := newUser(admin, urls, secret, timeout)
	u.chat = fmt.Appendf(nil, `{"id":%d,"type":"supergroup","title":"Chợ nông sản %d"}`, chat, -chat%1000)
	u.group = true
	return u
}

func hostOf(base string) string {
	for _, p := range []string{"http://", "https://"} {
		if len(base) > len(p) && base[:len(p)] == p {
			base = base[len(p):]
		}
	}
	for i := 0; i < len(base); i++ {
		if base[i] == '/' {
			return base[:i]
		}
	}
	return base
}

// step is one thing a user sends and the reply that ends the turn.
type step struct {
	kind  kind
	body  []byte // pre-rendered: the JSON fields of the message's content, or the callback data
	label string // for transcripts and errors
	want  matcher
	// seen, if set, reads the reply (a listing's or order's code).
	seen func(u *user, reply string)
	// textf, if set, is the text to send, made for the user and round.
	textf func(u *user, round int) string
}

type kind int

const (
	sendText kind = iota
	sendPhoto
	sendTap
	sendContact
	sendAdded // the bot added to a group (my_chat_member)
)

func textStep(text string, want matcher) step {
	q, _ := json.Marshal(text)
	b := append([]byte(`"text":`), q...)
	if len(text) > 1 && text[0] == '/' {
		n := len(text)
		for i, r := range text {
			if r == ' ' {
				n = i
				break
			}
		}
		b = fmt.Appendf(b, `,"entities":[{"type":"bot_command","offset":0,"length":%d}]`, n)
	}
	return step{kind: sendText, body: b, label: text, want: want}
}

// photoStep sends a photo whose file_id is name, the user's id and the
// round: every listing has photos of its own, as the service would see.
func photoStep(name string, want matcher) step {
	return step{kind: sendPhoto, body: []byte(name), label: "📷 " + name, want: want}
}

func tapStep(data string, want matcher) step {
	q, _ := json.Marshal(data)
	return step{kind: sendTap, body: q, label: "[" + data + "]", want: want}
}

func contactStep(want matcher) step {
	return step{kind: sendContact, label: "📱 contact", want: want}
}

// render writes the update of s into u.buf.
func (u *user) render(s step, round int) []byte {
	now := time.Now().Unix()
	b := u.buf[:0]
	b = append(b, `{"update_id":`...)
	b = strconv.AppendInt(b, updateIDs.Add(1), 10)
	if s.kind == sendAdded {
		bot := `{"id":` + strconv.Itoa(botID) + `,"is_bot":true,"first_name":"Nông Sản Bot","username":"` + botUsername + `"}`
		b = append(b, `,"my_chat_member":{"chat":`...)
		b = append(b, u.chat...)
		b = append(b, `,"from":`...)
		b = append(b, u.from...)
		b = append(b, `,"date":`...)
		b = strconv.AppendInt(b, now, 10)
		b = append(b, `,"old_chat_member":{"user":`+bot+`,"status":"left"},"new_chat_member":{"user":`+bot+`,"status":"member"}}}`...)
		u.buf = b
		return b
	}
	if s.kind == sendTap {
		u.taps++
		b = append(b, `,"callback_query":{"id":"`...)
		b = strconv.AppendInt(b, u.id, 10)
		b = append(b, '_')
		b = strconv.AppendInt(b, int64(u.taps), 10)
		b = append(b, `","from":`...)
		b = append(b, u.from...)
		b = append(b, `,"message":{"message_id":`...)
		b = strconv.AppendInt(b, u.lastBot, 10)
		b = append(b, `,"from":{"id":`+strconv.Itoa(botID)+`,"is_bot":true,"first_name":"Nông Sản Bot","username":"`+botUsername+`"},"chat":`...)
		b = append(b, u.chat...)
		b = append(b, `,"date":`...)
		b = strconv.AppendInt(b, now, 10)
		b = append(b, `,"text":"…"},"chat_instance":"`...)
		b = strconv.AppendInt(b, u.id, 10)
		b = append(b, `","data":`...)
		b = append(b, s.body...)
		b = append(b, `}}`...)
		u.buf = b
		return b
	}
	u.msgID++
	b = append(b, `,"message":{"message_id":`...)
	b = strconv.AppendInt(b, u.msgID, 10)
	b = append(b, `,"from":`...)
	b = append(b, u.from...)
	b = append(b, `,"chat":`...)
	b = append(b, u.chat...)
	b = append(b, `,"date":`...)
	b = strconv.AppendInt(b, now, 10)
	b = append(b, ',')
	switch s.kind {
	case sendText:
		b = append(b, s.body...)
	case sendPhoto:
		id := fmt.Appendf(nil, "%s-%d-%d", s.body, u.id, round)
		b = fmt.Appendf(b, `"photo":[{"file_id":"%s-s","file_unique_id":"u%s-s","width":90,"height":68,"file_size":1204},`+
			`{"file_id":"%s","file_unique_id":"u%s","width":1280,"height":960,"file_size":48213}]`, id, id, id, id)
	case sendContact:
		b = fmt.Appendf(b, `"contact":{"phone_number":"%s","first_name":"Nông dân %d","user_id":%d}`, phoneOf(u.id), u.id, u.id)
	}
	b = append(b, `}}`...)
	u.buf = b
	return b
}

// phoneOf is a user's mobile number, unique to them: 097 and seven digits.
func phoneOf(id int64) string { return fmt.Sprintf("8497%07d", id%10_000_000) }

var errStopped = errors.New("conversation stopped")

// do sends s and waits for its expected reply. measured, the turn counts
// in the figures as the loop's step i.
func (u *user) do(s step, round int, measured bool, i int) error {
	for drained := false; !drained; { // replies the last turn did not wait for
		select {
		case ev := <-u.inbox:
			u.noteBot(ev)
		default:
			drained = true
		}
	}
	if s.textf != nil {
		s.body = textStep(s.textf(u, round), s.want).body
	}
	body := u.render(s, round)
	sent := time.Now()
	if err := u.post(body, measured); err != nil {
		u.failed = fmt.Sprintf("%s: %v", s.label, err)
		return errStopped
	}
	u.timer.Reset(u.timeout)
	defer u.timer.Stop()
	first := true
	for {
		select {
		case ev := <-u.inbox:
			// A notice, or a late call of the turn before, answers nothing
			// of this turn: it neither ends nor starts its latency.
			answers := !ev.at.Before(sent) && !(ev.message && isNotice(ev.text))
			if first && answers && measured {
				for len(u.latencies) <= i {
					u.latencies = append(u.latencies, nil)
				}
				u.latencies[i] = append(u.latencies[i], int32(ev.at.Sub(sent)/time.Microsecond))
			}
			first = first && !answers
			u.noteBot(ev)
			if !ev.message {
				continue
			}
			u.last = ev.text
			if s.want.match(ev.text) {
				if s.seen != nil {
					s.seen(u, ev.text)
				}
				return nil
			}
			if ev.text == "" { // a listing's photos, before its question
				continue
			}
			if isNotice(ev.text) {
				u.notices++
				continue
			}
			if measured {
				u.extra++
				if len(u.odd) < 2 {
					u.odd = append(u.odd, s.label+" → "+ev.text)
				}
			}
		case <-u.timer.C:
			if measured {
				u.timeouts++
			}
			u.failed = fmt.Sprintf("%s: no %s within %s; last reply %q", s.label, s.want.id, u.timeout, u.last)
			return errStopped
		}
	}
}

func (u *user) noteBot(ev event) {
	if ev.msgID > 0 {
		u.lastBot = ev.msgID
	}
}

// post delivers an update as Telegram does, again after a failure (the
// same update_id: the service must process it once).
func (u *user) post(body []byte, measured bool) error {
	var err error
	for attempt := range 5 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
		}
		t := u.targets[u.next%len(u.targets)]
		u.next++
		u.req.Reset()
		u.req.SetRequestURI(t.uri)
		u.req.Header.SetMethod(fasthttp.MethodPost)
		u.req.Header.SetContentType("application/json")
		u.req.Header.Set(secretHeader, u.secret)
		u.req.SetBodyRaw(body)
		err = t.client.DoTimeout(u.req, u.resp, u.timeout)
		if err == nil && u.resp.StatusCode() == fasthttp.StatusOK {
			if measured {
				u.updates++
			}
			return nil
		}
		if err == nil {
			err = fmt.Errorf("webhook answered %d", u.resp.StatusCode())
		}
		if measured {
			u.non200++
		}
	}
	return err
}
