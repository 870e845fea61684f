package flows

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// GroupLang is the language of posts in market groups.
const GroupLang = "vi"

// publish stores the listing with its posts to the market groups of its
// area on every channel (a Zalo farmer's harvest reaches Telegram buyers
// too): pending until sent, and sent even if we stop right after.
func publish(ctx context.Context, deps Deps, c *Conv, l *Listing, source string) error {
	groups, err := deps.Markets.MarketsFor(ctx, l.Seller.Area)
	if err != nil {
		return fmt.Errorf("market groups: %w", err)
	}
	posts := func(stored *Listing) []Reply {
		stored.Seller = l.Seller
		var out []Reply
		for _, g := range groups {
			post := postReply(Format{Texts: c.texts, Lang: GroupLang}, stored, g.Ref, deps.listingPage(stored.Code))
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
		post.Choices = [][]Choice{row}
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
		"Remaining", f.Quantity(vn.Quantity{Milli: l.Remaining, Unit: l.Quantity.Unit}), "Ended", "")
	if l.Status != Active {
		note.Data["Ended"] = f.Texts.Text(f.Lang, M("post_status."+l.Status))
	}
	edit.Edit = &Edit{MessageID: first(p.MessageIDs), FooterID: p.ButtonsID, Note: &note}
	edit.Rebuild = &Ref{Kind: RefListing, ID: l.ID}
	edit.Coalesce, edit.Group = "edit:"+edit.Edit.MessageID+":"+edit.Edit.FooterID, true
	return edit
}

// postEdits are the edits of every post of a listing.
func postEdits(ctx context.Context, deps Deps, texts Texts, l *Listing) ([]Reply, error) {
	posts, err := deps.Listings.Posts(ctx, l.ID)
	if err != nil {
		return nil, fmt.Errorf("posts of %s: %w", l.Code, err)
	}
	var edits []Reply
	for _, p := range posts {
		if p.sent() {
			edits = append(edits, postEdit(Format{Texts: texts, Lang: GroupLang}, l, p, deps.listingPage(l.Code)))
		}
	}
	return edits, nil
}

// sent tells whether a post has gone out; until then it waits in its
// group's outbox, and is rebuilt as the listing is when it goes.
func (p Post) sent() bool { return len(p.MessageIDs) > 0 || p.ButtonsID != "" }

// Rebuild makes a reply that shows a listing (Reply.Rebuild) again from the
// listing as it is now: a post's caption and button, an announcement's
// remaining stock. Orders commit in any order; what reaches the group is
// always current.
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
	f := Format{Texts: r.Texts, Lang: reply.Lang}
	if reply.Report != nil {
		return r.rebuildPost(ctx, f, l, reply)
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
	data["Remaining"] = f.Quantity(vn.Quantity{Milli: l.Remaining, Unit: l.Quantity.Unit})
	data["SoldOut"] = l.Remaining == 0 || l.Status != Active
	reply.Text.Data = data
	return reply, nil
}

// rebuildPost shows a pending post as its listing is now (the farmer may
// have changed it while the post waited). A post already recorded as sent
// (we stopped before taking it off the outbox) is edited, not posted twice.
func (r *Router) rebuildPost(ctx context.Context, f Format, l *Listing, reply Reply) (Reply, error) {
	posts, err := r.Deps.Listings.Posts(ctx, l.ID)
	if err != nil {
		return reply, fmt.Errorf("posts of %s: %w", l.Code, err)
	}
	fresh := postReply(f, l, reply.To, r.Deps.listingPage(l.Code))
	fresh.Report, fresh.Rebuild = reply.Report, reply.Rebuild
	for _, p := range posts {
		if p.Group == reply.To && len(p.MessageIDs) > 0 {
			fresh = postEdit(f, l, p, r.Deps.listingPage(l.Code))
		}
	}
	fresh.Coalesce, fresh.Delay, fresh.DueAt, fresh.MaxWait, fresh.Group = reply.Coalesce, reply.Delay, reply.DueAt, reply.MaxWait, reply.Group
	return fresh, nil
}

// Posted records where a reported reply (a pending post) landed, and
// tells the seller in the same transaction.
func (r *Router) Posted(ctx context.Context, reply Reply, sent Sent) error {
	t := reply.Report
	if t == nil {
		return nil
	}
	p := Post{ListingID: t.Listing, Group: reply.To, MessageIDs: sent.MessageIDs, ButtonsID: sent.FooterID, Link: sent.Link}
	m := M("sell.posted", "Code", t.Code, "Group", t.Group, "Link", sent.Link)
	return r.Deps.Listings.SavePost(ctx, p, Reply{To: t.Notify, Lang: t.Lang, Text: m})
}

func first(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// registerMarket handles /dangky [area] in a group: a group admin (or a
// moderator) makes the group a market for an area, or for all areas.
func (r *Router) registerMarket(ctx context.Context, c *Conv, in Input) error {
	if !in.Admin {
		moderator, err := r.Deps.Roles.IsModerator(ctx, c.User.ID)
		if err != nil {
			return err
		}
		switch {
		case !moderator && in.NoAdmins:
			c.Say(M("group.moderators_only"))
			return nil
		case !moderator:
			c.Say(M("group.admins_only"))
			return nil
		}
	}
	area := ""
	if in.Arg != "" {
		tag, ok := areaIn(c, in.Arg)
		if !ok || tag == "other" {
			c.Say(M("group.area_unknown", "Area", in.Arg))
			return nil
		}
		area = tag
	}
	user := int64(0)
	if c.User != nil {
		user = c.User.ID
	}
	if err := r.Deps.Chats.SaveGroup(ctx, in.ChatKey(), in.ChatTitle, true); err != nil {
		return err
	}
	if err := r.Deps.Markets.RegisterMarket(ctx, MarketGroup{Ref: in.ChatKey(), Title: in.ChatTitle, Areas: areasOf(area)}, user); err != nil {
		return fmt.Errorf("register market: %w", err)
	}
	if area == "" {
		c.Say(M("group.registered_all"))
	} else {
		c.Say(M("group.registered", "Area", c.F().Area(area)))
	}
	return nil
}

// areasOf is the areas of one tag, "" for every area.
func areasOf(tag string) []string {
	if tag == "" {
		return nil
	}
	return []string{tag}
}
