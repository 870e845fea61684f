package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/locales"
)

// matcher recognises the reply that ends a turn: a message of the
// catalogue, rendered as the service renders it for a Vietnamese user, in
// full, or by its first or last line where the rest holds the user's own
// data (the summary) or varies (the price question's market hint).
type matcher struct {
	id                    string
	exact, prefix, suffix string
}

func (m matcher) match(s string) bool {
	switch {
	case m.exact != "":
		return s == m.exact
	case m.prefix != "":
		return strings.HasPrefix(s, m.prefix)
	default:
		return strings.HasSuffix(s, m.suffix)
	}
}

// catalogue renders the service's messages (locales/vi.toml).
type catalogue struct{ texts *locales.Texts }

func newCatalogue() (catalogue, error) {
	t, err := locales.New()
	if err != nil {
		return catalogue{}, fmt.Errorf("load messages: %w", err)
	}
	return catalogue{t}, nil
}

func (c catalogue) text(id string, kv ...any) string { return c.texts.Text("vi", flows.M(id, kv...)) }

func (c catalogue) exact(id string, kv ...any) matcher {
	return matcher{id: id, exact: c.text(id, kv...)}
}

func (c catalogue) firstLine(id string, kv ...any) matcher {
	first, _, _ := strings.Cut(c.text(id, kv...), "\n")
	return matcher{id: id, prefix: first}
}

// before matches the text up to where kv's value marker shows.
func (c catalogue) before(id, marker string, kv ...any) matcher {
	t := c.text(id, kv...)
	i := strings.Index(t, marker)
	if i <= 0 {
		panic(fmt.Sprintf("%s does not show %q", id, marker))
	}
	return matcher{id: id, prefix: t[:i]}
}

func (c catalogue) lastLine(id string, kv ...any) matcher {
	t := c.text(id, kv...)
	return matcher{id: id, suffix: t[strings.LastIndexByte(t, '\n')+1:]}
}

// notices are the messages the bot sends of its own accord, between the
// replies: they end no turn and are no error. Set once, before the load.
var notices []matcher

func isNotice(text string) bool {
	for _, m := range notices {
		if m.match(text) {
			return true
		}
	}
	return false
}

// How the bot names a listing and an order.
var (
	listingCode = regexp.MustCompile(`NS-[2-9A-HJ-NP-Z]{4}`)
	orderCode   = regexp.MustCompile(`DH-[2-9A-HJ-NP-Z]{4}`)
)

// script is what one user does: setup once, then after (once every
// user's setup is done: a buyer's first order needs the farmers'
// listings), neither measured; then loop again and again.
type script struct {
	kind               string // listing, ordering, menu and help
	setup, after, loop []step
}

// Market groups the load registers before it starts: the sellers are in
// Chi Lăng, so both receive every listing.
var marketGroups = []struct {
	chat int64
	cmd  string
}{{-1009000000001, "/dangky Chi Lăng"}, {-1009000000002, "/dangky"}}

// groupAdmin administers every market group.
const groupAdmin = 9_000_001

// sellScript is a farmer of Chi Lăng: registration once, then one listing
// after another (product → 2 photos → done → quantity → price → date →
// note → confirm → /ban), as in cmd/nongsan's sell stories.
func sellScript(c catalogue, id int64) script {
	name := fmt.Sprintf("Nông dân %d", id)
	product := c.firstLine("sell.product")
	setup := []step{
		textStep("/ban", c.firstLine("reg.name", "Name", name)),
		tapStep("keep", c.firstLine("reg.phone")),
		contactStep(c.firstLine("reg.commune")),
		textStep("xã Quang Lang, Chi Lăng", c.firstLine("reg.code")),
		textStep("vn-lsor-0012", c.firstLine("reg.bank")),
		textStep("agribank", c.firstLine("reg.account")),
		textStep("1234 5678 9012", c.firstLine("reg.holder", "Holder", fmt.Sprintf("NONG DAN %d", id))),
		textStep("1", product),
	}
	published := textStep("đồng ý", c.before("sell.published", "NS-XXXX", "Code", "NS-XXXX", "Groups", len(marketGroups)))
	published.seen = func(u *user, reply string) {
		if code := listingCode.FindString(reply); code != "" {
			u.codes = append(u.codes, code)
		}
	}
	loop := []step{
		textStep("na", c.exact("sell.photos")),
		photoStep("na-a", c.exact("sell.photo_got", "Count", 1)),
		photoStep("na-b", c.exact("sell.photo_got", "Count", 2)),
		textStep("xong", c.exact("sell.quantity", "Product", "Na Chi Lăng", "Unit", "kg")),
		textStep("5 tạ", c.lastLine("sell.price", "Unit", "kg")),
		textStep("25k", c.exact("sell.ready")),
		textStep("mai", c.exact("sell.note")),
		textStep("Na dai, quả to", c.firstLine("sell.summary")),
		published,
		textStep("/ban", product),
	}
	return script{kind: "listing", setup: setup, loop: loop}
}

