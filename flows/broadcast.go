package flows

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// broadcastDraft is the announcement being written.
type broadcastDraft struct {
	Nonce  string    `json:"nonce"`
	Text   string    `json:"text,omitempty"`
	Photo  string    `json:"photo,omitempty"` // a PhotoRef token
	Album  string    `json:"album,omitempty"` // the album the photo came from: its other photos are not asked about
	Scope  string    `json:"scope,omitempty"`
	Areas  []string  `json:"areas,omitempty"`  // ScopeAreas
	Groups []ChatRef `json:"groups,omitempty"` // ScopePicked, ScopeOwn
	Page   int       `json:"page,omitempty"`   // of the groups to pick
	Pin    bool      `json:"pin,omitempty"`
	// Mod: a moderator writes it (to a group admin's own group too): the
	// groups read "Thông báo của người điều phối chợ", not "của trưởng nhóm".
	Mod bool `json:"mod,omitempty"`
}

// maxPostCaption is what every channel shows as one photo's caption
// (Telegram's 1024, counted as it counts, in UTF-16 units): the announcement
// with its header must fit, so that a photo can always be added.
const maxPostCaption = 1024

// broadcast is the /thongbao form. Its rows are named here when an answer
// leads to them.
type broadcast struct {
	deps                              Deps
	form                              *Form[broadcastDraft]
	text, photo, areas, pick, preview *Field[broadcastDraft]
}

func broadcastFlow(d Deps) *Flow { return newBroadcast(d).form.Flow() }

// newBroadcast is the table of /thongbao, for global moderators (or a group
// admin, for their own group): the text (a photo with its caption may come
// at once) → a photo or Bỏ qua → the groups: all, by area, or picked one by
// one → a preview, exactly as the groups will see it, with a summary → send.
// From the preview, Sửa chữ, Đổi ảnh and Đổi nhóm change one thing and come
// back. Whoever sends is authorised again when they press ✅ Gửi.
func newBroadcast(d Deps) *broadcast {
	f := &broadcast{deps: d}
	f.form = &Form[broadcastDraft]{Name: "broadcast", Start: f.start, Labels: "broadcast.field_", Before: f.laterPhotos}
	f.text = f.form.Row(Field[broadcastDraft]{Step: "text", Ask: f.askText, Answer: f.onText, Edit: "text", Fresh: true,
		EditWords: []string{"sua", "sua chu", "sua noi dung"}})
	f.photo = f.form.Row(Field[broadcastDraft]{Step: "photo", Ask: f.askPhoto, Answer: f.onPhoto, Edit: "photo",
		EditWords: []string{"doi anh", "anh"}})
	f.form.Row(Field[broadcastDraft]{Step: "targets", Ask: f.askTargets, Answer: f.onTargets, Edit: "targets",
		EditWords: []string{"doi nhom", "nhom"}})
	f.areas = f.form.Row(Field[broadcastDraft]{Step: "areas", Ask: f.askAreas, Answer: f.onAreas, Aside: true})
	f.pick = f.form.Row(Field[broadcastDraft]{Step: "pick", Ask: f.askPick, Answer: f.onPick, Aside: true})
	f.preview = f.form.Row(Field[broadcastDraft]{Step: "preview", Ask: f.showPreview, Answer: f.onPreview, Summary: true})
	return f
}

// ownPrefix is the deep link's payload that opens /thongbao for one group,
// from the button a group admin gets in the group: tb_<chat id>.
const ownPrefix = "tb_"

