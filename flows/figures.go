package flows

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Figures are the province's measures: as of now, and over a period.
type Figures struct {
	Sellers int       // households with a digital store: registered farmers
	Banked  int       // of them, with a bank account for e-payment
	Active  int       // listings on sale now
	Sold    []SoldRow // orders sold in the period, by product, area and unit
}

// SoldRow is what was sold of one product in one area, in one unit. Sold
// means accepted by the farmer and not cancelled since (accepted, shipping
// or completed), among the orders placed in the period.
type SoldRow struct {
	ProductKey string // catalog key, "" for free text
	Product    string
	Area       string // area tag, "" outside Lạng Sơn
	Unit       vn.Unit
	Orders     int
	Milli      int64 // thousandths of Unit
	VND        int64
}

// FiguresStore counts the figures.
type FiguresStore interface {
	// Figures counts, for area ("" for every area), the farmers, those with
	// a bank account and the active listings at now, and the orders sold
	// among those placed in [from, to).
	Figures(ctx context.Context, area string, from, to, now time.Time) (*Figures, error)
}

// Downloads keeps files for channels that cannot send them: the user gets
// a link instead (Document.Link).
type Downloads interface {
	// SaveDownload keeps d until expires and returns its unguessable token;
	// it is served at PagesURL + DownloadPath + token.
	SaveDownload(ctx context.Context, d Document, expires time.Time) (token string, err error)
}

// DownloadPath is where downloads are served, under the app's base.
const DownloadPath = "/tep/"

// downloadTTL: a figures file's link works this long.
const downloadTTL = 24 * time.Hour

// topRows: the report lists this many products and areas; the file has all.
const topRows = 5

// Steps of /thongke.
const (
	stepFigPeriod Step = "period"
	stepFigArea   Step = "area"
)

// Period kinds.
const (
	periodMonth     = "month"
	periodLastMonth = "last_month"
	period7         = "7d"
	period30        = "30d"
	periodRange     = "range"
)

