package server

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sync"
	"time"

	"scalelab/class/queue"
	"scalelab/class/room"
	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/pg"
	"scalelab/tui"
)

// learner is one learner of the class, kept across their sessions: the worksheet of each
// scenario they opened, their run history and the lab of the scenario they are in. Their files
// are all under dir (0700), which nothing of another learner reads or writes.
type learner struct {
	s          *Server
	id, name   string
	dir        string
	log        *log.Logger // dir/scalelab.log: their lab's progress lines
	logFile    *os.File
	hist       *load.History
	histNotice string // why runs are not recorded ("" when they are)

	mu       sync.Mutex
	scenario *content.Scenario
	sheets   map[string]*sheet // by scenario ID
	ctl      *tui.LabController
	ctlFor   string // the scenario ID ctl runs the lab of
	live     *session
	lastSeen time.Time
}

// sheet is a learner's worksheet of one scenario, claimed while the server runs.
type sheet struct {
	ws    *worksheet.Worksheet
	path  string
	claim *worksheet.Claim
	note  string // a problem to say on the status line when opened ("" none)
}

// learner is the learner with this ID, made (with their directory) on their first session.
func (s *Server) learner(id, name string) (*learner, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.learners[id]; ok {
		return l, nil
	}
	dir := filepath.Join(s.cfg.Dir, LearnersDir, id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("the class server cannot make your directory: %v (tell the instructor)", err)
	}
	for _, d := range []string{filepath.Join(s.cfg.Dir, LearnersDir), dir} {
		if err := os.Chmod(d, 0o700); err != nil {
			return nil, err
		}
	}
	l := &learner{s: s, id: id, name: name, dir: dir, sheets: map[string]*sheet{}}
	lf, err := os.OpenFile(filepath.Join(dir, "scalelab.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err == nil {
		l.logFile, l.log = lf, log.New(lf, "", log.LstdFlags)
	} else {
		l.log = log.New(discard{}, "", 0)
	}
	if !s.cfg.NoLab {
		hist, err := load.OpenHistory(filepath.Join(dir, load.HistoryFile))
		if err != nil {
			l.histNotice = fmt.Sprintf("load runs are not recorded this time: %v", err)
		} else {
			l.hist = hist
			for _, rec := range hist.List() {
				s.room.AddRun(id, room.RunFromRecord(rec, rec.Beside))
			}
		}
	}
	l.scenario = tui.LastBuiltin(dir)
	s.learners[id] = l
	s.room.Update(id, func(r *room.Learner) { r.Name = name })
	return l, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// attach makes st the learner's live session and returns the one it takes over (nil none).
func (l *learner) attach(st *session) (old *session) {
	l.mu.Lock()
	old, l.live = l.live, st
	l.mu.Unlock()
	l.s.room.Update(l.id, func(r *room.Learner) { r.Connected, r.LastSeen = true, time.Now() })
	return old
}

// detach ends st's part: the learner is away from now (their lab keeps running until Idle).
func (l *learner) detach(st *session) {
	l.mu.Lock()
	if l.live != st {
		l.mu.Unlock()
		return // taken over: the new session is live
	}
	l.live, l.lastSeen = nil, time.Now()
	l.mu.Unlock()
	l.s.room.Update(l.id, func(r *room.Learner) { r.Connected, r.LastSeen = false, time.Now() })
}

// switchTo makes the built-in scenario with this ID the learner's current one; the lab of the
// one they leave is closed (one lab per learner at a time).
func (l *learner) switchTo(id string) error {
	sc := tui.BuiltinScenario(id)
	if sc == nil {
		return fmt.Errorf("the scenarios screen chose %q, which is no built-in scenario", id)
	}
	l.mu.Lock()
	l.scenario = sc
	var old *tui.LabController
	if l.ctl != nil && l.ctlFor != sc.ID {
		old, l.ctl, l.ctlFor = l.ctl, nil, ""
	}
	sh := l.sheets[sc.ID]
	l.mu.Unlock()
	if old != nil {
		old.Close()
	}
	if sh != nil {
		sh.ws.Stamp(identity(sc)) // opened: the one last worked in
		sh.ws.Save(sh.path)
	}
	return nil
}

// newApp makes the app of the learner's current scenario: their worksheet (loaded once, then
// the same object every session), their lab controller (made again after an idle close), the
// series with their progress.
func (l *learner) newApp(lk look) (*tui.App, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	sc := l.scenario
	sh, err := l.sheetLocked(sc)
	if err != nil {
		return nil, err
	}
	opt := tui.Options{
		Scenario: sc, Worksheet: sh.ws, WorksheetPath: sh.path, WorksheetName: "your worksheet, kept by the class server",
		Theme: l.s.cfg.Theme, NoColor: lk.noColor, GlamourStyle: lk.glamour, ColorProfile: lk.profile,
		Notice:  sh.note,
		Series:  l.seriesLocked(sc),
		Observe: l.observe,
	}
	sh.note = ""
	lab := "lab: off (text only)"
	if !l.s.cfg.NoLab {
		if l.ctl == nil {
			if l.ctl, err = l.newController(sc, sh.ws); err != nil {
				return nil, err
			}
			l.ctlFor = sc.ID
			lab = "lab: starting"
		} else {
			lab = "lab: up"
		}
		opt.Lab, opt.History = l.ctl, l.hist
		if l.histNotice != "" {
			opt.Notice = joinNotice(opt.Notice, l.histNotice)
		}
	}
	l.s.room.Update(l.id, func(r *room.Learner) { r.Lab, r.Scenario = lab, sc.ID })
	return tui.New(opt), nil
}

func joinNotice(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// sheetLocked is the learner's worksheet of sc, loaded and claimed the first time.
func (l *learner) sheetLocked(sc *content.Scenario) (*sheet, error) {
	if sh, ok := l.sheets[sc.ID]; ok {
		return sh, nil
	}
	ident := identity(sc)
	path := ident.Path(l.dir)
	sh := &sheet{path: path}
	claim, err := worksheet.ClaimSheet(path)
	if err != nil {
		l.log.Printf("worksheet: %v", err)
		sh.note = "the class server cannot write your worksheet: your answers may not be saved (tell the instructor)"
	}
	sh.claim = claim
	ws, err := worksheet.Load(path)
	var corrupt *worksheet.CorruptError
	switch {
	case errors.As(err, &corrupt) && corrupt.Backup != "":
		sh.note = "your old worksheet could not be read; it was kept as " + filepath.Base(corrupt.Backup)
	case err != nil:
		if claim != nil {
			claim.Release()
		}
		return nil, fmt.Errorf("reading your worksheet: %v (tell the instructor)", err)
	}
	ws.Stamp(ident)
	if _, err := os.Stat(path); err != nil {
		ws.Save(path) // the first session has its file at once
	}
	sh.ws = ws
	l.sheets[sc.ID] = sh
	return sh, nil
}

// newController makes the learner's lab of sc: its data home is their directory (their own
// PostgreSQL cluster and HAProxy files), its API on a free loopback port, its load tests
// through the class's queue, its runs in their history and on the board.
func (l *learner) newController(sc *content.Scenario, ws *worksheet.Worksheet) (*tui.LabController, error) {
	var ctl *tui.LabController
	cfg := lab.Config{
		Home: l.dir, Addr: "127.0.0.1:0", Scenario: sc.ID, Applied: ws.Lab,
		Logf: func(format string, args ...any) {
			l.log.Printf("lab: "+format, args...)
			ctl.Logf(format, args...)
		},
	}
	if l.s.cfg.SharedDB != "" {
		url, err := l.s.sharedDatabase(l.id)
		if err != nil {
			return nil, err
		}
		cfg.DBURL = url
	}
	lb, err := lab.New(labName(sc), cfg)
	if err != nil {
		return nil, err
	}
	ctl = tui.NewLabController(tui.LabOptions{
		Lab: lb, History: l.hist, Scenario: sc,
		Users: l.s.cfg.Users, Duration: l.s.cfg.Duration,
		Worksheet: ws, RecordAs: "the class server",
		Home:  l.dir,
		Gate:  l.gate,
		OnRun: l.onRun,
	})
	return ctl, nil
}

// gate waits for one of the class's K load-test slots; the learner's place is on their status
// line and on the board while they wait.
func (l *learner) gate(ctx context.Context, d time.Duration, wait func(place int, eta time.Duration)) (func() int, error) {
	t, err := l.s.queue.Acquire(ctx, l.id, d, func(p queue.Position) {
		l.s.room.Update(l.id, func(r *room.Learner) { r.Queued = p.Place })
		wait(p.Place, p.ETA)
	})
	if err != nil {
		l.s.room.Update(l.id, func(r *room.Learner) { r.Queued = 0 })
		return nil, err
	}
	l.s.room.Update(l.id, func(r *room.Learner) { r.Queued, r.Running = 0, true })
	return func() int {
		beside := t.Release()
		l.s.room.Update(l.id, func(r *room.Learner) { r.Running = false })
		return beside
	}, nil
}

// onRun shows a recorded run on the board.
func (l *learner) onRun(rec load.Record) {
	l.s.room.AddRun(l.id, room.RunFromRecord(rec, rec.Beside))
}

// observe keeps the learner's place in the scenario on the board (on the app's Update goroutine:
// room.Update takes one short lock).
func (l *learner) observe(p tui.Progress) {
	l.s.room.Update(l.id, func(r *room.Learner) {
		r.Scenario, r.Step, r.Steps, r.StepTitle = p.Scenario, p.Step, p.Steps, p.StepTitle
		r.Answered, r.Questions = p.Answered, p.Questions
	})
}

// closeIfIdle closes the lab of a learner away for longer than idle.
func (l *learner) closeIfIdle(now time.Time, idle time.Duration) {
	l.mu.Lock()
	if l.live != nil || l.ctl == nil || now.Sub(l.lastSeen) < idle {
		l.mu.Unlock()
		return
	}
	ctl, sh := l.ctl, l.sheets[l.ctlFor]
	if sh != nil {
		// the lab's settings as they are now, for its start on the learner's return: a fix
		// applied just before the connection dropped reached the lab, but its message to the
		// worksheet went to a program that was gone. Under l.mu no session can start a program
		// on this worksheet meanwhile (at most the 2 s of Status).
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if st := ctl.Contract().Status(ctx); st.Applied != nil {
			sh.ws.Lab = append([]string(nil), st.Applied...)
			if err := sh.ws.Save(sh.path); err != nil {
				l.log.Printf("worksheet: %v", err)
			}
		}
		cancel()
	}
	l.ctl, l.ctlFor = nil, ""
	l.mu.Unlock()
	l.log.Printf("lab: closed after %v away", idle)
	ctl.Close()
	l.s.room.Update(l.id, func(r *room.Learner) { r.Lab = "lab: stopped (idle)" })
}

// close is the shutdown's part for this learner: the worksheets saved, the lab closed, the
// claims released.
func (l *learner) close() {
	l.mu.Lock()
	ctl := l.ctl
	l.ctl = nil
	sheets := make([]*sheet, 0, len(l.sheets))
	for _, sh := range l.sheets {
		sheets = append(sheets, sh)
	}
	l.mu.Unlock()
	if ctl != nil {
		ctl.Close()
	}
	for _, sh := range sheets {
		if sh.claim != nil {
			sh.claim.Release()
		}
	}
	l.s.room.Update(l.id, func(r *room.Learner) { r.Lab, r.Connected = "lab: stopped", false })
	if l.logFile != nil {
		l.logFile.Close()
	}
}

// identity is a built-in scenario's worksheet identity, with the lab it runs in.
func identity(sc *content.Scenario) worksheet.Identity {
	ident, _ := worksheet.IdentityOf(sc, "")
	ident.Lab = labName(sc)
	return ident
}

// labName is the lab a scenario runs in: the one it names, else lab.Default.
func labName(sc *content.Scenario) string {
	if sc.Lab == "" {
		return lab.Default
	}
	return sc.Lab
}

// seriesLocked is the scenarios screen's list with the learner's progress in each (the
// worksheets this server holds for them, the others from their directory).
func (l *learner) seriesLocked(current *content.Scenario) []tui.SeriesEntry {
	return tui.SeriesEntries(l.dir, current, func(id string) *worksheet.Worksheet {
		if sh, ok := l.sheets[id]; ok {
			return sh.ws
		}
		return nil
	})
}

// sharedDatabase gives the learner id their own database and role on the shared PostgreSQL
// (a new password each time) and returns its URL; a learner beyond the server's room is told.
func (s *Server) sharedDatabase(id string) (string, error) {
	s.mu.Lock()
	if !s.shared[id] && len(s.shared) >= s.sharedRoom {
		s.mu.Unlock()
		return "", fmt.Errorf("the class's shared PostgreSQL has room for %d labs and all are taken: tell the instructor", s.sharedRoom)
	}
	s.shared[id] = true
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url, err := pg.ProvisionShared(ctx, s.cfg.SharedDB, id, s.cfg.SharedConns)
	if err != nil {
		return "", fmt.Errorf("your database on the class's PostgreSQL: %v (tell the instructor)", err)
	}
	return url, nil
}