// start lets in a global moderator, or a group admin coming from their
// group's button; anyone else is told politely, and nothing is kept.
func (f *broadcast) start(ctx context.Context, c *Conv, d *broadcastDraft, in Input) (Go, error) {
	d.Nonce = newNonce()
	chat, own := strings.CutPrefix(in.Arg, ownPrefix)
	if !own || in.Command != "start" {
		ok, err := f.deps.Roles.IsModerator(ctx, c.User.ID)
		if err != nil {
			return Go{}, err
		}
		if !ok {
			c.Say(M("broadcast.refused"))
			return Finish(), nil
		}
		d.Mod = true
		return Next(), nil
	}
	group := ChatRef{Channel: in.Channel, ChatID: chat}
	ok, mod, err := f.mayBroadcastTo(ctx, c, group)
	d.Mod = mod
	if err != nil {
		return Go{}, err
	}
	if !ok {
		c.Say(M("broadcast.own_refused"))
		return Finish(), nil
	}
	groups, err := f.deps.Markets.AllMarkets(ctx)
	if err != nil {
		return Go{}, err
	}
	d.Scope, d.Groups = ScopeOwn, []ChatRef{group}
	if len(targetsOf(groups, d)) == 0 {
		c.Say(M("broadcast.own_not_market")) // not a market group (any more)
		return Finish(), nil
	}
	return Next(), nil
}

// mayBroadcastTo tells whether the user may broadcast to group alone: a
// global moderator (mod), or an admin of that group as its platform says
// now.
func (f *broadcast) mayBroadcastTo(ctx context.Context, c *Conv, group ChatRef) (ok, mod bool, err error) {
	if mod, err := f.deps.Roles.IsModerator(ctx, c.User.ID); err != nil || mod {
		return mod, mod, err
	}
	if f.deps.Admins == nil || group.Channel != c.User.Channel {
		return false, false, nil
	}
	ok, err = f.deps.Admins.IsGroupAdmin(ctx, group, c.User.PlatformID)
	if err != nil {
		return false, false, fmt.Errorf("admins of %v: %w", group, err)
	}
	return ok, false, nil
}

// allowed authorises the draft as it is about to go: a global moderator
// for any scope, a group admin for their own group. Who speaks (d.Mod) is
// who sends it, as they are now.
func (f *broadcast) allowed(ctx context.Context, c *Conv, d *broadcastDraft) (ok bool, err error) {
	if d.Scope == ScopeOwn && len(d.Groups) == 1 {
		ok, d.Mod, err = f.mayBroadcastTo(ctx, c, d.Groups[0])
		return ok, err
	}
	ok, err = f.deps.Roles.IsModerator(ctx, c.User.ID)
	d.Mod = ok
	return ok, err
}

// laterPhotos passes over the other photos of the album the photo was
// taken from: one photo goes with an announcement.
func (f *broadcast) laterPhotos(_ context.Context, _ *Conv, d *broadcastDraft, in Input) (Go, bool, error) {
	if in.Kind == KindPhoto && in.Photo.MediaGroupID != "" && in.Photo.MediaGroupID == d.Album {
		return Stay(), true, nil
	}
	return Go{}, false, nil
}

func (f *broadcast) askText(_ *Conv, d *broadcastDraft) Question {
	if d.Scope == ScopeOwn {
		return Ask(M("broadcast.text_own"))
	}
	return Ask(M("broadcast.text"))
}

// onText takes the announcement's words, or a photo with them as its
// caption; a photo alone is kept, and the words asked for.
func (f *broadcast) onText(_ context.Context, c *Conv, d *broadcastDraft, in Input) (Go, error) {
	switch {
	case in.Kind == KindPhoto:
		d.Photo, d.Album = in.Photo.Ref().String(), in.Photo.MediaGroupID
		if !saysSomething(in.Text) {
			return Again(M("broadcast.photo_then_text")), nil
		}
	case in.Kind != KindText || !saysSomething(in.Text):
		return NotUnderstood(), nil
	}
	if n := f.postLength(c, in.Text); n > maxPostCaption {
		return Again(M("broadcast.too_long", "Over", n-maxPostCaption)), nil
	}
	d.Text = in.Text
	if d.Photo != "" {
		return f.afterPhoto(d), nil // it came with a photo, or after one
	}
	return Next(), nil
}

