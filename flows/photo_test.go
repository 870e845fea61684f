package flows_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/flows"
)

func TestPhotoTokens(t *testing.T) {
	id := "0123456789abcdef0123456789abcdef"
	for _, c := range []struct {
		token string
		want  flows.PhotoRef
		err   bool
	}{
		{token: id + ":telegram:AgACAgIAAxkBAAIB", want: flows.PhotoRef{ID: id, Channel: flows.Telegram, Ref: "AgACAgIAAxkBAAIB"}},
		// A Zalo link holds ':' of its own.
		{token: id + ":zalo:https://f.zalo.me/a.jpg?x=1:2", want: flows.PhotoRef{ID: id, Channel: flows.Zalo, Ref: "https://f.zalo.me/a.jpg?x=1:2"}},
		// Stored before photos had ids: a Telegram file_id.
		{token: "AgACAgIAAxkBAAIB", want: flows.PhotoRef{Channel: flows.Telegram, Ref: "AgACAgIAAxkBAAIB"}},
		// Received outside the server (flow tests): no public id.
		{token: ":plain:photo-1", want: flows.PhotoRef{Channel: "plain", Ref: "photo-1"}},
		{token: "", err: true},
		{token: id + ":telegram:", err: true},
		{token: id + ":telegram", err: true},
		{token: "short:telegram:x", err: true},
		{token: "0123456789ABCDEF0123456789ABCDEF:telegram:x", err: true}, // ids are lower case
		{token: id + "::x", err: true},
		{token: id + ":Tele gram:x", err: true},
		{token: "https://f.zalo.me/a.jpg", err: true},
	} {
		got, err := flows.ParsePhotoRef(c.token)
		if c.err {
			if !errors.Is(err, flows.ErrBadPhoto) {
				t.Errorf("%q: got %+v, %v; want ErrBadPhoto", c.token, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %+v, %v; want %+v", c.token, got, err, c.want)
		}
		if got.ID != "" && got.String() != c.token {
			t.Errorf("%+v reads back as %q, not %q", got, got.String(), c.token)
		}
	}
}

func TestPhotoIDsAreUnguessable(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := flows.NewPhotoID()
		if !flows.ValidPhotoID(id) || len(id) != 32 || seen[id] {
			t.Fatalf("id %q: valid %v, seen %v", id, flows.ValidPhotoID(id), seen[id])
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "../../etc/passwd", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdeg"} {
		if flows.ValidPhotoID(bad) {
			t.Errorf("%q taken for an id", bad)
		}
	}
}

func FuzzPhotoToken(f *testing.F) {
	f.Add("0123456789abcdef0123456789abcdef", "zalo", "https://f.zalo.me/a.jpg?x=1:2")
	f.Add("", "telegram", "AgACAgIAAxkBAAIB")
	f.Add("x", ":", "")
	f.Fuzz(func(t *testing.T, id, channel, ref string) {
		if strings.Contains(channel, ":") || id != "" && !flows.ValidPhotoID(id) {
			t.Skip("not a photo the flows make: ids are hex, channel names hold no ':'")
		}
		p := flows.PhotoRef{ID: id, Channel: flows.Channel(channel), Ref: ref}
		got, err := flows.ParsePhotoRef(p.String())
		if err != nil {
			return // not a photo the flows would make
		}
		if got != p {
			t.Fatalf("%+v made %q, read back as %+v", p, p.String(), got)
		}
		if got.ID != "" && !flows.ValidPhotoID(got.ID) {
			t.Fatalf("%q read with id %q", p.String(), got.ID)
		}
	})
}

func FuzzParsePhotoRef(f *testing.F) {
	f.Add("0123456789abcdef0123456789abcdef:zalo:https://f.zalo.me/a.jpg?x=1:2")
	f.Add("AgACAgIAAxkBAAIB")
	f.Add(":plain:p")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := flows.ParsePhotoRef(s)
		switch {
		case err != nil:
		case p.Ref == "":
			t.Fatalf("%q read without a ref", s)
		case strings.Contains(s, ":") && p.String() != s:
			t.Fatalf("%q read as %+v, which makes %q", s, p, p.String())
		case !strings.Contains(s, ":") && (p.Channel != flows.Telegram || p.Ref != s):
			t.Fatalf("legacy %q read as %+v", s, p)
		}
	})
}
