package vn

import (
	"math"
	"testing"
)

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0"}, {5, "5"}, {999, "999"}, {1000, "1.000"}, {25000, "25.000"},
		{1200000, "1.200.000"}, {-1500, "-1.500"}, {100000, "100.000"},
		{math.MaxInt64, "9.223.372.036.854.775.807"},
		{math.MinInt64, "-9.223.372.036.854.775.808"},
	}
	for _, tt := range tests {
		if got := FormatNumber(tt.in); got != tt.want {
			t.Errorf("FormatNumber(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatMilli(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{1500, "1,5"}, {500000, "500"}, {2500000, "2.500"}, {1234, "1,234"},
		{1, "0,001"}, {10, "0,01"}, {0, "0"}, {-1500, "-1,5"}, {2500500, "2.500,5"},
		{1000, "1"}, {math.MinInt64, "-9.223.372.036.854.775,808"},
	}
	for _, tt := range tests {
		if got := FormatMilli(tt.in); got != tt.want {
			t.Errorf("FormatMilli(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzFormatMilli(f *testing.F) {
	for _, n := range []int64{1, 1500, 1234, 1000000, 999999999999999} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		if n <= 0 || n > 1e15 {
			return
		}
		q, err := ParseQuantity(FormatMilli(n)+" kg", "")
		if err != nil || q != (Quantity{n, UnitKg}) {
			t.Fatalf("FormatMilli(%d) = %q reads as %+v, %v", n, FormatMilli(n), q, err)
		}
		p, err := ParsePrice(FormatNumber(n))
		if err != nil || p.VND != n {
			t.Fatalf("FormatNumber(%d) = %q reads as %+v, %v", n, FormatNumber(n), p, err)
		}
	})
}
