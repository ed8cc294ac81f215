package tui

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	xansi "github.com/charmbracelet/x/ansi"

	"scalelab/content"
	"scalelab/content/termsafe"
	"scalelab/lab"
	"scalelab/lab/load"
)

// plainChoice is one numbered choice after a step.
type plainChoice struct {
	label string
	do    func(ctx context.Context) error
}

// actionLabel says what choosing an action does: its help line and its command.
func actionLabel(la lab.Action, a content.Action) string {
	cmd := a.Command
	if cmd == "" {
		cmd = "scalelab " + a.Name
	}
	if la.Help == "" {
		return cmd
	}
	return la.Help + " (" + cmd + ")"
}

// choices are a step's numbered choices: its boxes, its lab commands, the lab's other actions
// and the code the lab runs. None for a step with neither boxes nor commands nor code to read.
func (p *plainSession) choices(i int) []plainChoice {
	var out []plainChoice
	blocks := stepBlocks(p.sc, i)
	files := p.codeFiles()
	mentionsCode := false
	seen := map[string]bool{}
	var acts []content.Action
	for _, b := range blocks {
		switch {
		case b.Kind == content.TaskBlock:
			for _, t := range b.Tasks {
				t := t
				verb := "tick"
				if p.ws.Tasks[t.ID] {
					verb = "untick"
				}
				out = append(out, plainChoice{label: verb + " [" + boxOf(p.ws.Tasks[t.ID]) + "] " + plainInline(t.Text), do: func(context.Context) error { return p.toggle(t) }})
			}
		case b.Kind == content.CommandBlock && b.Action != nil:
			name := b.Action.Name
			if la, ok := p.action(name); ok {
				name = la.Name
			}
			if !seen[name] {
				seen[name] = true
				acts = append(acts, *b.Action)
			}
		}
		for _, f := range files {
			mentionsCode = mentionsCode || strings.Contains(b.Markdown, f)
		}
	}
	if len(out) == 0 && (len(acts) == 0 || p.lab == nil) && !mentionsCode {
		return nil
	}
	if p.lab == nil {
		acts = nil // the lab is off: the text says to run them in another terminal
	} else {
		for _, la := range p.lab.ctl.lab.Actions() {
			if !seen[la.Name] {
				acts = append(acts, content.Action{Name: la.Name, Command: "scalelab " + la.Name})
			}
		}
	}
	for _, a := range acts {
		a := a
		la, _ := p.action(a.Name)
		out = append(out, plainChoice{label: actionLabel(la, a), do: func(ctx context.Context) error { return p.act(ctx, a) }})
	}
	if len(files) > 0 {
		out = append(out, plainChoice{label: "read the code the lab runs", do: func(context.Context) error { return p.readCode() }})
	}
	return out
}

// action is the lab's action a command names; ok is false with the lab off or for a name the
// lab does not know.
func (p *plainSession) action(name string) (lab.Action, bool) {
	if p.lab == nil {
		return lab.Action{}, false
	}
	return lab.FindAction(p.lab.ctl.lab, name)
}

// codeFiles are the files the lab shows its code in (a lab.CodeViewer's), none otherwise.
func (p *plainSession) codeFiles() []string {
	if p.lab == nil {
		return nil
	}
	cv, ok := p.lab.ctl.lab.(lab.CodeViewer)
	if !ok {
		return nil
	}
	_, files := cv.Code()
	return files
}

func boxOf(done bool) string {
	if done {
		return "x"
	}
	return " "
}

