package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// seedFigures stores three farmers (one with a bank account; two in Chi
// Lăng, one in Bắc Sơn), four listings (one closed, one counted in quả)
// and orders of last month in every state, plus one of the month before.
// Sold last month: na 50 + 30 kg (Chi Lăng), quýt 1 tạ (Bắc Sơn), bưởi
// 40 quả (Chi Lăng); a cancelled and a pending order are not sold.
func seedFigures(t *testing.T, db *postgres.DB) (lastMonth time.Time) {
	t.Helper()
	ctx := context.Background()
	today := vn.Today(time.Now())
	lastMonth = time.Date(today.Year(), today.Month()-1, 1, 0, 0, 0, 0, vn.Location())
	seller := func(name, phone, area string, bank *flows.BankAccount) flows.Seller {
		s := flows.Seller{Name: name, Phone: phone, Commune: "xã " + name, Area: area, Bank: bank}
		if err := db.SaveSeller(ctx, &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	lan := seller("Lan", "+84911000001", "chi_lang", &flows.BankAccount{BIN: "970405", Bank: "Agribank", Account: "123456789", Holder: "LAN"})
	binh := seller("Bình", "+84911000002", "bac_son", nil)
	cuc := seller("Cúc", "+84911000003", "chi_lang", nil)
	listing := func(s flows.Seller, key, product string, qty vn.Quantity, price vn.Price) *flows.Listing {
		l, err := db.CreateListing(ctx, &flows.Listing{SellerID: s.ID, Channel: flows.Telegram, ProductKey: key, Product: product,
			Photos: []string{"p"}, Quantity: qty, Remaining: qty.Milli, Price: price, PriceTyped: "giá", Ready: time.Now(),
			Status: flows.Active, Seller: s}, "seed:"+product+s.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	na := listing(lan, "na-chi-lang", "Na Chi Lăng", vn.Quantity{Milli: 500_000, Unit: vn.UnitKg}, vn.Price{VND: 25_000, Per: vn.UnitKg})
	quyt := listing(binh, "quyt-bac-son", "Quýt Bắc Sơn", vn.Quantity{Milli: 2_000, Unit: vn.UnitTa}, vn.Price{VND: 2_000_000, Per: vn.UnitTa})
	buoi := listing(lan, "buoi", "Bưởi", vn.Quantity{Milli: 300_000, Unit: vn.UnitQua}, vn.Price{VND: 15_000, Per: vn.UnitQua})
	closed := listing(cuc, "", "Mật ong rừng", vn.Quantity{Milli: 20_000, Unit: vn.UnitLit}, vn.Price{VND: 300_000, Per: vn.UnitLit})
	if _, err := db.Pool.Exec(ctx, `UPDATE listings SET status = 'closed' WHERE id = $1`, closed.ID); err != nil {
		t.Fatal(err)
	}
	buyerUser, err := db.Touch(ctx, flows.Input{Channel: flows.Telegram, UserID: itoa(buyer), UserName: "Hoa"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	order := func(l *flows.Listing, milli, total int64, status string, at time.Time) {
		n++
		o, err := db.PlaceOrder(ctx, &flows.Order{ListingID: l.ID, BuyerID: buyerUser.ID, Quantity: vn.Quantity{Milli: milli, Unit: l.Quantity.Unit},
			Total: total, Price: l.Price, BuyerName: "Hoa", BuyerPhone: "+84987654321", Delivery: "pickup"}, "seed:"+itoa(int64(n)), flows.BuyerProfile{})
		if err != nil {
			t.Fatal(err)
		}
		if status != flows.Pending {
			if _, err := db.SetOrderStatus(ctx, o.ID, flows.OrderChange{From: []string{flows.Pending}, To: status, Source: "seed:status:" + itoa(int64(n))}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Pool.Exec(ctx, `UPDATE orders SET created_at = $1 WHERE id = $2`, at, o.ID); err != nil {
			t.Fatal(err)
		}
	}
	in := lastMonth.Add(50 * time.Hour)
	order(na, 50_000, 1_250_000, flows.Accepted, in)
	order(na, 30_000, 750_000, flows.Completed, in)
	order(na, 20_000, 500_000, flows.Cancelled, in)
	order(quyt, 1_000, 2_000_000, flows.Shipping, in)
	order(buoi, 40_000, 600_000, flows.Accepted, in)
	order(na, 10_000, 250_000, flows.Pending, in)
	order(na, 15_000, 375_000, flows.Accepted, lastMonth.Add(-time.Hour)) // the month before
	return lastMonth
}

// figuresLines are report lines, "name", orders, "amount", … in order.
func figuresLines(t *testing.T, rows ...any) string {
	var lines []string
	for i := 0; i+2 < len(rows); i += 3 {
		lines = append(lines, text(t, "vi", "figures.line", "Name", rows[i], "Orders", rows[i+1], "Amount", rows[i+2]))
	}
	return strings.Join(lines, "\n")
}

func TestModeratorsSeeTheProvinceFiguresAndTheirCSV(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	env := zaloEnv(newEnv(t, tg), zs)
	env["MODERATORS"] = "telegram:" + itoa(moderator) + ",zalo:mod-0001"
	zb := startZaloWith(t, tg, zs, env)
	b := zb.b
	db := openDB(t, env)
	lastMonth := seedFigures(t, db)
	month := "tháng " + itoa(int64(lastMonth.Month())) + "/" + itoa(int64(lastMonth.Year()))

	// Anyone else is refused, politely, and nothing is counted.
	b.Say(buyer, "/thongke")
	b.refused(buyer, "figures.refused")

	b.Say(moderator, "/thongke")
	b.expect(moderator, "figures.period")
	b.Tap(moderator, "fig:last_month")
	b.expect(moderator, "figures.area")
	b.Tap(moderator, "area:all")
	want := text(t, "vi", "figures.report", "Period", month, "Area", "",
		"Sellers", "3", "Banked", "1", "Active", "3", "Orders", "4",
		"Amount", "180 kg + 40 quả", "Money", "4.600.000 đ",
		"Products", figuresLines(t, "Na Chi Lăng", 2, "80 kg", "Quýt Bắc Sơn", 1, "100 kg", "Bưởi", 1, "40 quả"),
		"Areas", figuresLines(t, "Chi Lăng", 3, "80 kg + 40 quả", "Bắc Sơn", 1, "100 kg"))
	report := waitSent(t, b, moderator, func(s sent) bool { return strings.HasPrefix(s.Text, "📊 Số liệu") }, 1)[0]
	if report.Text != want {
		t.Errorf("report:\n%s\nwant:\n%s", report.Text, want)
	}
	// The CSV as Telegram received it: a document, uploaded.
	doc := tg.WaitCalls(t, "sendDocument", 1)[0]
	name := "thong-ke-" + lastMonth.Format("2006-01") + ".csv"
	csv := "\ufeffSản phẩm,Khu vực,Số đơn,Số kg,Số lượng khác,Thành tiền (đ)\r\n" +
		"Na Chi Lăng,Chi Lăng,2,80,,2000000\r\n" +
		"Quýt Bắc Sơn,Bắc Sơn,1,100,,2000000\r\n" +
		"Bưởi,Chi Lăng,1,0,40 quả,600000\r\n" +
		"Tổng cộng,,4,180,40 quả,4600000\r\n"
	if f := doc.Files["document"]; doc.ChatID != itoa(moderator) || f.Name != name || string(f.Bytes) != csv {
		t.Errorf("document to %s named %q:\n%q\nwant %q:\n%q", doc.ChatID, f.Name, f.Bytes, name, csv)
	}
	if got, want := doc.Params["caption"], text(t, "vi", "figures.csv", "Name", name, "Period", month); got != want {
		t.Errorf("caption %q, want %q", got, want)
	}

	// The last 7 days sold nothing: the report says so, not "0 đơn, 0 kg,
	// 0 đ", and names the days as people write them.
	b.Say(moderator, "/thongke")
	b.expect(moderator, "figures.period")
	b.Tap(moderator, "fig:7d")
	b.expect(moderator, "figures.area")
	b.Tap(moderator, "area:all")
	today := vn.Today(time.Now())
	day := func(d time.Time) string {
		if d.Year() != today.Year() {
			return d.Format("2/1/2006")
		}
		return d.Format("2/1")
	}
	week := "7 ngày qua (" + day(today.AddDate(0, 0, -6)) + "–" + day(today) + ")"
	quiet := waitSent(t, b, moderator, func(s sent) bool { return strings.HasPrefix(s.Text, "📊 Số liệu 7 ngày") }, 1)[0]
	if !strings.HasPrefix(quiet.Text, "📊 Số liệu "+week+" · cả tỉnh\n") ||
		!strings.Contains(quiet.Text, "\n🛒 Đơn đã bán: chưa có đơn nào trong kỳ này\n") || strings.Contains(quiet.Text, "0 đơn") {
		t.Errorf("a week without sales:\n%s\nwant %q and no sales", quiet.Text, week)
	}

	// Zalo cannot send files: the moderator gets a link, typed all the way.
	const mod = "mod-0001"
	zb.say(mod, "/thongke")
	zb.say(mod, zb.choose(zb.last(mod), "figures.last_month"))
	zb.say(mod, "bac son")
	got := zb.wait(mod, func(s string) bool { return strings.HasPrefix(s, "📊 Số liệu") })
	want = text(t, "vi", "figures.report", "Period", month, "Area", "Bắc Sơn",
		"Sellers", "1", "Banked", "0", "Active", "1", "Orders", "1", "Amount", "100 kg", "Money", "2.000.000 đ",
		"Products", figuresLines(t, "Quýt Bắc Sơn", 1, "100 kg"), "Areas", figuresLines(t, "Bắc Sơn", 1, "100 kg"))
	if got != want {
		t.Errorf("Zalo report:\n%s\nwant:\n%s", got, want)
	}
	note := zb.wait(mod, func(s string) bool { return strings.HasPrefix(s, "📎") })
	link := regexp.MustCompile(`https?://\S+/tep/[A-Za-z0-9_-]+`).FindString(note)
	if link == "" {
		t.Fatalf("no link in %q", note)
	}
	status, body, disposition := download(t, link)
	csv = "\ufeffSản phẩm,Khu vực,Số đơn,Số kg,Số lượng khác,Thành tiền (đ)\r\n" +
		"Quýt Bắc Sơn,Bắc Sơn,1,100,,2000000\r\n" +
		"Tổng cộng,,1,100,,2000000\r\n"
	name = "thong-ke-" + lastMonth.Format("2006-01") + "-bac-son.csv"
	if status != http.StatusOK || body != csv || !strings.Contains(disposition, name) {
		t.Errorf("GET %s: %d %q %q", link, status, disposition, body)
	}
	if status, _, _ := download(t, link+"x"); status != http.StatusNotFound {
		t.Errorf("a wrong token: %d, want 404", status)
	}
	if _, err := db.Pool.Exec(context.Background(), `UPDATE downloads SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := download(t, link); status != http.StatusNotFound {
		t.Errorf("an expired link: %d, want 404", status)
	}
}

func download(t *testing.T, url string) (status int, body, disposition string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header.Get("Content-Disposition")
}
