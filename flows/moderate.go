package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Moderating listings: "gỡ NS-7K2Q" (/gotin) takes a listing down, "chặn
// NS-7K2Q" (/chan) stops its poster posting; each asks a reason, then
// confirms. Global moderators may do both, a take-down of theirs ends the
// listing everywhere. The admin of groups a listing was posted in takes it
// down in those groups only (anyone can make a group of theirs a market):
// its posts there say so and nothing more of it goes there, while it stays
// on sale elsewhere. Who may is checked again when confirmed.
//
// A global moderator types the reason the poster is told. A group admin
// picks one of a few (hideReasons), told to the poster in the bot's own
// words: anyone can make a group of theirs a market, and a reason typed
// there ("pay the verification fee to account …, call 09…") would reach
// farmers privately, from the bot.
const (
	modReason  Step = "reason"
	modConfirm Step = "confirm"
	unbanPick  Step = "pick"
)

// Moderation actions.
const (
	modRemove = "remove" // a global moderator's take-down, everywhere
	modHide   = "hide"   // a group admin's, in the groups they administer
	modBan    = "ban"    // the listing's farmer
	// modBanHelper bans the helper who posted the listing instead, as
	// picked when confirming a ban.
	modBanHelper = "ban_helper"
)

// maxReason: a reason is one short line, shown to the farmer.
const maxReason = 200

type modDraft struct {
	Action    string `json:"action"`
	ListingID int64  `json:"listing_id"`
	Reason    string `json:"reason,omitempty"` // typed, by a global moderator
	// Why is the key of the reason a group admin picked (hideReasons).
	Why string `json:"why,omitempty"`
	// Groups names the groups a hide takes the listing down in, as asked.
	Groups string `json:"groups,omitempty"`
}

// hideReasons are the reasons a group admin picks from, with the words
// (folded) that pick each when typed; the poster reads the reason's text
// (moderation.why_<key>) in their own language.
var hideReasons = []struct {
	key   string
	words []string
}{
	{"area", []string{"sai nhom", "sai khu vuc", "khong dung khu vuc", "khac khu vuc", "wrong area", "wrong group"}},
	{"goods", []string{"hang khong dung", "sai hang", "khong dung hang", "anh khong dung", "not as shown"}},
	{"twice", []string{"trung", "trung tin", "tin trung", "dang trung", "duplicate", "twice"}},
	{"other", []string{"khac", "ly do khac", "other"}},
}

// whyPrefix starts the value of a group admin's reason button.
const whyPrefix = "why:"

// hideReason is the key of a known reason, ok false for any other.
func hideReason(key string) (string, bool) {
	for _, r := range hideReasons {
		if r.key == key {
			return key, true
		}
	}
	return "", false
}

// whyMsg is the text of a group admin's reason (BuiltMessageIDs).
func whyMsg(key string) Msg { return M(whyMsgPrefix + key) }

const whyMsgPrefix = "moderation.why_"

type moderate struct{ deps Deps }

func moderateFlow(d Deps) *Flow {
	f := &moderate{deps: d}
	return &Flow{Name: "moderate", Start: f.start, Steps: map[Step]StepDef{
		modReason:  {Prompt: f.askReason, Handle: f.onReason},
		modConfirm: {Prompt: f.askConfirm, Handle: f.onConfirm},
	}}
}

