// Package bot is the runtime around the flows: it takes updates from the
// channels' webhooks, handles each under its chat's lock, keeps state in
// Redis, and delivers replies through the channel adapters.
package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
)

// Channel is a chat platform as the engine and the server use it: replies
// in (rendered for the platform), updates out, and its own HTTP routes.
// Render makes one from an Adapter.
type Channel interface {
	Name() flows.Channel
	// Parse reads a webhook body. ok is false for updates the bot ignores;
	// err means the body is not an update at all.
	Parse(body []byte) (in flows.Input, ok bool, err error)
	// Send renders and sends one reply. Errors are *RetryAfterError,
	// *UndeliverableError or, for anything worth retrying, any other error.
	Send(ctx context.Context, r flows.Reply) (flows.Sent, error)
	// Ack acknowledges an input where the platform expects it (a pressed
	// button stops spinning).
	Ack(ctx context.Context, in flows.Input) error
	// Mount adds the channel's routes to mux; webhook makes the handler of
	// a webhook whose secret comes in header.
	Mount(mux *http.ServeMux, webhook func(header, secret string) http.Handler)
}

// Channels is the one registry of channels, by name: the engine sends
// through them and the server mounts their routes.
type Channels map[flows.Channel]Channel

// Add registers a channel.
func (cs Channels) Add(c Channel) { cs[c.Name()] = c }

// CanPin tells whether the bot can pin its messages in groups of channel
// (Telegram can, Zalo cannot): a broadcast offers 📌 only where it can.
func (cs Channels) CanPin(channel flows.Channel) bool {
	if r, ok := cs[channel].(*Rendered); ok {
		_, ok := r.Adapter.(Pinner)
		return ok
	}
	_, ok := cs[channel].(Pinner)
	return ok
}

// AdminLister is a channel that can tell who administers a group, so that
// group commands such as /dangky are authorised on the server. GroupAdmins
// caches its answers.
type AdminLister interface {
	Admins(ctx context.Context, chatID string) ([]string, error)
}

// Typer is a channel that can show "typing…" in a chat, which the engine
// does while a slow update is handled.
type Typer interface {
	Typing(ctx context.Context, chatID string) error
}

// Pinner is a channel that can pin a message the bot sent in a group.
type Pinner interface {
	Pin(ctx context.Context, chat flows.ChatRef, messageID string) error
}

// Holder is a channel whose routes hold requests open (event streams):
// Shutdown ends them.
type Holder interface {
	Shutdown()
}

// RetryAfterError is the platform asking us to slow down.
type RetryAfterError struct {
	After time.Duration
	// Unsaid: the platform did not say for how long (Zalo's 429, "quota
	// exceeded", per second or per day): After is only the least wait. The
	// whole channel then waits, longer each time it refuses again (the
	// engine's quota hold).
	Unsaid bool
	// Unauthorized: the platform refused the bot's token (Zalo's 401, a
	// token reset in Bot Creator), not the message: the whole channel waits
	// as for a quota, and an alert metric says so until a send goes through.
	Unauthorized bool
	// Reason is what the platform said, for the logs.
	Reason string
}

func (e *RetryAfterError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("rate limited (%s): retry after %s", e.Reason, e.After)
	}
	return fmt.Sprintf("rate limited: retry after %s", e.After)
}

// UndeliverableError is a reply the platform will never accept: the user
// blocked the bot, the chat is gone, or the message is malformed.
type UndeliverableError struct {
	Reason string
	// Gone: the chat is lost to the bot (removed from the group, blocked,
	// the chat deleted), not only this message refused.
	Gone bool
	// MovedTo is the chat's new id on the same platform, when it lives on
	// under it (a Telegram group upgraded to a supergroup): the message
	// goes there instead.
	MovedTo string
}

func (e *UndeliverableError) Error() string { return "undeliverable: " + e.Reason }

// IsUndeliverable tells whether err is an *UndeliverableError.
func IsUndeliverable(err error) bool {
	var u *UndeliverableError
	return errors.As(err, &u)
}

// Moved tells the new id of a chat that a refused send says moved.
func Moved(err error) (to string, ok bool) {
	var u *UndeliverableError
	if errors.As(err, &u) && u.MovedTo != "" {
		return u.MovedTo, true
	}
	return "", false
}

// IsGone tells whether err says the chat is lost to the bot.
func IsGone(err error) bool {
	var u *UndeliverableError
	return errors.As(err, &u) && u.Gone
}

// JoinTeller is an adapter that says whether its platform tells the bot it
// was added to a group. Telegram does (my_chat_member), and the flows
// greet the group then; Zalo sends no such event, so the engine records a
// group at its first update and greets it there (flows.Input.NewGroup).
type JoinTeller interface {
	TellsJoins() bool
}

// TellsJoins tells whether ch's platform says when the bot is added to a
// group: yes unless its adapter says otherwise.
func TellsJoins(ch Channel) bool {
	var a any = ch
	if r, ok := ch.(*Rendered); ok {
		a = r.Adapter
	}
	if t, ok := a.(JoinTeller); ok {
		return t.TellsJoins()
	}
	return true
}
