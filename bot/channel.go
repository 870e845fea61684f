// Package bot is the runtime around the flows: it takes updates from the
// channels' webhooks, handles each under its chat's lock, keeps state in
// Redis, and delivers replies through the channel adapters.
package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
)

// Channel is a chat platform's adapter: it translates between the platform
// and the neutral flows types, and holds no business rules.
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
}

// AdminChecker is a channel that can tell who administers a group, so that
// group commands such as /dangky are authorised on the server.
type AdminChecker interface {
	IsAdmin(ctx context.Context, chatID, userID string) (bool, error)
}

// RetryAfterError is the platform asking us to slow down.
type RetryAfterError struct {
	After time.Duration
}

func (e *RetryAfterError) Error() string { return fmt.Sprintf("rate limited: retry after %s", e.After) }

// UndeliverableError is a reply the platform will never accept: the user
// blocked the bot, the chat is gone, or the message is malformed.
type UndeliverableError struct {
	Reason string
}

func (e *UndeliverableError) Error() string { return "undeliverable: " + e.Reason }

// IsUndeliverable tells whether err is an *UndeliverableError.
func IsUndeliverable(err error) bool {
	var u *UndeliverableError
	return errors.As(err, &u)
}