// start reads the action and the listing: "/gotin NS-7K2Q", "/chan
// NS-7K2Q", or a typed "gỡ NS-7K2Q" (the router makes it "mod:remove:42").
// A take-down is a moderator's removal, or another's hide.
func (f *moderate) start(ctx context.Context, c *Conv, in Input) (Step, error) {
	d := modDraft{Action: modRemove}
	var l *Listing
	var err error
	if rest, ok := strings.CutPrefix(in.Text, "mod:"); ok && in.Kind == KindChoice {
		action, id, _ := strings.Cut(rest, ":")
		n, _ := strconv.ParseInt(id, 10, 64)
		if action == modBan {
			d.Action = modBan
		}
		l, err = f.deps.Listings.Listing(ctx, n)
	} else {
		if in.Command == "chan" {
			d.Action = modBan
		}
		m := codePattern.FindStringSubmatch(in.Arg)
		if m == nil {
			c.Say(M("moderation.code_missing", "Command", "/"+in.Command))
			return Done, nil
		}
		l, err = f.deps.Orders.ListingByCode(ctx, "NS-"+strings.ToUpper(m[1]))
	}
	if errors.Is(err, ErrNotFound) {
		c.Say(M("typed.unknown_listing", "Code", strings.ToUpper(strings.TrimSpace(in.Arg))))
		return Done, nil
	}
	if err != nil {
		return "", err
	}
	d.ListingID = l.ID
	if d.Action == modRemove {
		moderator, err := f.deps.Roles.IsModerator(ctx, c.User.ID)
		if err != nil {
			return "", err
		}
		if !moderator {
			d.Action = modHide
		}
	}
	hide, ok, err := f.allowed(ctx, c, d, l)
	if !ok || err != nil {
		return Done, err
	}
	if done, err := f.already(ctx, c, d, l); done || err != nil {
		return Done, err
	}
	d.Groups = titles(hide)
	return modReason, c.SetDraft(d)
}

// allowed tells whether the user may carry out d on l now, and says why
// not when they may not. For a hide, it returns the posts to hide: those
// in the groups the user administers where l is still shown (or this very
// update took it down, run again), and says so when there are none.
func (f *moderate) allowed(ctx context.Context, c *Conv, d modDraft, l *Listing) (hide []Post, ok bool, err error) {
	if d.Action == modHide {
		return f.mayHide(ctx, c, l)
	}
	if ok, err := onlyModerators(ctx, f.deps, c, "moderation.refused"); !ok || err != nil {
		return nil, false, err
	}
	switch d.Action {
	case modRemove, modBan, modBanHelper:
		return nil, true, nil
	}
	c.Say(M("moderation.refused"))
	return nil, false, nil
}

// already tells, as a removal or a ban starts, whether it was done
// already, and says so. When confirmed, the store tells: this update may
// have made the change itself, run again after its chat's state lost a
// race, and is then told it is done.
func (f *moderate) already(ctx context.Context, c *Conv, d modDraft, l *Listing) (bool, error) {
	switch d.Action {
	case modRemove:
		if l.Status == Removed {
			c.Say(M("moderation.already_removed", "Code", l.Code))
			return true, nil
		}
	case modBan, modBanHelper:
		return f.alreadyBanned(ctx, c, d, l)
	}
	return false, nil
}

// alreadyBanned tells whether whom d bans may not post already, and says
// so, with the reason they were given.
func (f *moderate) alreadyBanned(ctx context.Context, c *Conv, d modDraft, l *Listing) (bool, error) {
	who, name, err := f.banned(ctx, d, l)
	if err != nil {
		return false, err
	}
	reason, banned, err := f.deps.Roles.Banned(ctx, who)
	if err == nil && banned {
		c.Say(M("moderation.already_banned", "Name", name, "Reason", reason))
	}
	return banned, err
}

// updateSource names the update for the stores: run again, it finds the
// change it made and is told it is done, not done already.
func updateSource(in Input) string { return linkSource(in) }

// mayHide returns the posts of l a group admin may take down: those in the
// groups of their channel they administer, where l is still shown. Whoever
// administers none of its groups is refused; one whose groups all took it
// down already is told so.
func (f *moderate) mayHide(ctx context.Context, c *Conv, l *Listing) ([]Post, bool, error) {
	theirs, shown, _, err := f.adminPosts(ctx, c, l)
	if err != nil {
		return nil, false, err
	}
	switch {
	case len(theirs) == 0:
		c.Say(M("moderation.refused"))
	case l.Status == Removed:
		c.Say(M("moderation.already_removed", "Code", l.Code))
	case len(shown) == 0:
		c.Say(M("moderation.already_hidden", "Code", l.Code, "Groups", titles(theirs)))
	default:
		return shown, true, nil
	}
	return nil, false, nil
}

