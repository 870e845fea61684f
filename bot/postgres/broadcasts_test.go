package postgres_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
)

// targetStatuses is each target's status, by chat id.
func targetStatuses(t *testing.T, db *postgres.DB, id int64) map[string]string {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(),
		`SELECT chat_id, status, title FROM broadcast_targets WHERE broadcast_id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var chat, status, title string
		if err := rows.Scan(&chat, &status, &title); err != nil {
			t.Fatal(err)
		}
		out[chat] = status + " " + title
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBroadcastsAreStoredOnceAndCancelled(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	author := mustTouch(t, db, flows.Telegram, "9")
	groups := []flows.MarketGroup{
		{Ref: flows.ChatRef{Channel: flows.Telegram, ChatID: "-100"}, Title: "Chợ Chi Lăng"},
		{Ref: flows.ChatRef{Channel: flows.Zalo, ChatID: "g2"}, Title: "Chợ Bắc Sơn"},
		{Ref: flows.ChatRef{Channel: flows.Telegram, ChatID: "-300"}, Title: "Chợ Cao Lộc"},
	}
	draft := &flows.Broadcast{AuthorID: author, Chat: flows.ChatRef{Channel: flows.Telegram, ChatID: "9"}, Lang: "vi",
		Text: "Thứ 7 này có thương lái về thu mua na", Photo: "tg:abc", Pin: true, Scope: flows.ScopeAreas,
		Areas: []string{"chi_lang", "bac_son"}}
	b, err := db.CreateBroadcast(ctx, draft, groups, "broadcast:n1")
	if err != nil {
		t.Fatal(err)
	}
	if b.ID == 0 || b.Status != flows.BroadcastSending || b.Text != draft.Text || b.Photo != "tg:abc" || !b.Pin ||
		b.Scope != flows.ScopeAreas || len(b.Areas) != 2 || b.Chat != draft.Chat || b.AuthorID != author {
		t.Fatalf("stored broadcast %+v", b)
	}
	want := map[string]string{"-100": "pending Chợ Chi Lăng", "g2": "pending Chợ Bắc Sơn", "-300": "pending Chợ Cao Lộc"}
	if got := targetStatuses(t, db, b.ID); len(got) != 3 || got["-100"] != want["-100"] || got["g2"] != want["g2"] {
		t.Fatalf("targets %v, want %v", got, want)
	}
	again, err := db.CreateBroadcast(ctx, draft, groups[:1], "broadcast:n1")
	if err != nil || again.ID != b.ID {
		t.Fatalf("a retried source created broadcast %+v (%v), want %d back", again, err, b.ID)
	}
	if got := targetStatuses(t, db, b.ID); len(got) != 3 {
		t.Fatalf("a retried source changed the targets: %v", got)
	}

	// The author's "huỷ" finds it while it sends; nobody else's does.
	if sending, err := db.Sending(ctx, author); err != nil || sending.ID != b.ID {
		t.Fatalf("the author's broadcast sending: %+v, %v, want %d", sending, err, b.ID)
	}
	if _, err := db.Sending(ctx, author+1); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("another's broadcast sending: %v, want ErrNotFound", err)
	}

	// One group went, one is on its way: cancelling stops only the rest.
	if _, err := db.Pool.Exec(ctx, `UPDATE broadcast_targets SET status = CASE chat_id WHEN '-100' THEN 'sent'
		WHEN 'g2' THEN 'sending' ELSE 'claimed' END WHERE broadcast_id = $1`, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.CancelBroadcast(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	got := targetStatuses(t, db, b.ID)
	if got["-100"] != "sent Chợ Chi Lăng" || got["g2"] != "sending Chợ Bắc Sơn" || got["-300"] != "cancelled Chợ Cao Lộc" {
		t.Fatalf("after cancelling: %v", got)
	}
	if back, err := db.Broadcast(ctx, b.ID); err != nil || back.Status != flows.BroadcastCancelled {
		t.Fatalf("cancelled broadcast %+v, %v", back, err)
	}
	if err := db.CancelBroadcast(ctx, b.ID); !errors.Is(err, flows.ErrStale) {
		t.Fatalf("cancelling twice: %v, want ErrStale", err)
	}
	if _, err := db.Sending(ctx, author); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("a cancelled broadcast is still sending: %v", err)
	}

	done, err := db.CreateBroadcast(ctx, draft, groups, "broadcast:n2")
	if err != nil || done.ID == b.ID {
		t.Fatalf("another source: %+v, %v", done, err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE broadcasts SET status = 'done' WHERE id = $1`, done.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.CancelBroadcast(ctx, done.ID); !errors.Is(err, flows.ErrStale) {
		t.Fatalf("cancelling a finished broadcast: %v, want ErrStale", err)
	}
	if _, err := db.Broadcast(ctx, 999); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("an unknown broadcast: %v", err)
	}
	if err := db.CancelBroadcast(ctx, 999); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("cancelling an unknown broadcast: %v", err)
	}
}

// An announcement's photo is served at /media while it is sent and a day
// after its end, then forgotten; a draft's photo that it took (a Zalo
// photo kept since it arrived) is the same row.
func TestABroadcastsPhotoIsServedWhileItIsSent(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	author := mustTouch(t, db, flows.Zalo, "mod")
	zalo := flows.PhotoRef{ID: flows.NewPhotoID(), Channel: flows.Zalo, Ref: "https://f.zalo.me/tb.jpg"}
	telegram := flows.PhotoRef{ID: flows.NewPhotoID(), Channel: flows.Telegram, Ref: "AgACAgIAAxkBAAIC"}
	if err := db.PhotoArrived(ctx, zalo); err != nil {
		t.Fatal(err)
	}
	if err := db.PhotoOnSale(ctx, zalo.ID); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("a draft's photo is served: %v", err)
	}
	groups := []flows.MarketGroup{{Ref: flows.ChatRef{Channel: flows.Zalo, ChatID: "g1"}, Title: "Chợ"}}
	var ids []int64
	for i, p := range []flows.PhotoRef{zalo, telegram} {
		b, err := db.CreateBroadcast(ctx, &flows.Broadcast{AuthorID: author, Chat: flows.ChatRef{Channel: flows.Zalo, ChatID: "mod"},
			Lang: "vi", Text: "Họp chợ", Photo: p.String(), Scope: flows.ScopeAll}, groups, "broadcast:p"+strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, b.ID)
		got, err := db.PublishedPhoto(ctx, p.ID)
		if err != nil || got.PhotoRef != p || got.Listing != 0 {
			t.Fatalf("the photo of a broadcast being sent: %+v, %v", got, err)
		}
	}
	// One ended an hour ago, the other two days ago.
	if _, err := db.Pool.Exec(ctx, `UPDATE broadcasts SET status = 'done',
		finished_at = now() - CASE id WHEN $1 THEN interval '1 hour' ELSE interval '2 days' END`, ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := db.PhotoOnSale(ctx, zalo.ID); err != nil {
		t.Errorf("an hour after its broadcast: %v", err)
	}
	if err := db.PhotoOnSale(ctx, telegram.ID); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("two days after its broadcast: %v, want ErrNotFound", err)
	}
	if _, err := db.PhotosToKeep(ctx, time.Now(), 10, time.Minute); err != nil {
		t.Fatal(err)
	}
	var left []string
	if err := db.Pool.QueryRow(ctx, `SELECT array_agg(id ORDER BY id) FROM media`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != zalo.ID {
		t.Errorf("photos kept %v, want only the one served still", left)
	}
}