// afterPhoto is where the form goes once the photo is settled: the groups,
// or for a group admin's own group, which is settled, the preview.
func (f *broadcast) afterPhoto(d *broadcastDraft) Go {
	if d.Scope == ScopeOwn {
		return Past(f.pick)
	}
	return Past(f.photo)
}

// postLength is the announcement's length as a group sees it, header
// included (a moderator's, the longer), in Telegram's units.
func (f *broadcast) postLength(c *Conv, text string) int {
	post := BroadcastPost(Broadcast{Text: text}, ChatRef{}, true)
	return len(utf16.Encode([]rune(c.texts.Text(post.Lang, post.Text))))
}

// askPhoto offers Bỏ qua itself (not as the form's Skip, which would go
// on to the groups even for a group admin's own group).
func (f *broadcast) askPhoto(_ *Conv, d *broadcastDraft) Question {
	if d.Photo != "" {
		return Ask(M("broadcast.photo_change"), []Choice{skipChoice()})
	}
	return Ask(M("broadcast.photo"), []Choice{skipChoice()})
}

// onPhoto takes the photo, or Bỏ qua for none; a caption with the photo
// is the new text, as it would be at the first question.
func (f *broadcast) onPhoto(ctx context.Context, c *Conv, d *broadcastDraft, in Input) (Go, error) {
	switch {
	case in.Kind == KindChoice && in.Text == "skip":
		d.Photo, d.Album = "", ""
		return f.afterPhoto(d), nil
	case in.Kind != KindPhoto:
		return NotUnderstood(), nil
	case strings.TrimSpace(in.Text) != "":
		return f.onText(ctx, c, d, in)
	}
	d.Photo, d.Album = in.Photo.Ref().String(), in.Photo.MediaGroupID
	return f.afterPhoto(d), nil
}

// The answers to "which groups?".
func allChoice(n int) Choice {
	return Choice{Label: M("broadcast.all", "Count", n), Value: "all", Words: []string{"tat ca", "tat ca cac nhom", "all"}}
}

var (
	areasChoice  = Choice{Label: M("broadcast.by_area"), Value: "areas", Words: []string{"theo vung", "vung", "by area"}}
	pickChoice   = Choice{Label: M("broadcast.by_group"), Value: "picked", Words: []string{"chon tung nhom", "chon nhom", "tung nhom"}}
	pickedChoice = Choice{Label: M("choice.done"), Value: "done", Words: []string{"xong", "xong roi", "done", "ok", "tiep"}}
)

func (f *broadcast) askTargets(c *Conv, d *broadcastDraft) Question {
	groups, err := f.deps.Markets.AllMarkets(c.Context())
	if err != nil {
		c.Fail(err)
		return Question{}
	}
	if d.Scope == ScopeOwn {
		return Ask(M("broadcast.own_only")) // an old button from a preview: any answer goes back
	}
	return Ask(M("broadcast.targets", "Count", len(groups)), []Choice{allChoice(len(groups))}, []Choice{areasChoice},
		[]Choice{pickChoice})
}

func (f *broadcast) onTargets(ctx context.Context, _ *Conv, d *broadcastDraft, in Input) (Go, error) {
	if d.Scope == ScopeOwn {
		return Past(f.pick), nil
	}
	if in.Kind != KindChoice {
		return NotUnderstood(), nil
	}
	switch in.Text {
	case "all":
		groups, err := f.deps.Markets.AllMarkets(ctx)
		if err != nil {
			return Go{}, err
		}
		if len(groups) == 0 {
			return Again(M("broadcast.no_groups")), nil
		}
		d.Scope, d.Areas, d.Groups = ScopeAll, nil, nil
		return Past(f.pick), nil
	case "areas":
		d.Scope, d.Groups = ScopeAreas, nil
		return To(f.areas), nil
	case "picked":
		d.Scope, d.Areas = ScopePicked, nil
		return To(f.pick), nil
	}
	return NotUnderstood(), nil
}