// menu offers the step's choices until the reader goes on (an empty line) or input ends.
func (p *plainSession) menu(ctx context.Context, i int) error {
	for {
		cs := p.choices(i)
		if len(cs) == 0 {
			return nil
		}
		p.drain()
		p.line("\nWhat next? Type a number, or an empty line for the next section.")
		for n, c := range cs {
			// wrapped lines hang under the label, not under the number
			num := fmt.Sprintf("  %d) ", n+1)
			pad := strings.Repeat(" ", len(num))
			label := xansi.Wordwrap(c.label, max(p.width-len(num), 20), "")
			p.out.printf("%s%s\n", num, strings.ReplaceAll(label, "\n", "\n"+pad))
		}
		p.out.printf("> ")
		if !p.in.Scan() {
			p.out.printf("\n")
			p.eof = true
			return nil
		}
		l := strings.TrimSpace(p.in.Text())
		if l == "" {
			return nil
		}
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > len(cs) {
			p.line(fmt.Sprintf("%q is not one of the choices: type a number from 1 to %d, or an empty line to go on.", l, len(cs)))
			continue
		}
		if err := cs[n-1].do(ctx); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// toggle ticks or unticks a box and saves; the lab learns of it at once (restart-pending).
func (p *plainSession) toggle(t *content.Task) error {
	if p.ws.Tasks[t.ID] {
		delete(p.ws.Tasks, t.ID)
		p.line("Unticked: " + plainInline(t.Text))
	} else {
		p.ws.Tasks[t.ID] = true
		p.line("Ticked: " + plainInline(t.Text))
	}
	if err := p.save(); err != nil {
		return err
	}
	if p.lab != nil {
		p.lab.ctl.SetTasks(p.ws.Tasks)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		p.showHints(statusMsg(p.lab.ctl.lab.Status(ctx)).Hints)
	}
	return nil
}

// waitLabUp prints the lab's progress until it is up (or failed).
func (p *plainSession) waitLabUp(ctx context.Context) {
	p.line("Starting the lab…")
	last := ""
	for {
		m, ok := p.lab.next(ctx, 90*time.Second)
		if !ok {
			p.line("The lab is still starting; its commands will say when it is ready.")
			return
		}
		st, isStatus := m.(LabStatusMsg)
		if !isStatus {
			p.handle(m)
			continue
		}
		if st.Text != last && st.Busy {
			p.line("  " + st.Text)
		}
		last = st.Text
		if !st.Busy {
			if st.Err {
				p.line("The lab did not start: " + st.Text + ". The lab commands will say what to do; the text and questions work without it.")
			} else {
				p.line("Lab ready: " + st.Text)
			}
			p.showHints(st.Hints)
			return
		}
	}
}

// act runs a lab action and prints its outcome (a load test's table, a plan).
func (p *plainSession) act(ctx context.Context, a content.Action) error {
	if p.lab == nil {
		p.line(labOffNotice(a))
		return nil
	}
	la, _ := p.action(a.Name)
	if la.Confirm != "" && !p.confirm(la.Confirm) {
		p.line("Not done: the lab is as it was.")
		return nil
	}
	p.lab.ctl.SetTasks(p.ws.Tasks)
	doing := doingOf(la)
	if la.Load {
		o, _ := loadOptionsFromArgs(p.lab.ctl.runOpts, p.lab.ctl.users, p.lab.ctl.duration, a.Args)
		doing = fmt.Sprintf("running the load test: %d users for %v", o.Concurrency, o.Duration)
	}
	p.line(strings.ToUpper(doing[:1]) + doing[1:] + "…")
	p.lab.run(a)
	var rec *load.Record
	var done *ActionDoneMsg
	for done == nil || (la.Load && done.Err == nil && rec == nil) {
		wait := 10 * time.Minute
		if done != nil {
			wait = 3 * time.Second // the record comes beside the end
		}
		m, ok := p.lab.next(ctx, wait)
		if !ok {
			break
		}
		switch m := m.(type) {
		case ActionDoneMsg:
			if m.Action.Name == a.Name {
				done = &m
				continue
			}
		case runRecordMsg:
			rec = m.rec
			continue
		}
		p.handle(m)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if done == nil {
		p.line("No answer from the lab: try again, or quit and start again.")
		return nil
	}
	if done.Err != nil {
		p.line("Did not work: " + done.Err.Error())
		return nil
	}
	if rec != nil {
		p.out.printf("\n")
		WriteRunTable(&wrapWriter{p}, rec, p.lab.ctl.lab.Stages())
	} else if done.Summary != "" {
		p.line(done.Summary)
	}
	p.drain()
	return nil
}

// confirm asks a yes/no question; only y (or yes) is a yes.
func (p *plainSession) confirm(question string) bool {
	p.out.printf("%s (y/n) ", question)
	if !p.in.Scan() {
		p.out.printf("\n")
		p.eof = true
		return false
	}
	a := strings.ToLower(strings.TrimSpace(p.in.Text()))
	return a == "y" || a == "yes"
}

// wrapWriter sends a block of text through the session's output.
type wrapWriter struct{ p *plainSession }

func (w *wrapWriter) Write(b []byte) (int, error) {
	w.p.out.printf("%s", b)
	return len(b), w.p.out.err
}

// drain handles the lab's messages that arrived meanwhile, without waiting.
func (p *plainSession) drain() {
	if p.lab == nil {
		return
	}
	for {
		select {
		case m := <-p.lab.events:
			p.handle(m)
		default:
			return
		}
	}
}

// saveOrSay saves the worksheet and says so when it could not: a lab message has no caller to
// return the error to, and the learner must know their work is not kept.
func (p *plainSession) saveOrSay() {
	if err := p.save(); err != nil {
		p.line("Not saved: " + err.Error())
	}
}

// handle takes one message of the lab: table fills and what was applied go to the worksheet,
// plans are printed, the Stuck? conditions that start to hold are said.
func (p *plainSession) handle(m tea.Msg) {
	switch m := m.(type) {
	case SetTableMsg:
		if rows, changed := mergeTable(p.ws.Tables[m.ID], m); changed {
			p.ws.Tables[m.ID] = rows
			p.saveOrSay()
		}
	case LabAppliedMsg:
		p.ws.Lab = append([]string(nil), m.Applied...)
		if m.Reset { // the lab is at the scenario's start: its switches (the tasks) are off
			p.ws.Lab = nil
			clear(p.ws.Tasks)
		}
		p.saveOrSay()
	case ExplainMsg:
		p.printPlans(m)
	case LabStatusMsg:
		p.showHints(m.Hints)
	}
}

// printPlans prints the plan an action read, and the other one beside it when both are known.
func (p *plainSession) printPlans(m ExplainMsg) {
	for _, pl := range []struct {
		title   string
		plan    string
		verdict string
	}{
		{"Before the fix", m.Before.Text, m.Before.Verdict},
		{"After the fix", m.After.Text, m.After.Verdict},
	} {
		if pl.plan == "" {
			continue
		}
		p.out.printf("\n%s:\n%s\n", pl.title, pl.plan)
		p.line(pl.verdict)
	}
	if m.Before.Text == "" && m.After.Text == "" && m.Plan.Text != "" {
		p.out.printf("\n%s\n", m.Plan.Text)
		p.line(m.Plan.Verdict)
	}
}

// showHints prints the Stuck? rows (stuckRows) of each condition that starts to hold, rewritten
// for plain mode, and forgets the ones that stopped.
func (p *plainSession) showHints(h map[string]bool) {
	for c := range p.held {
		if !h[c] {
			delete(p.held, c)
		}
	}
	conds := slices.Sorted(maps.Keys(h))
	for _, c := range conds {
		if !h[c] || p.held[c] {
			continue
		}
		p.held[c] = true
		for _, row := range stuckRows(p.sc, c) {
			p.line("Stuck? " + plainInline(plainRewrite(row.Problem, true)) + ": " + plainInline(plainRewrite(row.Fix, true)))
		}
	}
}

// readCode prints one of the files the lab runs, chosen by number.
func (p *plainSession) readCode() error {
	cv, ok := p.lab.ctl.lab.(lab.CodeViewer)
	if !ok {
		p.line("This lab has no code to read.")
		return nil
	}
	fsys, files := cv.Code()
	p.out.printf("Which file? (the source the lab runs)\n")
	for i, f := range files {
		p.out.printf("  %d) %s\n", i+1, f)
	}
	p.out.printf("> ")
	if !p.in.Scan() {
		p.eof = true
		return nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(p.in.Text()))
	if err != nil || n < 1 || n > len(files) {
		p.line("No file chosen.")
		return nil
	}
	b, err := fs.ReadFile(fsys, files[n-1])
	if err != nil {
		return err
	}
	p.out.printf("\n--- %s ---\n%s\n--- end of %s ---\n", files[n-1], termsafe.Clean(string(b)), files[n-1])
	return nil
}