// adminPosts sorts the posts of l for the user: those in the groups of
// their channel they administer (theirs), those of them where l is still
// shown, and how many posts would still show it, elsewhere, once those
// are taken down (pending ones included: they will).
func (f *moderate) adminPosts(ctx context.Context, c *Conv, l *Listing) (theirs, shown []Post, left int, err error) {
	if f.deps.Admins == nil {
		return nil, nil, 0, nil
	}
	posts, err := f.deps.Listings.Posts(ctx, l.ID)
	if err != nil {
		return nil, nil, 0, err
	}
	for _, p := range posts {
		admin := false
		if p.Group.Channel == c.User.Channel { // a group of another platform is not theirs
			if admin, err = f.deps.Admins.IsGroupAdmin(ctx, p.Group, c.User.PlatformID); err != nil {
				return nil, nil, 0, err
			}
		}
		if p.Hidden && p.HiddenSource == updateSource(c.In) {
			p.Hidden = false // this update hid it, run again: as it found it
		}
		switch {
		case admin && !p.Hidden:
			shown = append(shown, p)
			theirs = append(theirs, p)
		case admin:
			theirs = append(theirs, p)
		case !p.Hidden:
			left++
		}
	}
	return theirs, shown, left, nil
}

// shownElsewhere counts the posts of l still showing it besides hidden,
// those a group admin takes down: pending ones too (they will show it).
func (f *moderate) shownElsewhere(ctx context.Context, l *Listing, hidden []Post) (int, error) {
	posts, err := f.deps.Listings.Posts(ctx, l.ID)
	if err != nil {
		return 0, err
	}
	left := 0
	for _, p := range posts {
		if !p.Hidden && !slices.ContainsFunc(hidden, func(h Post) bool { return h.Group == p.Group }) {
			left++
		}
	}
	return left, nil
}

// titles names the groups of posts, for a message: each title once, safe
// (titles kept before they were made safe are made so here).
func titles(posts []Post) string {
	var names []string
	for _, p := range posts {
		if title := safeTitle(p.Title); !slices.Contains(names, title) {
			names = append(names, title)
		}
	}
	return strings.Join(names, ", ")
}

// poster is who a ban on a listing stops: its farmer, or the helper who
// posted for a farmer without an account of their own.
func poster(l *Listing) int64 {
	if l.Seller.UserID != 0 {
		return l.Seller.UserID
	}
	return l.HelperID
}

// banned is whom d bans, and their name: l's farmer (the listing's
// seller, who posted it even when a helper typed it), as a user when they
// have an account of their own, else as a seller profile that nobody may
// post for; or, picked instead, the helper who posted it.
func (f *moderate) banned(ctx context.Context, d modDraft, l *Listing) (BanOf, string, error) {
	switch {
	case d.Action == modBanHelper:
		name, err := f.deps.Roles.NameOf(ctx, l.HelperID)
		return BanOf{User: l.HelperID}, name, err
	case l.Seller.UserID != 0:
		return BanOf{User: l.Seller.UserID}, l.Seller.Name, nil
	}
	return BanOf{Seller: l.SellerID}, l.Seller.Name, nil
}

// helped tells whether a helper posted l for its farmer.
func helped(l *Listing) bool { return l.HelperID != 0 && l.HelperID != l.Seller.UserID }

func (f *moderate) draft(c *Conv) (modDraft, *Listing, error) {
	var d modDraft
	if err := c.Draft(&d); err != nil {
		return d, nil, err
	}
	l, err := f.deps.Listings.Listing(c.Context(), d.ListingID)
	return d, l, err
}

