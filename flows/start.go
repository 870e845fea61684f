package flows

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"time"
)

// Deps are what the flows need from the outside.
type Deps struct {
	Users    Users
	Chats    Chats
	Sellers  Sellers
	Listings Listings
	Markets  Markets
	// Broadcasts: moderators' announcements (nil: none in this app).
	Broadcasts Broadcasts
	// Admins: who administers a group, from the platform (nil: nobody).
	Admins Admins
	// Pins tells whether the bot can pin its message in the groups of a
	// channel (nil: nowhere): a broadcast offers 📌 only for those.
	Pins      func(Channel) bool
	Roles     Roles
	UserChats UserChats
	Orders    Orders
	Links     Links
	// Invites: the codes of /themmod (nil: no roles are granted here).
	Invites  Invites
	Catalogs Catalogs
	Texts    Texts
	Now      func() time.Time
	TTL      time.Duration // abandoned conversations expire after it
	// OrderTimeout cancels an order the farmer has not answered.
	OrderTimeout time.Duration
	// AnnounceDelay holds group announcements back so that a burst of orders
	// becomes one message: Telegram allows about 20 a minute in a group.
	AnnounceDelay time.Duration
	// Figures and Downloads: the province's figures and their file's
	// link, for channels that cannot send files.
	Figures   FiguresStore
	Downloads Downloads
	// Limits bound what one person may do at once, against abuse.
	Limits Limits
	// Held releases the notices held for the morning (nil: none are held,
	// every notice goes at once).
	Held HeldNotices
	// Follows: buyers following a product (nil: none in this app).
	Follows Follows
	// FollowSent counts a follow notice sent, by kind (listing, digest);
	// nil: not counted.
	FollowSent func(kind string)
	// Prices: the market's recent prices, for hints (nil: no hints).
	Prices Prices
	// RenewHours: the hours of the day the bot writes unprompted: asks a
	// farmer whether to sell a listing ending tomorrow another week,
	// reminds her of an order not answered, tells followers of new
	// listings (zero: DefaultRenewHours).
	RenewHours Hours
	// PagesURL is where the web pages are (PUBLIC_BASE_URL, with the
	// sandbox's base): listings' pages and farmers' stores are linked from
	// the chat. "" links none.
	PagesURL string
}

// listingPage is a listing's page on the web, "" without pages.
func (d Deps) listingPage(code string) string {
	if d.PagesURL == "" {
		return ""
	}
	return d.PagesURL + "/cho/" + code
}

// marketPage is the market's page on the web showing the listings of the
// notices, filtered by their product and area when they share one; ""
// without pages or notices.
func (d Deps) marketPage(notices []FollowNotice) string {
	if d.PagesURL == "" || len(notices) == 0 {
		return ""
	}
	key, area := notices[0].Listing.ProductKey, notices[0].Listing.Seller.Area
	for _, n := range notices[1:] {
		if n.Listing.ProductKey != key {
			key = ""
		}
		if n.Listing.Seller.Area != area {
			area = ""
		}
	}
	v := url.Values{}
	if key != "" {
		v.Set("sp", key)
	}
	if area != "" {
		v.Set("vung", area)
	}
	if len(v) == 0 {
		return d.PagesURL + "/cho"
	}
	return d.PagesURL + "/cho?" + v.Encode()
}

// storePage is a farmer's store on the web, "" without pages or a slug.
func (d Deps) storePage(slug string) string {
	if d.PagesURL == "" || slug == "" {
		return ""
	}
	return d.PagesURL + "/cua-hang/" + slug
}

// Commands are published in Telegram's command menu, in this order; each
// has a description "cmd.<name>" in locales.
var Commands = []string{"start", "ban", "tin", "don", "theodoi", "hoso", "help", "ngonngu", "huy"}

// NewRouter wires every flow with its commands and entry words.
func NewRouter(d Deps) *Router {
	return &Router{
		Flows: []*Flow{startFlow(), helpFlow(), languageFlow(d.Users), sellFlow(d), resumeFlow(), profileFlow(d), mineFlow(d),
			orderFlow(d), ordersFlow(d), broadcastFlow(d), broadcastStopFlow(d), moderateFlow(d), unbanFlow(d),
			themmodFlow(d), xoamodFlow(d), inviteFlow(d), figuresFlow(d), followFlow(d), unfollowFlow(d), unlinkFlow(d), profileChangeFlow(d),
			farmersFlow(d)},
		Commands: map[string]FlowName{
			"start":    "start",
			"ngonngu":  "language",
			"ban":      "sell",
			"hoso":     "profile",
			"tin":      "mine",
			"don":      "orders",
			"thongbao": "broadcast",
			"gotin":    "moderate",
			"chan":     "moderate",
			"bochan":   "unban",
			"bonoi":    "unlink",
			"themmod":  "themmod",
			"xoamod":   "xoamod",
			"nhavuon":  "farmers",
			"thongke":  "figures",
			"theodoi":  "follow",
			"bothedoi": "unfollow",
		},
		Entries: map[string]FlowName{
			"menu:sell":    "sell",
			"menu:profile": "profile",
			"menu:mine":    "mine",
			"menu:orders":  "orders",
			"don hang":     "orders",
			"ord:":         "orders",         // accept:42, ship:42… from notifications
			"buy:":         "order",          // NS-7K2Q from a list of similar listings
			"mine:":        "mine",           // renew:42, close:42 from the renewal question
			"bc:":          "broadcast_stop", // stop:12 from a broadcast's progress
			"follow:":      "follow",         // NS-7K2Q: a listing's 🔔 button
			"unf:":         "unfollow",       // 12: a follow picked to remove
			"bnk:":         "profilechange",  // ok:<token>: a profile change held for the farmer's word
			"tin cua toi":  "mine",
			"sell":         "sell",
			"my listings":  "mine",
			"orders":       "orders",
			"profile":      "profile",
			"mua":          "order", // asks for the listing's code
			"dang ban":     "sell",
			"ban hang":     "sell",
			"ban":          "sell",
			"ho so":        "profile",
			"menu:help":    "help",
			"menu:lang":    "language",
			"ngon ngu":     "language",
			"language":     "language",
			"bat dau":      "start",
			"menu":         "start",
			"xin chao":     "start",
			"chao":         "start",
			"hello":        "start",
			"thong ke":     "figures",
		},
		Texts: d.Texts,
		Deps:  d,
		TTL:   d.TTL,
		Now:   d.Now,
	}
}

