package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
)

func TestAPublishedListingsPhotosCanBeServed(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	zalo := flows.PhotoRef{ID: flows.NewPhotoID(), Channel: flows.Zalo, Ref: "https://f.zalo.me/a.jpg?x=1:2"}
	// A draft begun before photos had ids: a bare file_id, and one without an id.
	l := pgtest.MustPublish(t, db, flows.Zalo, zalo.String(), "AgACAgIAAxkBAAIB", ":plain:p1")

	var stored []flows.PhotoRef
	for _, token := range l.Photos {
		p, err := flows.ParsePhotoRef(token)
		if err != nil || !flows.ValidPhotoID(p.ID) {
			t.Fatalf("stored photo %q: %+v, %v", token, p, err)
		}
		stored = append(stored, p)
	}
	if stored[0] != zalo || stored[1].Channel != flows.Telegram || stored[1].Ref != "AgACAgIAAxkBAAIB" || stored[2].Ref != "p1" {
		t.Fatalf("stored photos %+v", stored)
	}
	for _, p := range stored {
		got, err := db.PublishedPhoto(ctx, p.ID)
		if err != nil || got.PhotoRef != p || got.Listing != l.ID || got.Data != nil {
			t.Errorf("photo %s: %+v, %v", p.ID, got, err)
		}
	}
	if _, err := db.PublishedPhoto(ctx, flows.NewPhotoID()); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("an unknown id: %v, want ErrNotFound", err)
	}
	if err := db.PhotoOnSale(ctx, zalo.ID); err != nil {
		t.Errorf("photo of a listing on sale: %v", err)
	}
	// The farmer stops selling: its photos are taken down.
	if _, err := db.Pool.Exec(ctx, `UPDATE listings SET status = 'closed' WHERE id = $1`, l.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.PhotoOnSale(ctx, zalo.ID); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("photo of a closed listing on sale: %v, want ErrNotFound", err)
	}
	if _, err := db.PublishedPhoto(ctx, zalo.ID); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("photo of a closed listing: %v, want ErrNotFound", err)
	}
}

