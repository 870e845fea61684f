package flows

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// GroupLang is the language of posts in market groups.
const GroupLang = "vi"

// publish stores the listing with its posts to groups, the market groups
// of its area on every channel (a Zalo farmer's harvest reaches Telegram
// buyers too): pending until sent, and sent even if we stop right after.
func publish(ctx context.Context, deps Deps, c *Conv, l *Listing, source string, groups []MarketGroup) error {
	posts := func(stored *Listing) []Reply {
		stored.Seller = l.Seller
		var out []Reply
		for _, g := range groups {
			post := postReply(Format{Texts: c.texts, Lang: GroupLang, Products: c.products}, stored, g.Ref, deps.listingPage(stored.Code))
			post.Group = true
			post.Report = &Report{Listing: stored.ID, Code: stored.Code, Notify: c.In.ChatKey(), Lang: c.Lang, Group: g.Title}
			post.Rebuild = &Ref{Kind: RefListing, ID: stored.ID}
			out = append(out, post)
		}
		return out
	}
	stored, err := deps.Listings.CreateListing(ctx, l, source, posts)
	if err != nil {
		return fmt.Errorf("create listing: %w", err)
	}
	if len(groups) == 0 {
		c.Say(M("sell.published_nowhere", "Code", stored.Code))
		return nil
	}
	c.Say(M("sell.published", "Code", stored.Code, "Groups", len(groups)))
	return nil
}

// postReply is a listing's post in a group: photos, the listing in the
// caption, and the order button, which opens the private chat, beside a
// link to the listing's page (page, "" for none). Where a channel cannot
// put the buttons under the photos (an album), they go in a message of
// their own with the Footer.
func postReply(f Format, l *Listing, group ChatRef, page string) Reply {
	post := Reply{To: group, Lang: f.Lang, Photos: l.Photos, Text: M("post.caption", listingData(f, l)...)}
	footer := M("post.footer", "Code", l.Code, "Product", l.Product)
	if l.Status == Active {
		row := []Choice{{Label: M("post.order"), Do: &Action{Kind: ActOrder, Code: l.Code}}}
		if page != "" {
			row = append(row, Choice{Label: M("post.page"), URL: page})
		}
		follow := []Choice{{Label: M("follow.button"), Do: &Action{Kind: ActFollow, Code: l.Code, Product: l.Product}}}
		post.Choices = [][]Choice{row, follow}
	} else {
		footer = M("post.ended_footer", "Product", l.Product, "Code", l.Code,
			"Ended", f.Texts.Text(f.Lang, M("post_status."+l.Status)))
	}
	post.Footer = &footer
	return post
}

// postEdit changes a post in place after a change of price, stock or
// status; an ended listing loses its order button. Channels that cannot
// edit send the short note instead. Edits of one post coalesce: when the
// group is held back (its gap between messages, a rate limit), only the
// last goes, rebuilt from the listing as it is then, so a group without
// edits gets one note, not one per change.
func postEdit(f Format, l *Listing, p Post, page string) Reply {
	edit := postReply(f, l, p.Group, page)
	note := M("post.note", "Code", l.Code, "Product", l.Product, "Price", f.Price(l.Price),
		"Remaining", f.Stock(vn.Quantity{Milli: l.Remaining, Unit: l.Quantity.Unit}, l.ProductKey), "Ended", "")
	if l.Status != Active {
		note.Data["Ended"] = f.Texts.Text(f.Lang, M("post_status."+l.Status))
	}
	edit.Edit = &Edit{MessageID: first(p.MessageIDs), FooterID: p.ButtonsID, Note: &note}
	edit.Rebuild = &Ref{Kind: RefListing, ID: l.ID}
	edit.Coalesce, edit.Group = "edit:"+edit.Edit.MessageID+":"+edit.Edit.FooterID, true
	return edit
}

// postEdits are the edits of every post of a listing but those its
// groups' admins took down.
func postEdits(ctx context.Context, deps Deps, texts Texts, l *Listing) ([]Reply, error) {
	posts, err := deps.Listings.Posts(ctx, l.ID)
	if err != nil {
		return nil, fmt.Errorf("posts of %s: %w", l.Code, err)
	}
	var edits []Reply
	for _, p := range posts {
		if p.Sent() && !p.Hidden {
			edits = append(edits, postEdit(Format{Texts: texts, Lang: GroupLang, Products: deps.Catalogs.Products}, l, p, deps.listingPage(l.Code)))
		}
	}
	return edits, nil
}

