package vn

import (
	"errors"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, Location()) }

func TestParseDate(t *testing.T) {
	sun := time.Date(2026, 11, 29, 10, 0, 0, 0, Location()) // Sunday 29/11/2026
	sat := time.Date(2026, 8, 1, 10, 0, 0, 0, Location())   // Saturday 1/8/2026
	preTet := time.Date(2027, 2, 1, 8, 0, 0, 0, Location()) // Monday, before Tet 2027
	postTet := time.Date(2027, 2, 10, 8, 0, 0, 0, Location())
	tests := []struct {
		in   string
		now  time.Time
		want time.Time
		err  error
	}{
		// DOMAIN.md, relative days.
		{"hôm nay", sun, day(2026, 11, 29), nil},
		{"nay", sun, day(2026, 11, 29), nil},
		{"mai", sun, day(2026, 11, 30), nil},
		{"ngày mai", sun, day(2026, 11, 30), nil},
		{"ngày kia", sun, day(2026, 12, 1), nil},
		{"mốt", sun, day(2026, 12, 1), nil},
		{"ngày kìa", sun, day(2026, 12, 2), nil}, // northern +3, only with its accent
		{"hôm qua", sun, day(2026, 11, 28), nil},
		{"hôm kia", sun, day(2026, 11, 27), nil},
		{"Hom nay", sun, day(2026, 11, 29), nil},
		{"ngay mai", sun, day(2026, 11, 30), nil},
		{"ngay", sun, day(2026, 11, 29), nil},
		{"giao ngay", sun, day(2026, 11, 29), nil},
		{"3 ngày nữa", sun, day(2026, 12, 2), nil},
		{"sau 3 ngày", sun, day(2026, 12, 2), nil},
		{"2 tuần nữa", sun, day(2026, 12, 13), nil},
		// Typed without diacritics, in any case; "mới có" after the day.
		{"NGAY MAI", sun, day(2026, 11, 30), nil},
		{"Ngay Kia", sun, day(2026, 12, 1), nil},
		{"mot", sun, day(2026, 12, 1), nil},
		{"Thu 7", sun, day(2026, 12, 5), nil},
		{"THU BAY", sun, day(2026, 12, 5), nil},
		{"hai ngay nua", sun, day(2026, 12, 1), nil},
		{"tuan sau nua", sun, day(2026, 12, 7), nil},
		{"tuần sau nữa", sun, day(2026, 12, 7), nil},
		{"tuần sau mới có", sun, day(2026, 11, 30), nil},
		{"ngay kia moi co", sun, day(2026, 12, 1), nil},
		{"mai moi co hang", sun, day(2026, 11, 30), nil},
		{"ram thang 8", sun, day(2027, 9, 15), nil},
		// Weeks and weekdays (weeks start on Monday; today counts).
		{"tuần sau", sun, day(2026, 11, 30), nil},
		{"tuần tới", sun, day(2026, 11, 30), nil},
		{"tuần sau", sat, day(2026, 8, 3), nil},
		{"thứ 2", sun, day(2026, 11, 30), nil},
		{"thứ hai", sun, day(2026, 11, 30), nil},
		{"thứ 3", sun, day(2026, 12, 1), nil},
		{"thứ ba", sun, day(2026, 12, 1), nil},
		{"thứ tư", sun, day(2026, 12, 2), nil},
		{"thứ năm", sun, day(2026, 12, 3), nil},
		{"thứ sáu", sun, day(2026, 12, 4), nil},
		{"thứ 7", sun, day(2026, 12, 5), nil},
		{"thứ bảy", sun, day(2026, 12, 5), nil},
		{"thu bay", sun, day(2026, 12, 5), nil},
		{"T7", sun, day(2026, 12, 5), nil},
		{"chủ nhật", sun, day(2026, 11, 29), nil}, // today
		{"CN", sun, day(2026, 11, 29), nil},
		{"chủ nhật tuần sau", sun, day(2026, 12, 6), nil},
		{"thứ 7", sat, day(2026, 8, 1), nil}, // typed on a Saturday: today
		{"thứ 7 tuần sau", sat, day(2026, 8, 8), nil},
		{"thứ 7 này", sun, day(2026, 11, 28), nil}, // this week's: past
		{"thứ 6", sat, day(2026, 8, 7), nil},
		{"cuối tuần", sat, day(2026, 8, 1), nil},
		{"cuối tuần", sun, day(2026, 11, 29), nil},
		{"cuối tuần", preTet, day(2027, 2, 6), nil},
		{"cuối tuần sau", sat, day(2026, 8, 8), nil},
		// Day/month: this year unless more than 60 days past.
		{"15/8", sun, day(2027, 8, 15), nil},
		{"15-8", sun, day(2027, 8, 15), nil},
		{"15.8", sun, day(2027, 8, 15), nil},
		{"15/8", sat, day(2026, 8, 15), nil},
		{"15/08/2026", sun, day(2026, 8, 15), nil},
		{"15/8/26", sun, day(2026, 8, 15), nil},
		{"15.08.2026", sun, day(2026, 8, 15), nil},
		{"2026-08-15", sun, day(2026, 8, 15), nil},
		{"20/11", sun, day(2026, 11, 20), nil}, // past: CheckDate questions it
		{"15/1", sun, day(2027, 1, 15), nil},   // next January
		{"1/10", sun, day(2026, 10, 1), nil},   // 59 days past: this year
		{"25/9", sun, day(2027, 9, 25), nil},   // 65 days past: next year
		{"ngày 15/8", sat, day(2026, 8, 15), nil},
		{"ngày 15 tháng 8", sat, day(2026, 8, 15), nil},
		{"15 tháng 8", sat, day(2026, 8, 15), nil},
		{"ngày 15 tháng 8 năm 2027", sat, day(2027, 8, 15), nil},
		{"mùng 2 tháng 9", sat, day(2026, 9, 2), nil}, // National Day: Gregorian
		{"ngày 15", sun, day(2026, 12, 15), nil},
		{"mùng 5", sun, day(2026, 12, 5), nil},
		{"15", sat, day(2026, 8, 15), nil},
		{"31", sun, day(2026, 12, 31), nil},
		{"29/2", sun, day(2028, 2, 29), nil},
		// Month parts.
		{"cuối tháng", sun, day(2026, 11, 30), nil},
		{"cuối tháng", sat, day(2026, 8, 31), nil},
		{"đầu tháng 9", sat, day(2026, 9, 1), nil},
		{"đầu tháng 9", sun, day(2027, 9, 1), nil},
		{"giữa tháng 9", sat, day(2026, 9, 15), nil},
		{"cuối tháng 9", sat, day(2026, 9, 30), nil},
		{"cuối tháng 2", sun, day(2027, 2, 28), nil},
		{"tháng 12", sun, day(2026, 12, 1), nil},
		{"đầu tháng", sun, day(2026, 12, 1), nil},
		{"đầu tháng", sat, day(2026, 8, 1), nil}, // today is the 1st
		{"giữa tháng", sat, day(2026, 8, 15), nil},
		{"giữa tháng", sun, day(2026, 12, 15), nil},
		{"tháng sau", sun, day(2026, 12, 1), nil},
		{"cuối tháng sau", sun, day(2026, 12, 31), nil},
		{"hết tháng", sun, day(2026, 11, 30), nil},
		{"het thang 9", sat, day(2026, 9, 30), nil},
		// Lunar dates: the nearest year where they are today or later.
		{"rằm tháng 8", sat, day(2026, 9, 25), nil}, // Trung thu 2026
		{"rằm tháng 8", sun, day(2027, 9, 15), nil}, // Trung thu 2027
		{"ram thang 8", sat, day(2026, 9, 25), nil},
		{"trung thu", sat, day(2026, 9, 25), nil},
		{"15/8 âm", sat, day(2026, 9, 25), nil},
		{"15/8 âm lịch", sat, day(2026, 9, 25), nil},
		{"15/8 AL", sat, day(2026, 9, 25), nil},
		{"15/8 âm", sun, day(2027, 9, 15), nil},
		{"mùng 1 tháng 9 âm", sat, day(2026, 10, 10), nil},
		{"mồng 1 tháng 9 âm lịch", sat, day(2026, 10, 10), nil},
		{"mùng 1 tháng 9 âm", sun, day(2027, 9, 30), nil},
		{"mồng 1 tháng giêng", sun, day(2027, 2, 6), nil},
		{"rằm tháng giêng", sun, day(2027, 2, 20), nil},
		{"tết", sun, day(2027, 2, 6), nil},
		{"Tết", preTet, day(2027, 2, 6), nil},
		{"mùng 3 tết", preTet, day(2027, 2, 8), nil},
		{"tết", postTet, day(2028, 1, 26), nil},
		{"rằm", sun, day(2026, 12, 23), nil},
		{"rằm", preTet, day(2027, 2, 20), nil},
		{"mùng 1 âm", sun, day(2026, 12, 9), nil},
		{"10/3/2026 âm", sun, day(2026, 4, 26), nil}, // Gio To Hung Vuong 2026
		{"10/3 âm", sun, day(2027, 4, 16), nil},
		{"cuối tháng 8 âm", sat, day(2026, 10, 9), nil}, // a 29-day month
		{"đầu tháng 9 âm", sat, day(2026, 10, 10), nil},
		{"1/5 nhuận", sat, day(2028, 6, 23), nil}, // leap 5th month of 2028
		{"1/5 âm nhuận 2028", sat, time.Time{}, ErrNotDate},
		{"1/5/2028 âm nhuận", sat, day(2028, 6, 23), nil},
		// Times of day and politeness are ignored.
		{"sáng mai", sun, day(2026, 11, 30), nil},
		{"7h tối nay", sun, day(2026, 11, 29), nil},
		{"mai 8 giờ", sun, day(2026, 11, 30), nil},
		{"8h30 sáng mai nhé", sun, day(2026, 11, 30), nil},
		{"chiều thứ 7", sun, day(2026, 12, 5), nil},
		{"giao ngày mai được không", sun, day(2026, 11, 30), nil},
		{"vào 15/8", sat, day(2026, 8, 15), nil},
		// Errors.
		{"", sun, time.Time{}, ErrNotDate},
		{"abc", sun, time.Time{}, ErrNotDate},
		{"thứ 8", sun, time.Time{}, ErrNotDate},
		{"thứ 7 âm", sun, time.Time{}, ErrNotDate},
		{"thứ 7 lạ", sun, time.Time{}, ErrNotDate},
		{"1/2/3/4", sun, time.Time{}, ErrNotDate},
		{"15/8/123", sun, time.Time{}, ErrNotDate},
		{"15/8 âm dương", sun, time.Time{}, ErrNotDate},
		{"31/4", sun, time.Time{}, ErrNoSuchDate},
		{"32/1", sun, time.Time{}, ErrNoSuchDate},
		{"30/2/2027", sun, time.Time{}, ErrNoSuchDate},
		{"15/13", sun, time.Time{}, ErrNoSuchDate},
		{"0/5", sun, time.Time{}, ErrNoSuchDate},
		{"30 tháng chạp", sun, time.Time{}, ErrNoSuchDate}, // no 30th of month 12 in 2026-2029
		{"30/12/2026 âm", sun, time.Time{}, ErrNoSuchDate},
		{"tháng 4 nhuận", sun, time.Time{}, ErrNoSuchDate},
		{"ngày abc", sun, time.Time{}, ErrNotDate},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, tt.now)
		if !errors.Is(err, tt.err) || !got.Equal(tt.want) {
			t.Errorf("ParseDate(%q, %s) = %s, %v; want %s, %v", tt.in, tt.now.Format("2006-01-02"),
				got.Format("2006-01-02"), err, tt.want.Format("2006-01-02"), tt.err)
		}
		if err == nil && got.Location() != Location() {
			t.Errorf("ParseDate(%q) in %s", tt.in, got.Location())
		}
	}
}

