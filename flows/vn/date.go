package vn

import (
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh without system zoneinfo
)

var vnLoc = loadVN()

func loadVN() *time.Location {
	if l, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return l
	}
	return time.FixedZone("ICT", 7*3600) // unreachable with tzdata embedded
}

// Location is Asia/Ho_Chi_Minh, the zone of every date the bot reads.
func Location() *time.Location { return vnLoc }

// Today is the midnight, in Asia/Ho_Chi_Minh, that starts now's day there.
func Today(now time.Time) time.Time {
	n := now.In(vnLoc)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, vnLoc)
}

// pastGraceDays: a day/month typed without a year is this year's, unless it
// is more than this many days past: then it is next year's.
const pastGraceDays = 60

// maxAheadDays: CheckDate questions a date further ahead than this. A
// lunar date in its nearest year is at most ~385 days ahead.
const maxAheadDays = 400

var (
	dateLead = setOf("vao", "khoang", "tam", "luc", "sang", "trua", "chieu", "dem",
		"toi", "giao", "hang", "nhan", "lay", "hen", "la", "thi", "tu", "den",
		"khi", "cho", "ship", "chuyen", "chot", "truoc", "sau", "ngay", "hom",
		// politeness, and what the farmer says about the day: "da du kien 20/12"
		"da", "vang", "u", "uh", "du", "kien", "chac", "co", "le", "em", "anh")
	dateTail = setOf("nhe", "nha", "a", "ah", "duoc", "dc", "khong", "ko", "k", "nhi", "di",
		"thi", "sao", "chu", "day", "do", "nao", "luon", "sang", "trua", "chieu", "toi", "dem",
		// "mai co hang", "mai nha anh", "tuan sau moi co" (only then)
		"co", "hang", "anh", "chi", "em", "roi", "ak", "ha", "nhen", "ne", "oi", "moi")
	// readyWords say the produce is there already: "có sẵn", "sẵn rồi", "có
	// hàng luôn", "hàng có sẵn", "lúc nào cũng có", "đang có", "đã có hàng".
	// An answer made only of these (and politeness) is today.
	readyWords = setOf("co", "san", "hang", "luon", "roi", "dang", "da", "luc", "nao",
		"cung", "ngay", "sang", "bay", "gio", "vua", "nhe", "nha", "a", "ah", "ak", "vang", "u", "em", "anh", "chi", "oi", "thi",
		"duoc", "bat", "cu", "khi")
	// weekdayWords: "thu hai" .. "thu bay" (Monday = 2).
	weekdayWords = map[string]int{"hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6, "bay": 7}
	nextWords    = setOf("sau", "toi")
)

// ParseDate reads a day as farmers write it and returns its midnight in
// Asia/Ho_Chi_Minh. now is the current instant.
//
//   - hôm nay, nay, ngay, bây giờ: today; mai, ngày mai: +1; ngày kia, mốt:
//     +2 (`ngày kìa`, with its grave accent, +3 as in the North); hôm qua
//     -1, hôm kia -2 (CheckDate then questions them); `3 ngày nữa`, `2
//     tuần nữa`.
//   - tuần sau, tuần tới, đầu tuần sau: Monday of next week (weeks start on
//     Monday); tuần sau nữa: Monday of the week after. "mới có" after a
//     day ("tuần sau mới có") changes nothing. cuối tuần: this week's Saturday, or today on a Sunday;
//     cuối tuần sau: next week's Saturday. tháng sau: the 1st of next month.
//   - thứ 2 … thứ 7, thứ hai … thứ bảy, t2 … t7, chủ nhật, CN: the next such
//     day, today included (thứ 7 typed on a Saturday is today); with `này`:
//     that day of this week, maybe past; with `tuần sau`/`sau`/`tới`: that
//     day of next week.
//   - 15/8, 15-8, 15.8, 15/08/2026, 15/8/26, 2026-08-15, ngày 15 tháng 8,
//     mùng 2 tháng 9: a day and month without a year are this year's unless
//     more than 60 days past, then next year's ("20/11" on 29/11 is past and
//     questioned; "15/1" in November is next January). "ngày 15", "mùng 5"
//     alone: that day of this month, or of the next month once past.
//   - đầu tháng 9 = 1/9, giữa tháng 9 = 15/9, cuối tháng 9 = 30/9, tháng 9 =
//     1/9; cuối tháng = the last day of this month; đầu tháng = the 1st of
//     next month (today on the 1st); giữa tháng = the 15th of this month or
//     the next.
//   - Lunar: rằm tháng 8 (15/8 âm), mùng 1 tháng 9 âm, mồng 1 tháng giêng,
//     15/8 âm, 15/8 âm lịch, 15/8 AL, 10/3/2027 âm, 1/5 nhuận, Tết (1/1
//     âm), Trung thu (15/8 âm), rằm (the next 15th), mùng 1 âm (the next
//     1st): the Gregorian day of that lunar day in the nearest lunar year
//     where it is today or later. `rằm`, `tháng giêng`, `tháng chạp`, `âm`,
//     `âm lịch`, `AL` make a date lunar; `mùng` alone does not (mùng 2
//     tháng 9 is National Day).
//   - A time of day (`sáng mai`, `7h tối nay`, `mai 8 giờ`) is ignored.
//
// Errors: ErrNotDate, ErrNoSuchDate (31/4, a lunar 30th that does not
// exist). ParseDate does not reject past or far dates: CheckDate does.
func ParseDate(s string, now time.Time) (time.Time, error) {
	today := Today(now)
	kiaGrave := strings.Contains(strings.ToLower(Normalize(s)), "k\u00eca")
	var d dateParse
	toks := stripTimes(lex(Fold(s)))
	for i, t := range toks {
		switch {
		case t.kind == tWord && t.text == "thu" && i+1 < len(toks) && toks[i+1].text == "hoach",
			t.kind == tWord && t.text == "hoach" && i > 0 && toks[i-1].text == "thu":
			// "thu hoach" (harvest) around a day: "mai thu hoach"
		case t.kind == tWord && (t.text == "am" || t.text == "al" || t.text == "amlich"):
			d.lunar = true
		case t.kind == tWord && (t.text == "duong" || t.text == "dl"):
			d.solar = true
		case t.kind == tWord && t.text == "nhuan":
			d.leap, d.lunar = true, true
		case t.kind == tWord && t.text == "lich":
			// "am lich", "lich am", "duong lich": the marker is the other word.
		default:
			d.toks = append(d.toks, t)
		}
	}
	if d.lunar && d.solar {
		return time.Time{}, ErrNotDate
	}
	d.today, d.kiaGrave = today, kiaGrave
	if d.ready() {
		if slices.Contains(strings.Fields(strings.ToLower(Normalize(s))), "ảnh") {
			return time.Time{}, ErrNotDate // "có ảnh" (a photo) is no "có anh ạ"
		}
		return today, nil
	}
	return d.parse()
}

type dateParse struct {
	toks                         []token
	today                        time.Time
	lunar, solar, leap, kiaGrave bool
}

// ready reports an answer that says the produce is there already (see
// readyWords): it names "san" (sẵn), "co" (có), "nao" (lúc nào cũng được)
// or "dang" (đang thu hoạch), and nothing else but readyWords.
func (d *dateParse) ready() bool {
	says, nao, cung := false, false, false
	for _, t := range d.toks {
		nao, cung = nao || t.text == "nao", cung || t.text == "cung" || t.text == "cu"
	}
	if nao && !cung {
		return false // "khi nào có hàng?" asks; "lúc nào cũng có", "bất cứ lúc nào" say
	}
	for _, t := range d.toks {
		if t.kind != tWord || !readyWords[t.text] {
			return false
		}
		says = says || t.text == "san" || t.text == "co" || t.text == "nao" || t.text == "dang"
	}
	return says
}

func (d *dateParse) words() []string {
	w := make([]string, len(d.toks))
	for i, t := range d.toks {
		w[i] = t.text
		if t.kind == tSlash || t.kind == tDash {
			w[i] = "/"
		}
	}
	return w
}

func (d *dateParse) parse() (time.Time, error) {
	// Drop lead words ("giao ngay 15/8", "vao thu 7") while something follows
	// them, and tail words ("mai nhe"), keeping what names a day.
	for len(d.toks) > 1 && d.toks[0].kind == tWord && dateLead[d.toks[0].text] {
		w := d.words()
		if (w[0] == "hom" && (w[1] == "nay" || w[1] == "qua" || w[1] == "kia")) ||
			(w[0] == "sau" && len(w) > 1 && d.toks[1].kind == tNum) ||
			(w[0] == "ngay" && len(w) == 2 && w[1] == "kia") ||
			(w[0] == "sang" && w[1] == "tuan") {
			break
		}
		d.toks = d.toks[1:]
	}
	if w := d.words(); len(w) > 2 && w[len(w)-2] == "la" && w[len(w)-1] == "co" {
		d.toks = d.toks[:len(d.toks)-2] // "mai la co": tomorrow it is there
	}
	for len(d.toks) > 1 && d.toks[len(d.toks)-1].kind == tWord && dateTail[d.toks[len(d.toks)-1].text] {
		if w := d.words(); w[len(w)-2] == "tuan" || w[len(w)-2] == "thang" || w[len(w)-2] == "hom" {
			break // "tuan toi", "hom toi"? keep
		}
		d.toks = d.toks[:len(d.toks)-1]
	}
	w := d.words()
	if len(w) == 0 {
		return time.Time{}, ErrNotDate
	}
	if !d.lunar && !d.solar {
		if t, ok := d.relative(w); ok {
			return t, nil
		}
	}
	if t, ok, err := d.weekday(w); ok || err != nil {
		return t, err
	}
	return d.calendar(w)
}

func (d *dateParse) add(n int) time.Time { return d.today.AddDate(0, 0, n) }

// mondayNext is Monday of next week.
func (d *dateParse) mondayNext() time.Time {
	wd := (int(d.today.Weekday()) + 6) % 7 // Monday 0 .. Sunday 6
	return d.add(7 - wd)
}

func eq(w []string, phrase string) bool { return strings.Join(w, " ") == phrase }

// relative: today, tomorrow, next week...
func (d *dateParse) relative(w []string) (time.Time, bool) {
	switch strings.Join(w, " ") {
	case "nay", "hom nay", "hnay", "homnay", "ngay", "bay gio", "bh", "luon", "ngay bay gio", "ngay hom nay":
		return d.today, true
	case "mai", "ngay mai", "hom sau", "ngay hom sau":
		return d.add(1), true
	case "kia", "ngay kia", "mot", "ngay mot":
		if d.kiaGrave {
			return d.add(3), true
		}
		return d.add(2), true
	case "qua", "hom qua":
		return d.add(-1), true
	case "hom kia":
		return d.add(-2), true
	case "tuan sau", "tuan toi", "dau tuan sau", "dau tuan toi", "dau tuan", "sang tuan":
		return d.mondayNext(), true
	case "tuan sau nua", "tuan toi nua": // the week after next
		return d.mondayNext().AddDate(0, 0, 7), true
	case "cuoi tuan", "cuoi tuan nay":
		if d.today.Weekday() == time.Sunday {
			return d.today, true
		}
		return d.mondayNext().AddDate(0, 0, -2), true
	case "cuoi tuan sau", "cuoi tuan toi":
		return d.mondayNext().AddDate(0, 0, 5), true
	case "thang sau", "thang toi", "dau thang sau", "dau thang toi":
		return time.Date(d.today.Year(), d.today.Month()+1, 1, 0, 0, 0, 0, vnLoc), true
	}
	// "3 ngay nua", "sau 3 ngay", "2 tuan nua"
	if len(w) == 3 {
		n, unit := -1, ""
		switch {
		case w[2] == "nua" && d.toks[0].kind == tNum:
			n, unit = atoiSmall(w[0]), w[1]
		case w[2] == "nua" && numberWords[w[0]] > 0: // "hai ngay nua"
			n, unit = int(numberWords[w[0]]), w[1]
		case w[0] == "sau" && d.toks[1].kind == tNum:
			n, unit = atoiSmall(w[1]), w[2]
		}
		switch {
		case n < 0:
		case unit == "ngay" || unit == "hom":
			return d.add(n), true
		case unit == "tuan":
			return d.add(7 * n), true
		}
	}
	return time.Time{}, false
}

// atoiSmall parses 0..999, or -1.
func atoiSmall(s string) int {
	if !allDigits(s) || len(s) > 3 {
		return -1
	}
	n, _ := strconv.Atoi(s)
	return n
}

// weekday: "thu 7", "thu bay", "t7", "chu nhat", "cn", with "nay" or
// "tuan sau".
func (d *dateParse) weekday(w []string) (time.Time, bool, error) {
	n, rest := 0, w
	switch {
	case len(w) >= 2 && w[0] == "thu":
		if v := atoiSmall(w[1]); v >= 2 && v <= 7 {
			n = v
		} else if v := weekdayWords[w[1]]; v > 0 {
			n = v
		} else {
			return time.Time{}, false, nil
		}
		rest = w[2:]
	case len(w) >= 2 && w[0] == "t" && d.toks[1].glued:
		if v := atoiSmall(w[1]); v >= 2 && v <= 7 {
			n = v
		} else {
			return time.Time{}, false, nil
		}
		rest = w[2:]
	case len(w) >= 2 && w[0] == "chu" && w[1] == "nhat":
		n, rest = 8, w[2:]
	case len(w) >= 1 && w[0] == "cn":
		n, rest = 8, w[1:]
	default:
		return time.Time{}, false, nil
	}
	if d.lunar || d.solar {
		return time.Time{}, true, ErrNotDate
	}
	idx := n - 2 // Monday 0 .. Sunday 6
	wd := (int(d.today.Weekday()) + 6) % 7
	switch strings.Join(rest, " ") {
	case "":
		return d.add((idx - wd + 7) % 7), true, nil
	case "nay", "tuan nay":
		return d.add(idx - wd), true, nil
	case "sau", "toi", "tuan sau", "tuan toi":
		return d.mondayNext().AddDate(0, 0, idx), true, nil
	}
	return time.Time{}, true, ErrNotDate
}

// calendar: numeric dates, "15 thang 8", "ram thang 8", "dau thang 9"...
func (d *dateParse) calendar(w []string) (time.Time, error) {
	// Named lunar days.
	switch strings.Join(w, " ") {
	case "tet", "mung 1 tet", "mong 1 tet", "tet nguyen dan":
		return d.lunarDM(1, 1, 0)
	case "trung thu", "tet trung thu":
		return d.lunarDM(15, 8, 0)
	case "ram":
		return d.nextLunarDay(15)
	}
	if len(w) >= 2 && (w[0] == "mung" || w[0] == "mong") && w[len(w)-1] == "tet" && len(w) == 3 {
		if n := atoiSmall(w[1]); n >= 1 && n <= 10 {
			return d.lunarDM(n, 1, 0)
		}
	}
	// Month parts: "dau thang 9", "cuoi thang" (or "het thang"), "giua thang sau", "thang 9".
	if t, ok, err := d.monthPart(w); ok || err != nil {
		return t, err
	}
	// "ram thang 8", "mung 1 thang 9", "15 thang 8", "ngay 15 thang 8 nam 2026"
	day, i := 0, 0
	lunar := d.lunar
	switch {
	case w[0] == "ram":
		day, i, lunar = 15, 1, true
	case (w[0] == "mung" || w[0] == "mong" || w[0] == "ngay") && len(w) > 1:
		day, i = atoiSmall(w[1]), 2
	case d.toks[0].kind == tNum && allDigits(w[0]) && (len(w) == 1 || w[1] == "thang"):
		day, i = atoiSmall(w[0]), 1
	}
	if i > 0 {
		if day < 0 {
			return time.Time{}, ErrNotDate
		}
		if day < 1 || day > 31 {
			return time.Time{}, ErrNoSuchDate
		}
		if i == len(w) { // "ngay 15", "mung 5", "mung 1 am"
			if lunar {
				return d.nextLunarDay(day)
			}
			return d.nextDayOfMonth(day)
		}
		if w[i] != "thang" || i+1 >= len(w) {
			return time.Time{}, ErrNotDate
		}
		month, lunarName := monthOf(w[i+1])
		if month == 0 {
			return time.Time{}, ErrNotDate
		}
		lunar = lunar || lunarName
		year := 0
		switch rest := w[i+2:]; {
		case len(rest) == 0:
		case len(rest) == 2 && rest[0] == "nam":
			if year = yearOf(rest[1]); year == 0 {
				return time.Time{}, ErrNotDate
			}
		case len(rest) == 1 && lunar && eq(rest, "tet"):
		default:
			return time.Time{}, ErrNotDate
		}
		if lunar {
			return d.lunarDM(day, month, year)
		}
		return d.solarDM(day, month, year)
	}
	return d.numeric()
}

// monthOf reads a month: "8", "08", "gieng" (1st lunar), "chap" (12th lunar).
func monthOf(s string) (month int, lunar bool) {
	switch s {
	case "gieng":
		return 1, true
	case "chap":
		return 12, true
	}
	if n := atoiSmall(s); n >= 1 && n <= 12 {
		return n, false
	}
	return 0, false
}

// yearOf reads "2026" or "26" (2026); 0 when not a year the bot handles.
func yearOf(s string) int {
	if !allDigits(s) {
		return 0
	}
	n, _ := strconv.Atoi(s)
	switch {
	case len(s) == 2:
		return 2000 + n
	case len(s) == 4 && n >= 1900 && n <= 2199:
		return n
	}
	return 0
}

func (d *dateParse) monthPart(w []string) (time.Time, bool, error) {
	part := ""
	if len(w) >= 2 && (w[0] == "dau" || w[0] == "giua" || w[0] == "cuoi") && w[1] == "thang" {
		part, w = w[0], w[1:]
	} else if len(w) >= 2 && w[0] == "het" && w[1] == "thang" {
		part, w = "cuoi", w[1:] // "hết tháng": the month's end, as "cuối tháng"
	} else if len(w) >= 2 && w[0] == "thang" {
		part = "dau"
	} else {
		return time.Time{}, false, nil
	}
	// w[0] == "thang"
	rest := w[1:]
	var month, year int
	lunar := d.lunar
	switch {
	case len(rest) == 0, eq(rest, "nay"):
		if d.lunar {
			return time.Time{}, true, ErrNotDate
		}
		t := d.today
		if part == "dau" && len(rest) == 0 && t.Day() != 1 {
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, vnLoc)
		}
		if part == "giua" && len(rest) == 0 && t.Day() > 15 {
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, vnLoc)
		}
		return dayInMonth(part, t.Year(), t.Month()), true, nil
	case len(rest) == 1 && nextWords[rest[0]]:
		if d.lunar {
			return time.Time{}, true, ErrNotDate
		}
		t := time.Date(d.today.Year(), d.today.Month()+1, 1, 0, 0, 0, 0, vnLoc)
		return dayInMonth(part, t.Year(), t.Month()), true, nil
	case len(rest) == 1 || len(rest) == 3 && rest[1] == "nam":
		var lunarName bool
		if month, lunarName = monthOf(rest[0]); month == 0 {
			return time.Time{}, false, nil
		}
		lunar = lunar || lunarName
		if len(rest) == 3 {
			if year = yearOf(rest[2]); year == 0 {
				return time.Time{}, true, ErrNotDate
			}
		}
	default:
		return time.Time{}, false, nil
	}
	if lunar {
		switch part {
		case "dau":
			t, err := d.lunarDM(1, month, year)
			return t, true, err
		case "giua":
			t, err := d.lunarDM(15, month, year)
			return t, true, err
		}
		t, err := d.lunarDM(30, month, year, 29) // the 30th, or the 29th
		return t, true, err
	}
	if year != 0 {
		return dayInMonth(part, year, time.Month(month)), true, nil
	}
	y := d.today.Year()
	t := dayInMonth(part, y, time.Month(month))
	if t.Before(d.add(-pastGraceDays)) {
		t = dayInMonth(part, y+1, time.Month(month))
	}
	return t, true, nil
}

