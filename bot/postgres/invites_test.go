package postgres_test

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
)

// invite has maker make a code for role, valid a day from now.
func invite(t *testing.T, db *postgres.DB, maker int64, role string, now time.Time) string {
	t.Helper()
	inv := flows.Invite{Role: role, CreatedBy: maker, Expires: now.Add(24 * time.Hour)}
	if err := db.CreateInvite(context.Background(), &inv, ""); err != nil {
		t.Fatal(err)
	}
	return inv.Code
}

func noNotices(flows.Invite) []flows.Reply { return nil }

// limits are the caps of flows/roles.go.
var inviteLimits = flows.InviteLimits{Window: flows.InviteDay, Tries: flows.InviteTriesPerDay}

// sources names each use as a new update.
var sources atomic.Int64

// use has user type code at now, as a new update.
func use(db *postgres.DB, code string, user int64, now time.Time) (flows.Invite, error) {
	return db.UseInvite(context.Background(), flows.InviteUse{Code: code, User: user, At: now,
		Source: "telegram:" + strconv.FormatInt(sources.Add(1), 10)}, inviteLimits, noNotices)
}

// A code's maker moderates as a person: through any account of theirs
// listed in MODERATORS, or with the role granted to the person their
// account was linked into after making the code. /xoamod voids the codes
// made from every account of theirs.
func TestACodesMakerModeratesAsAPersonAcrossLinkedAccounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	now := time.Now()
	link := func(account, into int64) {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, `UPDATE users SET linked_to = $2 WHERE id = $1`, account, into); err != nil {
			t.Fatal(err)
		}
	}

	// Listed in MODERATORS on Zalo, making the code from Telegram.
	configured, onZalo := mustTouch(t, db, flows.Telegram, "1"), mustTouch(t, db, flows.Zalo, "z-1")
	link(onZalo, configured)
	db.Moderators = postgres.Moderators{"zalo:z-1": true}
	helper := mustTouch(t, db, flows.Telegram, "2")
	if _, err := use(db, invite(t, db, configured, flows.RoleHelper, now), helper, now); err != nil {
		t.Fatalf("a code of a moderator listed under their other account: %v", err)
	}

	// Granted the role, then linking the account the codes were made from
	// into another: the role moves to the person, the codes stay good.
	granted, other := mustTouch(t, db, flows.Telegram, "3"), mustTouch(t, db, flows.Zalo, "z-3")
	if _, err := db.Pool.Exec(ctx, `INSERT INTO user_roles (user_id, role) VALUES ($1, 'moderator')`, granted); err != nil {
		t.Fatal(err)
	}
	before, kept := invite(t, db, granted, flows.RoleHelper, now), invite(t, db, granted, flows.RoleHelper, now)
	link(granted, other)
	if _, err := db.Pool.Exec(ctx, `UPDATE user_roles SET user_id = $2 WHERE user_id = $1`, granted, other); err != nil {
		t.Fatal(err)
	}
	if _, err := use(db, before, mustTouch(t, db, flows.Telegram, "4"), now); err != nil {
		t.Fatalf("a code made before its maker linked their accounts: %v", err)
	}
	if err := db.Revoke(ctx, other, flows.RoleModerator, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO user_roles (user_id, role) VALUES ($1, 'moderator')`, other); err != nil {
		t.Fatal(err)
	}
	if _, err := use(db, kept, mustTouch(t, db, flows.Telegram, "5"), now); !errors.Is(err, flows.ErrInviteVoid) {
		t.Fatalf("a code kept through /xoamod, its maker a moderator again: %v, want void", err)
	}
}

// A moderation source ("telegram:<update_id>") names its update for a day:
// Telegram draws update_ids anew after a week without updates, so an older
// row of the same source is another update's. Its /themmod makes a code,
// its revoke takes the role back, and a revoke that took nothing back is
// not told "done" for the old update's.
func TestAModerationSourceReusedAfterADayWorks(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	user := func(id, role string) int64 {
		t.Helper()
		u := mustTouch(t, db, flows.Telegram, id)
		if role == "" {
			return u
		}
		if _, err := db.Pool.Exec(ctx, `INSERT INTO user_roles (user_id, role) VALUES ($1, $2)`, u, role); err != nil {
			t.Fatal(err)
		}
		return u
	}
	maker, first, second := user("1", flows.RoleModerator), user("2", ""), user("3", flows.RoleHelper)
	const source = "telegram:424242"
	now := time.Now()
	inv := flows.Invite{Role: flows.RoleHelper, CreatedBy: maker, Expires: now.Add(48 * time.Hour)}
	if err := db.CreateInvite(ctx, &inv, source); err != nil {
		t.Fatal(err)
	}
	if _, err := use(db, inv.Code, first, now); err != nil {
		t.Fatal(err)
	}
	if err := db.Revoke(ctx, first, flows.RoleHelper, source); err != nil {
		t.Fatal(err)
	}
	// A week later, the same update_id.
	if _, err := db.Pool.Exec(ctx, `UPDATE role_invites SET created_at = created_at - interval '8 days'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE lifted_roles SET lifted_at = lifted_at - interval '8 days'`); err != nil {
		t.Fatal(err)
	}
	again := flows.Invite{Role: flows.RoleHelper, CreatedBy: maker, Expires: now.Add(48 * time.Hour)}
	if err := db.CreateInvite(ctx, &again, source); err != nil {
		t.Fatalf("/themmod with a reused source: %v", err)
	}
	if _, err := use(db, again.Code, first, now); err != nil {
		t.Fatalf("the code made with a reused source: %v", err)
	}
	if err := db.Revoke(ctx, first, flows.RoleModerator, source); !errors.Is(err, flows.ErrStale) {
		t.Fatalf("a revoke that took nothing back, with a reused source: %v, want ErrStale (not done by it)", err)
	}
	if err := db.Revoke(ctx, second, flows.RoleHelper, source); err != nil {
		t.Fatalf("a revoke with a reused source: %v", err)
	}
	// Run again at once, it is its own: done.
	if err := db.Revoke(ctx, second, flows.RoleHelper, source); err != nil {
		t.Fatalf("the revoke run again: %v, want done", err)
	}
}