// buyScript is a buyer ordering 1 kg from the listings codes gives, in
// turn: the first order asks who receives it and their phone; later ones
// remember both (and offer the last address).
func buyScript(c catalogue, codes func(u *user, round int) string) script {
	order := func(first bool) []step {
		steps := []step{{label: "mua NS-…", textf: func(u *user, round int) string { return "mua " + codes(u, round) }, want: c.lastLine("order.quantity", "Unit", "kg")}}
		steps = append(steps, textStep("1 kg", c.lastLine("order.delivery")))
		if first {
			steps[1].want = c.lastLine("order.name", "Name", "X")
			steps = append(steps, tapStep("keep", c.lastLine("order.phone")), contactStep(c.exact("order.delivery")))
		}
		placed := textStep("đặt hàng", c.before("order.placed", "SELLER", "Seller", "SELLER"))
		placed.seen = func(u *user, reply string) {
			if code := orderCode.FindString(reply); code != "" {
				u.orders = append(u.orders, code)
			}
		}
		return append(steps,
			textStep("giao tận nơi", c.lastLine("order.address")),
			textStep("12 Trần Phú, Ba Đình, Hà Nội", c.exact("order.note")),
			textStep("bỏ qua", c.firstLine("order.summary")),
			placed)
	}
	return script{kind: "ordering", after: order(true), loop: order(false)}
}

// browseScript is a user looking around: the menu and the help.
func browseScript(c catalogue, id int64) script {
	return script{kind: "menu and help", setup: []step{textStep("/start", c.firstLine("start.welcome", "Name", fmt.Sprintf("Nông dân %d", id)))}, loop: []step{
		textStep("/start", c.exact("start.again", "Name", fmt.Sprintf("Nông dân %d", id))),
		textStep("/help", c.firstLine("help.text")),
		textStep("/don", c.firstLine("orders.none")),
		textStep("trợ giúp", c.firstLine("help.text")),
	}}
}

// workload makes each user's script; ready is called once setup is done.
type workload interface {
	script(i int, id int64) script
	ready()
	// stores: the bot keeps listings and orders in PostgreSQL and posts
	// listings to market groups (the service, not the reference bot).
	stores() bool
}

func newWorkload(name string, c catalogue, pop *population) (workload, error) {
	posted := c.text("sell.posted", "Code", "NS-XXXX", "Group", "G", "Link", "")
	notices = []matcher{{id: "sell.posted", prefix: posted[:strings.Index(posted, "NS-XXXX")]},
		c.before("order.new", "QTY", "Quantity", "QTY")}
	switch name {
	case "sell":
		return sellers{c}, nil
	case "mixed":
		return &mixed{c: c, pop: pop}, nil
	case "reference":
		return reference{c}, nil
	}
	return nil, fmt.Errorf("unknown workload %q", name)
}

// sellers is the sell workload: every user a farmer listing again and again.
type sellers struct{ c catalogue }

func (s sellers) script(_ int, id int64) script { return sellScript(s.c, id) }
func (sellers) ready()                          {}
func (sellers) stores() bool                    { return true }

// reference is the sell loop's first nine messages (product to confirm)
// sent to the reference bot (deploy/bench/reference), which keeps each in
// its Redis session and answers with the next step's number: "Bước 2" to
// "Bước 9", then "Bước 1" as the flow starts over.
type reference struct{ c catalogue }

func (r reference) script(_ int, id int64) script {
	loop := sellScript(r.c, id).loop[:9]
	for i := range loop {
		loop[i].want = matcher{id: "reference", exact: fmt.Sprintf("Bước %d", (i+1)%len(loop)+1)}
		loop[i].seen = nil
	}
	return script{kind: "reference", loop: loop}
}
func (reference) ready()       {}
func (reference) stores() bool { return false }

// mixed is the harvest-day mix of updates: 70 % in listing flows, 20 % in
// order flows, 10 % the menu and the help. By users, out of every 20: 12
// farmers listing (the sell workload; each publishes one listing during
// setup), 6 buyers ordering from those listings, 2 looking at the menu and
// the help. An order's turns take longer than a listing's, so buyers are
// more than a fifth of the users: the report shows the shares measured.
type mixed struct {
	c     catalogue
	pop   *population
	codes []string // the listings published during setup, set by ready
}

func (m *mixed) role(i int) string {
	switch {
	case i%20 >= 18:
		return "browser"
	case i%20 >= 12:
		return "buyer"
	}
	return "seller"
}

func (m *mixed) script(i int, id int64) script {
	switch m.role(i) {
	case "buyer":
		return buyScript(m.c, func(u *user, round int) string {
			return m.codes[(int(u.id)+round)%len(m.codes)]
		})
	case "browser":
		return browseScript(m.c, id)
	}
	s := sellScript(m.c, id)
	s.setup = append(s.setup, s.loop...)
	return s
}

func (*mixed) stores() bool { return true }

func (m *mixed) ready() {
	for _, u := range m.pop.users {
		m.codes = append(m.codes, u.codes...)
	}
}