func (f *moderate) askReason(c *Conv) {
	d, l, err := f.draft(c)
	if err != nil {
		c.Fail(err)
		return
	}
	m := M("moderation.reason_"+d.Action, "Code", l.Code, "Product", l.Product, "Name", l.Seller.Name, "Groups", d.Groups)
	if d.Action != modHide {
		c.Say(m)
		return
	}
	var rows [][]Choice
	for _, r := range hideReasons {
		rows = append(rows, []Choice{{Label: whyMsg(r.key), Value: whyPrefix + r.key, Words: r.words}})
	}
	c.Ask(m, rows...)
}

func (f *moderate) onReason(_ context.Context, c *Conv, in Input) (Step, error) {
	var d modDraft
	if err := c.Draft(&d); err != nil {
		return "", err
	}
	if d.Action == modHide {
		return f.onWhy(c, d, in)
	}
	reason := strings.Join(strings.Fields(in.Text), " ")
	if in.Kind != KindText || !saysSomething(reason) {
		return Unclear, nil
	}
	if tooLong(reason, maxReason) {
		c.Say(M("moderation.reason_long"))
		return modReason, nil
	}
	d.Reason = reason
	return modConfirm, c.SetDraft(d)
}

// onWhy reads the reason a group admin picked; one typed freely is
// refused (the question and its buttons stand).
func (f *moderate) onWhy(c *Conv, d modDraft, in Input) (Step, error) {
	if key, ok := strings.CutPrefix(in.Text, whyPrefix); ok && in.Kind == KindChoice {
		if key, ok := hideReason(key); ok {
			d.Why = key
			return modConfirm, c.SetDraft(d)
		}
	}
	if in.Kind == KindText && strings.TrimSpace(in.Text) != "" {
		c.Say(M("moderation.reason_fixed"))
		f.askReason(c)
		return modReason, nil
	}
	return Unclear, nil
}

// reasonIn is the reason of d as lang reads it.
func (f *moderate) reasonIn(d modDraft, lang string, texts Texts) string {
	if d.Action == modHide {
		return texts.Text(lang, whyMsg(d.Why))
	}
	return d.Reason
}

func (f *moderate) askConfirm(c *Conv) {
	d, l, err := f.draft(c)
	if err != nil {
		c.Fail(err)
		return
	}
	if d.Action == modBan {
		f.askBanConfirm(c, d, l)
		return
	}
	left := 0
	if d.Action == modHide {
		if _, _, left, err = f.adminPosts(c.Context(), c, l); err != nil {
			c.Fail(err)
			return
		}
	}
	doID := "moderation.do_" + d.Action // listed in BuiltMessageIDs
	do := M(doID)
	c.Ask(M("moderation.confirm_"+d.Action, "Code", l.Code, "Product", l.Product, "Name", l.Seller.Name,
		"Reason", f.reasonIn(d, c.Lang, c.texts), "Groups", d.Groups, "Left", left),
		[]Choice{{Label: do, Value: "mod:yes", Words: []string{"dong y", "ok", "co"}}},
		[]Choice{{Label: M("moderation.keep"), Value: "mod:no", Words: []string{"khong"}}})
}

func (f *moderate) onConfirm(ctx context.Context, c *Conv, in Input) (Step, error) {
	if in.Kind != KindChoice || (in.Text != "mod:yes" && in.Text != "mod:no" && in.Text != "mod:helper") {
		return Unclear, nil
	}
	if in.Text == "mod:no" {
		c.Say(M("cancel.done"))
		return Done, nil
	}
	d, l, err := f.draft(c)
	if err != nil {
		return "", err
	}
	if in.Text == "mod:helper" {
		if d.Action != modBan || !helped(l) {
			return Unclear, nil
		}
		d.Action = modBanHelper
	}
	if _, ok := hideReason(d.Why); d.Action == modHide && !ok {
		return modReason, nil // a draft from before the reasons were fixed: one is picked now
	}
	hide, ok, err := f.allowed(ctx, c, d, l)
	if !ok || err != nil {
		return Done, err
	}
	switch d.Action {
	case modBan, modBanHelper:
		return Done, f.ban(ctx, c, d, l)
	case modHide:
		return Done, f.hide(ctx, c, d, l, hide)
	}
	return Done, f.remove(ctx, c, d, l)
}