// figuresDraft is the report being asked for: [From, To) in Asia/Ho_Chi_Minh.
type figuresDraft struct {
	Kind string    `json:"kind"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// figuresFlow is /thongke, for global moderators: a period, an area (or
// all), then the report and its CSV file.
func figuresFlow(d Deps) *Flow {
	f := &figures{deps: d}
	return &Flow{
		Name:  "figures",
		Start: f.start,
		Steps: map[Step]StepDef{
			stepFigPeriod: {Prompt: f.askPeriod, Handle: f.onPeriod},
			stepFigArea:   {Prompt: f.askArea, Handle: f.onArea},
		},
	}
}

type figures struct{ deps Deps }

// allowed tells whether the user may see the figures, and refuses anyone
// else: checked at the start and again when the report is made.
func (f *figures) allowed(ctx context.Context, c *Conv) (bool, error) {
	ok, err := f.deps.Roles.IsModerator(ctx, c.User.ID)
	if err != nil {
		return false, fmt.Errorf("figures: moderator? %w", err)
	}
	if !ok {
		c.Say(M("figures.refused"))
	}
	return ok, nil
}

func (f *figures) start(ctx context.Context, c *Conv, _ Input) (Step, error) {
	if ok, err := f.allowed(ctx, c); !ok || err != nil {
		return Done, err
	}
	return stepFigPeriod, nil
}

func (f *figures) askPeriod(c *Conv) {
	c.Ask(M("figures.period"),
		[]Choice{{Label: M("figures.this_month"), Value: "fig:" + periodMonth, Words: []string{"thang nay"}},
			{Label: M("figures.last_month"), Value: "fig:" + periodLastMonth, Words: []string{"thang truoc"}}},
		[]Choice{{Label: M("figures.last_7"), Value: "fig:" + period7, Words: []string{"7 ngay"}},
			{Label: M("figures.last_30"), Value: "fig:" + period30, Words: []string{"30 ngay"}}})
}

// rangePattern reads a typed period, folded: "tu 1/11 den 30/11".
var rangePattern = regexp.MustCompile(`^(?:tu )?(.+?) (?:den|toi|-|–) (.+)$`)

func (f *figures) onPeriod(_ context.Context, c *Conv, in Input) (Step, error) {
	today := vn.Today(c.Now)
	month := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, vn.Location())
	var d figuresDraft
	switch {
	case in.Kind == KindChoice && in.Text == "fig:"+periodMonth:
		d = figuresDraft{Kind: periodMonth, From: month, To: month.AddDate(0, 1, 0)}
	case in.Kind == KindChoice && in.Text == "fig:"+periodLastMonth:
		d = figuresDraft{Kind: periodLastMonth, From: month.AddDate(0, -1, 0), To: month}
	case in.Kind == KindChoice && in.Text == "fig:"+period7:
		d = figuresDraft{Kind: period7, From: today.AddDate(0, 0, -6), To: today.AddDate(0, 0, 1)}
	case in.Kind == KindChoice && in.Text == "fig:"+period30:
		d = figuresDraft{Kind: period30, From: today.AddDate(0, 0, -29), To: today.AddDate(0, 0, 1)}
	case in.Kind == KindText:
		m := rangePattern.FindStringSubmatch(vn.Fold(in.Text))
		if m == nil {
			return Unclear, nil
		}
		from, err1 := pastDate(m[1], c.Now)
		to, err2 := pastDate(m[2], c.Now)
		if err1 != nil || err2 != nil || to.Before(from) {
			c.Say(M("figures.range_bad"))
			return stepFigPeriod, nil
		}
		d = figuresDraft{Kind: periodRange, From: from, To: to.AddDate(0, 0, 1)}
	default:
		return Unclear, nil
	}
	if err := c.SetDraft(d); err != nil {
		return "", err
	}
	return stepFigArea, nil
}

// pastDate reads a day of a report: one written without its year is the
// last such day up to today (a report looks back).
func pastDate(s string, now time.Time) (time.Time, error) {
	d, err := vn.ParseDate(s, now)
	if err != nil {
		return d, err
	}
	if d.After(vn.Today(now)) {
		d = d.AddDate(-1, 0, 0)
	}
	return d, nil
}

func (f *figures) askArea(c *Conv) {
	rows := [][]Choice{{{Label: M("figures.all_areas"), Value: "area:all", Words: []string{"tat ca", "ca tinh", "all"}}}}
	for _, tag := range Areas {
		rows = append(rows, []Choice{{Label: M("area." + tag), Value: "area:" + tag}})
	}
	c.Ask(M("figures.area"), pairs(rows)...)
}

func (f *figures) onArea(ctx context.Context, c *Conv, in Input) (Step, error) {
	area, ok := "", in.Kind == KindChoice && in.Text == "area:all"
	if !ok {
		if area, ok = pickArea(c, in); !ok {
			return Unclear, nil
		}
	}
	var d figuresDraft
	if err := c.Draft(&d); err != nil {
		return "", err
	}
	if ok, err := f.allowed(ctx, c); !ok || err != nil {
		return Done, err
	}
	return Done, f.report(ctx, c, d, area)
}

// soldLine is what was sold of a product, an area, or both: weights in kg,
// other units kept as they were typed.
type soldLine struct {
	Name   string
	Orders int
	Kg     int64             // thousandths of a kg
	Counts map[vn.Unit]int64 // thousandths of each other unit
	VND    int64
}

func (l *soldLine) add(r SoldRow) {
	l.Orders += r.Orders
	l.VND += r.VND
	if g, ok := r.Unit.Kg(); ok {
		l.Kg += r.Milli * g / 1000
		return
	}
	if l.Counts == nil {
		l.Counts = map[vn.Unit]int64{}
	}
	l.Counts[r.Unit] += r.Milli
}

// amount is `1.250 kg + 120 quả`.
func (l soldLine) amount(fm Format) string {
	var parts []string
	if l.Kg > 0 || len(l.Counts) == 0 {
		parts = append(parts, fm.Quantity(vn.Quantity{Milli: l.Kg, Unit: vn.UnitKg}))
	}
	for _, u := range slices.Sorted(maps.Keys(l.Counts)) {
		parts = append(parts, fm.Quantity(vn.Quantity{Milli: l.Counts[u], Unit: u}))
	}
	return strings.Join(parts, " + ")
}

// lineMsg is a report's line of a product or an area: its orders counted
// the Vietnamese way, `1.250 đơn`.
func lineMsg(name string, orders int, amount string) Msg {
	return M("figures.line", "Name", name, "Orders", vn.FormatNumber(int64(orders)), "Amount", amount)
}

// group adds rows up by the name key gives each.
func group(rows []SoldRow, key func(SoldRow) string) []*soldLine {
	byName := map[string]*soldLine{}
	var lines []*soldLine
	for _, r := range rows {
		k := key(r)
		l, ok := byName[k]
		if !ok {
			l = &soldLine{Name: k}
			byName[k] = l
			lines = append(lines, l)
		}
		l.add(r)
	}
	slices.SortStableFunc(lines, func(a, b *soldLine) int {
		return cmp.Or(cmp.Compare(b.Orders, a.Orders), cmp.Compare(b.Kg, a.Kg), strings.Compare(a.Name, b.Name))
	})
	return lines
}

// report tells the figures in a short message, then sends them as a CSV
// file (or its link, where the channel cannot send files).
func (f *figures) report(ctx context.Context, c *Conv, d figuresDraft, area string) error {
	fig, err := f.deps.Figures.Figures(ctx, area, d.From, d.To, c.Now)
	if err != nil {
		return err
	}
	fm := c.F()
	product := func(r SoldRow) string {
		if p, ok := f.deps.Catalogs.Products.ByKey(r.ProductKey); ok && r.ProductKey != "" {
			return p.Name
		}
		return r.Product
	}
	place := func(r SoldRow) string {
		if r.Area == "" {
			return c.T(M("figures.area_other"))
		}
		return fm.Area(r.Area)
	}
	total := soldLine{}
	for _, r := range fig.Sold {
		total.add(r)
	}
	lines := func(ls []*soldLine) string {
		var out []string
		for _, l := range ls[:min(len(ls), topRows)] {
			out = append(out, c.T(lineMsg(l.Name, l.Orders, l.amount(fm))))
		}
		return strings.Join(out, "\n")
	}
	period := f.periodText(c, d)
	c.Say(M("figures.report", "Period", period, "Area", fm.Area(area),
		"Sellers", vn.FormatNumber(int64(fig.Sellers)), "Banked", vn.FormatNumber(int64(fig.Banked)),
		"Active", vn.FormatNumber(int64(fig.Active)), "Orders", vn.FormatNumber(int64(total.Orders)),
		"Amount", total.amount(fm), "Money", fm.Money(total.VND),
		"Products", lines(group(fig.Sold, product)), "Areas", lines(group(fig.Sold, place))))

	doc := Document{Name: fileName(d, area), MIME: "text/csv; charset=utf-8"}
	if doc.Data, err = f.csv(c, fig.Sold, product, place, total); err != nil {
		return err
	}
	token, err := f.deps.Downloads.SaveDownload(ctx, doc, c.Now.Add(downloadTTL))
	if err != nil {
		return err
	}
	doc.Link = M("figures.csv_link", "URL", f.deps.PagesURL+DownloadPath+token, "Hours", int(downloadTTL.Hours()))
	c.reply(Reply{Text: M("figures.csv", "Name", doc.Name, "Period", period), Document: &doc})
	return nil
}

// periodText is the period as the report names it: `tháng 11/2026`,
// `7 ngày qua (24/11–30/11)`, `1/11–30/11`.
func (f *figures) periodText(c *Conv, d figuresDraft) string {
	from, to := dayOf(d.From, c.Now), dayOf(d.To.AddDate(0, 0, -1), c.Now)
	switch d.Kind {
	case periodMonth, periodLastMonth:
		return c.T(M("figures.period_month", "Month", int(d.From.Month()), "Year", d.From.Year()))
	case period7, period30:
		return c.T(M("figures.period_days", "Days", int(d.To.Sub(d.From).Hours()/24+0.5), "From", from, "To", to))
	}
	return c.T(M("figures.period_range", "From", from, "To", to))
}

// dayOf is a day as people write it, `1/11`, with its year only when it
// is not this year's (`15/12/2025`), as Format.Date does.
func dayOf(d, now time.Time) string {
	d = d.In(vn.Location())
	if d.Year() != now.In(vn.Location()).Year() {
		return d.Format("2/1/2006")
	}
	return d.Format("2/1")
}

// cell is a text as typed (a product's name) made safe for a spreadsheet:
// one that opens like a formula (=, +, -, @) gets a leading apostrophe, so
// that it is shown, never run, when the officer opens the file.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// fileName is like thong-ke-2026-11.csv, thong-ke-2026-11-24-2026-11-30-chi-lang.csv.
func fileName(d figuresDraft, area string) string {
	name := "thong-ke-" + d.From.Format("2006-01")
	if d.Kind != periodMonth && d.Kind != periodLastMonth {
		name = "thong-ke-" + d.From.Format("2006-01-02") + "-" + d.To.AddDate(0, 0, -1).Format("2006-01-02")
	}
	if area != "" {
		name += "-" + strings.ReplaceAll(area, "_", "-")
	}
	return name + ".csv"
}

// csv is the figures as a spreadsheet reads them: UTF-8 with a BOM (so
// that Vietnamese shows right), a header in Vietnamese, one row per
// product × area, then the totals. Numbers are plain (1250.5), which every
// spreadsheet reads whatever its language.
func (f *figures) csv(c *Conv, rows []SoldRow, product, place func(SoldRow) string, total soldLine) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	t := func(id string) string { return c.T(M(id)) }
	w.Write([]string{t("figures.col_product"), t("figures.col_area"), t("figures.col_orders"), t("figures.col_kg"),
		t("figures.col_other"), t("figures.col_money")})
	row := func(name, area string, l soldLine) {
		other := ""
		if len(l.Counts) > 0 {
			other = soldLine{Counts: l.Counts}.amount(c.F()) // `120 quả`, without kg
		}
		w.Write([]string{cell(name), cell(area), strconv.Itoa(l.Orders), plainMilli(l.Kg), other, strconv.FormatInt(l.VND, 10)})
	}
	for _, l := range group(rows, func(r SoldRow) string { return product(r) + "\x00" + place(r) }) {
		name, area, _ := strings.Cut(l.Name, "\x00")
		row(name, area, *l)
	}
	row(t("figures.col_total"), "", total)
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("figures csv: %w", err)
	}
	return b.Bytes(), nil
}

// plainMilli is thousandths as a plain decimal: 1250500 → "1250.5".
func plainMilli(m int64) string {
	s := strconv.FormatInt(m/1000, 10)
	if frac := m % 1000; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%03d", frac), "0")
	}
	return s
}
