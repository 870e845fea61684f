package vn

import "strconv"

// FormatNumber writes n the Vietnamese way, "." between thousands:
// 25000 -> "25.000", -1500 -> "-1.500".
func FormatNumber(n int64) string {
	neg := n < 0
	u := uint64(n)
	if neg {
		u = -u
	}
	digits := strconv.FormatUint(u, 10)
	out := make([]byte, 0, len(digits)+len(digits)/3+1)
	if neg {
		out = append(out, '-')
	}
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			out = append(out, '.')
		}
		out = append(out, digits[i])
	}
	return string(out)
}

// FormatMilli writes a number of thousandths the Vietnamese way: ","
// before the decimals, no trailing zeros, "." between thousands:
// 1500 -> "1,5", 500000 -> "500", 2500000 -> "2.500", 1234 -> "1,234".
func FormatMilli(m int64) string {
	neg := m < 0
	u := uint64(m)
	if neg {
		u = -u
	}
	s := FormatNumber(int64(u / 1000))
	if frac := u % 1000; frac != 0 {
		f := strconv.FormatUint(frac+1000, 10)[1:]
		for f[len(f)-1] == '0' {
			f = f[:len(f)-1]
		}
		s += "," + f
	}
	if neg {
		s = "-" + s
	}
	return s
}
