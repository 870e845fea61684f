package vn

import (
	"math"
	"time"
)

// The Vietnamese lunisolar calendar (âm lịch), computed with Hồ Ngọc Đức's
// astronomical algorithm for the time zone UTC+7. The Chinese calendar uses
// UTC+8 and differs from it by a day, or a month, in some years (Tết 1985,
// Tết 2007), so a Chinese-calendar library is not used. Accurate for
// 1900-2199.

// LunarDate is a day of the Vietnamese lunar calendar. Leap is true in the
// intercalary month (tháng nhuận) that repeats Month.
type LunarDate struct {
	Day, Month, Year int
	Leap             bool
}

const lunarTZ = 7.0

// jdn is the Julian day number of a Gregorian date.
func jdn(y int, m time.Month, d int) int {
	a := (14 - int(m)) / 12
	yy := y + 4800 - a
	mm := int(m) + 12*a - 3
	return d + (153*mm+2)/5 + 365*yy + yy/4 - yy/100 + yy/400 - 32045
}

// fromJDN is the midnight, in Asia/Ho_Chi_Minh, of Julian day number jd.
func fromJDN(jd int) time.Time {
	a := jd + 32044
	b := (4*a + 3) / 146097
	c := a - b*146097/4
	d := (4*c + 3) / 1461
	e := c - 1461*d/4
	m := (5*e + 2) / 153
	day := e - (153*m+2)/5 + 1
	month := m + 3 - 12*(m/10)
	year := b*100 + d - 4800 + m/10
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, vnLoc)
}

// newMoonDay is the Julian day number, local to UTC+7, of the k-th new moon
// after 1900-01-01.
func newMoonDay(k int) int {
	kf := float64(k)
	T := kf / 1236.85
	T2, T3 := T*T, T*T*T
	dr := math.Pi / 180
	jd1 := 2415020.75933 + 29.53058868*kf + 0.0001178*T2 - 0.000000155*T3
	jd1 += 0.00033 * math.Sin((166.56+132.87*T-0.009173*T2)*dr)
	M := 359.2242 + 29.10535608*kf - 0.0000333*T2 - 0.00000347*T3
	Mpr := 306.0253 + 385.81691806*kf + 0.0107306*T2 + 0.00001236*T3
	F := 21.2964 + 390.67050646*kf - 0.0016528*T2 - 0.00000239*T3
	C1 := (0.1734-0.000393*T)*math.Sin(M*dr) + 0.0021*math.Sin(2*dr*M)
	C1 = C1 - 0.4068*math.Sin(Mpr*dr) + 0.0161*math.Sin(dr*2*Mpr)
	C1 = C1 - 0.0004*math.Sin(dr*3*Mpr)
	C1 = C1 + 0.0104*math.Sin(dr*2*F) - 0.0051*math.Sin(dr*(M+Mpr))
	C1 = C1 - 0.0074*math.Sin(dr*(M-Mpr)) + 0.0004*math.Sin(dr*(2*F+M))
	C1 = C1 - 0.0004*math.Sin(dr*(2*F-M)) - 0.0006*math.Sin(dr*(2*F+Mpr))
	C1 = C1 + 0.0010*math.Sin(dr*(2*F-Mpr)) + 0.0005*math.Sin(dr*(2*Mpr+M))
	var deltat float64
	if T < -11 {
		deltat = 0.001 + 0.000839*T + 0.0002261*T2 - 0.00000845*T3 - 0.000000081*T*T3
	} else {
		deltat = -0.000278 + 0.000265*T + 0.000262*T2
	}
	return int(math.Floor(jd1 + C1 - deltat + 0.5 + lunarTZ/24))
}

// sunLongitude is the sector (0..11, 30 degrees each) of the sun's
// longitude at the start of local day jd.
func sunLongitude(jd int) int {
	T := (float64(jd) - 0.5 - lunarTZ/24 - 2451545.0) / 36525
	T2 := T * T
	dr := math.Pi / 180
	M := 357.52910 + 35999.05030*T - 0.0001559*T2 - 0.00000048*T*T2
	L0 := 280.46645 + 36000.76983*T + 0.0003032*T2
	DL := (1.914600 - 0.004817*T - 0.000014*T2) * math.Sin(dr*M)
	DL += (0.019993-0.000101*T)*math.Sin(dr*2*M) + 0.000290*math.Sin(dr*3*M)
	L := (L0 + DL) * dr
	L -= math.Pi * 2 * math.Floor(L/(math.Pi*2))
	return int(math.Floor(L / math.Pi * 6))
}

