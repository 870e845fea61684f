package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// Bot API identity the service learns from getMe.
const (
	botID       = 7000000001
	botUsername = "nongsan_load_bot"
	botToken    = "7000000001:LOADTEST-token-not-a-secret"
)

// event is one Bot API call concerning a simulated user's private chat.
type event struct {
	at      time.Time
	message bool   // a message the user sees (sendMessage, sendPhoto, sendMediaGroup)
	msgID   int64  // its message_id
	text    string // sendMessage's text, sendPhoto's caption
}

// fakeAPI answers the service's Bot API calls as Telegram does (ok/result
// JSON, a Message with message_id, chat and date) and hands each call about
// a user's chat to that user's inbox. It records nothing else: a load run
// makes millions of calls.
type fakeAPI struct {
	users   *population
	admin   int64 // the one administrator of every group
	photo   []byte
	srv     *fasthttp.Server
	ln      net.Listener
	nextMsg atomic.Int64
	// Counters for the report.
	calls, groupCalls, dropped, fileGets, typing atomic.Int64
}

func startFakeAPI(addr string, users *population, admin int64) (*fakeAPI, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	f := &fakeAPI{users: users, admin: admin, photo: tinyJPEG(), ln: ln}
	f.srv = &fasthttp.Server{Handler: f.handle, Name: "fake-telegram", ReadTimeout: time.Minute,
		MaxRequestBodySize: 8 << 20}
	go f.srv.Serve(ln) // ends with Shutdown
	return f, nil
}

// Endpoint is the TELEGRAM_API_ENDPOINT of the service under test.
func (f *fakeAPI) Endpoint() string { return "http://" + f.ln.Addr().String() + "/bot%s/%s" }

func (f *fakeAPI) Close() { f.srv.Shutdown() }

var (
	botPrefix  = []byte("/bot" + botToken + "/")
	filePrefix = []byte("/file/bot" + botToken + "/")
)

func (f *fakeAPI) handle(ctx *fasthttp.RequestCtx) {
	f.calls.Add(1)
	path := ctx.Path()
	if bytes.HasPrefix(path, filePrefix) {
		ctx.SetContentType("image/jpeg")
		ctx.SetBody(f.photo)
		return
	}
	if !bytes.HasPrefix(path, botPrefix) {
		ctx.SetStatusCode(fasthttp.StatusNotFound)
		ctx.SetBodyString(`{"ok":false,"error_code":404,"description":"Not Found"}`)
		return
	}
	method := string(path[len(botPrefix):])
	param := func(name string) string { return f.param(ctx, name) }
	if bytes.HasPrefix(ctx.Request.Header.ContentType(), []byte("application/json")) {
		param = jsonParams(ctx.PostBody())
	}
	chat, _ := strconv.ParseInt(param("chat_id"), 10, 64)
	now := time.Now()
	ctx.SetContentType("application/json")
	out := ctx.Response.BodyWriter()
	switch method {
	case "getMe":
		out.Write([]byte(`{"ok":true,"result":{"id":` + strconv.Itoa(botID) + `,"is_bot":true,"first_name":"Nông Sản Bot","username":"` + botUsername + `","can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":false}}`))
	case "sendMessage", "sendPhoto", "sendDocument":
		text := param("text")
		if method != "sendMessage" {
			text = param("caption")
		}
		id := f.nextMsg.Add(1)
		f.deliver(chat, event{at: now, message: true, text: text, msgID: id})
		f.writeMessage(out, chat, now, id, 1)
	case "sendMediaGroup":
		// Every album in the load has 2 photos; the service reads only ids.
		id := f.nextMsg.Add(2) - 1
		f.deliver(chat, event{at: now, message: true, msgID: id})
		f.writeMessage(out, chat, now, id, 2)
	case "editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia":
		f.deliver(chat, event{at: now})
		f.writeMessage(out, chat, now, f.nextMsg.Add(1), 1)
	case "answerCallbackQuery":
		// The load tool names callback queries <user id>_<n>.
		id := param("callback_query_id")
		if i := strings.IndexByte(id, '_'); i > 0 {
			user, _ := strconv.ParseInt(id[:i], 10, 64)
			f.deliver(user, event{at: now})
		}
		out.Write([]byte(`{"ok":true,"result":true}`))
	case "getChatAdministrators":
		out.Write([]byte(`{"ok":true,"result":[{"user":{"id":` + strconv.FormatInt(f.admin, 10) + `,"is_bot":false,"first_name":"Admin"},"status":"creator"},{"user":{"id":` + strconv.Itoa(botID) + `,"is_bot":true,"first_name":"Nông Sản Bot","username":"` + botUsername + `"},"status":"administrator"}]}`))
	case "getChatMember":
		user := param("user_id")
		status := "member"
		if user == strconv.FormatInt(f.admin, 10) {
			status = "creator"
		} else if user == strconv.Itoa(botID) {
			status = "administrator"
		}
		out.Write([]byte(`{"ok":true,"result":{"user":{"id":` + user + `,"is_bot":false,"first_name":"U"},"status":"` + status + `"}}`))
	case "getFile":
		f.fileGets.Add(1)
		id := param("file_id")
		out.Write([]byte(`{"ok":true,"result":{"file_id":` + strconv.Quote(id) + `,"file_unique_id":` + strconv.Quote("u"+id) +
			`,"file_size":` + strconv.Itoa(len(f.photo)) + `,"file_path":"photos/` + id + `.jpg"}}`))
	case "sendChatAction":
		// "typing…", sent when handling an update takes over a second: no
		// answer, so not the end of the user's wait.
		f.typing.Add(1)
		out.Write([]byte(`{"ok":true,"result":true}`))
	default: // setMyCommands, deleteMessage, setWebhook, leaveChat…
		if chat != 0 {
			f.deliver(chat, event{at: now})
		}
		out.Write([]byte(`{"ok":true,"result":true}`))
	}
}

