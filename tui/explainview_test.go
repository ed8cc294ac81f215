package tui

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/muesli/termenv"

	"scalelab/content"
	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
	"scalelab/lab/posts"
)

// realPlans asks a real PostgreSQL for the feed query's plan without the index, then with it
// (posts.Setup, posts.Explain, posts.CreateIndex: what the lab does).
func realPlans(t *testing.T) (seq, idx posts.Plan) {
	t.Helper()
	srv := pgtest.OwnServer(t, pg.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, err := pgxpool.New(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := posts.Setup(ctx, db, 10000, nil); err != nil {
		t.Fatal(err)
	}
	if seq, err = posts.Explain(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := posts.CreateIndex(ctx, db); err != nil {
		t.Fatal(err)
	}
	if idx, err = posts.Explain(ctx, db); err != nil {
		t.Fatal(err)
	}
	if !seq.SeqScan || seq.IndexScan || !idx.IndexScan {
		t.Fatalf("PostgreSQL's plans are not the scenario's: before %+v, after %+v", seq, idx)
	}
	return seq, idx
}

var reTimes = regexp.MustCompile(`cost=[0-9.]+\.\.[0-9.]+|width=[0-9]+|(actual time=)[0-9.]+\.\.[0-9.]+|(Time: )[0-9.]+ ms|(Execution Time: |Planning Time: )[0-9.]+|[0-9.]+ ms|[0-9]+× (faster|slower)|(Buffers: )[a-z =0-9]+|(Memory: )[0-9]+kB`)

// stable makes real plans fixed for goldens: timings, costs (from sampled statistics), row
// widths (random content), buffer counts and sort memory vary by run.
func stable(p posts.Plan, exec time.Duration) posts.Plan {
	p.Text = reTimes.ReplaceAllStringFunc(p.Text, func(m string) string {
		switch {
		case strings.HasPrefix(m, "cost="):
			return "cost=1.00..2.00"
		case strings.HasPrefix(m, "width="):
			return "width=60"
		case strings.HasPrefix(m, "actual time="):
			return "actual time=0.100..0.200"
		case strings.HasPrefix(m, "Buffers: "):
			return "Buffers: shared hit=100"
		case strings.HasPrefix(m, "Memory: "):
			return "Memory: 30kB"
		case strings.HasPrefix(m, "Execution Time: "):
			return "Execution Time: " + strings.TrimSuffix(execMs(exec), " ms")
		case strings.HasPrefix(m, "Planning Time: "):
			return "Planning Time: 0.100"
		}
		return m
	})
	p.Execution = exec
	return p
}

// highlighted reports whether word is drawn with style st somewhere in the frame.
func highlighted(frame, word string, st lipgloss.Style) bool {
	return strings.Contains(frame, st.Render(word))
}

func TestExplainViewWithRealPlans(t *testing.T) {
	seq, idx := realPlans(t)

	t.Run("before any plan", func(t *testing.T) {
		v := newExplainView(testCommon(t))
		v.SetSize(80, 21)
		mustContain(t, v.View(), "press E (or Enter on `scalelab explain-query` in the text) to run", "ORDER BY created_at DESC")
		if v.Status() != "explain · no plan yet: press E" {
			t.Fatalf("status %q", v.Status())
		}
	})

	t.Run("seq then index, highlighted", func(t *testing.T) {
		// colours on, so the highlight is visible in the frame
		lipgloss.SetColorProfile(termenv.ANSI256)
		defer lipgloss.SetColorProfile(termenv.Ascii)
		c := testCommon(t)
		v := newExplainView(c)
		v.SetSize(80, 21)
		v.Update(ExplainMsg{Plan: seq})
		f := v.View()
		if !highlighted(f, "Seq Scan", v.sty.Seq) {
			t.Fatalf("Seq Scan is not highlighted as a warning:\n%q", f)
		}
		plain := xansi.Strip(f)
		mustContain(t, plain, "PostgreSQL reads every row (Seq Scan) then sorts: Fix 2 adds the index",
			"Execution Time: "+execMs(seq.Execution), "plan: Seq Scan")
		if strings.Contains(plain, "Index Scan") {
			t.Fatalf("an index scan before the index:\n%s", plain)
		}

		v.Update(ExplainMsg{Plan: idx})
		f = v.View()
		if !highlighted(f, "Index Scan", v.sty.Index) {
			t.Fatalf("Index Scan is not highlighted as a success:\n%q", f)
		}
		if v.sty.Index.Render("Index Scan") == v.sty.Seq.Render("Index Scan") {
			t.Fatal("Seq Scan and Index Scan look the same")
		}
		plain = xansi.Strip(f)
		// stacked at 80: the new plan on top, the one before below; both times in the header
		mustContain(t, plain, "Index Scan: PostgreSQL jumps to the newest posts",
			"Execution Time: "+execMs(seq.Execution)+" (Seq Scan) → "+execMs(idx.Execution)+" (Index Scan)",
			"── after Fix 2: Index Scan")
		all := xansi.Strip(strings.Join(v.display(), "\n"))
		a, b := strings.Index(all, "── after Fix 2: Index Scan"), strings.Index(all, "── before: Seq Scan")
		if a < 0 || b < a {
			t.Fatalf("stacked after/before missing or out of order:\n%s", all)
		}
		if !strings.Contains(all[a:b], "Index Scan") || strings.Contains(all[a:b], "Seq Scan on") || !strings.Contains(all[b:], "Seq Scan on posts") {
			t.Fatalf("plans under the wrong titles:\n%s", all)
		}
		// the before plan is reached by scrolling
		v.Update(keyMsg("G"))
		mustContain(t, xansi.Strip(v.View()), "Seq Scan on posts")
		// the same NO_COLOR: still two different looks
		*c.styles = *NewStyles(ThemeDefault, true)
		v.Update(themeChangedMsg{})
		if v.sty.Index.Render("Scan") == v.sty.Seq.Render("Scan") {
			t.Fatal("NO_COLOR: Seq Scan and Index Scan look the same")
		}
	})

	t.Run("side by side at 120", func(t *testing.T) {
		v := newExplainView(testCommon(t))
		v.SetSize(120, 37)
		v.Update(ExplainMsg{Plan: seq})
		v.Update(ExplainMsg{Plan: idx})
		var row string
		for _, l := range strings.Split(v.View(), "\n") {
			if strings.Contains(l, "before: Seq Scan") {
				row = l
			}
		}
		if !strings.Contains(row, "after Fix 2: Index Scan") {
			t.Fatalf("not side by side at 120:\n%s", v.View())
		}
		// the same kind again replaces the current plan, the before stays
		v.Update(ExplainMsg{Plan: idx})
		if v.prev == nil || !v.prev.SeqScan || v.runs != 3 {
			t.Fatalf("prev %+v runs %d", v.prev, v.runs)
		}
	})

	t.Run("error in place", func(t *testing.T) {
		v := newExplainView(testCommon(t))
		v.SetSize(80, 21)
		v.Update(ExplainMsg{Plan: seq})
		v.Update(ExplainMsg{Err: errors.New("explain the feed query: connection refused")})
		f := v.View()
		mustContain(t, f, "EXPLAIN failed: explain the feed query: connection refused", "What to do:", "press E to",
			"plan: Seq Scan") // the last plan stays
		if v.Status() != "explain · failed: press E to try again" {
			t.Fatalf("status %q", v.Status())
		}
		v.Update(ExplainMsg{Plan: idx})
		if strings.Contains(v.View(), "EXPLAIN failed") {
			t.Fatal("the error stayed after a plan")
		}
	})

	t.Run("hints after actions", func(t *testing.T) {
		v := newExplainView(testCommon(t))
		v.SetSize(80, 21)
		v.Update(ExplainMsg{Plan: seq})
		v.Update(ActionDoneMsg{Action: content.Action{Name: "apply-fix"}})
		mustContain(t, v.View(), "Fix 2 applied: press E to see the plan with the index")
	})

	t.Run("fix applied before the first E: both plans", func(t *testing.T) {
		v := newExplainView(testCommon(t))
		v.SetSize(120, 37)
		v.Update(ExplainMsg{Plan: idx, Before: seq, After: idx})
		f := xansi.Strip(v.View())
		mustContain(t, f, "before: Seq Scan", "after Fix 2: Index Scan", "Seq Scan on posts",
			"Execution Time: "+execMs(seq.Execution)+" (Seq Scan) → "+execMs(idx.Execution)+" (Index Scan)")
		// a reset: the plan without the index again, the one with it kept beside it
		v.Update(ExplainMsg{Plan: seq, Before: seq, After: idx})
		mustContain(t, xansi.Strip(v.View()), "earlier: Index Scan", "now: Seq Scan")
	})

	t.Run("a second Fix 2 over an index plan announces nothing", func(t *testing.T) {
		v := newExplainView(testCommon(t))
		v.SetSize(80, 21)
		v.Update(ExplainMsg{Plan: idx, Before: seq, After: idx})
		v.Update(ActionDoneMsg{Action: content.Action{Name: "apply-fix"}})
		if strings.Contains(v.View(), "Fix 2 applied") {
			t.Fatalf("the fix announced again over its own plan:\n%s", v.View())
		}
	})

	t.Run("goldens", func(t *testing.T) {
		s, i := stable(seq, 3100*time.Microsecond), stable(idx, 52*time.Microsecond)
		for _, tc := range []struct {
			name  string
			w, h  int
			plans []posts.Plan
		}{
			{"explain_empty_80x24", 80, 24, nil},
			{"explain_seq_80x24", 80, 24, []posts.Plan{s}},
			{"explain_both_80x24", 80, 24, []posts.Plan{s, i}},
			{"explain_both_120x40", 120, 40, []posts.Plan{s, i}},
		} {
			v := newExplainView(testCommon(t))
			v.SetSize(tc.w, tc.h-3)
			for _, p := range tc.plans {
				v.Update(ExplainMsg{Plan: p})
			}
			screenGolden(t, tc.name, v.View())
		}
	})
}

func TestExecMs(t *testing.T) {
	for d, want := range map[time.Duration]string{
		52 * time.Microsecond:   "0.052 ms",
		3100 * time.Microsecond: "3.1 ms",
		250 * time.Millisecond:  "250 ms",
	} {
		if got := execMs(d); got != want {
			t.Errorf("execMs(%v) = %q, want %q", d, got, want)
		}
	}
}