// dayInMonth: "dau" the 1st, "giua" the 15th, "cuoi" the last day.
func dayInMonth(part string, y int, m time.Month) time.Time {
	switch part {
	case "giua":
		return time.Date(y, m, 15, 0, 0, 0, 0, vnLoc)
	case "cuoi":
		return time.Date(y, m+1, 0, 0, 0, 0, 0, vnLoc)
	}
	return time.Date(y, m, 1, 0, 0, 0, 0, vnLoc)
}

func validDate(y, m, day int) bool {
	t := time.Date(y, time.Month(m), day, 0, 0, 0, 0, vnLoc)
	return t.Year() == y && int(t.Month()) == m && t.Day() == day
}

// solarDM resolves a Gregorian day and month, with year 0 when not given.
func (d *dateParse) solarDM(day, month, year int) (time.Time, error) {
	if day < 1 || day > 31 || month < 1 || month > 12 {
		return time.Time{}, ErrNoSuchDate
	}
	if year != 0 {
		if !validDate(year, month, day) {
			return time.Time{}, ErrNoSuchDate
		}
		return time.Date(year, time.Month(month), day, 0, 0, 0, 0, vnLoc), nil
	}
	limit := d.add(-pastGraceDays)
	for y := d.today.Year(); y <= d.today.Year()+8; y++ {
		if !validDate(y, month, day) {
			continue
		}
		t := time.Date(y, time.Month(month), day, 0, 0, 0, 0, vnLoc)
		if !t.Before(limit) {
			return t, nil
		}
	}
	return time.Time{}, ErrNoSuchDate
}