// Sent tells whether a post has gone out; until then it waits in its
// group's outbox, and is rebuilt as the listing is when it goes.
func (p Post) Sent() bool { return len(p.MessageIDs) > 0 || p.ButtonsID != "" }

// hiddenIn tells whether the admins of group took the listing of posts
// down there.
func hiddenIn(posts []Post, group ChatRef) bool {
	for _, p := range posts {
		if p.Group == group {
			return p.Hidden
		}
	}
	return false
}

// takenDown is l as a group whose admin took it down shows it.
func takenDown(l *Listing) *Listing {
	view := *l
	view.Status = Removed
	return &view
}

// Rebuild makes a reply that shows a listing (Reply.Rebuild) again from the
// listing as it is now: a post's caption and button, an announcement's
// remaining stock. Orders commit in any order; what reaches the group is
// always current. In a group whose admin took the listing down, a post or
// an announcement waiting is dropped (ErrOver), and an edit shows the post
// taken down.
func (r *Router) Rebuild(ctx context.Context, reply Reply) (Reply, error) {
	if reply.Rebuild == nil || reply.Rebuild.Kind != RefListing {
		return reply, nil
	}
	l, err := r.Deps.Listings.Listing(ctx, reply.Rebuild.ID)
	if errors.Is(err, ErrNotFound) {
		return reply, nil
	}
	if err != nil {
		return reply, err
	}
	posts, err := r.Deps.Listings.Posts(ctx, l.ID)
	if err != nil {
		return reply, fmt.Errorf("posts of %s: %w", l.Code, err)
	}
	if hiddenIn(posts, reply.To) {
		if reply.Edit == nil {
			return reply, fmt.Errorf("%s in a group that took it down: %w", l.Code, ErrOver)
		}
		l = takenDown(l)
	}
	f := Format{Texts: r.Texts, Lang: reply.Lang, Products: r.Deps.Catalogs.Products}
	if reply.Report != nil {
		return r.rebuildPost(f, l, posts, reply)
	}
	if reply.Edit != nil {
		fresh := postEdit(f, l, Post{Group: reply.To, MessageIDs: []string{reply.Edit.MessageID}, ButtonsID: reply.Edit.FooterID},
			r.Deps.listingPage(l.Code))
		fresh.Coalesce, fresh.Delay, fresh.DueAt, fresh.MaxWait = reply.Coalesce, reply.Delay, reply.DueAt, reply.MaxWait
		return fresh, nil
	}
	data := maps.Clone(reply.Text.Data)
	if data == nil {
		data = map[string]any{}
	}
	data["Remaining"] = f.Stock(vn.Quantity{Milli: l.Remaining, Unit: l.Quantity.Unit}, l.ProductKey)
	data["SoldOut"] = l.Remaining == 0 || l.Status != Active
	data["Ended"] = "" // stopped, expired, taken down: said as its post says it, not "sold out"
	if l.Status != Active {
		data["Ended"] = f.Texts.Text(f.Lang, M("post_status."+l.Status))
	}
	reply.Text.Data = data
	return reply, nil
}

// ErrOver: a reply waited so long that what it offers is over (a post
// whose listing sold out, ended or was withdrawn while it waited for its
// group's gap). It is dropped, not sent: a busy group's turn goes to posts
// buyers can still order from.
var ErrOver = errors.New("reply no longer worth sending")

// rebuildPost shows a pending post as its listing is now (the farmer may
// have changed it while the post waited), or drops it (ErrOver) when the
// listing is no longer for sale. A post already recorded as sent (we
// stopped before taking it off the outbox) is edited, not posted twice.
func (r *Router) rebuildPost(f Format, l *Listing, posts []Post, reply Reply) (Reply, error) {
	fresh := postReply(f, l, reply.To, r.Deps.listingPage(l.Code))
	fresh.Report, fresh.Rebuild = reply.Report, reply.Rebuild
	posted := false
	for _, p := range posts {
		if p.Group == reply.To && len(p.MessageIDs) > 0 {
			fresh, posted = postEdit(f, l, p, r.Deps.listingPage(l.Code)), true
		}
	}
	if !posted && l.Status != Active {
		return reply, fmt.Errorf("post of %s, %s: %w", l.Code, l.Status, ErrOver)
	}
	fresh.Coalesce, fresh.Delay, fresh.DueAt, fresh.MaxWait, fresh.Group = reply.Coalesce, reply.Delay, reply.DueAt, reply.MaxWait, reply.Group
	return fresh, nil
}

