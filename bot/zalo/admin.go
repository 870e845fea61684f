package zalo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/nongsan-bot/nongsan/bot"
)

// ValidSecret tells whether setWebhook takes secret: 8 to 256 characters.
func ValidSecret(secret string) bool {
	n := utf8.RuneCountInString(secret)
	return n >= 8 && n <= 256
}

// WebhookInfo is what Zalo has registered; UpdatedAt is in milliseconds.
type WebhookInfo struct {
	URL       string `json:"url"`
	UpdatedAt int64  `json:"updated_at"`
	// Verification is how Zalo's test request went, when the webhook was
	// saved (setWebhook's answer only; nil where Zalo gave none).
	Verification *Verification `json:"verification,omitempty"`
}

// Verification is the outcome of the request Zalo sends to a webhook
// when it is saved: Outcome such as "webhook.ok", "webhook.http.403",
// "webhook.err.tls", and a Hint in English on what to fix.
type Verification struct {
	OK      bool   `json:"ok"`
	URL     string `json:"url,omitempty"`
	Outcome string `json:"outcome,omitempty"`
	Hint    string `json:"hint,omitempty"`
}

// SetWebhook registers url with the secret Zalo sends back in
// X-Bot-Api-Secret-Token, and returns how Zalo's test request to it went
// (nil: Zalo said nothing of one). A webhook that failed the test is
// registered all the same: the caller says so.
func (b *Bot) SetWebhook(ctx context.Context, url, secret string) (*Verification, error) {
	if !ValidSecret(secret) {
		return nil, errors.New("the Zalo webhook secret must be 8 to 256 characters")
	}
	var info WebhookInfo
	if err := b.call(ctx, "setWebhook", map[string]string{"url": url, "secret_token": secret}, &info); err != nil {
		return nil, err
	}
	return info.Verification, nil
}

// DeleteWebhook unregisters the webhook (getUpdates works only without one).
func (b *Bot) DeleteWebhook(ctx context.Context) error {
	return b.call(ctx, "deleteWebhook", struct{}{}, nil)
}

// WebhookInfo reports what Zalo has registered.
func (b *Bot) WebhookInfo(ctx context.Context) (WebhookInfo, error) {
	var info WebhookInfo
	err := b.call(ctx, "getWebhookInfo", struct{}{}, &info)
	return info, err
}

// pollTimeout is how long one getUpdates waits for an event; the client's
// own timeout must be longer.
const pollTimeout = "30"

// Poll long-polls getUpdates until ctx ends, handing each event's JSON to
// handle in order. Zalo keeps no offset, so an event that handle refuses
// (false) cannot be fetched again: it is handed again after a pause.
func (b *Bot) Poll(ctx context.Context, handle func(body []byte) bool) error {
	for ctx.Err() == nil {
		var result json.RawMessage
		err := b.call(ctx, "getUpdates", map[string]string{"timeout": pollTimeout}, &result)
		var apiErr *APIError
		switch {
		case errors.As(err, &apiErr) && apiErr.Code == http.StatusRequestTimeout:
			continue // nothing new
		case err != nil:
			if ctx.Err() == nil {
				b.Log.Warn().Err(err).Msg("zalo getUpdates")
			}
			bot.Pause(ctx, 3*time.Second)
			continue
		}
		events, err := splitEvents(result)
		if err != nil {
			b.Log.Warn().Err(err).Msg("zalo getUpdates answer")
			continue
		}
		for _, ev := range events {
			for wait := 500 * time.Millisecond; !handle(ev) && ctx.Err() == nil; wait = min(2*wait, 30*time.Second) {
				bot.Pause(ctx, wait)
			}
		}
	}
	return nil
}

// splitEvents reads getUpdates' result: one event, as documented, or an
// array of them, or nothing.
func splitEvents(result json.RawMessage) ([]json.RawMessage, error) {
	switch {
	case len(result) == 0 || string(result) == "null":
		return nil, nil
	case result[0] == '[':
		var events []json.RawMessage
		if err := json.Unmarshal(result, &events); err != nil {
			return nil, fmt.Errorf("decode events: %w", err)
		}
		return events, nil
	}
	return []json.RawMessage{result}, nil
}