// nextDayOfMonth: day n of this month, or of the next month that has it
// once past.
func (d *dateParse) nextDayOfMonth(n int) (time.Time, error) {
	for k := 0; k < 3; k++ {
		first := time.Date(d.today.Year(), d.today.Month()+time.Month(k), 1, 0, 0, 0, 0, vnLoc)
		if !validDate(first.Year(), int(first.Month()), n) {
			continue
		}
		t := time.Date(first.Year(), first.Month(), n, 0, 0, 0, 0, vnLoc)
		if !t.Before(d.today) {
			return t, nil
		}
	}
	return time.Time{}, ErrNoSuchDate
}

// lunarDM resolves a lunar day and month: in lunar year `year` when given,
// else in the nearest lunar year (of the next four) where it is today or
// later. When that month has no such day, the fallback day is tried ("cuoi
// thang 8 am": the 30th, or the 29th of a short month).
func (d *dateParse) lunarDM(day, month, year int, fallback ...int) (time.Time, error) {
	if day < 1 || day > 30 || month < 1 || month > 12 {
		return time.Time{}, ErrNoSuchDate
	}
	first, last := year, year
	if year == 0 {
		first = SolarToLunar(d.today).Year
		last = first + 3
	}
	for y := first; y <= last; y++ {
		for _, dd := range append([]int{day}, fallback...) {
			t, ok := LunarToSolar(LunarDate{Day: dd, Month: month, Year: y, Leap: d.leap})
			if !ok {
				continue
			}
			if year != 0 || !t.Before(d.today) {
				return t, nil
			}
			break
		}
	}
	return time.Time{}, ErrNoSuchDate
}