func TestParseDateZone(t *testing.T) {
	// 23:30 UTC on 29/11 is already 30/11 in Viet Nam.
	now := time.Date(2026, 11, 29, 23, 30, 0, 0, time.UTC)
	got, err := ParseDate("hôm nay", now)
	if err != nil || !got.Equal(day(2026, 11, 30)) {
		t.Errorf("hôm nay at %s = %s, %v", now, got, err)
	}
	if got.Hour() != 0 || got.Minute() != 0 {
		t.Errorf("not midnight: %s", got)
	}
	if Location().String() != "Asia/Ho_Chi_Minh" {
		t.Errorf("zone %s", Location())
	}
}

func TestCheckDate(t *testing.T) {
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, Location())
	tests := []struct {
		d   time.Time
		err error
	}{
		{day(2026, 11, 29), nil},
		{day(2026, 11, 28), ErrDatePast},
		{day(2026, 11, 20), ErrDatePast},
		{day(2027, 9, 15), nil},
		{day(2027, 11, 29), nil},
		{day(2028, 1, 3), nil}, // 400 days
		{day(2028, 1, 4), ErrDateFar},
		{day(2028, 2, 29), ErrDateFar},
		{time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC), nil}, // 30/11 in Viet Nam
		{time.Date(2026, 11, 28, 16, 59, 0, 0, time.UTC), ErrDatePast},
	}
	for _, tt := range tests {
		if err := CheckDate(tt.d, now); !errors.Is(err, tt.err) {
			t.Errorf("CheckDate(%s) = %v, want %v", tt.d, err, tt.err)
		}
	}
	// "20/11" typed on 29/11 is past and questioned; "15/1" is not.
	d, _ := ParseDate("20/11", now)
	if CheckDate(d, now) != ErrDatePast {
		t.Error("20/11 on 29/11 should be past")
	}
	d, _ = ParseDate("15/1", now)
	if CheckDate(d, now) != nil {
		t.Error("15/1 in November should be fine")
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"mai", "hết tháng", "het thang sau", "thứ 7", "15/8", "15/08/2026", "rằm tháng 8", "mùng 1 tháng 9 âm",
		"cuối tháng", "đầu tháng 9", "tuần sau", "2026-08-15", "7h tối nay", "30 tháng chạp", "\xff", "9999/99/99",
		"NGAY MAI", "Thu 7", "tuan sau nua", "ngay kia moi co", "moi", "tuan moi"} {
		f.Add(s, int64(1796000000))
	}
	f.Fuzz(func(t *testing.T, s string, unix int64) {
		if unix < 0 || unix > 6e9 { // 1970 .. ~2160
			return
		}
		now := time.Unix(unix, 0)
		d, err := ParseDate(s, now)
		if err != nil {
			if !d.IsZero() {
				t.Fatalf("ParseDate(%q) = %s with error %v", s, d, err)
			}
			return
		}
		if d.Location() != Location() || !d.Equal(Today(d)) {
			t.Fatalf("ParseDate(%q) = %s: not a midnight in Asia/Ho_Chi_Minh", s, d)
		}
		if d.Year() < 1900 || d.Year() > 2200 {
			t.Fatalf("ParseDate(%q) = %s", s, d)
		}
		_ = CheckDate(d, now)
	})
}
