package zalotest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

// do posts a JSON body to method with token and returns the status and
// the decoded answer.
func do(t *testing.T, s *zalotest.Server, token, method string, params any) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(params)
	resp, err := http.Post(fmt.Sprintf(s.Endpoint(), token, method), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env map[string]any
	raw, _ := io.ReadAll(resp.Body)
	json.Unmarshal(raw, &env)
	return resp.StatusCode, env
}

func TestTokenAndUnknownMethods(t *testing.T) {
	s := zalotest.NewServer(t)
	if status, env := do(t, s, "bad:token", "getMe", nil); status != 401 || env["ok"] != false || env["error_code"] != 401.0 {
		t.Errorf("wrong token: %d %v", status, env)
	}
	if status, env := do(t, s, zalotest.Token, "sendVoice", nil); status != 404 || env["error_code"] != 404.0 {
		t.Errorf("unknown method: %d %v", status, env)
	}
	status, env := do(t, s, zalotest.Token, "getMe", nil)
	me, _ := env["result"].(map[string]any)
	if status != 200 || me["id"] != zalotest.BotID || me["account_type"] != "BASIC" || me["can_join_groups"] != false {
		t.Errorf("getMe: %d %v", status, env)
	}
	s.SetCanJoinGroups(true)
	if _, env := do(t, s, zalotest.Token, "getMe", nil); env["result"].(map[string]any)["can_join_groups"] != true {
		t.Errorf("getMe after SetCanJoinGroups: %v", env)
	}
	if n := len(s.Calls()); n != 4 {
		t.Errorf("%d calls recorded, want 4", n)
	}
}

func TestSendChecksWhatZaloChecks(t *testing.T) {
	s := zalotest.NewServer(t)
	for _, c := range []struct {
		method string
		params map[string]string
		status int
	}{
		{"sendMessage", map[string]string{"chat_id": "u1", "text": "Xin chào"}, 200},
		{"sendMessage", map[string]string{"chat_id": "u1", "text": ""}, 400},
		{"sendMessage", map[string]string{"chat_id": "u1", "text": strings.Repeat("ữ", 2000)}, 200},
		{"sendMessage", map[string]string{"chat_id": "u1", "text": strings.Repeat("ữ", 2001)}, 400},
		{"sendMessage", map[string]string{"text": "no chat"}, 400},
		{"sendPhoto", map[string]string{"chat_id": "u1", "photo": s.PhotoURL("na"), "caption": "Na"}, 200},
		{"sendPhoto", map[string]string{"chat_id": "u1", "photo": s.PhotoURL("na")}, 200},
		{"sendPhoto", map[string]string{"chat_id": "u1", "photo": s.PhotoURL("na"), "caption": ""}, 400},
		{"sendPhoto", map[string]string{"chat_id": "u1", "photo": "AgACAgIAAxkBAAI"}, 400},
		// Zalo fetches the photo: a link that gives no image is refused.
		{"sendPhoto", map[string]string{"chat_id": "u1", "photo": s.URL() + "/photos/nobody.jpg"}, 400},
		{"sendPhoto", map[string]string{"chat_id": "u1", "photo": s.URL() + "/bot" + zalotest.Token + "/getMe"}, 400},
		{"sendPhoto", map[string]string{"chat_id": "u1", "photo": s.PhotoURL("na"), "caption": strings.Repeat("a", 2001)}, 400},
		{"sendChatAction", map[string]string{"chat_id": "u1", "action": "typing"}, 200},
		{"sendChatAction", map[string]string{"chat_id": "u1", "action": "dancing"}, 400},
		{"sendSticker", map[string]string{"chat_id": "u1", "sticker": "0e078a2fb66a5f34067b"}, 200},
		// The limits count UTF-16 code units, as the platform and the
		// renderer do: an emoji is two of them, a Vietnamese letter one.
		{"sendMessage", map[string]string{"chat_id": "u1", "text": strings.Repeat("🌾", 1000)}, 200},
		{"sendMessage", map[string]string{"chat_id": "u1", "text": strings.Repeat("🌾", 1000) + "a"}, 400},
		{"sendPhoto", map[string]string{"chat_id": "u1", "photo": s.PhotoURL("na"), "caption": strings.Repeat("🌾", 1001)}, 400},
	} {
		if status, env := do(t, s, zalotest.Token, c.method, c.params); status != c.status || (status != 200) != (env["ok"] == false) {
			t.Errorf("%s %.40v: %d %v, want %d", c.method, c.params, status, env, c.status)
		}
	}
	got := s.Received("u1")
	if len(got) != 6 || got[0].Text != "Xin chào" || got[2].Photo != s.PhotoURL("na") || got[2].Text != "Na" || got[0].ID == got[1].ID {
		t.Errorf("received: %+v", got)
	}
}

func TestServesSamplePhotos(t *testing.T) {
	s := zalotest.NewServer(t)
	for _, name := range []string{"na-1", "na-2"} {
		resp, err := http.Get(s.PhotoURL(name))
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil || resp.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("%s: %v %q", name, err, resp.Header.Get("Content-Type"))
		}
	}
	if resp, _ := http.Get(s.URL() + "/photos/nobody.jpg"); resp.StatusCode != 404 {
		t.Errorf("an unknown photo: %d", resp.StatusCode)
	}
}

