package numfmt

import (
	"testing"
	"time"
)

func TestFigures(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Int(0), "0"}, {Int(999), "999"}, {Int(1000), "1,000"}, {Int(-1234567), "-1,234,567"},
		{Pct(12.38), "12.3"}, {Pct(99.96), "99.9"}, {Pct(100), "100"}, {Pct(0), "0.0"},
		{RPS(4.56), "4.6"}, {RPS(1234.5), "1,235"},
		{Dur(1500 * time.Microsecond), "1.5 ms"}, {Dur(640 * time.Millisecond), "640 ms"},
		{Dur(1250 * time.Millisecond), "1.25 s"}, {Dur(12 * time.Second), "12.0 s"},
		{MsShort(0), "0"}, {MsShort(640), "640ms"}, {MsShort(1200), "1.2s"},
		{Rows(950), "950"}, {Rows(10_000), "10k"}, {Rows(1_000_000), "1M"}, {Rows(1_500_000), "1.5M"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