func TestPhotosAreKeptOnceAndClaimedByOneKeeper(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	a := flows.PhotoRef{ID: flows.NewPhotoID(), Channel: flows.Zalo, Ref: "https://f.zalo.me/a.jpg"}
	b := flows.PhotoRef{ID: flows.NewPhotoID(), Channel: flows.Zalo, Ref: "https://f.zalo.me/b.jpg"}
	pgtest.MustPublish(t, db, flows.Zalo, a.String(), b.String())
	now := time.Now().Add(time.Second)
	lease := time.Minute
	ids := func(at time.Time) []string {
		t.Helper()
		ps, err := db.PhotosToKeep(ctx, at, 10, lease)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, p.ID)
		}
		slices.Sort(out)
		return out
	}
	both := []string{a.ID, b.ID}
	slices.Sort(both)
	if got := ids(now); !slices.Equal(got, both) {
		t.Fatalf("claimed %v, want %v", got, both)
	}
	if got := ids(now); len(got) != 0 {
		t.Fatalf("claimed again while leased: %v", got)
	}

	if err := db.KeepPhoto(ctx, a.ID, []byte("first"), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if err := db.KeepPhoto(ctx, a.ID, []byte("second"), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if p, err := db.PublishedPhoto(ctx, a.ID); err != nil || string(p.Data) != "first" || p.Type != "image/jpeg" {
		t.Fatalf("kept %+v, %v; want the first copy", p, err)
	}

	// b's lease ends; it fails, and waits a minute before the next try.
	later := now.Add(lease + time.Second)
	if got := ids(later); !slices.Equal(got, []string{b.ID}) {
		t.Fatalf("after the lease: %v, want only %s (a is kept)", got, b.ID)
	}
	if err := db.PhotoFailed(ctx, b.ID, later); err != nil {
		t.Fatal(err)
	}
	if n, err := db.PhotosWaiting(ctx); err != nil || n != 1 {
		t.Errorf("waiting %d, %v; want 1", n, err)
	}
	if got := ids(later.Add(50 * time.Second)); len(got) != 0 {
		t.Fatalf("tried again too soon: %v", got)
	}
	if got := ids(later.Add(61 * time.Second)); !slices.Equal(got, []string{b.ID}) {
		t.Fatalf("not tried again after a minute: %v", got)
	}
}

func TestTheMigrationGivesExistingPhotosIDs(t *testing.T) {
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.MigrateTo(ctx, 6); err != nil {
		t.Fatal(err)
	}
	// Rows as that version had them (SaveSeller writes later columns).
	var sellerID, id int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO sellers (name, commune) VALUES ('Mai', 'xã Hữu Kiên') RETURNING id`).Scan(&sellerID); err != nil {
		t.Fatal(err)
	}
	err = db.Pool.QueryRow(ctx, `INSERT INTO listings (code, seller_id, channel, product_name, photos, unit,
		quantity_milli, remaining_milli, price_vnd, price_unit, price_typed, ready_on, expires_at)
		VALUES ('NS-2345', $1, 'telegram', 'Na', '{AgAD-one,AgAD-two}', 'kg', 1000, 1000, 25000, 'kg', '25k', now(), now() + interval '7 days')
		RETURNING id`, sellerID).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	// A later migration landed first (numbers are reserved per piece of
	// work): this one is still applied.
	if err := db.Apply(ctx, 8); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	l, err := db.Listing(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"AgAD-one", "AgAD-two"} {
		p, err := flows.ParsePhotoRef(l.Photos[i])
		if err != nil || !flows.ValidPhotoID(p.ID) || p.Channel != flows.Telegram || p.Ref != want {
			t.Fatalf("photo %d became %q (%+v, %v)", i, l.Photos[i], p, err)
		}
		if m, err := db.PublishedPhoto(ctx, p.ID); err != nil || m.Listing != id || m.Ref != want {
			t.Errorf("photo %d served as %+v, %v", i, m, err)
		}
	}
}

// A draft's photo is claimed for keeping before its listing exists, is not
// served, joins its listing when published, and is forgotten if the draft
// never is.
func TestADraftsPhotoIsKeptThenJoinsItsListingOrIsForgotten(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	kept := flows.PhotoRef{ID: flows.NewPhotoID(), Channel: flows.Zalo, Ref: "https://f.zalo.me/kept.jpg"}
	left := flows.PhotoRef{ID: flows.NewPhotoID(), Channel: flows.Zalo, Ref: "https://f.zalo.me/left.jpg"}
	for _, p := range []flows.PhotoRef{kept, left} {
		if err := db.PhotoArrived(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	claimed, err := db.PhotosToKeep(ctx, time.Now().Add(time.Second), 10, time.Minute)
	if err != nil || len(claimed) != 2 || claimed[0].Listing != 0 {
		t.Fatalf("drafts' photos claimed: %+v, %v", claimed, err)
	}
	if err := db.KeepPhoto(ctx, kept.ID, []byte("jpeg"), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PublishedPhoto(ctx, kept.ID); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("a draft's photo is served: %v", err)
	}
	pgtest.MustPublish(t, db, flows.Zalo, kept.String())
	if p, err := db.PublishedPhoto(ctx, kept.ID); err != nil || string(p.Data) != "jpeg" {
		t.Errorf("published, the kept copy: %+v, %v", p, err)
	}
	// Three days on, the unpublished draft's photo is gone.
	if _, err := db.PhotosToKeep(ctx, time.Now().Add(72*time.Hour), 10, time.Minute); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM media WHERE id = ANY($1)`, []string{kept.ID, left.ID}).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d of the two photos left, %v; want the published one only", n, err)
	}
}

