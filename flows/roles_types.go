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
	// CreateInvite stores a fresh code for inv (Code is set).
	CreateInvite(ctx context.Context, inv *Invite) error
	// UseInvite grants the code's role to userID, once, and queues the
	// notices made from the invite in the same transaction, provided its
	// maker still moderates (any account of theirs, granted or listed in
	// MODERATORS). ErrNotFound: no such code; ErrInviteUsed, ErrInviteVoid,
	// ErrInviteExpired.
	UseInvite(ctx context.Context, code string, userID int64, now time.Time, notices func(Invite) []Reply) (Invite, error)
	// GrantedRoles lists every role given with /themmod.
	GrantedRoles(ctx context.Context) ([]Granted, error)
	// Revoke takes a granted role back, with notices (ErrStale: it was not
	// held). Taking back the moderator role voids the codes the person
	// made that nobody used yet.
	Revoke(ctx context.Context, userID int64, role string, notices ...Reply) error
}
