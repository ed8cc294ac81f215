package tui

import (
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/muesli/termenv"

	"scalelab/content"
)

// hostileSize is the size of each generated input: just under Parse's 1 MB limit.
const hostileSize = 900 << 10

// repeatTo repeats unit until the result has about n bytes.
func repeatTo(unit string, n int) string { return strings.Repeat(unit, max(1, n/len(unit))) }

// hostileInputs are the shapes that made the markdown renderer (or its parser) slower than
// linear, each as big as a scenario may be, with nesting at the limit Parse allows. The
// first is the built-in scenario's largest step, the reference the others are compared to.
func hostileInputs() []struct{ name, src string } {
	head := "# T\n\n## Step 1 — Hostile\n\n"
	nested := func(prefix string) string { return repeatTo(prefix+"words in a nested block, and more words\n", hostileSize) }
	var list strings.Builder
	for list.Len() < hostileSize {
		for d := 0; d < 16; d++ {
			list.WriteString(strings.Repeat("  ", d) + "- an item of a deep list\n")
		}
	}
	return []struct{ name, src string }{
		{"builtin-largest-step", ""},
		{"quote-1000-line", head + strings.Repeat(">", 1000) + " deep\n"},
		{"quote-16-deep", head + nested(strings.Repeat("> ", 16))},
		{"quote-list-16-deep", head + nested(strings.Repeat("> - ", 8))},
		{"list-16-deep", head + list.String()},
		{"long-word", head + strings.Repeat("w", hostileSize) + "\n"},
		{"entities-word", head + repeatTo("&amp;", hostileSize) + "\n"},
		{"prose", head + repeatTo("Some words of prose in a long paragraph that goes on.\n", hostileSize)},
		{"emphasis", head + repeatTo("*a* **b** _c_ ", hostileSize) + "\n"},
		{"emphasis-adjacent", head + repeatTo("*a*_b_", hostileSize) + "\n"},
		{"star-run", head + strings.Repeat("*", hostileSize/2) + "x" + strings.Repeat("*", hostileSize/2) + "\n"},
		{"code-spans", head + repeatTo("`a` ", hostileSize) + "\n"},
		{"backtick-run", head + repeatTo("`a", hostileSize) + "\n"},
		{"links", head + repeatTo("[a](http://x) ", hostileSize) + "\n"},
		{"link-nest", head + strings.Repeat("[", hostileSize/8) + "x" + strings.Repeat("](u)", hostileSize/8) + "\n"},
		{"brackets", head + strings.Repeat("[", hostileSize) + "\n"},
		{"ref-links", head + refLinks(hostileSize)},
		{"html", head + repeatTo("<span>", hostileSize) + "\n"},
	}
}

func refLinks(n int) string {
	var defs, uses strings.Builder
	for i := 0; defs.Len()+uses.Len() < n; i++ {
		defs.WriteString("[r" + strconv.Itoa(i) + "]: /u\n")
		uses.WriteString("[r" + strconv.Itoa(i) + "] ")
	}
	return defs.String() + "\n" + uses.String() + "\n"
}

// largestStep returns the built-in scenario's step with the most markdown.
func largestStep() []content.Block {
	var best []content.Block
	size := -1
	for _, st := range content.Builtin().Steps {
		n := 0
		for _, b := range st.Blocks {
			n += len(b.Markdown)
		}
		if n > size {
			best, size = st.Blocks, n
		}
	}
	return best
}

// peakHeap samples the heap in use while f runs and returns the most it rose over the
// start, in bytes.
func peakHeap(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	peak := base
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				peak = max(peak, read())
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return max(peak, read()) - base
}

// BenchmarkRenderHostile parses and renders (dark style, 80 columns, as the reader does)
// each hostile input and reports its time and peak heap, also as ratios against the
// built-in scenario's largest step rendered in the same run. Inputs Parse refuses (the
// 1,000-`>` line) cost only the refusal.
//
//	go test -run '^$' -bench RenderHostile -benchtime 1x ./tui/
func BenchmarkRenderHostile(b *testing.B) {
	spec := renderSpec{style: "dark", profile: termenv.TrueColor}
	key := renderKey{width: 80}
	var refNs, refPeak float64
	for _, in := range hostileInputs() {
		b.Run(in.name, func(b *testing.B) {
			op := func() {
				blocks := largestStep()
				if in.src != "" {
					sc, err := content.Parse("hostile.md", []byte(in.src))
					if err != nil {
						return // refused, with its line: nothing to render
					}
					blocks = sc.Steps[0].Blocks
				}
				if _, err := renderStep(spec, key, blocks); err != nil {
					b.Fatal(err)
				}
			}
			var peak uint64
			start := time.Now()
			for b.Loop() {
				peak = max(peak, peakHeap(op))
			}
			ns := float64(time.Since(start).Nanoseconds()) / float64(b.N)
			mb := float64(peak) / (1 << 20)
			if in.src == "" {
				refNs, refPeak = ns, mb
			}
			b.ReportMetric(mb, "peak-MB")
			b.ReportMetric(ns/1e6, "ms")
			if refNs > 0 && in.src != "" {
				b.ReportMetric(ns/refNs, "x-time-of-ref")
				b.ReportMetric(mb/max(refPeak, 0.01), "x-peak-of-ref")
			}
		})
	}
}
