package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// GroupLang is the language of posts in market groups.
const GroupLang = "vi"

// publish stores the listing and posts it to the market groups of its area.
func publish(ctx context.Context, deps Deps, c *Conv, l *Listing, source string) error {
	stored, err := deps.Listings.CreateListing(ctx, l, source)
	if err != nil {
		return fmt.Errorf("create listing: %w", err)
	}
	stored.Seller = l.Seller
	groups, err := deps.Markets.MarketsFor(ctx, c.In.Channel, l.Seller.Area)
	if err != nil {
		return fmt.Errorf("market groups: %w", err)
	}
	for _, g := range groups {
		t := postTrack{Listing: stored.ID, Code: stored.Code, Notify: c.In.ChatKey(), Lang: c.Lang, Group: g.Title}
		c.replies = append(c.replies, postReplies(Format{Texts: c.texts, Lang: GroupLang}, stored, g.Ref, &t)...)
	}
	if len(groups) == 0 {
		c.Say(M("sell.published_nowhere", "Code", stored.Code))
		return nil
	}
	c.Say(M("sell.published", "Code", stored.Code, "Groups", len(groups)))
	return nil
}

// postReply is a listing's post in a group: photos, the listing in the
// caption, and the order button deep-linking into the private chat.
//
// An album cannot carry buttons, so several photos make two replies: the
// album, then a short message with the button. Each is tracked (t non-nil)
// so that its message ids are recorded for later edits.
func postReplies(f Format, l *Listing, group ChatRef, t *postTrack) []Reply {
	post := Reply{To: group, Lang: f.Lang, Photos: l.Photos, Text: M("post.caption", listingData(f, l)...)}
	buttons := Reply{To: group, Lang: f.Lang, Text: M("post.footer", "Code", l.Code, "Product", l.Product)}
	if l.Status == Active {
		buttons.Choices = [][]Choice{{{Label: M("post.order"), Start: "buy_" + strings.ReplaceAll(l.Code, "-", "")}}}
	} else {
		buttons.Text = M("post.ended_footer", "Product", l.Product, "Code", l.Code,
			"Ended", f.Texts.Text(f.Lang, M("post_status."+l.Status)))
	}
	if len(l.Photos) <= 1 {
		post.Choices = buttons.Choices
		post.Track = t.encode("post")
		return []Reply{post}
	}
	post.Track, buttons.Track = t.encode("post"), t.encode("buttons")
	return []Reply{post, buttons}
}

func (t *postTrack) encode(kind string) string {
	if t == nil {
		return ""
	}
	c := *t
	c.Kind = kind
	b, _ := json.Marshal(c) // plain fields: cannot fail
	return string(b)
}

// postEdits change a listing's posts in place after a change of price,
// stock or status; an ended listing loses its order button.
func postEdits(ctx context.Context, deps Deps, texts Texts, l *Listing) ([]Reply, error) {
	posts, err := deps.Listings.Posts(ctx, l.ID)
	if err != nil {
		return nil, fmt.Errorf("posts of %s: %w", l.Code, err)
	}
	var edits []Reply
	for _, p := range posts {
		replies := postReplies(Format{Texts: texts, Lang: GroupLang}, l, p.Group, nil)
		if len(p.MessageIDs) > 0 {
			replies[0].Edit = &Edit{MessageID: p.MessageIDs[0]}
			edits = append(edits, replies[0])
		}
		if len(replies) > 1 && p.ButtonsID != "" {
			replies[1].Edit = &Edit{MessageID: p.ButtonsID}
			edits = append(edits, replies[1])
		}
	}
	return edits, nil
}

// Refresh rebuilds a reply that shows a listing (Reply.Refresh) from the
// listing as it is now: a post's caption and button, an announcement's
// remaining stock. Orders commit in any order; what reaches the group is
// always current.
func (r *Router) Refresh(ctx context.Context, reply Reply) (Reply, error) {
	id, _ := strings.CutPrefix(reply.Refresh, "listing:")
	n, _ := strconv.ParseInt(id, 10, 64)
	l, err := r.Deps.Listings.Listing(ctx, n)
	if errors.Is(err, ErrNotFound) {
		return reply, nil
	}
	if err != nil {
		return reply, err
	}
	f := Format{Texts: r.Texts, Lang: reply.Lang}
	if reply.Edit != nil {
		fresh := postReplies(f, l, reply.To, nil)
		pick := fresh[0]
		if len(reply.Photos) == 0 && len(fresh) > 1 {
			pick = fresh[1] // an album's button message
		}
		pick.Edit, pick.Coalesce, pick.DueAt = reply.Edit, reply.Coalesce, reply.DueAt
		return pick, nil
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

// postTrack is what a group post's Track carries back to Posted.
type postTrack struct {
	Kind    string  `json:"kind"` // "post" (photos) or "buttons" (an album's button message)
	Listing int64   `json:"listing"`
	Code    string  `json:"code"`
	Notify  ChatRef `json:"notify"`
	Lang    string  `json:"lang"`
	Group   string  `json:"group"`
}

// Posted records where a tracked reply landed and tells the seller.
func (r *Router) Posted(ctx context.Context, reply Reply, sent Sent) ([]Reply, error) {
	var t postTrack
	if err := json.Unmarshal([]byte(reply.Track), &t); err != nil {
		return nil, fmt.Errorf("decode track %q: %w", reply.Track, err)
	}
	p := Post{ListingID: t.Listing, Group: reply.To, MessageIDs: sent.MessageIDs, Link: sent.Link}
	if t.Kind == "buttons" {
		p = Post{ListingID: t.Listing, Group: reply.To, ButtonsID: first(sent.MessageIDs)}
	}
	if err := r.Deps.Listings.SavePost(ctx, p); err != nil {
		return nil, fmt.Errorf("save post: %w", err)
	}
	if t.Kind == "buttons" {
		return nil, nil
	}
	m := M("sell.posted", "Code", t.Code, "Group", t.Group, "Link", sent.Link)
	return []Reply{{To: t.Notify, Lang: t.Lang, Text: m}}, nil
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
		if !moderator {
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
	if err := r.Deps.Markets.RegisterMarket(ctx, MarketGroup{Ref: in.ChatKey(), Title: in.ChatTitle, Area: area}, user); err != nil {
		return fmt.Errorf("register market: %w", err)
	}
	if area == "" {
		c.Say(M("group.registered_all"))
	} else {
		c.Say(M("group.registered", "Area", c.F().Area(area)))
	}
	return nil
}