// lunarMonth11 is the first day of the 11th lunar month (the one holding
// the winter solstice) of Gregorian year y.
func lunarMonth11(y int) int {
	off := jdn(y, 12, 31) - 2415021
	k := int(math.Floor(float64(off) / 29.530588853))
	nm := newMoonDay(k)
	if sunLongitude(nm) >= 9 {
		nm = newMoonDay(k - 1)
	}
	return nm
}

// leapMonthOffset is the position, after month 11 starting at a11, of the
// first month without a major solar term: the leap month.
func leapMonthOffset(a11 int) int {
	k := int(math.Floor((float64(a11)-2415021.076998695)/29.530588853 + 0.5))
	i := 1
	arc := sunLongitude(newMoonDay(k + i))
	for {
		last := arc
		i++
		arc = sunLongitude(newMoonDay(k + i))
		if arc == last || i >= 14 {
			break
		}
	}
	return i - 1
}

// SolarToLunar returns the lunar date of t's calendar day in
// Asia/Ho_Chi_Minh.
func SolarToLunar(t time.Time) LunarDate {
	t = t.In(vnLoc)
	day := jdn(t.Year(), t.Month(), t.Day())
	// The month holding day starts at the last new moon on or before it.
	// The estimate of k can be one off near a new moon (2054-05-07).
	k := int(math.Floor((float64(day)-2415021.076998695)/29.530588853)) + 1
	for newMoonDay(k) > day {
		k--
	}
	for newMoonDay(k+1) <= day {
		k++
	}
	monthStart := newMoonDay(k)
	y := t.Year()
	a11 := lunarMonth11(y)
	b11 := a11
	var lunarYear int
	if a11 >= monthStart {
		lunarYear = y
		a11 = lunarMonth11(y - 1)
	} else {
		lunarYear = y + 1
		b11 = lunarMonth11(y + 1)
	}
	l := LunarDate{Day: day - monthStart + 1}
	diff := (monthStart - a11) / 29
	l.Month = diff + 11
	if b11-a11 > 365 {
		leap := leapMonthOffset(a11)
		if diff >= leap {
			l.Month = diff + 10
			l.Leap = diff == leap
		}
	}
	if l.Month > 12 {
		l.Month -= 12
	}
	if l.Month >= 11 && diff < 4 {
		lunarYear--
	}
	l.Year = lunarYear
	return l
}

// LunarToSolar returns the Gregorian day (midnight in Asia/Ho_Chi_Minh) of
// lunar date l. ok is false for a day that does not exist: a 30th in a
// 29-day month, a leap month the year does not have, a day outside 1..30.
func LunarToSolar(l LunarDate) (time.Time, bool) {
	if l.Day < 1 || l.Day > 30 || l.Month < 1 || l.Month > 12 || l.Year < 1800 || l.Year > 2199 {
		return time.Time{}, false
	}
	var a11, b11 int
	if l.Month < 11 {
		a11, b11 = lunarMonth11(l.Year-1), lunarMonth11(l.Year)
	} else {
		a11, b11 = lunarMonth11(l.Year), lunarMonth11(l.Year+1)
	}
	k := int(math.Floor(0.5 + (float64(a11)-2415021.076998695)/29.530588853))
	off := l.Month - 11
	if off < 0 {
		off += 12
	}
	if b11-a11 > 365 {
		leapOff := leapMonthOffset(a11)
		leapMonth := leapOff - 2
		if leapMonth < 0 {
			leapMonth += 12
		}
		if l.Leap && l.Month != leapMonth {
			return time.Time{}, false
		}
		if l.Leap || off >= leapOff {
			off++
		}
	} else if l.Leap {
		return time.Time{}, false
	}
	t := fromJDN(newMoonDay(k+off) + l.Day - 1)
	if SolarToLunar(t) != l {
		return time.Time{}, false // e.g. the 30th of a 29-day month
	}
	return t, true
}
