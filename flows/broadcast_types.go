package flows

import (
	"context"
	"strconv"
	"time"
)

// Broadcast scopes: which market groups an announcement goes to.
const (
	ScopeAll    = "all"    // every active market group, on every channel
	ScopeAreas  = "areas"  // the groups of some area tags (and those of every area)
	ScopePicked = "picked" // groups picked one by one
	ScopeOwn    = "own"    // a group admin's own group (a moderator's one group is ScopePicked)
)

// Broadcast statuses.
const (
	BroadcastSending   = "sending"
	BroadcastCancelled = "cancelled"
	BroadcastDone      = "done"
)

// Broadcast is a moderator's announcement to market groups. Delivery is a
// durable job in PostgreSQL, one row per target group, run by the bot's
// workers under the shared rate limiter (see bot.Broadcaster).
type Broadcast struct {
	ID       int64
	AuthorID int64
	Chat     ChatRef // the author's private chat: progress and report go there
	Lang     string  // the author's language, for progress and report
	Text     string  // as the moderator wrote it
	Photo    string  // a PhotoRef token (as in Reply.Photos), "" for none
	Pin      bool    // pin it where the bot may
	Scope    string
	Areas    []string // ScopeAreas: the area tags chosen
	Status   string
	Created  time.Time
}

// Broadcasts stores announcements and their target groups.
type Broadcasts interface {
	// CreateBroadcast stores b with one pending target per group, and sets
	// its ID. The same source (update) never creates two: a retried update
	// gets the first back.
	CreateBroadcast(ctx context.Context, b *Broadcast, targets []MarketGroup, source string) (*Broadcast, error)
	Broadcast(ctx context.Context, id int64) (*Broadcast, error) // ErrNotFound if none
	// Sending is the author's latest broadcast still sending; ErrNotFound
	// if none is.
	Sending(ctx context.Context, authorID int64) (*Broadcast, error)
	// CancelBroadcast stops a broadcast still sending: its pending targets
	// are cancelled; what went stays. ErrStale if it had ended already.
	CancelBroadcast(ctx context.Context, id int64) error
}

// BroadcastPost is an announcement as a group sees it, and as its author
// previews it: the same reply, addressed to to. Its header says who speaks:
// a group admin to their own group (ScopeOwn), else a moderator.
func BroadcastPost(b Broadcast, to ChatRef, group bool) Reply {
	r := Reply{To: to, Lang: GroupLang, Text: M("broadcast.post", "Text", b.Text, "Admin", b.Scope == ScopeOwn), Group: group}
	if b.Photo != "" {
		r.Photos = []string{b.Photo}
	}
	return r
}

// StopChoice is the button on a broadcast's progress message that stops
// it; the broadcast flow handles it (and its typed form, where a channel
// has no buttons).
func StopChoice(id int64) Choice {
	typed := M("broadcast.stop_typed", "ID", id)
	return Choice{Label: M("broadcast.stop"), Value: "bc:stop:" + strconv.FormatInt(id, 10), Typed: &typed}
}

// Admins tells who administers a group, as the platform says (cached for a
// while): a group admin may broadcast to their own group. Authorised when
// the action is confirmed, from the private chat, not only when it starts.
type Admins interface {
	// IsGroupAdmin tells whether the account platformUserID administers
	// group. false, nil where the channel cannot tell (Zalo).
	IsGroupAdmin(ctx context.Context, group ChatRef, platformUserID string) (bool, error)
}