// nextLunarDay is the first day from today whose lunar day is n.
func (d *dateParse) nextLunarDay(n int) (time.Time, error) {
	if n < 1 || n > 30 {
		return time.Time{}, ErrNoSuchDate
	}
	for k := 0; k < 62; k++ {
		t := d.add(k)
		if SolarToLunar(t).Day == n {
			return t, nil
		}
	}
	return time.Time{}, ErrNoSuchDate
}

// numeric: "15/8", "15-8", "15.8", "15/08/2026", "15/8/26", "2026-08-15".
func (d *dateParse) numeric() (time.Time, error) {
	var parts []string
	for i, t := range d.toks {
		switch {
		case t.kind == tNum && i%2 == 0:
			if strings.ContainsAny(t.text, ".,") {
				if len(d.toks) != 1 {
					return time.Time{}, ErrNotDate
				}
				parts = strings.FieldsFunc(t.text, func(r rune) bool { return r == '.' || r == ',' })
				continue
			}
			parts = append(parts, t.text)
		case (t.kind == tSlash || t.kind == tDash) && i%2 == 1:
		default:
			return time.Time{}, ErrNotDate
		}
	}
	if len(d.toks)%2 == 0 || len(parts) < 2 || len(parts) > 3 {
		return time.Time{}, ErrNotDate
	}
	for _, p := range parts {
		if !allDigits(p) || len(p) > 4 {
			return time.Time{}, ErrNotDate
		}
	}
	if len(parts[0]) == 4 { // ISO year-month-day
		if len(parts) != 3 {
			return time.Time{}, ErrNotDate
		}
		parts = []string{parts[2], parts[1], parts[0]}
	}
	day, month := atoiSmall(parts[0]), atoiSmall(parts[1])
	if day < 0 || month < 0 || len(parts[0]) > 2 || len(parts[1]) > 2 {
		return time.Time{}, ErrNotDate
	}
	year := 0
	if len(parts) == 3 {
		if year = yearOf(parts[2]); year == 0 {
			return time.Time{}, ErrNotDate
		}
	}
	if d.lunar {
		return d.lunarDM(day, month, year)
	}
	return d.solarDM(day, month, year)
}