// Posted records where a reported reply (a pending post) landed, and
// tells the seller in the same transaction. A post whose group took the
// listing down while it was being sent is edited to say so (the edit it
// returns, for the group's outbox): no later edit would reach it.
func (r *Router) Posted(ctx context.Context, reply Reply, sent Sent) ([]Reply, error) {
	t := reply.Report
	if t == nil {
		return nil, nil
	}
	p := Post{ListingID: t.Listing, Group: reply.To, MessageIDs: sent.MessageIDs, ButtonsID: sent.FooterID, Link: sent.Link}
	// A group without a name of its own (a Zalo group: Zalo gives none)
	// is kept as group.untitled; "lên nhóm Nhóm chợ" says nothing.
	title := safeTitle(t.Group)
	if title == r.Texts.Text(GroupLang, M("group.untitled")) {
		title = ""
	}
	m := M("sell.posted", "Code", t.Code, "Group", title, "Channel", ChannelName(r.Texts, t.Lang, reply.To.Channel), "Link", sent.Link)
	hidden, err := r.Deps.Listings.SavePost(ctx, p, Reply{To: t.Notify, Lang: t.Lang, Text: m})
	if err != nil || !hidden || !p.Sent() {
		return nil, err
	}
	l, err := r.Deps.Listings.Listing(ctx, t.Listing)
	if err != nil {
		return nil, fmt.Errorf("listing %d of a post taken down: %w", t.Listing, err)
	}
	f := Format{Texts: r.Texts, Lang: GroupLang, Products: r.Deps.Catalogs.Products}
	return []Reply{postEdit(f, takenDown(l), p, r.Deps.listingPage(l.Code))}, nil
}

