// Package numfmt writes the lab's figures the one way the workshop and the CLI both show them:
// counts with thousands separators, success rates with one decimal that never round up to 100,
// latencies in ms or s with the precision that matters at their size.
package numfmt

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Int writes n with thousands separators: 12345 -> "12,345".
func Int(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	if len(s) > 3 {
		var b strings.Builder
		pre := len(s) % 3
		if pre > 0 {
			b.WriteString(s[:pre])
		}
		for i := pre; i < len(s); i += 3 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(s[i : i+3])
		}
		s = b.String()
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Pct writes a success rate (percent) with one decimal, cut rather than rounded, so that
// 99.96 % shows 99.9 and never 100 while a request failed: 12.38 -> "12.3".
func Pct(r float64) string {
	if r >= 100 {
		return "100"
	}
	return strconv.FormatFloat(math.Floor(r*10)/10, 'f', 1, 64)
}

// RPS writes requests per second: one decimal below 10, whole numbers with separators above.
func RPS(r float64) string {
	if r < 10 {
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return Int(int(math.Round(r)))
}

// Latency splits a latency into a number and its unit: "640" "ms", "1.25" "s".
func Latency(d time.Duration) (string, string) {
	m := float64(d) / float64(time.Millisecond)
	switch {
	case m < 10:
		return strconv.FormatFloat(m, 'f', 1, 64), "ms"
	case m < 1000:
		return strconv.Itoa(int(math.Round(m))), "ms"
	case m < 10000:
		return strconv.FormatFloat(m/1000, 'f', 2, 64), "s"
	}
	return strconv.FormatFloat(m/1000, 'f', 1, 64), "s"
}

// Dur writes a latency with its unit: "640 ms", "1.25 s".
func Dur(d time.Duration) string {
	n, u := Latency(d)
	return n + " " + u
}

// MsShort is a chart axis label for a value in milliseconds: "640ms", "1.2s".
func MsShort(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v < 10:
		return strconv.FormatFloat(v, 'f', 1, 64) + "ms"
	case v < 1000:
		return strconv.Itoa(int(math.Round(v))) + "ms"
	}
	return strconv.FormatFloat(v/1000, 'f', 1, 64) + "s"
}

// Rows writes a row count short: 950, 10k, 1.5M.
func Rows(n int) string {
	switch {
	case n >= 1_000_000:
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64), ".0") + "M"
	case n >= 10_000:
		return strconv.Itoa(n/1000) + "k"
	}
	return Int(n)
}
