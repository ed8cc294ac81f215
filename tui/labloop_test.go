package tui

import (
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"scalelab/content"
	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/pg/pgtest"
)

// msgPump runs a LabController's Cmds one message at a time, first in first out, with the
// controller's ticks made immediate: what is in its queue is what the program would have in
// flight.
type msgPump struct {
	c     *LabController
	queue []tea.Msg
}

func (p *msgPump) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch m := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, sub := range m {
			p.run(sub)
		}
	default:
		p.queue = append(p.queue, m)
	}
}

// step handles the oldest message and returns it.
func (p *msgPump) step(t *testing.T) tea.Msg {
	t.Helper()
	if len(p.queue) == 0 {
		t.Fatal("no message in flight: the sampling loop stopped")
	}
	m := p.queue[0]
	p.queue = p.queue[1:]
	p.run(p.c.Update(m))
	return m
}

// until handles messages up to and including the first for which ok is true.
func (p *msgPump) until(t *testing.T, what string, ok func(tea.Msg) bool) tea.Msg {
	t.Helper()
	for i := 0; i < 10000; i++ {
		if m := p.step(t); ok(m) {
			return m
		}
	}
	t.Fatalf("no %s in 10000 messages", what)
	return nil
}

func (p *msgPump) ticksInFlight() int {
	n := 0
	for _, m := range p.queue {
		if _, ok := m.(labLoopSampleMsg); ok {
			n++
		}
	}
	return n
}

// Two load tests take one-shot samples at their start and end; the lab must still sample
// through exactly one loop afterwards (it used to add two endless loops per run).
func TestLabOneSamplingLoop(t *testing.T) {
	dir := testHome(t)
	hist, err := load.OpenHistory(filepath.Join(dir, "runs.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := NewLabController(LabOptions{
		Lab:      realLab(t, lab.Config{DBURL: pgtest.NewDatabase(t), Addr: "127.0.0.1:0", Rows: 500, Logf: t.Logf}),
		History:  hist,
		Scenario: content.Builtin(),
	})
	t.Cleanup(func() { c.Close() })
	c.after = func(_ time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		return func() tea.Msg { return fn(time.Now()) }
	}
	p := &msgPump{c: c}
	p.run(c.Init())
	up := p.until(t, "labUpMsg", func(m tea.Msg) bool { _, ok := m.(labUpMsg); return ok }).(labUpMsg)
	if up.err != nil {
		t.Fatalf("lab start: %v", up.err)
	}
	for i := 0; i < 2; i++ {
		p.run(c.Run(content.Action{Name: "loadtest", Args: []string{"-c", "2", "-n", "20"}}))
		p.until(t, "the end of load test", func(m tea.Msg) bool { _, ok := m.(loadDoneMsg); return ok })
	}
	ticks, samples, most := 0, 0, 0
	for i := 0; i < 60; i++ {
		most = max(most, p.ticksInFlight())
		switch p.step(t).(type) {
		case labLoopSampleMsg: // the loop's tick and its sample in one message
			ticks++
			samples++
		}
	}
	if most != 1 {
		t.Errorf("%d sampling ticks in flight at once after two load tests, want exactly one loop", most)
	}
	if ticks == 0 || samples == 0 {
		t.Errorf("the loop stopped: %d ticks, %d samples in 60 messages", ticks, samples)
	}
}