// jsonParams reads the parameters of a JSON body, as grammY (the
// reference bot) sends them.
func jsonParams(body []byte) func(name string) string {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	d.Decode(&m) // a body that does not decode has no parameters
	return func(name string) string {
		switch v := m[name].(type) {
		case string:
			return v
		case json.Number:
			return v.String()
		}
		return ""
	}
}

// param reads a form parameter, urlencoded or multipart, as
// go-telegram-bot-api sends them.
func (f *fakeAPI) param(ctx *fasthttp.RequestCtx, name string) string {
	if v := ctx.PostArgs().Peek(name); v != nil {
		return string(v)
	}
	if v := ctx.QueryArgs().Peek(name); v != nil {
		return string(v)
	}
	if form, err := ctx.MultipartForm(); err == nil {
		if vs := form.Value[name]; len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// writeMessage writes the result of a send: n messages from id on (an
// album is an array) in chat.
func (f *fakeAPI) writeMessage(out interface{ Write([]byte) (int, error) }, chat int64, at time.Time, id int64, n int) {
	kind := `"private"`
	if chat < 0 {
		kind = `"supergroup","title":"Chợ nông sản"`
	}
	b := make([]byte, 0, 256)
	b = append(b, `{"ok":true,"result":`...)
	if n > 1 {
		b = append(b, '[')
	}
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"message_id":`...)
		b = strconv.AppendInt(b, id+int64(i), 10)
		b = append(b, `,"from":{"id":`+strconv.Itoa(botID)+`,"is_bot":true,"first_name":"Nông Sản Bot","username":"`+botUsername+`"},"chat":{"id":`...)
		b = strconv.AppendInt(b, chat, 10)
		b = append(b, `,"type":`...)
		b = append(b, kind...)
		b = append(b, `},"date":`...)
		b = strconv.AppendInt(b, at.Unix(), 10)
		b = append(b, '}')
	}
	if n > 1 {
		b = append(b, ']')
	}
	b = append(b, '}')
	out.Write(b)
}

// deliver hands ev to the user whose private chat is chat; calls to groups
// and strangers are only counted.
func (f *fakeAPI) deliver(chat int64, ev event) {
	u := f.users.byChat(chat)
	if u == nil {
		f.groupCalls.Add(1)
		return
	}
	if u.group {
		f.groupCalls.Add(1)
	}
	select {
	case u.inbox <- ev:
	default: // a user who stopped listening (a group once set up); the service must not wait for us
		if !u.group {
			f.dropped.Add(1)
		}
	}
}

// tinyJPEG is the photo behind every file_id: small, so the service's
// resizing costs what a thumbnail does, and a real JPEG, so it decodes.
func tinyJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil) // a bytes.Buffer does not fail
	return buf.Bytes()
}