// hide takes l down in the groups of posts: each post sent there edited in
// place (the order button gone, as a removal shows it), one still waiting
// dropped when its turn comes, and nothing more of l sent there; its
// poster is told, queued with the change, whether other groups still show
// it. It stays on sale, elsewhere and by its code.
func (f *moderate) hide(ctx context.Context, c *Conv, d modDraft, l *Listing, posts []Post) error {
	fm, view := Format{Texts: c.texts, Lang: GroupLang, Products: c.products}, takenDown(l)
	var notices []Reply
	for _, p := range posts {
		if p.Sent() {
			notices = append(notices, postEdit(fm, view, p, f.deps.listingPage(l.Code)))
		}
	}
	where := titles(posts)
	left, err := f.shownElsewhere(ctx, l, posts)
	if err != nil {
		return err
	}
	notice, err := f.tellIn(ctx, poster(l), func(lang string) Msg {
		return M("moderation.hidden_farmer", "Code", l.Code, "Product", l.Product, "Groups", where,
			"Reason", f.reasonIn(d, lang, c.texts), "Left", left)
	})
	if err != nil {
		return err
	}
	err = f.deps.Listings.HidePosts(ctx, l.ID, posts, c.User.ID, updateSource(c.In), append(notices, notice...)...)
	return takenDownAs(c, err, M("moderation.hidden", "Code", l.Code, "Groups", where, "Left", left))
}

// takenDownAs tells the moderator done when a take-down was stored (err
// nil), or that the listing changed meanwhile (ErrStale).
func takenDownAs(c *Conv, err error, done Msg) error {
	switch {
	case errors.Is(err, ErrStale):
		c.Say(M("moderation.changed"))
	case err == nil:
		c.Say(done)
	}
	return unlessStale(err)
}

// remove takes l down: its posts edited in place (the order button gone)
// and its poster told why, queued with the change. Orders already placed
// go on, as after the farmer closes a listing.
func (f *moderate) remove(ctx context.Context, c *Conv, d modDraft, l *Listing) error {
	l.Status = Removed
	notices, err := postEdits(ctx, f.deps, c.texts, l)
	if err != nil {
		return err
	}
	posts := len(notices)
	notice, err := f.tell(ctx, poster(l), "moderation.removed_farmer", "Code", l.Code, "Product", l.Product, "Reason", d.Reason)
	if err != nil {
		return err
	}
	err = f.deps.Listings.RemoveListing(ctx, l, updateSource(c.In), append(notices, notice...)...)
	if errors.Is(err, ErrStale) {
		after, err := f.deps.Listings.Listing(ctx, l.ID)
		if err != nil {
			return err
		}
		if after.Status == Removed { // by another moderator meanwhile
			c.Say(M("moderation.already_removed", "Code", l.Code))
			return nil
		}
	}
	return takenDownAs(c, err, M("moderation.removed", "Code", l.Code, "Posts", posts))
}

