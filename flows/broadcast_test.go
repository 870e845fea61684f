package flows_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
)

// admins is what the platform says of groups' admins: "group/user".
type admins map[string]bool

func (a admins) IsGroupAdmin(_ context.Context, g flows.ChatRef, user string) (bool, error) {
	return a[g.ChatID+"/"+user], nil
}

// newsroom is the router with moderator "7", market groups in three areas
// and one of every area, and several people's private chats.
type newsroom struct {
	t      *testing.T
	db     *postgres.DB
	router *flows.Router
	admins admins
	sess   map[string]*flows.Session // by user
	said   []flows.Reply
	update int
}

func newNewsroom(t *testing.T) *newsroom {
	t.Helper()
	db := pgtest.MustOpen(t)
	db.Moderators = postgres.Moderators{"telegram:7": true}
	now := time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)
	n := &newsroom{t: t, db: db, admins: admins{}, sess: map[string]*flows.Session{}}
	deps := mustDeps(t, db, func() time.Time { return now })
	deps.Broadcasts, deps.Admins = db, n.admins
	deps.Pins = func(c flows.Channel) bool { return c == flows.Telegram }
	n.router = flows.NewRouter(deps)
	for _, g := range []struct {
		id, title string
		areas     []string
	}{
		{"-101", "Chợ Chi Lăng", []string{"chi_lang"}},
		{"-102", "Chợ Bắc Sơn", []string{"bac_son"}},
		{"-103", "Chợ Cao Lộc", []string{"cao_loc"}},
		{"-104", "Chợ cả tỉnh", nil},
	} {
		ref := flows.ChatRef{Channel: flows.Telegram, ChatID: g.id}
		if err := db.SaveGroup(context.Background(), ref, g.title, true); err != nil {
			t.Fatal(err)
		}
		if err := db.RegisterMarket(context.Background(), flows.MarketGroup{Ref: ref, Areas: g.areas}, 0); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// send handles one input from user in their private chat (or in group,
// when given) and returns the IDs of the messages said.
func (n *newsroom) send(user string, kind flows.InputKind, text string, group ...string) []string {
	n.t.Helper()
	n.update++
	in := flows.Input{Channel: flows.Telegram, UpdateID: strconv.Itoa(n.update), ChatID: user, ChatType: flows.Private,
		UserID: user, UserName: "U" + user, Lang: "vi", Kind: kind, Text: text, MessageID: strconv.Itoa(n.update)}
	if len(group) > 0 {
		in.ChatID, in.ChatType, in.ChatTitle = group[0], flows.Group, "Nhóm"
		in.Admin = n.admins[group[0]+"/"+user]
	}
	if strings.HasPrefix(text, "/") {
		in.Command, in.Arg, _ = strings.Cut(text[1:], " ")
	}
	if kind == flows.KindPhoto {
		in.Photo = &flows.Photo{FileID: "photo-" + in.UpdateID, ID: flows.NewPhotoID(), Channel: flows.Telegram}
	}
	u, err := n.db.Touch(context.Background(), in)
	if err != nil {
		n.t.Fatal(err)
	}
	res, err := n.router.Handle(context.Background(), u, n.sess[user], in)
	if err != nil {
		n.t.Fatal(err)
	}
	if len(group) == 0 {
		n.sess[user] = res.Session
	}
	n.said = res.Replies
	var ids []string
	for _, r := range res.Replies {
		if r.Menu {
			r.Text.ID += "+menu"
		}
		ids = append(ids, r.Text.ID)
	}
	return ids
}

// bturn is one input of user and what it should lead to.
type bturn struct {
	user string
	kind flows.InputKind
	text string
	step string // flow/step afterwards, "" for none
	said []string
}

func (n *newsroom) play(turns []bturn) {
	n.t.Helper()
	for i, tt := range turns {
		said := n.send(tt.user, tt.kind, tt.text)
		step := ""
		if s := n.sess[tt.user]; s.Active() {
			step = string(s.Flow) + "/" + string(s.Step)
		}
		if step != tt.step || !equal(said, tt.said) {
			n.t.Fatalf("turn %d %s %q: step %q said %v; want step %q said %v", i, tt.user, tt.text, step, said, tt.step, tt.said)
		}
	}
}

// broadcasts are the stored broadcasts' ids and their targets' chats.
func (n *newsroom) broadcasts() map[int64][]string {
	n.t.Helper()
	rows, err := n.db.Pool.Query(context.Background(),
		`SELECT broadcast_id, chat_id FROM broadcast_targets ORDER BY broadcast_id, chat_id`)
	if err != nil {
		n.t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var chat string
		if err := rows.Scan(&id, &chat); err != nil {
			n.t.Fatal(err)
		}
		out[id] = append(out[id], chat)
	}
	return out
}

// only is the one broadcast stored, checking that its targets are want
// (chat ids, sorted, comma-separated).
func (n *newsroom) only(want string) int64 {
	n.t.Helper()
	got := n.broadcasts()
	if len(got) != 1 {
		n.t.Fatalf("broadcasts %v, want one", got)
	}
	for id, chats := range got {
		if strings.Join(chats, ",") != want {
			n.t.Fatalf("targets %v, want %s", chats, want)
		}
		return id
	}
	return 0
}

const (
	photoIn  = flows.KindPhoto
	choiceIn = flows.KindChoice
)

func TestAModeratorBroadcastsWithAPhotoToTwoAreas(t *testing.T) {
	n := newNewsroom(t)
	announcement := "Thứ 7 này có thương lái Hà Nội về thu mua na tại chợ Đồng Mỏ"
	n.play([]bturn{
		{"7", text, "/thongbao", "broadcast/text", []string{"broadcast.text"}},
		{"7", text, announcement, "broadcast/photo", []string{"broadcast.photo"}},
		{"7", photoIn, "", "broadcast/targets", []string{"broadcast.targets"}},
		{"7", text, "theo vung", "broadcast/areas", []string{"broadcast.areas"}},
		{"7", text, "xong", "broadcast/areas", []string{"broadcast.areas_none"}},
		{"7", text, "chi lang", "broadcast/areas", []string{"broadcast.areas"}},
		{"7", text, "2 3", "broadcast/areas", []string{"broadcast.areas"}}, // Bắc Sơn, beside Chi Lăng, and Cao Lộc
		{"7", text, "3", "broadcast/areas", []string{"broadcast.areas"}},   // Cao Lộc again: not after all
		{"7", text, "xong", "broadcast/preview", []string{"broadcast.post", "broadcast.summary"}},
	})
	preview, summary := n.said[0], n.said[1]
	if len(preview.Photos) != 1 || preview.To != (flows.ChatRef{Channel: flows.Telegram, ChatID: "7"}) || preview.Group {
		t.Fatalf("preview %+v", preview)
	}
	if summary.Text.Data["Count"] != 3 || !strings.Contains(summary.Text.Data["Groups"].(string), "Chợ cả tỉnh") {
		t.Fatalf("summary %+v: want 3 groups, the one of every area among them", summary.Text.Data)
	}
	n.play([]bturn{
		{"7", text, "ghim", "broadcast/preview", []string{"broadcast.summary"}},
		{"7", text, "gửi", "", []string{"broadcast.started+menu"}},
	})
	id := n.only("-101,-102,-104") // Chi Lăng, Bắc Sơn and every area's
	b, err := n.db.Broadcast(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if b.Text != announcement || b.Photo == "" || !b.Pin || b.Scope != flows.ScopeAreas || b.AuthorID == 0 {
		t.Fatalf("stored %+v", b)
	}
	// The preview is the announcement as a group gets it: the same photo,
	// shown to its author by the platform's own reference, and by its id
	// (Telegram's file_id is no link: an upload the preview makes is
	// recorded under it, for the groups).
	post := flows.BroadcastPost(*b, preview.To, false)
	if post.Text.ID != preview.Text.ID || post.Text.Data["Text"] != preview.Text.Data["Text"] || post.Lang != preview.Lang {
		t.Fatalf("preview %+v, the group's post %+v", preview, post)
	}
	shown, _ := flows.ParsePhotoRef(preview.Photos[0])
	sent, _ := flows.ParsePhotoRef(post.Photos[0])
	if shown != sent || sent.ID == "" {
		t.Fatalf("the preview's photo %+v, the group's %+v", shown, sent)
	}
}

func TestABroadcastIsWrittenTypedAndChanged(t *testing.T) {
	n := newNewsroom(t)
	n.play([]bturn{
		{"7", text, "/thongbao", "broadcast/text", []string{"broadcast.text"}},
		{"7", text, strings.Repeat("na ", 400), "broadcast/text", []string{"broadcast.too_long"}},
		{"7", photoIn, "", "broadcast/text", []string{"broadcast.photo_then_text"}},
		{"7", text, "Chợ phiên sáng mai", "broadcast/targets", []string{"broadcast.targets"}}, // the photo came first
		{"7", text, "chon tung nhom", "broadcast/pick", []string{"broadcast.pick"}},
		{"7", text, "xong", "broadcast/pick", []string{"broadcast.picked_none"}},
		{"7", text, "3", "broadcast/pick", []string{"broadcast.pick"}},
		{"7", text, "xong", "broadcast/preview", []string{"broadcast.post", "broadcast.summary"}},
		{"7", text, "sua chu", "broadcast/text", []string{"broadcast.text"}},
		{"7", text, "Chợ phiên chiều mai", "broadcast/preview", []string{"broadcast.post", "broadcast.summary"}},
		{"7", text, "doi anh", "broadcast/photo", []string{"broadcast.photo_change"}},
		{"7", text, "bo qua", "broadcast/preview", []string{"broadcast.post", "broadcast.summary"}},
		{"7", text, "doi nhom", "broadcast/targets", []string{"broadcast.targets"}},
		{"7", text, "tat ca", "broadcast/preview", []string{"broadcast.post", "broadcast.summary"}},
	})
	if p := n.said[0]; len(p.Photos) != 0 || p.Text.Data["Text"] != "Chợ phiên chiều mai" || n.said[1].Text.Data["Count"] != 4 {
		t.Fatalf("preview after the changes %+v, summary %+v", p, n.said[1].Text.Data)
	}
	n.play([]bturn{{"7", text, "huỷ", "", []string{"cancel.done+menu"}}})
	if got := n.broadcasts(); len(got) != 0 {
		t.Fatalf("a cancelled draft stored %v", got)
	}
}

func TestOnlyModeratorsBroadcast(t *testing.T) {
	n := newNewsroom(t)
	n.play([]bturn{{"8", text, "/thongbao", "", []string{"broadcast.refused+menu"}}})
	// A moderator whose role goes before ✅ Gửi sends nothing.
	n.play([]bturn{
		{"7", text, "/thongbao", "broadcast/text", []string{"broadcast.text"}},
		{"7", photoIn, "Họp chợ sáng mai", "broadcast/targets", []string{"broadcast.targets"}}, // a photo with its caption
		{"7", choiceIn, "all", "broadcast/preview", []string{"broadcast.post", "broadcast.summary"}},
	})
	delete(n.db.Moderators, "telegram:7")
	n.play([]bturn{{"7", choiceIn, "send", "", []string{"broadcast.refused+menu"}}})
	if got := n.broadcasts(); len(got) != 0 {
		t.Fatalf("refused users stored %v", got)
	}
}

func TestAGroupAdminBroadcastsToTheirOwnGroup(t *testing.T) {
	n := newNewsroom(t)
	n.admins["-102/8"] = true
	if said := n.send("8", text, "/thongbao", "-102"); !equal(said, []string{"broadcast.group_open"}) ||
		n.said[0].Choices[0][0].Do.Payload() != "tb_-102" {
		t.Fatalf("the admin in the group: %v %+v", said, n.said)
	}
	if said := n.send("9", text, "/thongbao", "-102"); !equal(said, []string{"broadcast.group_admins_only"}) {
		t.Fatalf("someone else in the group: %v", said)
	}
	n.play([]bturn{
		{"9", text, "/start tb_-102", "", []string{"broadcast.own_refused+menu"}}, // the button passed on
		{"8", text, "/start tb_-103", "", []string{"broadcast.own_refused+menu"}}, // another group
		{"8", text, "/start tb_-102", "broadcast/text", []string{"broadcast.text_own"}},
		{"8", text, "Sáng mai họp nhóm", "broadcast/photo", []string{"broadcast.photo"}},
		{"8", text, "bo qua", "broadcast/preview", []string{"broadcast.post", "broadcast.summary"}},
		{"8", text, "doi nhom", "broadcast/preview", []string{"unclear.text", "broadcast.post", "broadcast.summary"}},
		{"8", text, "gui", "", []string{"broadcast.started+menu"}},
	})
	n.only("-102") // their group only
	// No longer an admin when pressing ✅ Gửi: nothing goes.
	n.play([]bturn{
		{"8", text, "/start tb_-102", "broadcast/text", []string{"broadcast.text_own"}},
		{"8", photoIn, "Sáng mai họp nhóm", "broadcast/preview", []string{"broadcast.post", "broadcast.summary"}},
	})
	delete(n.admins, "-102/8")
	n.play([]bturn{{"8", text, "gui", "", []string{"broadcast.refused+menu"}}})
	n.only("-102") // the first, no other
}

func TestABroadcastIsStoppedByItsAuthorOnly(t *testing.T) {
	n := newNewsroom(t)
	n.play([]bturn{
		{"7", text, "/thongbao", "broadcast/text", []string{"broadcast.text"}},
		{"7", photoIn, "Họp chợ sáng mai", "broadcast/targets", []string{"broadcast.targets"}},
		{"7", text, "1", "broadcast/preview", []string{"broadcast.post", "broadcast.summary"}},
		{"7", text, "ok", "", []string{"broadcast.started+menu"}},
	})
	id := n.only("-101,-102,-103,-104")
	stop := flows.StopChoice(id).Value
	n.play([]bturn{
		{"8", choiceIn, stop, "", []string{"broadcast.stop_refused+menu"}},
		{"8", text, "dung tb" + strconv.FormatInt(id, 10), "", []string{"broadcast.stop_refused+menu"}},
		{"7", choiceIn, stop, "broadcast_stop/confirm", []string{"broadcast.stop_confirm"}},
		{"7", text, "tiep tuc", "", []string{"broadcast.stop_not+menu"}},
		{"7", text, "huỷ", "broadcast_stop/confirm", []string{"broadcast.stop_confirm"}}, // still sending
		{"7", text, "tiep tuc", "", []string{"broadcast.stop_not+menu"}},
		{"7", text, "Dừng TB" + strconv.FormatInt(id, 10), "broadcast_stop/confirm", []string{"broadcast.stop_confirm"}},
		{"7", text, "dung", "", []string{"broadcast.stopped+menu"}},
		{"7", choiceIn, stop, "", []string{"broadcast.stop_stopped+menu"}},
		{"7", choiceIn, "bc:stop:999", "", []string{"broadcast.stop_unknown+menu"}},
	})
	if b, err := n.db.Broadcast(context.Background(), id); err != nil || b.Status != flows.BroadcastCancelled {
		t.Fatalf("stopped broadcast %+v, %v", b, err)
	}
}

// Many groups are picked a page at a time, several typed at once.
func TestGroupsArePickedAPageAtATime(t *testing.T) {
	n := newNewsroom(t)
	for i := range 21 { // 25 with the newsroom's 4
		ref := flows.ChatRef{Channel: flows.Zalo, ChatID: "z" + strconv.Itoa(100+i)}
		if err := n.db.SaveGroup(context.Background(), ref, "Nhóm "+strconv.Itoa(i), true); err != nil {
			t.Fatal(err)
		}
		if err := n.db.RegisterMarket(context.Background(), flows.MarketGroup{Ref: ref}, 0); err != nil {
			t.Fatal(err)
		}
	}
	n.play([]bturn{
		{"7", text, "/thongbao", "broadcast/text", []string{"broadcast.text"}},
		{"7", photoIn, "Họp chợ sáng mai", "broadcast/targets", []string{"broadcast.targets"}},
		{"7", text, "chon tung nhom", "broadcast/pick", []string{"broadcast.pick"}},
	})
	if pick := n.said[0]; len(pick.Choices) != 22 || pick.Text.Data["Pages"] != 2 { // 20 groups, Trang sau, Xong
		t.Fatalf("the first page: %d rows, %v", len(pick.Choices), pick.Text.Data)
	}
	n.play([]bturn{
		{"7", text, "1, 2", "broadcast/pick", []string{"broadcast.pick"}},
		{"7", text, "trang sau", "broadcast/pick", []string{"broadcast.pick"}},
		{"7", text, "2 4", "broadcast/pick", []string{"broadcast.pick"}},
		{"7", text, "2 99", "broadcast/pick", []string{"unclear.text", "broadcast.pick"}},
		{"7", text, "xong", "broadcast/preview", []string{"broadcast.post", "broadcast.summary"}},
		{"7", text, "gui", "", []string{"broadcast.started+menu"}},
	})
	n.only("-101,-102,z117,z119") // the first two, the 22nd and 24th
}