func TestWebhookState(t *testing.T) {
	s := zalotest.NewServer(t)
	if status, _ := do(t, s, zalotest.Token, "setWebhook", map[string]string{"url": "https://x.test/webhook/zalo", "secret_token": "short"}); status != 400 {
		t.Errorf("a 5-character secret: %d", status)
	}
	if status, _ := do(t, s, zalotest.Token, "setWebhook", map[string]string{"url": "http://x.test/", "secret_token": "long-enough"}); status != 400 {
		t.Errorf("a plain-HTTP url: %d", status)
	}
	if status, _ := do(t, s, zalotest.Token, "setWebhook", map[string]string{"url": "https://x.test/webhook/zalo", "secret_token": "long-enough"}); status != 200 {
		t.Errorf("setWebhook: %d", status)
	}
	if w := s.Webhook(); w.URL != "https://x.test/webhook/zalo" || w.Secret != "long-enough" {
		t.Errorf("stored: %+v", w)
	}
	if _, env := do(t, s, zalotest.Token, "getWebhookInfo", nil); env["result"].(map[string]any)["url"] != "https://x.test/webhook/zalo" {
		t.Errorf("getWebhookInfo: %v", env)
	}
	if status, env := do(t, s, zalotest.Token, "getUpdates", map[string]string{"timeout": "1"}); status == 200 || env["ok"] != false {
		t.Errorf("getUpdates with a webhook set: %d %v", status, env)
	}
	do(t, s, zalotest.Token, "deleteWebhook", nil)
	if w := s.Webhook(); w.URL != "" {
		t.Errorf("after deleteWebhook: %+v", w)
	}
}

func TestGetUpdatesQueueAndTimeout(t *testing.T) {
	s := zalotest.NewServer(t)
	start := time.Now()
	if status, env := do(t, s, zalotest.Token, "getUpdates", map[string]string{"timeout": "1"}); status != 408 || env["error_code"] != 408.0 {
		t.Errorf("nothing new: %d %v", status, env)
	}
	if time.Since(start) < time.Second {
		t.Error("getUpdates did not wait for its timeout")
	}
	u := zalotest.User{ID: "u1", Name: "Ted"}
	go s.QueueEvent(s.Text(zalotest.Private(u), u, "Xin chào")) // while the poll waits
	status, env := do(t, s, zalotest.Token, "getUpdates", map[string]string{"timeout": "5"})
	ev, _ := env["result"].(map[string]any)
	msg, _ := ev["message"].(map[string]any)
	if status != 200 || ev["event_name"] != "message.text.received" || msg["text"] != "Xin chào" {
		t.Errorf("getUpdates: %d %v", status, env)
	}
}

func TestFailuresOnDemand(t *testing.T) {
	s := zalotest.NewServer(t)
	msg := map[string]string{"chat_id": "u1", "text": "a"}
	s.FailNext("sendMessage", 1, zalotest.Failure{Code: 429})
	if status, env := do(t, s, zalotest.Token, "sendMessage", msg); status != 429 || env["error_code"] != 429.0 {
		t.Errorf("429: %d %v", status, env)
	}
	s.SetDown("", &zalotest.Failure{Status: 502})
	if status, env := do(t, s, zalotest.Token, "sendMessage", msg); status != 502 || env != nil {
		t.Errorf("down: %d %v", status, env)
	}
	if status, _ := do(t, s, zalotest.Token, "getMe", nil); status != 200 {
		t.Errorf("getMe while down: %d", status)
	}
	s.SetDown("", nil)
	s.FailNext("sendMessage", 1, zalotest.Failure{Hang: 300 * time.Millisecond})
	start := time.Now()
	if status, _ := do(t, s, zalotest.Token, "sendMessage", msg); status != 504 || time.Since(start) < 300*time.Millisecond {
		t.Errorf("hang: %d after %v", status, time.Since(start))
	}
	if status, _ := do(t, s, zalotest.Token, "sendMessage", msg); status != 200 {
		t.Errorf("after the failures: %d", status)
	}
	if got := s.Received("u1"); len(got) != 1 {
		t.Errorf("failed calls delivered messages: %+v", got)
	}
}

// HoldNext holds the next call in flight, later ones are answered, and the
// held one is answered on Release as the server is then.
func TestHoldNextHoldsOneCall(t *testing.T) {
	s := zalotest.NewServer(t)
	s.HoldNext("sendMessage", 1)
	held := make(chan int)
	go func() { // not do: no t.Fatal off the test's goroutine
		resp, err := http.Post(fmt.Sprintf(s.Endpoint(), zalotest.Token, "sendMessage"), "application/json",
			strings.NewReader(`{"chat_id":"u1","text":"a"}`))
		if err != nil {
			held <- 0
			return
		}
		resp.Body.Close()
		held <- resp.StatusCode
	}()
	s.WaitHolding(t, 1)
	if status, _ := do(t, s, zalotest.Token, "sendMessage", map[string]string{"chat_id": "u2", "text": "b"}); status != 200 {
		t.Errorf("a call after the held one: %d", status)
	}
	s.SetDown("sendMessage", &zalotest.Failure{Code: 429})
	s.Release()
	if status := <-held; status != 429 {
		t.Errorf("the held call answered %d, want 429 as the server is on Release", status)
	}
	if got := s.Received("u1"); len(got) != 0 {
		t.Errorf("the held call delivered %+v", got)
	}
}
