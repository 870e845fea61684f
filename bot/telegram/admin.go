package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/flows"
)

// SetWebhook registers url with the secret Telegram sends back in
// X-Telegram-Bot-Api-Secret-Token. go-telegram-bot-api v5.5.1 predates
// secret_token, so the request is made by hand.
func (b *Bot) SetWebhook(url, secret string) error {
	allowed, _ := json.Marshal(AllowedUpdates)
	_, err := b.api.MakeRequest("setWebhook", tgbotapi.Params{
		"url":             url,
		"secret_token":    secret,
		"allowed_updates": string(allowed),
		"max_connections": "40",
	})
	return redact(err, b.token)
}

// DeleteWebhook unregisters the webhook (needed before long polling).
func (b *Bot) DeleteWebhook() error {
	_, err := b.api.Request(tgbotapi.DeleteWebhookConfig{})
	return redact(err, b.token)
}

// WebhookInfo reports what Telegram has registered.
func (b *Bot) WebhookInfo() (tgbotapi.WebhookInfo, error) {
	info, err := b.api.GetWebhookInfo()
	return info, redact(err, b.token)
}

// SetCommands publishes the command menu in every language, Vietnamese as
// the default for users whose language has none.
func (b *Bot) SetCommands(commands []string) error {
	for i, lang := range b.texts.Langs() {
		var list []tgbotapi.BotCommand
		for _, c := range commands {
			list = append(list, tgbotapi.BotCommand{Command: c, Description: b.texts.Text(lang, flows.M("cmd."+c))})
		}
		cfg := tgbotapi.NewSetMyCommands(list...)
		if i > 0 {
			cfg.LanguageCode = lang
		}
		if _, err := b.api.Request(cfg); err != nil {
			return fmt.Errorf("setMyCommands %s: %w", lang, redact(err, b.token))
		}
	}
	return nil
}

// Poll long-polls getUpdates until ctx ends, handing each update's JSON to
// handle in order. handle returns false to have the update fetched again,
// after a pause that grows while it keeps returning false.
func (b *Bot) Poll(ctx context.Context, handle func(body []byte) bool) error {
	offset, wait := 0, time.Duration(0)
	for ctx.Err() == nil {
		cfg := tgbotapi.NewUpdate(offset)
		cfg.Timeout, cfg.AllowedUpdates = 30, AllowedUpdates
		updates, err := b.api.GetUpdates(cfg)
		if err != nil {
			bot.Pause(ctx, 3*time.Second)
			continue
		}
		for _, u := range updates {
			body, err := json.Marshal(u)
			if err != nil {
				return fmt.Errorf("encode update %s: %w", strconv.Itoa(u.UpdateID), err)
			}
			if !handle(body) {
				wait = min(max(2*wait, 500*time.Millisecond), 30*time.Second)
				bot.Pause(ctx, wait)
				break // fetched again from this offset
			}
			offset, wait = u.UpdateID+1, 0
		}
	}
	return nil
}