// askAreas lists the areas to toggle, each with its groups; groups of
// every area go with any choice, and the text says so.
func (f *broadcast) askAreas(c *Conv, d *broadcastDraft) Question {
	groups, err := f.deps.Markets.AllMarkets(c.Context())
	if err != nil {
		c.Fail(err)
		return Question{}
	}
	everywhere := 0
	count := map[string]int{}
	for _, g := range groups {
		if len(g.Areas) == 0 {
			everywhere++
		}
		for _, a := range g.Areas {
			count[a]++
		}
	}
	var rows [][]Choice
	for _, a := range Areas {
		name := c.F().Area(a)
		rows = append(rows, []Choice{{Label: M("broadcast.area", "Area", name, "Count", count[a], "On", slices.Contains(d.Areas, a)),
			Value: "area:" + a, Words: []string{vn.Fold(name)}}})
	}
	rows = pairs(rows)
	rows = append(rows, []Choice{{Label: M("broadcast.areas_done", "Count", len(targetsOf(groups, d))), Value: "done",
		Words: pickedChoice.Words}})
	return Ask(M("broadcast.areas", "Everywhere", everywhere, "Chosen", len(d.Areas)), rows...)
}

func (f *broadcast) onAreas(ctx context.Context, c *Conv, d *broadcastDraft, in Input) (Go, error) {
	if values, ok := typedNumbers(c, in, "area:"); ok {
		for _, a := range values {
			d.Areas = toggle(d.Areas, a)
		}
		return To(f.areas), nil
	}
	if in.Kind != KindChoice {
		return NotUnderstood(), nil
	}
	if a, ok := strings.CutPrefix(in.Text, "area:"); ok && slices.Contains(Areas, a) {
		d.Areas = toggle(d.Areas, a)
		return To(f.areas), nil
	}
	if in.Text != "done" {
		return NotUnderstood(), nil
	}
	if len(d.Areas) == 0 {
		return Again(M("broadcast.areas_none")), nil
	}
	return f.someGroups(ctx, d)
}

// someGroups goes on to the preview when the choice reaches a group.
func (f *broadcast) someGroups(ctx context.Context, d *broadcastDraft) (Go, error) {
	groups, err := f.deps.Markets.AllMarkets(ctx)
	if err != nil {
		return Go{}, err
	}
	if len(targetsOf(groups, d)) == 0 {
		return Again(M("broadcast.zero_groups")), nil
	}
	return Past(f.pick), nil
}

// pageSize: the groups to pick are listed this many at a time (Telegram
// shows at most 100 buttons under a message; a long list is hard to read).
const pageSize = 20

