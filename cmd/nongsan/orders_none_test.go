package main

import (
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// /don before any order: a farmer with a listing on sale, and a helper
// who posted for a farmer, hear that nobody has ordered yet and that the
// bot will tell them; someone who never sold is told how to buy.
func TestOrdersBeforeTheFirstOrderSpeakToSellersAsSellers(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	const farmer, helper, shopper = int64(7601), int64(7602), int64(7603)
	env["MODERATORS"] = "telegram:" + itoa(helper)
	b := startBot(t, tg, env)
	b.markets()

	b.Say(shopper, "/don")
	b.expect(shopper, "orders.none")

	b.register(farmer)
	b.Say(farmer, "huỷ")
	b.Say(farmer, "/don")
	b.expect(farmer, "orders.none") // nothing on sale yet: how to buy
	b.listing(farmer, "500 kg", "25k")
	b.Say(farmer, "/don")
	said := b.expect(farmer, "orders.none_selling")
	if strings.Contains(said.Text, "mua NS-7K2Q") || !strings.Contains(said.Text, "/tin") {
		t.Errorf("a farmer on sale without orders was told %q", said.Text)
	}

	b.registerMai(helper)
	b.publish(helper) // for Mai
	b.Say(helper, "/don")
	b.expect(helper, "orders.none_selling")

}
