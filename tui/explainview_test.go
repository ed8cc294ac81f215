package tui

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"scalelab/lab"
	"scalelab/lab/pg/pgtest"
)

// realPlans asks Scenario 1's lab (its data only, on a real PostgreSQL) for the feed query's
// plan without the index, then with it (its apply-fix action): the plans the view shows.
func realPlans(t *testing.T) (seq, idx lab.Plan) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l := realLab(t, lab.Config{DBURL: pgtest.NewDatabase(t), Rows: 10000, DataOnly: true, Logf: t.Logf})
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	planner := l.(lab.Planner)
	var err error
	if seq, err = planner.Explain(ctx); err != nil {
		t.Fatal(err)
	}
	fix, ok := lab.FindAction(l, "apply-fix")
	if !ok {
		t.Fatal("the lab has no apply-fix")
	}
	if _, err := fix.Do(ctx, lab.Request{Progress: func(string) {}}); err != nil {
		t.Fatal(err)
	}
	if idx, err = planner.Explain(ctx); err != nil {
		t.Fatal(err)
	}
	if seq.Kind != "Seq Scan" || seq.Good || idx.Kind != "Index Scan" || !idx.Good {
		t.Fatalf("PostgreSQL's plans are not the scenario's: before %+v, after %+v", seq, idx)
	}
	return seq, idx
}

var reVerdictTime = regexp.MustCompile(`\([0-9.]+[µnm]?s\)`)

var reTimes = regexp.MustCompile(`cost=[0-9.]+\.\.[0-9.]+|width=[0-9]+|(actual time=)[0-9.]+\.\.[0-9.]+|(Time: )[0-9.]+ ms|(Execution Time: |Planning Time: )[0-9.]+|[0-9.]+ ms|[0-9]+× (faster|slower)|(Buffers: )[a-z =0-9]+|(Memory: )[0-9]+kB`)

// stable makes real plans fixed for goldens: timings, costs (from sampled statistics), row
// widths (random content), buffer counts and sort memory vary by run.
func stable(p lab.Plan, exec time.Duration) lab.Plan {
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
	p.Verdict = reVerdictTime.ReplaceAllString(p.Verdict, "("+exec.Round(time.Microsecond).String()+")")
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
		mustContain(t, v.View(), "run the lab's action that reads the plan", "Seq Scan reads every row")
		if v.Status() != "explain · no plan yet" {
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
		mustContain(t, plain, "Seq Scan: PostgreSQL reads every row and sorts them",
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
		mustContain(t, plain, "Index Scan: PostgreSQL jumps straight to the newest posts",
			"Execution Time: "+execMs(seq.Execution)+" (Seq Scan) → "+execMs(idx.Execution)+" (Index Scan)",
			"── after the fix: Index Scan")
		all := xansi.Strip(strings.Join(v.display(), "\n"))
		a, b := strings.Index(all, "── after the fix: Index Scan"), strings.Index(all, "── before: Seq Scan")
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
		if !strings.Contains(row, "after the fix: Index Scan") {
			t.Fatalf("not side by side at 120:\n%s", v.View())
		}
		// the same kind again replaces the current plan, the before stays
		v.Update(ExplainMsg{Plan: idx})
		if v.prev == nil || v.prev.Kind != "Seq Scan" || v.runs != 3 {
			t.Fatalf("prev %+v runs %d", v.prev, v.runs)
		}
	})

	t.Run("hint when the lab moves to another stage", func(t *testing.T) {
		v := newExplainView(testCommon(t))
		v.SetSize(80, 21)
		v.Update(LabStatusMsg{Stage: "fix1"})
		v.Update(ExplainMsg{Plan: seq})
		v.Update(LabStatusMsg{Stage: "fix1"})
		if strings.Contains(v.View(), "read the plan again") {
			t.Fatalf("a hint while the lab is where the plan was read:\n%s", v.View())
		}
		v.Update(LabStatusMsg{Stage: "fix2"})
		mustContain(t, v.View(), "the lab is at After Fix 2 since this plan: read the plan again")
		v.Update(ExplainMsg{Plan: idx})
		if strings.Contains(v.View(), "since this plan") {
			t.Fatalf("the hint stayed over a new plan:\n%s", v.View())
		}
	})

	t.Run("fix applied before the first E: both plans", func(t *testing.T) {
		v := newExplainView(testCommon(t))
		v.SetSize(120, 37)
		v.Update(ExplainMsg{Plan: idx, Before: seq, After: idx})
		f := xansi.Strip(v.View())
		mustContain(t, f, "before: Seq Scan", "after the fix: Index Scan", "Seq Scan on posts",
			"Execution Time: "+execMs(seq.Execution)+" (Seq Scan) → "+execMs(idx.Execution)+" (Index Scan)")
		// a reset: the plan without the index again, the one with it kept beside it
		v.Update(ExplainMsg{Plan: seq, Before: seq, After: idx})
		mustContain(t, xansi.Strip(v.View()), "earlier: Index Scan", "now: Seq Scan")
	})

	t.Run("goldens", func(t *testing.T) {
		s, i := stable(seq, 3100*time.Microsecond), stable(idx, 52*time.Microsecond)
		for _, tc := range []struct {
			name  string
			w, h  int
			plans []lab.Plan
		}{
			{"explain_empty_80x24", 80, 24, nil},
			{"explain_seq_80x24", 80, 24, []lab.Plan{s}},
			{"explain_both_80x24", 80, 24, []lab.Plan{s, i}},
			{"explain_both_120x40", 120, 40, []lab.Plan{s, i}},
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