func first(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// mayRegister tells whether the sender of a group command may make the
// group a market or stop it being one: a group admin or a moderator. Others
// are told who may.
func (r *Router) mayRegister(ctx context.Context, c *Conv, in Input) (bool, error) {
	if in.Admin {
		return true, nil
	}
	moderator, err := r.Deps.Roles.IsModerator(ctx, c.User.ID)
	switch {
	case err != nil:
		return false, err
	case moderator:
		return true, nil
	case in.NoAdmins:
		c.Say(M("group.moderators_only"))
	default:
		c.Say(M("group.admins_only"))
	}
	return false, nil
}

// registerMarket handles /dangky [areas] in a group: a group admin (or a
// moderator) makes the group a market for some areas, or for all.
func (r *Router) registerMarket(ctx context.Context, c *Conv, in Input) error {
	if ok, err := r.mayRegister(ctx, c, in); !ok || err != nil {
		return err
	}
	areas, unknown := areasIn(c, in.Arg)
	if unknown != "" {
		c.Say(M("group.area_unknown", "Area", unknown, "Known", knownAreas(c)))
		return nil
	}
	user := int64(0)
	if c.User != nil {
		user = c.User.ID
	}
	before, was, err := r.marketAreas(ctx, in.ChatKey())
	if err != nil {
		return err
	}
	title := groupTitle(c, in)
	if err := r.Deps.Chats.SaveGroup(ctx, in.ChatKey(), title, true); err != nil {
		return err
	}
	if err := r.Deps.Markets.RegisterMarket(ctx, MarketGroup{Ref: in.ChatKey(), Title: title, Areas: areas}, user); err != nil {
		return fmt.Errorf("register market: %w", err)
	}
	if len(areas) == 0 {
		c.Say(M("group.registered_all"))
		return nil
	}
	// A market again, of other areas: what it no longer gets is said, and
	// how to keep it too (an admin adding an area may think /dangky adds).
	var dropped []string
	for _, tag := range before {
		if !slices.Contains(areas, tag) {
			dropped = append(dropped, tag)
		}
	}
	c.Say(M("group.registered", "Area", areaNames(c, areas), "WasAll", was && len(before) == 0,
		"Dropped", areaNames(c, dropped), "Both", areaNames(c, append(slices.Clone(before), areas...))))
	return nil
}

// marketAreas are the areas group is a market of now (none: every area),
// was false when it is not a market.
func (r *Router) marketAreas(ctx context.Context, group ChatRef) (areas []string, was bool, err error) {
	markets, err := r.Deps.Markets.AllMarkets(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("markets: %w", err)
	}
	for _, g := range markets {
		if g.Ref == group {
			return g.Areas, true, nil
		}
	}
	return nil, false, nil
}

// areaNames names the area tags, each once, in their order.
func areaNames(c *Conv, tags []string) string {
	var names []string
	for _, tag := range tags {
		if name := c.F().Area(tag); !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return strings.Join(names, ", ")
}

// groupTitle is the title of in's group as it is kept: safe, and named
// (group.untitled) when nothing but contacts was left of it.
func groupTitle(c *Conv, in Input) string {
	title := safeTitle(in.ChatTitle)
	if strings.IndexFunc(title, unicode.IsLetter) < 0 {
		return c.texts.Text(GroupLang, M("group.untitled"))
	}
	return title
}

// unregisterMarket handles /huydangky in a group: it no longer gets
// listings or announcements; the bot stays in it.
func (r *Router) unregisterMarket(ctx context.Context, c *Conv, in Input) error {
	if ok, err := r.mayRegister(ctx, c, in); !ok || err != nil {
		return err
	}
	err := r.Deps.Markets.UnregisterMarket(ctx, in.ChatKey())
	switch {
	case errors.Is(err, ErrNotFound):
		c.Say(M("group.not_registered", "Moderators", in.NoAdmins))
	case err != nil:
		return fmt.Errorf("unregister market: %w", err)
	default:
		c.Say(M("group.unregistered", "Moderators", in.NoAdmins))
	}
	return nil
}

// areasIn reads the areas of "/dangky Chi Lăng, Bắc Sơn": names of known
// areas (without diacritics too, "huyện" before them or not) separated by
// commas, "và" or spaces, in
// the order typed, each once. unknown is what is left that names no area
// ("" when all was understood). No area at all means every area, and so
// does the province named alone: "Lạng Sơn" (as in an address, areaIn),
// its city being "TP Lạng Sơn" or "thành phố Lạng Sơn". Named beside
// areas, the province only says where they are, as an address does:
// "Chi Lăng, Lạng Sơn" is Chi Lăng.
func areasIn(c *Conv, text string) (tags []string, unknown string) {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
	folded := make([]string, len(words))
	for i, w := range words {
		folded[i] = vn.Fold(w)
	}
	names := map[string]string{"tp lang son": "tp_lang_son", "tp ls": "tp_lang_son",
		"lang son": wholeProvince, "tinh lang son": wholeProvince, "lang son province": wholeProvince}
	for _, tag := range Areas {
		for _, lang := range c.texts.Langs() {
			names[vn.Fold(c.texts.Text(lang, M("area."+tag)))] = tag
		}
	}
	var rest []string
	for i := 0; i < len(words); {
		n, tag := longestName(folded[i:], names)
		switch {
		case n > 0:
			// The province adds no tag: alone, none is every area.
			if tag != wholeProvince && !slices.Contains(tags, tag) {
				tags = append(tags, tag)
			}
			i += n
			continue
		case !slices.Contains([]string{"va", "and", "huyen"}, folded[i]): // "huyện Chi Lăng và Bắc Sơn"
			rest = append(rest, words[i])
		}
		i++
	}
	return tags, strings.Join(rest, " ")
}

// wholeProvince stands, among the names areasIn knows, for the province.
const wholeProvince = "*"

// longestName is the longest area name words start with: how many words
// it takes, and its tag.
func longestName(words []string, names map[string]string) (int, string) {
	for n := min(len(words), 4); n > 0; n-- {
		if tag, ok := names[strings.Join(words[:n], " ")]; ok {
			return n, tag
		}
	}
	return 0, ""
}

// knownAreas lists the areas a group can take, for an answer that did not
// name one.
func knownAreas(c *Conv) string {
	names := make([]string, len(Areas))
	for i, tag := range Areas {
		names[i] = c.F().Area(tag)
	}
	return strings.Join(names, ", ")
}
