package singleserver

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"scalelab/lab"
	"scalelab/lab/numfmt"
)

// Status reads the lab's state (bounded to 2 s) and says it for the header, with the Stuck?
// conditions that hold.
func (s *single) Status(ctx context.Context) lab.Status {
	s.mu.Lock()
	eng, starting := s.eng, s.starting
	s.mu.Unlock()
	switch {
	case eng == nil && starting:
		return lab.Status{Err: "the lab is starting", Line: "lab: starting PostgreSQL and the feed API…", Short: "lab: starting…"}
	case eng == nil:
		return lab.Status{Err: errNotStarted.Error(), Line: "lab: not running", Short: "lab: not running"}
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st := eng.State(ctx)
	s.mu.Lock()
	out := lab.Status{Stage: st.Stage, Applied: append([]string(nil), s.applied...), Conditions: s.conditionsLocked(st)}
	s.mu.Unlock()
	out.Line, out.Short = statusLine(st), statusShort(st)
	switch {
	case !st.PGUp && st.PG.Stopped:
		out.Err = "PostgreSQL killed: B brings it back"
	case !st.PGUp:
		out.Err = "PostgreSQL down: " + firstLine(st.PGErr)
	case st.APIKilled:
		out.Err = "API killed: B brings it back"
	default:
		out.Up = true
	}
	if !st.PGUp {
		out.Stage = StageOutage
	}
	if st.APIKilled {
		out.Stage = StageOutage
	} else {
		out.Addr = st.APIAddr
	}
	return out
}

// conditionsLocked are the Stuck? conditions that hold with the state st (s.mu held).
func (s *single) conditionsLocked(st State) map[string]bool {
	h := map[string]bool{}
	if st.APIAddr != "" && !st.APIKilled {
		ticked := map[string]bool{}
		for _, f := range appliedFixes(s.tasks) {
			ticked[f] = true
		}
		for _, f := range scenarioFixes(s.tasks) {
			if ticked[f] != hasFix(st.Knobs, f) {
				h[condRestartPending] = true
			}
		}
	}
	if s.indexExisted {
		h[condIndexExists] = true
	}
	if s.runWhileDown {
		h[condRunWhileDown] = true
	}
	if s.otherMaxConns != 0 {
		h[condOtherMaxConnections] = true
	}
	return h
}

// statusLine is the header's one-line view of the lab: "PG 15.18 :5433 · API 127.0.0.1:3000
// broken · no index · 10,000 rows · stage: Broken".
func statusLine(s State) string {
	if !s.PGUp && s.PG.Stopped {
		line := "lab: PostgreSQL killed: B brings it back"
		if s.APIKilled {
			line += " · API killed"
		}
		return line
	}
	if !s.PGUp {
		return "lab: PostgreSQL down: " + firstLine(s.PGErr)
	}
	parts := []string{"PG " + s.PG.Version}
	if s.PG.External {
		parts[0] = "PG (DATABASE_URL)"
	} else if s.PG.Port != 0 {
		parts[0] = fmt.Sprintf("PG %s :%d", s.PG.Version, s.PG.Port)
	}
	switch {
	case s.APIKilled:
		parts = append(parts, "API "+s.APIAddr+" killed: B brings it back")
	case s.APIAddr != "":
		api := "API " + s.APIAddr + " " + s.Preset
		if s.Preset == "custom" {
			api += " (" + s.Knobs.String() + ")"
		}
		parts = append(parts, api)
	}
	if s.Index {
		parts = append(parts, "index ✓")
	} else {
		parts = append(parts, "no index")
	}
	parts = append(parts, numfmt.Int(s.Rows)+" rows", "stage: "+lab.StageTitle(stages, s.Stage))
	return strings.Join(parts, " · ")
}

// statusShort is the status line for narrow windows: "PG ✓ · 127.0.0.1:3000 broken · no index · 10k rows".
func statusShort(s State) string {
	if !s.PGUp && s.PG.Stopped {
		return "lab: PostgreSQL killed (B)"
	}
	if !s.PGUp {
		return "lab: PostgreSQL down"
	}
	short := []string{"PG ✓"}
	switch {
	case s.APIKilled:
		short = append(short, "API killed (B)")
	case s.APIAddr != "":
		short = append(short, s.APIAddr+" "+presetShort(s))
	}
	if s.Index {
		short = append(short, "index ✓")
	} else {
		short = append(short, "no index")
	}
	short = append(short, numfmt.Rows(s.Rows)+" rows")
	return strings.Join(short, " · ")
}

// presetShort names the API's knobs in a few characters: the preset, or for custom knobs the
// Fix 1 changes made so far ("custom 2/4 fixes").
func presetShort(s State) string {
	if s.Preset != "custom" {
		return s.Preset
	}
	return "custom " + strconv.Itoa(fixCount(s.Knobs)) + "/" + strconv.Itoa(len(fixes)) + " fixes"
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