// A photo sent as a file and uploaded once is, from then on, the photo by
// the upload's reference: its media row, its listing's photos and its
// announcement's photo; a draft's (a moderator's preview) gets a row that
// its announcement joins. Told again, a listing still showing the old
// reference catches up; another replica's upload, recorded first, stays.
func TestAnUploadedPhotoIsReusedWhereverItIsKept(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	was := flows.PhotoRef{ID: flows.NewPhotoID(), Channel: flows.Telegram, Ref: "doc:BQACAgUAAxkBAAE-file"}
	now := flows.PhotoRef{ID: was.ID, Channel: flows.Telegram, Ref: "AgACAgUAAxkBAAE-photo"}
	if ref, err := db.PhotoNow(ctx, was); err != nil || ref != was.Ref {
		t.Fatalf("a photo never seen goes by %q, %v; want its own reference", ref, err)
	}
	l := pgtest.MustPublish(t, db, flows.Telegram, was.String())
	if err := db.ReusePhoto(ctx, was, now); err != nil {
		t.Fatal(err)
	}
	if ref, err := db.PhotoNow(ctx, was); err != nil || ref != now.Ref {
		t.Errorf("the listing's photo goes by %q, %v; want the upload's %q", ref, err, now.Ref)
	}
	var photos []string
	if err := db.Pool.QueryRow(ctx, `SELECT photos FROM listings WHERE id = $1`, l.ID).Scan(&photos); err != nil || !slices.Equal(photos, []string{now.String()}) {
		t.Errorf("the listing's photos %q, %v; want %q", photos, err, now.String())
	}
	// Another replica uploaded it too and says so later: the first stays.
	other := flows.PhotoRef{ID: was.ID, Channel: flows.Telegram, Ref: "AgACAgUAAxkBAAE-other"}
	if err := db.ReusePhoto(ctx, was, other); err != nil {
		t.Fatal(err)
	}
	if ref, _ := db.PhotoNow(ctx, was); ref != now.Ref {
		t.Errorf("after a second upload the photo goes by %q, want the first's %q", ref, now.Ref)
	}

	// A moderator's preview uploads a draft's photo: it gets a row, which
	// the announcement joins, still naming the file, until told again.
	draft := flows.PhotoRef{ID: flows.NewPhotoID(), Channel: flows.Telegram, Ref: "doc:BQACAgUAAxkBAAE-bc"}
	up := flows.PhotoRef{ID: draft.ID, Channel: flows.Telegram, Ref: "AgACAgUAAxkBAAE-bc"}
	if err := db.ReusePhoto(ctx, draft, up); err != nil {
		t.Fatal(err)
	}
	if ref, err := db.PhotoNow(ctx, draft); err != nil || ref != up.Ref {
		t.Errorf("the preview's photo goes by %q, %v; want the upload's %q", ref, err, up.Ref)
	}
	author := mustTouch(t, db, flows.Telegram, "7")
	b, err := db.CreateBroadcast(ctx, &flows.Broadcast{AuthorID: author, Chat: flows.ChatRef{Channel: flows.Telegram, ChatID: "7"},
		Lang: "vi", Text: "Họp chợ", Photo: draft.String(), Scope: flows.ScopeAll},
		[]flows.MarketGroup{{Ref: flows.ChatRef{Channel: flows.Telegram, ChatID: "-100"}, Title: "Chợ Chi Lăng"}}, "reuse:1")
	if err != nil {
		t.Fatal(err)
	}
	if ref, _ := db.PhotoNow(ctx, draft); ref != up.Ref || b.Photo != draft.String() {
		t.Fatalf("the announcement's photo %q goes by %q, want %q", b.Photo, ref, up.Ref)
	}
	if err := db.ReusePhoto(ctx, draft, up); err != nil {
		t.Fatal(err)
	}
	if b, err = db.Broadcast(ctx, b.ID); err != nil || b.Photo != up.String() {
		t.Errorf("told again, the announcement's photo is %q, %v; want %q", b.Photo, err, up.String())
	}
}