// stripTimes removes a time of day: "7h", "7h30", "7 gio", "7 gio 30 phut",
// "7g".
func stripTimes(toks []token) []token {
	out := toks[:0:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tNum && allDigits(t.text) && len(t.text) <= 2 && i+1 < len(toks) &&
			toks[i+1].kind == tWord && (toks[i+1].text == "h" || toks[i+1].text == "g" || toks[i+1].text == "gio") {
			i++
			if i+1 < len(toks) && toks[i+1].kind == tNum && allDigits(toks[i+1].text) && len(toks[i+1].text) <= 2 {
				i++
				if i+1 < len(toks) && toks[i+1].kind == tWord && (toks[i+1].text == "phut" || toks[i+1].text == "p") {
					i++
				}
			} else if i+1 < len(toks) && toks[i+1].kind == tWord && (toks[i+1].text == "ruoi" || toks[i+1].text == "kem") {
				i++
			}
			continue
		}
		out = append(out, t)
	}
	return out
}

// CheckDate questions a parsed day: ErrDatePast before today, ErrDateFar
// more than 400 days (about 13 months) after today, in Asia/Ho_Chi_Minh.
func CheckDate(d, now time.Time) error {
	day, today := Today(d), Today(now)
	switch {
	case day.Before(today):
		return ErrDatePast
	case day.After(today.AddDate(0, 0, maxAheadDays)):
		return ErrDateFar
	}
	return nil
}