// MainMenu is what the bot can do, as choices.
func MainMenu() [][]Choice {
	return [][]Choice{
		{{Label: M("menu.sell"), Value: "menu:sell"}, {Label: M("menu.mine"), Value: "menu:mine", Words: []string{"tin cua toi", "my listings"}}},
		{{Label: M("menu.orders"), Value: "menu:orders"}, {Label: M("menu.profile"), Value: "menu:profile"}},
		{{Label: M("menu.help"), Value: "menu:help"}},
		{{Label: M("menu.lang"), Value: "menu:lang"}},
	}
}

// mainMenu shows what the bot can do, all of it: after /start, "menu", a
// cancel with nothing to cancel, or an answer not understood between tasks.
// Someone who has only bought reads how to order and where her orders
// are, not how to sell.
func mainMenu(c *Conv) {
	title := M("menu.title")
	if c.onlyBuys != nil && c.User != nil && !c.User.Created { // new: nothing bought yet
		switch buys, err := c.onlyBuys(); {
		case err != nil:
			c.Fail(err)
		case buys:
			title = M("menu.buyer_title")
		}
	}
	c.Ask(title, MainMenu()...)
	c.menuAt = len(c.replies)
}

// taskDone ends a task in one message: the last one said in the user's
// chat also shows where the main menu is (a keyboard that stays, or a
// one-line hint). With nothing said, the whole menu.
func taskDone(c *Conv) {
	i := c.lastHere()
	switch {
	case i < 0:
		mainMenu(c)
	case c.menuAt != i+1:
		c.replies[i].Menu = true
	}
}

// undoTaskDone takes back what taskDone added, when a task set aside goes on.
func undoTaskDone(c *Conv) {
	i := c.lastHere()
	switch {
	case i < 0:
	case c.menuAt == i+1:
		c.replies, c.offered, c.menuAt = slices.Delete(c.replies, i, i+1), nil, 0
	default:
		c.replies[i].Menu = false
	}
}

// startFlow greets and shows the whole menu.
func startFlow() *Flow {
	return &Flow{Name: "start", Start: func(_ context.Context, c *Conv, _ Input) (Step, error) {
		if c.User.Created {
			c.Say(M("start.welcome", "Name", c.User.Name))
		} else {
			c.Say(M("start.again", "Name", c.User.Name))
		}
		mainMenu(c)
		return Done, nil
	}}
}

func helpFlow() *Flow {
	return &Flow{Name: "help", Start: func(_ context.Context, c *Conv, _ Input) (Step, error) {
		c.Say(M("help.text"))
		return Done, nil
	}}
}

const stepLangPick Step = "pick"

// languageFlow lets the user choose between Vietnamese and English.
func languageFlow(users Users) *Flow {
	return &Flow{
		Name: "language",
		Start: func(context.Context, *Conv, Input) (Step, error) {
			return stepLangPick, nil
		},
		Steps: map[Step]StepDef{
			stepLangPick: {
				Prompt: func(c *Conv) {
					c.Ask(M("lang.ask"),
						[]Choice{{Label: M("lang.vi"), Value: "lang:vi", Words: []string{"viet", "vi", "tieng viet"}}},
						[]Choice{{Label: M("lang.en"), Value: "lang:en", Words: []string{"en", "anh", "tieng anh"}}},
					)
				},
				Handle: func(ctx context.Context, c *Conv, in Input) (Step, error) {
					lang, ok := map[string]string{"lang:vi": "vi", "lang:en": "en"}[in.Text]
					if in.Kind != KindChoice || !ok {
						return Unclear, nil
					}
					if err := users.SetLang(ctx, c.User.ID, lang); err != nil {
						return "", fmt.Errorf("set language: %w", err)
					}
					c.User.Lang, c.Lang = lang, lang
					c.Say(M("lang.done"))
					return Done, nil
				},
			},
		},
	}
}
