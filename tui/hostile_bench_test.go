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

// sectionSize is the size of each generated section: just under what Parse allows in one.
const sectionSize = 31 << 10

// repeatTo repeats unit until the result has about n bytes.
func repeatTo(unit string, n int) string { return strings.Repeat(unit, max(1, n/len(unit))) }

// fileOf makes a scenario of 30 sections of body each (about 930 KB, under the 1 MB limit).
func fileOf(body string) string {
	var b strings.Builder
	b.WriteString("# T\n\n")
	for k := 1; k <= 30; k++ {
		b.WriteString("## Step " + strconv.Itoa(k) + " — Hostile\n\n" + body + "\n")
	}
	return b.String()
}

// hostileInputs are the shapes that made the markdown renderer (or its parser) slow, in
// files just under 1 MB whose sections and nesting are at the limits Parse allows; the first
// is the reference (the built-in scenario's largest step); Parse refuses the 1,000-`>` line
// (also rendered without Parse, where the renderer bounds it itself), quotes 16 deep and one
// section of 900 KB.
func hostileInputs() []struct{ name, src string } {
	nested := func(prefix string) string {
		return repeatTo(prefix+"words in a nested block, and more words\n", sectionSize)
	}
	var list strings.Builder
	for list.Len() < sectionSize {
		for d := 0; d < 8; d++ {
			list.WriteString(strings.Repeat("  ", d) + "- an item of a deep list\n")
		}
	}
	head := "# T\n\n## Step 1 — Hostile\n\n"
	return []struct{ name, src string }{
		{"builtin-largest-step", ""},
		{"refused-quote-1000-line", head + strings.Repeat(">", 1000) + " deep\n"},
		{"unparsed-quote-1000-line", strings.Repeat(">", 1000) + " deep\n"},
		{"refused-quote-16-deep", head + repeatTo(strings.Repeat("> ", 16)+"words\n", 900<<10)},
		{"refused-section-900KB", head + repeatTo("Some words of prose in a long paragraph.\n", 900<<10)},
		{"quote-8-deep", fileOf(nested(strings.Repeat("> ", 8)))},
		{"quote-list-8-deep", fileOf(nested(strings.Repeat("> - ", 4)))},
		{"list-8-deep", fileOf(list.String())},
		{"long-word", fileOf(strings.Repeat("w", sectionSize))},
		{"entities-word", fileOf(repeatTo("&amp;", sectionSize))},
		{"prose", fileOf(repeatTo("Some words of prose in a long paragraph that goes on.\n", sectionSize))},
		{"emphasis", fileOf(repeatTo("*a* **b** _c_ ", sectionSize))},
		{"emphasis-adjacent", fileOf(repeatTo("*a*_b_", sectionSize))},
		{"star-run", fileOf(strings.Repeat("*", sectionSize/2) + "x" + strings.Repeat("*", sectionSize/2))},
		{"code-spans", fileOf(repeatTo("`a` ", sectionSize))},
		{"backtick-run", fileOf(repeatTo("`a", sectionSize))},
		{"links", fileOf(repeatTo("[a](http://x) ", sectionSize))},
		{"link-nest", fileOf(strings.Repeat("[", sectionSize/8) + "x" + strings.Repeat("](u)", sectionSize/8))},
		{"brackets", fileOf(strings.Repeat("[", sectionSize))},
		{"ref-links", fileOf(refLinks(sectionSize))},
		{"html", fileOf(repeatTo("<span>", sectionSize))},
		{"table-1000-rows", fileOf("| a | b |\n| --- | --- |\n" + strings.Repeat("| x | y |\n", 1000))},
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

// BenchmarkRenderHostile parses each hostile file and renders its first step (dark style,
// 80 columns, as the reader does), and reports time and peak heap, also as ratios against
// the built-in scenario's largest step rendered in the same run. Inputs Parse refuses cost
// only the refusal (the learner sees the error with its line).
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
				if strings.HasPrefix(in.name, "unparsed-") {
					// straight to the renderer, as text that never went through Parse
					blocks = []content.Block{{Kind: content.Markdown, Markdown: in.src}}
				} else if in.src != "" {
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