// askBanConfirm asks to confirm a ban of l's farmer, naming them and who
// is told; when a helper posted l, banning the helper instead is offered
// as a choice of its own.
func (f *moderate) askBanConfirm(c *Conv, d modDraft, l *Listing) {
	helper := ""
	if helped(l) {
		name, err := f.deps.Roles.NameOf(c.Context(), l.HelperID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			c.Fail(err)
			return
		}
		helper = name
	}
	rows := [][]Choice{{{Label: M("moderation.do_ban"), Value: "mod:yes", Words: []string{"dong y", "ok", "co"}}}}
	if helper != "" {
		rows = append(rows, []Choice{{Label: M("moderation.do_ban_helper"), Value: "mod:helper", Words: []string{"nguoi dang giup"}}})
	}
	rows = append(rows, []Choice{{Label: M("moderation.keep"), Value: "mod:no", Words: []string{"khong"}}})
	c.Ask(M("moderation.confirm_ban", "Code", l.Code, "Name", l.Seller.Name, "Reason", d.Reason,
		"NoAccount", l.Seller.UserID == 0, "Helper", helper), rows...)
}

// ban stops whom d bans posting (banned), and tells them why: a farmer
// without an account is not told, the helper who posted l for them is.
func (f *moderate) ban(ctx context.Context, c *Conv, d modDraft, l *Listing) error {
	who, name, err := f.banned(ctx, d, l)
	if err != nil {
		return err
	}
	var notice []Reply
	if who.User != 0 {
		notice, err = f.tell(ctx, who.User, "moderation.banned_user", "Reason", d.Reason)
	} else {
		notice, err = f.tell(ctx, l.HelperID, "moderation.banned_seller_helper", "Name", name, "Reason", d.Reason)
	}
	if err != nil {
		return err
	}
	err = f.deps.Roles.Ban(ctx, who, c.User.ID, d.Reason, updateSource(c.In), notice...)
	if errors.Is(err, ErrStale) { // by another moderator meanwhile
		if banned, err := f.alreadyBanned(ctx, c, d, l); err != nil || banned {
			return err
		}
		return fmt.Errorf("ban of %+v refused, yet not banned: unbanned meanwhile", who)
	}
	if err != nil {
		return err
	}
	if who.User != 0 {
		c.Say(M("moderation.banned", "Name", name))
	} else {
		c.Say(M("moderation.banned_seller", "Name", name))
	}
	return nil
}

// tell is a message to a user's private chat, in their language; none when
// they have no chat with the bot.
func (f *moderate) tell(ctx context.Context, userID int64, id string, kv ...any) ([]Reply, error) {
	return f.tellIn(ctx, userID, func(string) Msg { return M(id, kv...) })
}