// askPick lists the market groups with their channel, numbered, a page at
// a time, to toggle.
func (f *broadcast) askPick(c *Conv, d *broadcastDraft) Question {
	groups, err := f.deps.Markets.AllMarkets(c.Context())
	if err != nil {
		c.Fail(err)
		return Question{}
	}
	if len(groups) == 0 {
		return Ask(M("broadcast.no_groups"))
	}
	pages := (len(groups) + pageSize - 1) / pageSize
	page := min(d.Page, pages-1)
	var rows [][]Choice
	for _, g := range groups[page*pageSize : min(len(groups), (page+1)*pageSize)] {
		// Its areas tell apart groups of one title ("Chợ nông sản").
		rows = append(rows, []Choice{{Label: M("broadcast.group", "Title", g.Title, "Channel", c.F().Texts.Text(c.Lang,
			M("channel."+string(g.Ref.Channel))), "Areas", areaNames(c, g.Areas), "On", slices.Contains(d.Groups, g.Ref)),
			Value: groupValue(g.Ref)}})
	}
	var nav []Choice
	if page > 0 {
		nav = append(nav, Choice{Label: M("broadcast.page_prev"), Value: "page:prev", Words: []string{"truoc", "trang truoc"}})
	}
	if page < pages-1 {
		nav = append(nav, Choice{Label: M("broadcast.page_next"), Value: "page:next", Words: []string{"sau", "trang sau"}})
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	rows = append(rows, []Choice{{Label: M("broadcast.picked_done", "Count", len(targetsOf(groups, d))), Value: "done",
		Words: pickedChoice.Words}})
	return Ask(M("broadcast.pick", "Chosen", len(d.Groups), "Page", page+1, "Pages", pages), rows...)
}

// groupValue is a group's choice: "g:telegram:-100123" (within Telegram's
// 64 bytes of callback data for any chat id).
func groupValue(g ChatRef) string { return "g:" + string(g.Channel) + ":" + g.ChatID }

func (f *broadcast) onPick(ctx context.Context, c *Conv, d *broadcastDraft, in Input) (Go, error) {
	if values, ok := typedNumbers(c, in, "g:"); ok {
		for _, v := range values {
			d.Groups = toggle(d.Groups, groupOf(v))
		}
		return To(f.pick), nil
	}
	if in.Kind != KindChoice {
		return NotUnderstood(), nil
	}
	if v, ok := strings.CutPrefix(in.Text, "g:"); ok {
		d.Groups = toggle(d.Groups, groupOf(v))
		return To(f.pick), nil
	}
	switch in.Text {
	case "page:next":
		d.Page++
		return To(f.pick), nil
	case "page:prev":
		d.Page = max(0, d.Page-1)
		return To(f.pick), nil
	case "done":
	default:
		return NotUnderstood(), nil
	}
	if len(d.Groups) == 0 {
		return Again(M("broadcast.picked_none")), nil
	}
	return f.someGroups(ctx, d)
}

// groupOf is the group of a choice's value, without its "g:".
func groupOf(v string) ChatRef {
	channel, chat, _ := strings.Cut(v, ":")
	return ChatRef{Channel: Channel(channel), ChatID: chat}
}

// typedNumbers reads several choices typed by their numbers at once ("1 3
// 5", "1, 3, 5") among those offered with values starting with prefix:
// their values, without it. One number alone is the router's to read.
func typedNumbers(c *Conv, in Input, prefix string) ([]string, bool) {
	if in.Kind != KindText {
		return nil, false
	}
	var values []string
	for _, n := range strings.FieldsFunc(in.Text, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		i := slices.IndexFunc(c.Session.Offered, func(o Offer) bool {
			return strings.HasPrefix(o.Value, prefix) && slices.Contains(o.Keys, n)
		})
		if i < 0 {
			return nil, false
		}
		values = append(values, strings.TrimPrefix(c.Session.Offered[i].Value, prefix))
	}
	return values, len(values) > 0
}

func toggle[T comparable](list []T, v T) []T {
	if i := slices.Index(list, v); i >= 0 {
		return slices.Delete(list, i, i+1)
	}
	return append(list, v)
}

// targetsOf is the market groups the draft goes to, of groups (every
// active market group, as they are now).
func targetsOf(groups []MarketGroup, d *broadcastDraft) []MarketGroup {
	var out []MarketGroup
	for _, g := range groups {
		switch d.Scope {
		case ScopeAll:
		case ScopeAreas:
			if len(g.Areas) > 0 && !slices.ContainsFunc(g.Areas, func(a string) bool { return slices.Contains(d.Areas, a) }) {
				continue
			}
		case ScopePicked, ScopeOwn:
			if !slices.Contains(d.Groups, g.Ref) {
				continue
			}
		default:
			continue
		}
		out = append(out, g)
	}
	return out
}

// broadcastOf is the draft as the broadcast it will be. A moderator's
// announcement to one group from its button is of that group picked:
// ScopeOwn is a group admin's, and its groups read it as the admin's.
func broadcastOf(c *Conv, d *broadcastDraft) *Broadcast {
	scope := d.Scope
	if scope == ScopeOwn && d.Mod {
		scope = ScopePicked
	}
	return &Broadcast{AuthorID: c.User.ID, Chat: c.In.ChatKey(), Lang: c.Lang, Text: d.Text, Photo: d.Photo, Pin: d.Pin,
		Scope: scope, Areas: d.Areas}
}

// maxTitles: the summary names this many groups, then how many more.
const maxTitles = 10

// showPreview sends the announcement exactly as the groups will get it,
// then what goes where, with the ways to change it.
func (f *broadcast) showPreview(c *Conv, d *broadcastDraft) Question {
	groups, err := f.deps.Markets.AllMarkets(c.Context())
	if err != nil {
		c.Fail(err)
		return Question{}
	}
	post := BroadcastPost(*broadcastOf(c, d), c.In.ChatKey(), false)
	post.Photos = ownPhotos(post.Photos, c.In.Channel)
	c.add(post)
	return f.summary(c, d, targetsOf(groups, d))
}

// ownPhotos are photos of channel shown by the platform's own reference,
// as to the author who just sent them. One the platform keeps by URL
// (Zalo's, which takes photos by URL only) loses its id, which would have
// it shown by our /media link instead: that serves an announcement's photo
// only once it is sent, and the platform's link is fresh. One kept by the
// platform's own reference (Telegram's file_id) keeps its id, which the
// renderer does not show: so that an upload the preview makes (a photo
// sent as a file) is recorded, and the groups get the photo by the
// upload's reference instead of uploading it again. The image is the one
// the groups get.
func ownPhotos(tokens []string, channel Channel) []string {
	out := make([]string, len(tokens))
	for i, token := range tokens {
		out[i] = token
		if p, err := ParsePhotoRef(token); err == nil && p.Channel == channel && isURL(p.Ref) {
			p.ID = ""
			out[i] = p.String()
		}
	}
	return out
}

func (f *broadcast) summary(c *Conv, d *broadcastDraft, targets []MarketGroup) Question {
	var titles []string
	for _, g := range targets[:min(len(targets), maxTitles)] {
		titles = append(titles, c.F().Texts.Text(c.Lang, M("broadcast.title", "Title", g.Title,
			"Channel", c.F().Texts.Text(c.Lang, M("channel."+string(g.Ref.Channel))), "Areas", areaNames(c, g.Areas))))
	}
	can, cannot := f.pinnable(targets)
	change := []Choice{{Label: M("broadcast.field_text"), Value: "field:text", Words: f.text.EditWords},
		{Label: M("broadcast.field_photo"), Value: "field:photo", Words: f.photo.EditWords}}
	rows := [][]Choice{
		{{Label: M("broadcast.send"), Value: "send", Words: []string{"gui", "gui di", "dong y", "ok", "co", "send"}}},
		change,
	}
	if d.Scope != ScopeOwn {
		rows = append(rows, []Choice{{Label: M("broadcast.field_targets"), Value: "field:targets", Words: []string{"doi nhom"}}})
	}
	if can > 0 { // 📌 is not offered where no group can have it
		rows = append(rows, []Choice{{Label: M("broadcast.pin", "On", d.Pin), Value: "pin", Words: []string{"ghim", "pin"}}})
	}
	rows = append(rows, []Choice{{Label: M("broadcast.cancel"), Value: "cancel"}})
	return Ask(M("broadcast.summary", "Count", len(targets), "Groups", strings.Join(titles, ", "),
		"More", len(targets)-len(titles), "Pin", d.Pin && can > 0, "CanPin", can > 0, "NoPin", cannot), rows...)
}

// pinnable counts the targets the bot can pin its message in (their
// channel can), and those it cannot.
func (f *broadcast) pinnable(targets []MarketGroup) (can, cannot int) {
	for _, g := range targets {
		if f.deps.Pins != nil && f.deps.Pins(g.Ref.Channel) {
			can++
		} else {
			cannot++
		}
	}
	return can, cannot
}

func (f *broadcast) onPreview(ctx context.Context, c *Conv, d *broadcastDraft, in Input) (Go, error) {
	if in.Kind != KindChoice {
		return NotUnderstood(), nil
	}
	switch in.Text {
	case "pin":
		d.Pin = !d.Pin
		groups, err := f.deps.Markets.AllMarkets(ctx)
		if err != nil {
			return Go{}, err
		}
		q := f.summary(c, d, targetsOf(groups, d)) // the post is as it was
		c.Ask(q.Text, q.Choices...)
		return Stay(), nil
	case "cancel":
		c.Say(M("cancel.done"))
		return Finish(), nil
	case "send":
		return f.send(ctx, c, d)
	}
	return NotUnderstood(), nil
}

// send authorises the sender again (a role may have gone since /thongbao)
// and stores the broadcast with a target per group as they are now; the
// workers send it and report. A retried update finds it stored.
func (f *broadcast) send(ctx context.Context, c *Conv, d *broadcastDraft) (Go, error) {
	ok, err := f.allowed(ctx, c, d)
	if err != nil {
		return Go{}, err
	}
	if !ok {
		c.Say(M("broadcast.refused"))
		return Finish(), nil
	}
	groups, err := f.deps.Markets.AllMarkets(ctx)
	if err != nil {
		return Go{}, err
	}
	targets := targetsOf(groups, d)
	if len(targets) == 0 {
		return Again(M("broadcast.zero_groups")), nil
	}
	if can, _ := f.pinnable(targets); can == 0 {
		d.Pin = false // chosen for groups since gone, or typed where it was not offered
	}
	b, err := f.deps.Broadcasts.CreateBroadcast(ctx, broadcastOf(c, d), targets, "broadcast:"+d.Nonce)
	if err != nil {
		return Go{}, err
	}
	c.Say(M("broadcast.started", "Count", len(targets), "ID", b.ID))
	return Finish(), nil
}

// stopDraft is the broadcast whose ⛔ Dừng gửi was pressed.
type stopDraft struct {
	ID int64 `json:"id"`
}

// broadcastStop is the ⛔ Dừng gửi button of a broadcast's progress (or
// "dừng TB12" typed): its author or a global moderator confirms, and what
// has not gone yet stays unsent.
type broadcastStop struct {
	deps    Deps
	form    *Form[stopDraft]
	confirm *Field[stopDraft]
}

func broadcastStopFlow(d Deps) *Flow { return newBroadcastStop(d).form.Flow() }

func newBroadcastStop(d Deps) *broadcastStop {
	f := &broadcastStop{deps: d}
	f.form = &Form[stopDraft]{Name: "broadcast_stop", Start: f.start}
	f.confirm = f.form.Row(Field[stopDraft]{Step: "confirm", Ask: f.askConfirm, Answer: f.onConfirm})
	return f
}

// stopPrefix is the value of flows.StopChoice.
const stopPrefix = "bc:stop:"

func (f *broadcastStop) start(ctx context.Context, c *Conv, d *stopDraft, in Input) (Go, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(in.Text, stopPrefix), 10, 64)
	if in.Kind != KindChoice || err != nil {
		c.Say(M("broadcast.stop_unknown"))
		return Finish(), nil
	}
	d.ID = id
	if ok, err := f.stoppable(ctx, c, d.ID); err != nil || !ok {
		return Finish(), err
	}
	return To(f.confirm), nil
}

