package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Buyers follow a product (/theodoi na Chi Lăng, "theo dõi na", "theo dõi
// NS-7K2Q") and hear privately of each new listing of it; /bothedoi or
// "bỏ theo dõi na" stops that. The 🔔 button's entries (td_ links,
// "follow:" values) are read here, but no post shows the button yet.

// followPrefix starts the deep link's payload of a listing's 🔔 button
// (not shown on posts yet).
const followPrefix = "td_"

// followTyped tells whether in asks to follow (or, unfollow, to stop
// following), and what: the words after the command or the typed verb.
func followTyped(in Input) (what string, unfollow, ok bool) {
	switch {
	case in.Command == "theodoi":
		return strings.TrimSpace(in.Arg), false, true
	case in.Command == "bothedoi":
		return strings.TrimSpace(in.Arg), true, true
	case in.Command == "start" && strings.HasPrefix(in.Arg, followPrefix):
		return strings.TrimPrefix(in.Arg, followPrefix), false, true
	case in.Kind == KindChoice && strings.HasPrefix(in.Text, "follow:"):
		return strings.TrimPrefix(in.Text, "follow:"), false, true
	case in.Kind != KindText || in.Command != "":
		return "", false, false
	}
	text := strings.TrimSpace(stripEmoji(in.Text))
	words := strings.Fields(text)
	// The verbs (wordUnfollow, wordFollow: "bỏ theo dõi", "theo dõi") are
	// of three words at most; the unfollow read first.
	for n := min(3, len(words)); n > 0; n-- {
		verb := vn.Fold(strings.Join(words[:n], " "))
		for _, m := range []wordMeaning{wordUnfollow, wordFollow} {
			if lexicon.is(verb, m) {
				return strings.Join(words[n:], " "), m == wordUnfollow, true
			}
		}
	}
	return "", false, false
}

type follow struct{ deps Deps }

func followFlow(d Deps) *Flow {
	f := &follow{deps: d}
	return &Flow{Name: "follow", Start: f.start, Steps: map[Step]StepDef{}}
}

func unfollowFlow(d Deps) *Flow {
	f := &follow{deps: d}
	return &Flow{Name: "unfollow", Start: f.startUnfollow, Steps: map[Step]StepDef{}}
}

// maxFollowName bounds a product typed freely.
const maxFollowName = 60

// MaxFollows bounds the follows of one person: each is a notice for every
// listing it matches, and /bothedoi shows one button each.
const MaxFollows = 20

// followFillers are words around the product in a typed follow that name
// no product ("theo dõi giúp em tin bán quýt nhé"), folded: kept, they made
// a product no listing is ever called.
var (
	followLeads = [][]string{{"giup", "em"}, {"giup", "toi"}, {"giup", "minh"}, {"giup"}, {"cho", "em"}, {"cho", "toi"},
		{"cho", "minh"}, {"tin", "ban"}, {"tin"}, {"gia"}, {"mat", "hang"}, {"hang"}, {"san", "pham"}}
	followTails = [][]string{{"giup", "em"}, {"giup", "toi"}, {"giup", "minh"}, {"giup"}, {"voi"}, {"nhe"}, {"nha"}, {"a"}, {"di"}, {"nhe", "em"}, {"em", "nhe"}, {"em", "oi"}}
)

// followWhat is what a typed follow names, without the fillers around it;
// "" when nothing is left.
func followWhat(what string) string {
	words := strings.Fields(what)
	folded := make([]string, len(words))
	for i, w := range words {
		folded[i] = vn.Fold(strings.Trim(w, ".,!?:;"))
	}
	from, to := 0, len(words)
	for moved := true; moved; {
		moved = false
		for _, l := range followLeads {
			if to-from >= len(l) && slices.Equal(folded[from:from+len(l)], l) {
				from, moved = from+len(l), true
				break
			}
		}
	}
	for moved := true; moved; {
		moved = false
		for _, l := range followTails {
			if to-from >= len(l) && slices.Equal(folded[to-len(l):to], l) {
				to, moved = to-len(l), true
				break
			}
		}
	}
	return strings.Trim(strings.Join(words[from:to], " "), ".,!?:; ")
}

func (f *follow) start(ctx context.Context, c *Conv, in Input) (Step, error) {
	if f.deps.Follows == nil || c.User == nil {
		c.Say(M("follow.unavailable"))
		return Done, nil
	}
	typed, _, _ := followTyped(in)
	if typed == "" {
		return Done, f.list(ctx, c)
	}
	what := followWhat(typed)
	if what == "" { // "theo dõi giúp em với"
		c.Say(M("follow.how"))
		return Done, nil
	}
	fl, ok, err := f.read(ctx, c, what)
	if err != nil || !ok {
		return Done, err
	}
	fl.UserID = c.User.ID
	follows, err := f.deps.Follows.FollowsOf(ctx, c.User.ID)
	if err != nil {
		return "", err
	}
	if len(follows) >= MaxFollows && !f.has(follows, fl) {
		c.Say(M("follow.full", "Max", MaxFollows))
		return Done, nil
	}
	_, created, err := f.deps.Follows.Follow(ctx, fl)
	if err != nil {
		return "", err
	}
	where := c.F().Area(fl.Area)
	switch {
	case !created:
		c.Say(M("follow.already", "Product", fl.Product, "Area", where, "Anywhere", fl.Area == ""))
	default:
		c.Say(M("follow.done", "Product", fl.Product, "Area", where, "Anywhere", fl.Area == ""))
	}
	return Done, nil
}

// has tells whether follows holds fl already: following it again is no
// new follow.
func (f *follow) has(follows []Follow, fl Follow) bool {
	for _, o := range follows {
		if o.ProductKey == fl.ProductKey && o.Area == fl.Area && (fl.ProductKey != "" || vn.Fold(o.Product) == vn.Fold(fl.Product)) {
			return true
		}
	}
	return false
}

// read makes a follow of what was typed: a listing's code follows its
// product in its seller's area; else a product (the catalog's, or any name)
// and an area if one is named.
func (f *follow) read(ctx context.Context, c *Conv, what string) (Follow, bool, error) {
	if m := codePattern.FindStringSubmatch(what); m != nil && len(strings.Fields(what)) == 1 {
		code := "NS-" + strings.ToUpper(m[1])
		l, err := f.deps.Orders.ListingByCode(ctx, code)
		if errors.Is(err, ErrNotFound) {
			c.Say(M("typed.unknown_listing", "Code", code))
			return Follow{}, false, nil
		}
		if err != nil {
			return Follow{}, false, fmt.Errorf("listing %s: %w", code, err)
		}
		return Follow{ProductKey: l.ProductKey, Product: l.Product, Area: l.Seller.Area}, true, nil
	}
	tags, rest := areasIn(c, what)
	area := ""
	if len(tags) > 0 {
		area = tags[0]
	}
	if p, ok := f.deps.Catalogs.Products.Match(what); ok && rest == "" || ok && p.Area != "" {
		return Follow{ProductKey: p.Key, Product: p.Name, Area: area}, true, nil // "na Chi Lăng" is the catalog's own name
	}
	if p, ok := f.deps.Catalogs.Products.Match(rest); ok {
		return Follow{ProductKey: p.Key, Product: p.Name, Area: area}, true, nil
	}
	rest = strings.TrimSpace(rest)
	if utf8.RuneCountInString(rest) < 2 || utf8.RuneCountInString(rest) > maxFollowName || withPhone(Input{Kind: KindText, Text: rest}) {
		c.Say(M("follow.how"))
		return Follow{}, false, nil
	}
	return Follow{Product: rest, Area: area}, true, nil
}

// list shows the user's follows and how to add one.
func (f *follow) list(ctx context.Context, c *Conv) error {
	follows, err := f.deps.Follows.FollowsOf(ctx, c.User.ID)
	if err != nil {
		return err
	}
	if len(follows) == 0 {
		c.Say(M("follow.none"))
		return nil
	}
	c.Say(M("follow.list", "Count", len(follows), "List", f.lines(c, follows)))
	return nil
}

func (f *follow) lines(c *Conv, follows []Follow) string {
	var b strings.Builder
	for _, fl := range follows {
		b.WriteString("\n• " + c.T(f.label(c, fl)))
	}
	return b.String()
}

func (f *follow) label(c *Conv, fl Follow) Msg {
	return M("follow.item", "Product", fl.Product, "Area", c.F().Area(fl.Area), "Anywhere", fl.Area == "")
}

// startUnfollow removes the follow picked or named; else lists them to pick.
func (f *follow) startUnfollow(ctx context.Context, c *Conv, in Input) (Step, error) {
	if f.deps.Follows == nil || c.User == nil {
		c.Say(M("follow.unavailable"))
		return Done, nil
	}
	follows, err := f.deps.Follows.FollowsOf(ctx, c.User.ID)
	if err != nil {
		return "", err
	}
	if len(follows) == 0 {
		c.Say(M("follow.none"))
		return Done, nil
	}
	var picked []Follow
	if id, ok := strings.CutPrefix(in.Text, "unf:"); ok && in.Kind == KindChoice {
		n, _ := strconv.ParseInt(id, 10, 64)
		for _, fl := range follows {
			if fl.ID == n {
				picked = append(picked, fl)
			}
		}
	} else if what, _, _ := followTyped(in); what != "" {
		picked = f.named(c, follows, what)
	}
	if len(picked) == 1 {
		if _, err := f.deps.Follows.Unfollow(ctx, c.User.ID, picked[0].ID); err != nil {
			return "", err
		}
		c.Say(M("follow.removed", "Product", picked[0].Product, "Area", c.F().Area(picked[0].Area), "Anywhere", picked[0].Area == ""))
		return Done, nil
	}
	var rows [][]Choice
	for _, fl := range follows {
		rows = append(rows, []Choice{{Label: f.label(c, fl), Value: "unf:" + strconv.FormatInt(fl.ID, 10)}})
	}
	c.Ask(M("follow.pick_remove", "Count", len(follows)), rows...)
	return Done, nil
}

// named are the follows whose product (and area, if one is named) what
// names.
func (f *follow) named(c *Conv, follows []Follow, what string) []Follow {
	tags, rest := areasIn(c, what)
	key := ""
	if p, ok := f.deps.Catalogs.Products.Match(rest); ok {
		key = p.Key
	} else if p, ok := f.deps.Catalogs.Products.Match(what); ok {
		key = p.Key
	}
	var out []Follow
	for _, fl := range follows {
		same := key != "" && fl.ProductKey == key || key == "" && vn.Fold(fl.Product) == vn.Fold(rest)
		if same && (len(tags) == 0 || fl.Area == tags[0]) {
			out = append(out, fl)
		}
	}
	return out
}

// followBatch bounds the notices one transaction hands over, and
// followBatches the transactions of one tick: a product with thousands of
// followers is told within a tick or two, not one batch a minute.
const (
	followBatch   = 200
	followBatches = 25
)

// followTick sends new listings' notices to their followers, up to the
// daily cap each, in the waking hours (RENEWAL_HOURS, as every message the
// bot sends unprompted: a listing published at 23:30 must not buzz a
// buyer's phone at night). The rest, over the cap or come at night, wait
// for the morning's digest, sent when the waking hours begin.
func (r *Router) followTick(ctx context.Context, now time.Time) error {
	if r.Deps.Follows == nil {
		return nil
	}
	h := r.wakingHours()
	awake := h.awake(now)
	if awake {
		// First the list of what came since yesterday, then the day's own.
		if _, err := r.Deps.Follows.DeliverDigests(ctx, h.opens(now), func(held []FollowNotice) []Reply {
			r.Deps.countFollow("digest")
			return r.followDigest(held)
		}); err != nil {
			return err
		}
	}
	day := vn.Today(now)
	capPerDay := r.Deps.Limits.FollowsPerDay
	for range followBatches {
		n, err := r.Deps.Follows.DeliverFollows(ctx, followBatch, day, func(n FollowNotice, today int) []Reply {
			if !awake || capPerDay > 0 && today >= capPerDay {
				return nil // held for the morning
			}
			r.Deps.countFollow("listing")
			return r.followNotice(n)
		})
		if err != nil {
			return err
		}
		if n < followBatch {
			break
		}
	}
	return nil
}

// followNotice is a new listing as its follower sees it: a line saying
// why, then the listing with its photos and order button.
func (r *Router) followNotice(n FollowNotice) []Reply {
	lang := n.Lang
	if lang == "" {
		lang = GroupLang
	}
	f := Format{Texts: r.Texts, Lang: lang, Products: r.Deps.Catalogs.Products}
	l := n.Listing
	intro := Reply{To: n.To, Lang: lang, Text: M("follow.new_listing", "Product", l.Product, "Area", f.Area(l.Seller.Area))}
	post := postReply(f, l, n.To, r.Deps.listingPage(l.Code))
	post.Choices = post.Choices[:min(len(post.Choices), 1)] // the order button; 🔔 they follow already
	return []Reply{intro, post}
}

// digestShown bounds the listings a digest names, each with its order
// button: in the season a follower of na may have a hundred waiting, and
// Telegram refuses a message with that many buttons (it is then lost).
// The newest are named; the others are counted, with where to see them.
const digestShown = 10

// followDigest lists the held notices in one message, the newest first,
// each to order by button or by typing "mua NS-…"; beyond digestShown,
// how many more and the market's page to see them.
func (r *Router) followDigest(held []FollowNotice) []Reply {
	if len(held) == 0 {
		return nil
	}
	to, lang := held[0].To, held[0].Lang
	if lang == "" {
		lang = GroupLang
	}
	f := Format{Texts: r.Texts, Lang: lang, Products: r.Deps.Catalogs.Products}
	var b strings.Builder
	var rows [][]Choice
	shown := held[max(0, len(held)-digestShown):] // oldest first, as stored
	for i := len(shown) - 1; i >= 0; i-- {
		l := shown[i].Listing
		b.WriteString("\n" + r.Texts.Text(lang, M("follow.digest_item", "Product", l.Product, "Code", l.Code,
			"Quantity", f.Stock(vn.Quantity{Milli: l.Remaining, Unit: l.Quantity.Unit}, l.ProductKey), "Price", f.Price(l.Price),
			"Area", f.Area(l.Seller.Area))))
		rows = append(rows, []Choice{{Label: M("follow.digest_order", "Code", l.Code), Value: "buy:" + l.Code}})
	}
	rest := held[:len(held)-len(shown)]
	return []Reply{{To: to, Lang: lang, Text: M("follow.digest", "Count", len(held), "List", b.String(),
		"Shown", len(shown), "More", len(rest), "Page", r.Deps.marketPage(rest)), Choices: rows}}
}

// countFollow counts a follow notice sent, by kind (listing, digest).
func (d Deps) countFollow(kind string) {
	if d.FollowSent != nil {
		d.FollowSent(kind)
	}
}

// ChatGone forgets the follows of the user of a chat lost for good (they
// blocked the bot), unless another of their accounts can still be reached:
// nothing more can reach them there. A group lost so (the bot removed,
// learnt from a refused post where no event says it) gets no more posts.
func (r *Router) ChatGone(ctx context.Context, chat ChatRef) error {
	if r.Deps.Chats != nil {
		if err := r.Deps.Chats.GroupGone(ctx, chat); err != nil {
			return err
		}
	}
	if r.Deps.Follows == nil {
		return nil
	}
	_, err := r.Deps.Follows.Forget(ctx, chat)
	return err
}

// followersOf says how many buyers follow each product of the listings
// shown ("🔔 23 người đang theo dõi Na Chi Lăng"), counted in one query;
// "" when nobody does.
func followersOf(c *Conv, deps Deps, listings []*Listing) (string, error) {
	if deps.Follows == nil || len(listings) == 0 {
		return "", nil
	}
	counts, err := deps.Follows.Followers(c.Context(), listings)
	if err != nil {
		return "", fmt.Errorf("followers: %w", err)
	}
	most := map[string]int{} // by product: its listings are in the same area
	var order []string
	for _, l := range listings {
		if _, seen := most[l.Product]; !seen {
			order = append(order, l.Product)
		}
		most[l.Product] = max(most[l.Product], counts[l.ID])
	}
	var b strings.Builder
	for _, p := range order {
		if most[p] > 0 {
			b.WriteString("\n" + c.T(M("follow.followers", "Count", most[p], "Product", p)))
		}
	}
	return b.String(), nil
}
