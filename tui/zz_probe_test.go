package tui

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/muesli/termenv"
)

func TestZZProbe(t *testing.T) {
	n := 1000
	if s := os.Getenv("PROBE_N"); s != "" {
		fmt.Sscan(s, &n)
	}
	shapes := map[string]string{
		"quote":     strings.Repeat(">", n) + " x",
		"quotesp":   strings.Repeat("> ", n) + "x",
		"list":      func() string { var b strings.Builder; for i := 0; i < n; i++ { b.WriteString(strings.Repeat("  ", i) + "- x\n") }; return b.String() }(),
		"listline":  strings.Repeat("- ", n) + "x",
		"star":      strings.Repeat("*", n) + "x" + strings.Repeat("*", n),
		"under":     strings.Repeat("_", n) + "x" + strings.Repeat("_", n),
		"starpairs": strings.Repeat("*a ", n) ,
		"tick":      strings.Repeat("`", n) + "x",
		"ticks":     strings.Repeat("`a", n),
		"links":     strings.Repeat("[", n) + "x" + strings.Repeat("](u)", n),
		"brackets":  strings.Repeat("[a", n),
		"longline":  strings.Repeat("word ", n*20),
		"longword":  strings.Repeat("w", n*100),
		"table":     "|" + strings.Repeat(" a |", n) + "\n|" + strings.Repeat("---|", n) + "\n" + strings.Repeat("|" + strings.Repeat(" b |", n)+"\n", 20),
		"tablerows": "| a | b |\n|---|---|\n" + strings.Repeat("| x | y |\n", n*10),
		"refs":      func() string { var b strings.Builder; for i := 0; i < n; i++ { fmt.Fprintf(&b, "[r%d]: /u%d\n", i, i) }; for i := 0; i < n; i++ { fmt.Fprintf(&b, "[r%d] ", i) }; return b.String() }(),
		"html":      strings.Repeat("<span>", n) + "x",
		"entities":  strings.Repeat("&amp;", n*10),
		"quotelist": strings.Repeat("> - ", n) + "x",
		"emphnest":  strings.Repeat("*a _b ", n) + strings.Repeat("c_ d*", n),
	}
	only := os.Getenv("PROBE")
	for name, md := range shapes {
		if only != "" && !strings.Contains(","+only+",", ","+name+",") {
			continue
		}
		tr, _ := newGlamour(renderSpec{style: "plain", profile: termenv.Ascii}, ThemeDefault, 80)
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		start := time.Now()
		out, err := renderMD(tr, md)
		d := time.Since(start)
		runtime.ReadMemStats(&m1)
		t.Logf("%-10s in=%7d out=%8d %8.3fs alloc=%6dMB sys=%dMB err=%v", name, len(md), len(out), d.Seconds(), (m1.TotalAlloc-m0.TotalAlloc)>>20, m1.Sys>>20, err)
	}
}

func TestZZScale(t *testing.T) {
	gen := map[string]func(n int) string{
		"entities": func(n int) string { return strings.Repeat("&amp;", n) },
		"codespans": func(n int) string { return strings.Repeat("`a` ", n) },
		"emphs": func(n int) string { return strings.Repeat("*a* ", n) },
		"words": func(n int) string { return strings.Repeat("ab ", n) },
		"codefence": func(n int) string { return "```\n" + strings.Repeat("w", n) + "\n```" },
		"tablecell": func(n int) string { return "| a |\n|---|\n| " + strings.Repeat("w", n) + " |" },
		"longword": func(n int) string { return strings.Repeat("w", n) },
		"tablerows": func(n int) string { return "| a | b |\n|---|---|\n" + strings.Repeat("| x | y |\n", n) },
		"prose": func(n int) string { return strings.Repeat("Some words of prose, *emph* and `code`.\n", n) },
	}
	for _, name := range strings.Split(os.Getenv("PROBE"), ",") {
		for _, n := range sizes() {
			md := gen[name](n)
			tr, _ := newGlamour(renderSpec{style: "dark", profile: termenv.TrueColor}, ThemeDefault, 80)
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			start := time.Now()
			renderMD(tr, md)
			d := time.Since(start)
			runtime.ReadMemStats(&m1)
			t.Logf("%-10s n=%6d in=%7d %8.3fs alloc=%6dMB", name, n, len(md), d.Seconds(), (m1.TotalAlloc-m0.TotalAlloc)>>20)
		}
	}
}

func sizes() []int {
	if s := os.Getenv("PROBE_SIZES"); s != "" {
		var out []int
		for _, f := range strings.Split(s, ",") {
			var n int
			fmt.Sscan(f, &n)
			out = append(out, n)
		}
		return out
	}
	return []int{2000, 8000}
}
