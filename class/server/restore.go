package server

import (
	"path/filepath"

	"scalelab/class/room"
	"scalelab/lab/load"
	"scalelab/tui"
)

// restoreRoom puts every learner who joined this class before (learners.json) on the board as
// away, with where they were and their recorded runs, read from their directory without
// changing anything: a restarted server's board and export show the whole class, not only who
// has come back since. A learner's own session fills in the rest when they return.
func (s *Server) restoreRoom() {
	s.book.mu.Lock()
	known := make(map[string]string, len(s.book.Names)) // id -> name
	for name, b := range s.book.Names {
		known[b.ID] = name
	}
	s.book.mu.Unlock()
	for id, name := range known {
		dir := filepath.Join(s.cfg.Dir, LearnersDir, id)
		sc := tui.LastBuiltin(dir)
		ws := tui.BuiltinSheet(dir, sc)
		var p tui.Progress
		for _, e := range tui.SeriesEntries(dir, sc, nil) {
			if e.ID == sc.ID {
				p = tui.Progress{Scenario: e.ID, Step: e.Step, Steps: e.Steps, Answered: e.Answered, Questions: e.Questions}
			}
		}
		if p.Steps > 0 {
			p.StepTitle = sc.Steps[p.Step].Title
		}
		s.room.Update(id, func(r *room.Learner) {
			r.Name, r.Connected, r.LastSeen, r.Lab = name, false, ws.Updated, "lab: stopped"
			r.Scenario, r.Step, r.Steps, r.StepTitle = p.Scenario, p.Step, p.Steps, p.StepTitle
			r.Answered, r.Questions = p.Answered, p.Questions
		})
		if h, err := load.OpenHistory(filepath.Join(dir, load.HistoryFile)); err == nil {
			for _, rec := range h.List() {
				s.room.AddRun(id, room.RunFromRecord(rec, rec.Beside))
			}
		}
	}
}
