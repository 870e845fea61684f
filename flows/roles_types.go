package flows

import (
	"context"
	"errors"
	"time"
)

// Roles a global moderator grants with /themmod.
const (
	RoleModerator = "moderator"
	RoleHelper    = "helper"
)

// The cap on guessing codes: a code is one of 32^6, and a person may
// type InviteTriesPerDay wrong ones in InviteDay; then none of theirs is
// tried, not even the right one, until the first of those leaves the day.
const (
	InviteTriesPerDay = 5
	InviteDay         = 24 * time.Hour
)

// InviteLimits are the caps stores enforce on using codes.
type InviteLimits struct {
	Window time.Duration
	Tries  int // wrong codes one person types in the window
}

// InviteUse is a code typed by User at At.
type InviteUse struct {
	Code string
	User int64
	At   time.Time
	// Source is the update that typed it: its retry is not counted as
	// another wrong try.
	Source string
	// Linked is the account that typed it when it acts as User (linked):
	// the role goes back to it, not to User's other accounts, if the link
	// is undone.
	Linked ChatRef
}

// InviteBlockedError means the person typed too many wrong codes: none is
// tried until Next.
type InviteBlockedError struct{ Next time.Time }

func (e *InviteBlockedError) Error() string {
	return "invite tries spent until " + e.Next.Format(time.RFC3339)
}

// Invite is a one-time code that grants a role to whoever uses it first.
type Invite struct {
	Code      string // QT-7K2Q9M (moderator) or HT-7K2Q9M (helper)
	Role      string
	CreatedBy int64
	Expires   time.Time
}

// Granted is a role given with /themmod.
type Granted struct {
	UserID int64
	Name   string
	Phone  string // E.164, to be found by (never shown); "" if none given
	Role   string
}

// Errors of using an invite.
var (
	ErrInviteUsed    = errors.New("invite already used")
	ErrInviteExpired = errors.New("invite expired")
	// ErrInviteVoid: whoever made the code no longer moderates, or lost
	// the role after making it (given it back since, or not).
	ErrInviteVoid = errors.New("invite void: its maker no longer moderates")
)

// Invites store the codes of /themmod and the roles they grant.
type Invites interface {
	// CreateInvite stores a fresh code for inv (Code is set), made by
	// source. Run again by that source, the invite it made gets the fresh
	// code instead: the first was never shown (the run that made it was
	// lost, its reply with it), and nobody can use it any more.
	CreateInvite(ctx context.Context, inv *Invite, source string) error
	// UseInvite grants the code's role to u.User, once, and queues the
	// notices made from the invite in the same transaction, provided its
	// maker still moderates (any account of theirs, granted or listed in
	// MODERATORS). ErrNotFound: no such code (a wrong try, counted);
	// ErrInviteUsed (by someone else: used by u.User, who holds its role,
	// it is done, no error), ErrInviteVoid, ErrInviteExpired; a
	// *InviteBlockedError once lim.Tries wrong codes were typed in the
	// window (this one included, or before: then it is not tried).
	UseInvite(ctx context.Context, u InviteUse, lim InviteLimits, notices func(Invite) []Reply) (Invite, error)
	// GrantedRoles lists the page q asks of the roles given with
	// /themmod, moderators first, then by when they were given.
	GrantedRoles(ctx context.Context, q PeopleQuery) ([]Granted, PeopleFound, error)
	// GrantedRole is a role given with /themmod to userID (ErrNotFound:
	// not held).
	GrantedRole(ctx context.Context, userID int64, role string) (Granted, error)
	// Revoke takes a granted role back, for source, with notices (ErrStale:
	// it was not held; run again by the source that took it back, nil).
	// Taking back the moderator role voids the codes the person made that
	// nobody used yet.
	Revoke(ctx context.Context, userID int64, role, source string, notices ...Reply) error
}