// tellIn is tell of a message made in the user's language.
func (f *moderate) tellIn(ctx context.Context, userID int64, m func(lang string) Msg) ([]Reply, error) {
	if userID == 0 {
		return nil, nil
	}
	chat, lang, err := f.deps.UserChats.ChatOf(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []Reply{{To: chat, Lang: lang, Text: m(lang)}}, nil
}

// mayPost tells what the user may post (for themselves or, as a helper,
// for others), with what else q asks (Listings.Posting): a banned user is
// told why, and whom to ask.
func mayPost(ctx context.Context, deps Deps, c *Conv, q PostingOf) (Posting, error) {
	q.User = c.User.ID
	p, err := deps.Listings.Posting(ctx, q)
	if err == nil && p.Banned {
		c.Say(M("moderation.banned_refusal", "Reason", p.Reason))
	}
	return p, err
}

// unbanFlow is /bochan: a global moderator picks a banned user or farmer
// from the list, a page at a time or those matching a name or phone number
// typed, and the ban is lifted.
func unbanFlow(d Deps) *Flow {
	f := &moderate{deps: d}
	return &Flow{Name: "unban", Start: f.startUnban, Steps: map[Step]StepDef{
		unbanPick: {Prompt: f.askUnban, Handle: f.onUnban},
	}}
}

// onlyModerators tells whether the user is a global moderator; others are
// told refusal.
func onlyModerators(ctx context.Context, deps Deps, c *Conv, refusal string) (bool, error) {
	ok, err := deps.Roles.IsModerator(ctx, c.User.ID)
	if err == nil && !ok {
		c.Say(M(refusal))
	}
	return ok, err
}

func (f *moderate) moderator(ctx context.Context, c *Conv) (bool, error) {
	return onlyModerators(ctx, f.deps, c, "moderation.refused")
}

func (f *moderate) startUnban(ctx context.Context, c *Conv, _ Input) (Step, error) {
	if ok, err := f.moderator(ctx, c); !ok || err != nil {
		return Done, err
	}
	_, n, err := f.deps.Roles.BannedUsers(ctx, PeopleQuery{})
	if err != nil {
		return "", err
	}
	if n.All == 0 {
		c.Say(M("moderation.none_banned"))
		return Done, nil
	}
	return unbanPick, nil
}

// unbanDraft is where the moderator is in the list of the banned.
type unbanDraft struct {
	List peopleList `json:"list,omitzero"`
}

func (f *moderate) askUnban(c *Conv) {
	var d unbanDraft
	if err := c.Draft(&d); err != nil {
		c.Fail(err)
		return
	}
	banned, n, err := f.deps.Roles.BannedUsers(c.Context(), d.List.query())
	if err != nil {
		c.Fail(err)
		return
	}
	people := make([]Choice, len(banned))
	for i, b := range banned {
		people[i] = Choice{Label: M("moderation.banned_item", "Name", b.Name, "Reason", b.Reason), Value: unbanValue(b.Who)}
	}
	rows, data := d.List.show(people, n)
	c.Ask(M("moderation.unban_pick", data...), rows...)
}

// unbanValue is the choice of lifting a ban: "unban:42" a user's (as
// before seller profiles were banned), "unban:s42" a seller profile's.
func unbanValue(who BanOf) string {
	if who.User != 0 {
		return "unban:" + strconv.FormatInt(who.User, 10)
	}
	return "unban:s" + strconv.FormatInt(who.Seller, 10)
}

// unbanOf reads a choice of unbanValue.
func unbanOf(in Input) (BanOf, bool) {
	id, ok := strings.CutPrefix(in.Text, "unban:")
	if in.Kind != KindChoice || !ok {
		return BanOf{}, false
	}
	seller, isSeller := strings.CutPrefix(id, "s")
	n, err := strconv.ParseInt(seller, 10, 64)
	switch {
	case err != nil || n <= 0:
		return BanOf{}, false
	case isSeller:
		return BanOf{Seller: n}, true
	}
	return BanOf{User: n}, true
}

func (f *moderate) onUnban(ctx context.Context, c *Conv, in Input) (Step, error) {
	var d unbanDraft
	if err := c.Draft(&d); err != nil {
		return "", err
	}
	if d.List.take(in) { // another page, or a search
		if err := c.SetDraft(d); err != nil {
			return "", err
		}
		f.askUnban(c) // the same step: the router asks nothing again
		return unbanPick, nil
	}
	who, ok := unbanOf(in)
	if !ok {
		return Unclear, nil
	}
	if ok, err := f.moderator(ctx, c); !ok || err != nil {
		return Done, err
	}
	// Not listed, this update may have lifted it, run again: the store
	// tells, with whom it lifted.
	b, err := f.deps.Roles.BanDetails(ctx, who)
	switch {
	case errors.Is(err, ErrNotFound):
		b = Banned{Who: who}
	case err != nil:
		return "", err
	}
	notice, err := f.tell(ctx, b.Account, "moderation.unbanned_user")
	if err != nil {
		return "", err
	}
	b, err = f.deps.Roles.Unban(ctx, b, updateSource(c.In), notice...)
	if errors.Is(err, ErrStale) {
		c.Say(M("moderation.not_banned"))
		return Done, nil
	}
	if err != nil {
		return "", err
	}
	if notice == nil { // told, if they could be, by the first run
		if notice, err = f.tell(ctx, b.Account, "moderation.unbanned_user"); err != nil {
			return "", err
		}
	}
	c.Say(M("moderation.unbanned", "Name", b.Name, "Told", len(notice) > 0))
	return Done, nil
}