// stoppable tells whether the user may stop the broadcast (its author or
// a global moderator) and it is still sending; if not, it says why.
func (f *broadcastStop) stoppable(ctx context.Context, c *Conv, id int64) (bool, error) {
	b, err := f.deps.Broadcasts.Broadcast(ctx, id)
	if errors.Is(err, ErrNotFound) {
		c.Say(M("broadcast.stop_unknown"))
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if b.AuthorID != c.User.ID {
		moderator, err := f.deps.Roles.IsModerator(ctx, c.User.ID)
		if err != nil || !moderator {
			c.Say(M("broadcast.stop_refused"))
			return false, err
		}
	}
	switch b.Status {
	case BroadcastSending:
		return true, nil
	case BroadcastCancelled:
		c.Say(M("broadcast.stop_stopped")) // not "sent in full": the rest never went
	default:
		c.Say(M("broadcast.stop_ended"))
	}
	return false, nil
}

func (f *broadcastStop) askConfirm(*Conv, *stopDraft) Question {
	return Ask(M("broadcast.stop_confirm"), []Choice{
		{Label: M("broadcast.stop_yes"), Value: "stop", Words: []string{"dung", "dung gui", "dong y", "co", "ok", "stop"}},
		{Label: M("broadcast.stop_no"), Value: "go_on", Words: []string{"tiep tuc", "tiep tuc gui", "khong", "continue"}},
	})
}

func (f *broadcastStop) onConfirm(ctx context.Context, c *Conv, d *stopDraft, in Input) (Go, error) {
	if in.Kind != KindChoice {
		return NotUnderstood(), nil
	}
	switch in.Text {
	case "go_on":
		c.Say(M("broadcast.stop_not"))
		return Finish(), nil
	case "stop":
		// Authorised again: the answer may come long after the question.
		if ok, err := f.stoppable(ctx, c, d.ID); err != nil || !ok {
			return Finish(), err
		}
		err := f.deps.Broadcasts.CancelBroadcast(ctx, d.ID)
		switch {
		case errors.Is(err, ErrStale): // ended since: say how
			_, err := f.stoppable(ctx, c, d.ID)
			return Finish(), err
		case err != nil:
			return Go{}, err
		default:
			c.Say(M("broadcast.stopped"))
		}
		return Finish(), nil
	}
	return NotUnderstood(), nil
}

// stopTyped reads "dừng TB12", the typed form of ⛔ Dừng gửi where a
// channel has no buttons: the broadcast's choice value.
var stopTypedPattern = regexp.MustCompile(`^(?:dung|dung gui|stop) tb ?(\d{1,18})$`)

func stopTyped(in Input) (string, bool) {
	if in.Kind != KindText || in.Command != "" {
		return "", false
	}
	m := stopTypedPattern.FindStringSubmatch(vn.Fold(stripEmoji(in.Text)))
	if m == nil {
		return "", false
	}
	return stopPrefix + m[1], true
}

// stopSending answers "huỷ" said between tasks by someone whose own
// latest announcement is still going out: it opens that broadcast's ⛔
// Dừng gửi, as the button on its progress would. done is false with none
// sending.
func (r *Router) stopSending(ctx context.Context, c *Conv, in Input) (done bool, err error) {
	if c.User == nil || c.Session.Active() || r.Deps.Broadcasts == nil {
		return false, nil
	}
	b, err := r.Deps.Broadcasts.Sending(ctx, c.User.ID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("cancel: %w", err)
	}
	in.Kind, in.Text, in.Command = KindChoice, stopPrefix+strconv.FormatInt(b.ID, 10), ""
	return true, r.interject(ctx, c, "broadcast_stop", in)
}

// groupBroadcast answers /thongbao typed in a group: its admin (or a global
// moderator) gets a button into the private chat, where the announcement
// to this group is written; anyone else a polite no.
func (r *Router) groupBroadcast(ctx context.Context, c *Conv, in Input) error {
	c.Lang = GroupLang
	moderator, err := r.Deps.Roles.IsModerator(ctx, c.User.ID)
	if err != nil {
		return err
	}
	switch {
	case moderator || in.Admin && !in.NoAdmins:
		c.Ask(M("broadcast.group_open"), []Choice{{Label: M("broadcast.group_button"),
			Do: &Action{Kind: ActBroadcast, Code: in.ChatID}}})
	case in.NoAdmins:
		c.Say(M("broadcast.group_moderators_only"))
	default:
		c.Say(M("broadcast.group_admins_only"))
	}
	return nil
}

// isURL tells a photo the platform keeps by URL from one it keeps by its
// own reference.
func isURL(ref string) bool {
	return strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://")
}
