package vn

import (
	"testing"
	"time"
)

func TestLunarKnownDates(t *testing.T) {
	tests := []struct {
		solar time.Time
		lunar LunarDate
	}{
		// Tết (1/1): Vietnamese dates, UTC+7.
		{day(1985, 1, 21), LunarDate{1, 1, 1985, false}}, // China: 20/2/1985
		{day(2007, 2, 17), LunarDate{1, 1, 2007, false}}, // China: 18/2/2007
		{day(2020, 1, 25), LunarDate{1, 1, 2020, false}},
		{day(2021, 2, 12), LunarDate{1, 1, 2021, false}},
		{day(2022, 2, 1), LunarDate{1, 1, 2022, false}},
		{day(2023, 1, 22), LunarDate{1, 1, 2023, false}},
		{day(2024, 2, 10), LunarDate{1, 1, 2024, false}},
		{day(2025, 1, 29), LunarDate{1, 1, 2025, false}},
		{day(2026, 2, 17), LunarDate{1, 1, 2026, false}},
		{day(2027, 2, 6), LunarDate{1, 1, 2027, false}},
		{day(2028, 1, 26), LunarDate{1, 1, 2028, false}},
		{day(2030, 2, 2), LunarDate{1, 1, 2030, false}}, // China: 3/2/2030
		// Trung thu (15/8).
		{day(2024, 9, 17), LunarDate{15, 8, 2024, false}},
		{day(2025, 10, 6), LunarDate{15, 8, 2025, false}},
		{day(2026, 9, 25), LunarDate{15, 8, 2026, false}},
		{day(2027, 9, 15), LunarDate{15, 8, 2027, false}},
		// Giỗ Tổ Hùng Vương (10/3).
		{day(2026, 4, 26), LunarDate{10, 3, 2026, false}},
		// Leap months: 6 in 2025, 5 in 2028; 30 Tết missing in 2026.
		{day(2025, 7, 25), LunarDate{1, 6, 2025, true}},
		{day(2025, 6, 25), LunarDate{1, 6, 2025, false}},
		{day(2028, 6, 23), LunarDate{1, 5, 2028, true}},
		{day(2026, 2, 16), LunarDate{29, 12, 2025, false}},
		// End of a Gregorian year inside lunar month 11.
		{day(2026, 12, 31), LunarDate{23, 11, 2026, false}},
		// Where the original algorithm returned "day 0" (its estimate of the
		// month start was one off); the Chinese calendar agrees.
		{day(2054, 5, 7), LunarDate{30, 3, 2054, false}},
		{day(2062, 4, 9), LunarDate{30, 2, 2062, false}},
	}
	for _, tt := range tests {
		if got := SolarToLunar(tt.solar); got != tt.lunar {
			t.Errorf("SolarToLunar(%s) = %+v, want %+v", tt.solar.Format("2006-01-02"), got, tt.lunar)
		}
		if got, ok := LunarToSolar(tt.lunar); !ok || !got.Equal(tt.solar) {
			t.Errorf("LunarToSolar(%+v) = %s, %v; want %s", tt.lunar, got.Format("2006-01-02"), ok, tt.solar.Format("2006-01-02"))
		}
	}
}

func TestLunarRoundTrip(t *testing.T) {
	days := 0
	for d := day(2020, 1, 1); d.Year() < 2061; d = d.AddDate(0, 0, 1) {
		l := SolarToLunar(d)
		if l.Day < 1 || l.Day > 30 || l.Month < 1 || l.Month > 12 {
			t.Fatalf("SolarToLunar(%s) = %+v", d, l)
		}
		back, ok := LunarToSolar(l)
		if !ok || !back.Equal(d) {
			t.Fatalf("%s -> %+v -> %s, %v", d, l, back, ok)
		}
		days++
	}
	if testing.Short() {
		return
	}
	// Days that do not exist.
	for _, l := range []LunarDate{
		{30, 12, 2026, false}, // no 30 Tết in 2025-2029
		{1, 4, 2026, true},    // 2026 has no leap month
		{1, 6, 2028, true},    // 2028's leap month is the 5th
		{0, 1, 2026, false}, {31, 1, 2026, false}, {1, 13, 2026, false}, {1, 1, 1700, false},
	} {
		if got, ok := LunarToSolar(l); ok {
			t.Errorf("LunarToSolar(%+v) = %s, want none", l, got)
		}
	}
}

func TestSolarToLunarZone(t *testing.T) {
	// 17:30 UTC on 16/2/2026 is 00:30 on Tết 2026 in Viet Nam.
	if got := SolarToLunar(time.Date(2026, 2, 16, 17, 30, 0, 0, time.UTC)); got != (LunarDate{1, 1, 2026, false}) {
		t.Errorf("got %+v", got)
	}
}
