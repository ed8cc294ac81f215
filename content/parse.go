package content

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"scalelab/content/termsafe"
)

var (
	reStep      = regexp.MustCompile(`^Step\s+(\d+)\b\s*(?:[—–:.-]+\s*)?(.*)$`)
	reQuestion  = regexp.MustCompile(`^\*\*Q(\d+)\s*[:.]\s*`)
	reImage     = regexp.MustCompile(`^!\[([^\]]*)\]\(\s*([^)\s]+)(?:\s+"[^"]*")?\s*\)$`)
	reMeta      = regexp.MustCompile(`^\*\*([^*]+?):\*\*\s*(.*)$`)
	reTask      = regexp.MustCompile(`^\s*[-*+]\s+\[([ xX])\]\s?(.*)$`)
	reListItem  = regexp.MustCompile(`^\s*([-*+]|\d+[.)])\s`)
	reSlot      = regexp.MustCompile(`^(\d+)[.)](\s|$)`)
	reTrailTag  = regexp.MustCompile(`\s*<!--\s*(.*?)\s*-->\s*$`)
	reDelimCell = regexp.MustCompile(`^:?-+:?$`)
	reWhen      = regexp.MustCompile(`\s*<!--\s*when:\s*(.*?)\s*-->\s*$`)
	reWhenAny   = regexp.MustCompile(`<!--\s*when:`)
	reLabName   = regexp.MustCompile(`^[a-z0-9-]+$`)
	reCommand   = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
)

// fillableMarker placed on the line before a table keeps it a result table even when all
// its cells are filled (Fill writes it so an exported worksheet parses the same way).
const fillableMarker = "<!-- fillable -->"

// Parse reads a scenario. name is the file name (its base name without extension becomes
// the scenario ID). Errors are *ParseError with the line of the problem.
func Parse(name string, src []byte) (*Scenario, error) {
	sc, errs := parseAll(name, src)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return sc, nil
}

// Check parses like Parse and returns every problem it finds, in line order, not only the
// first (nil for a good file); for authors (`scalelab lint`). After a problem the parser
// carries on as best it can, so later errors may follow from earlier ones.
func Check(name string, src []byte) []*ParseError {
	_, errs := parseAll(name, src)
	return errs
}

// maxErrors stops Check on a file that is not a scenario at all.
const maxErrors = 50

func parseAll(name string, src []byte) (*Scenario, []*ParseError) {
	p := &parser{name: termsafe.Clean(name)} // the name is printed in errors and makes the ID
	sc, err := p.parse(src)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			p.errs = append(p.errs, pe)
		} else {
			p.errs = append(p.errs, &ParseError{File: name, Line: 1, Msg: err.Error()})
		}
	}
	if len(p.errs) == 0 {
		return sc, nil
	}
	sort.SliceStable(p.errs, func(a, b int) bool { return p.errs[a].Line < p.errs[b].Line })
	return nil, p.errs
}

type parser struct {
	name  string
	lines []string
	sc    *Scenario

	step *Step // current section, nil in the intro
	sub  string

	pendingQ    *Question // asked, answer fence not seen yet
	pendingFrom int       // index into current blocks just after the prompt block
	lastAnswerQ *Question // the previous block was this question's answer fence

	questions  map[int]int // number -> line
	lastNumber int         // last "Step N" seen
	ids        map[string]int
	errs       []*ParseError  // problems the parser recovered from
	taskIDs    map[string]int // task ID -> its line
	fillable   bool
	tableRows  map[int]bool // line indexes read as table rows (their when-comments are theirs)
}

func (p *parser) errf(line int, format string, args ...any) error {
	return &ParseError{File: p.name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// report records a problem the parser can step over; it returns an error (ending the
// parse) only once there are too many.
func (p *parser) report(line int, format string, args ...any) error {
	p.errs = append(p.errs, &ParseError{File: p.name, Line: line, Msg: fmt.Sprintf(format, args...)})
	if len(p.errs) >= maxErrors {
		return p.errf(line, "too many problems, stopping here")
	}
	return nil
}

func (p *parser) parse(src []byte) (*Scenario, error) {
	if len(src) > maxSourceSize {
		return nil, p.errf(1, "file is %d bytes; a scenario must be at most %d (1 MB): split it into several scenarios", len(src), maxSourceSize)
	}
	if !utf8.Valid(src) {
		line := 1 + bytes.Count(src[:firstInvalid(src)], []byte("\n"))
		return nil, p.errf(line, "not valid UTF-8 text: save the file as UTF-8")
	}
	// Control characters and escape sequences go here, at the input, so no consumer of the
	// scenario (reader, plain mode, lint, export) can pass one on to a terminal.
	text := termsafe.Clean(strings.ReplaceAll(string(src), "\r\n", "\n"))
	if len(text) != len(src) || text != string(src) {
		src = []byte(text)
	}
	p.lines = strings.Split(text, "\n")
	if strings.HasSuffix(text, "\n") {
		p.lines = p.lines[:len(p.lines)-1]
	}
	p.sc = &Scenario{ID: scenarioID(p.name), Source: src, Lines: p.lines}
	if err := p.checkNesting(); err != nil {
		return nil, err
	}
	p.questions = map[int]int{}
	p.ids = map[string]int{}

	i := 0
	for i < len(p.lines) && isBlank(p.lines[i]) {
		i++
	}
	if i == len(p.lines) {
		return nil, p.errf(1, "empty file: a scenario starts with a `# Title` line")
	}
	title, ok := strings.CutPrefix(p.lines[i], "# ")
	if !ok || strings.TrimSpace(title) == "" {
		return nil, p.errf(i+1, "no title: the first line must be `# Title`, found %q", clip(p.lines[i]))
	}
	p.sc.Title = strings.TrimSpace(title)
	i++

	for i < len(p.lines) {
		next, err := p.block(i)
		if err != nil {
			return nil, err
		}
		i = next
	}
	if err := p.endSection(len(p.lines)); err != nil {
		return nil, err
	}
	if err := p.checkSections(); err != nil {
		return nil, err
	}
	if err := p.checkStrayWhen(); err != nil {
		return nil, err
	}
	return p.sc, nil
}

// checkStrayWhen reports a `<!-- when: NAME -->` that is not at the end of a table row: the
// renderer hides it, so the row it was meant for would never show as a hint and nothing
// would say why. Code fences are skipped (they may show the syntax).
func (p *parser) checkStrayWhen() error {
	return p.eachOutsideFences(func(j int, l string) error {
		if p.tableRows[j] || !reWhenAny.MatchString(l) {
			return nil
		}
		return p.report(j+1, "`<!-- when: ... -->` is not at the end of a table row, so no row names that condition: put it after the row's last `|`")
	})
}

// block reads the block starting at line index i and returns the index after it.
func (p *parser) block(i int) (int, error) {
	line := p.lines[i]
	trim := strings.TrimSpace(line)
	switch {
	case trim == "":
		return i + 1, nil
	case isFenceOpen(line):
		return p.fence(i)
	case headingLevel(line) == 1:
		p.add(Block{Kind: Markdown, Line: i + 1, End: i + 1, Markdown: line})
		return i + 1, p.report(i+1, "a second `# ` title: use `## ` for sections and `### ` inside them")
	case headingLevel(line) == 2:
		return i + 1, p.section(i)
	case headingLevel(line) >= 3:
		if headingLevel(line) == 3 {
			p.sub = strings.TrimSpace(strings.TrimLeft(line, "#"))
		}
		p.add(Block{Kind: Markdown, Line: i + 1, End: i + 1, Markdown: line})
		return i + 1, nil
	case isRule(trim):
		p.add(Block{Kind: Markdown, Line: i + 1, End: i + 1, Markdown: line})
		return i + 1, nil
	case trim == fillableMarker:
		p.fillable = true
		return i + 1, nil
	case isTableStart(p.lines, i):
		return p.table(i)
	}
	if m := reImage.FindStringSubmatch(trim); m != nil {
		img := &Image{Alt: m[1], Src: m[2]}
		img.Asset, _ = diagramFor(m[2])
		p.add(Block{Kind: ImageBlock, Line: i + 1, End: i + 1, Markdown: line, Image: img})
		return i + 1, nil
	}
	return p.paragraph(i)
}

func (p *parser) add(b Block) {
	if b.Kind != QuestionBlock || b.Question == nil {
		p.lastAnswerQ = nil
	}
	if b.Kind != TableBlock {
		p.fillable = false
	}
	b.Sub = p.sub
	if p.step == nil {
		p.sc.Intro = append(p.sc.Intro, b)
		return
	}
	p.step.Blocks = append(p.step.Blocks, b)
}

func (p *parser) blocks() []Block {
	if p.step == nil {
		return p.sc.Intro
	}
	return p.step.Blocks
}

func (p *parser) prefix() string {
	if p.step == nil {
		return "intro"
	}
	return p.step.ID
}

func (p *parser) uniqueID(id string) string {
	p.ids[id]++
	if n := p.ids[id]; n > 1 {
		return fmt.Sprintf("%s-%d", id, n)
	}
	return id
}

// endSection closes the current section at line index end (exclusive).
func (p *parser) endSection(end int) error {
	if p.pendingQ != nil {
		q := p.pendingQ
		p.pendingQ = nil
		if err := p.report(q.Line, "Q%d has no answer fence: add a plain ``` fence starting with \"Your answer:\" (or \"Your guess:\", or numbered slots) after it, before line %d", q.Number, end+1); err != nil {
			return err
		}
	}
	if p.step != nil {
		p.step.End = end
	}
	return nil
}

func (p *parser) section(i int) error {
	if err := p.endSection(i); err != nil {
		return err
	}
	title := strings.TrimSpace(strings.TrimLeft(p.lines[i], "#"))
	if title == "" {
		if err := p.report(i+1, "a `## ` section without a title"); err != nil {
			return err
		}
		title = fmt.Sprintf("Section %d", len(p.sc.Steps)+1)
	}
	st := &Step{Index: len(p.sc.Steps), Title: title, Short: title, Line: i + 1}
	m := reStep.FindStringSubmatch(title)
	if m != nil {
		if n, err := strconv.Atoi(m[1]); err != nil || n > 10000 {
			m = nil
			if err := p.report(i+1, "step number %q is not a small number", clip(m0(reStep, title))); err != nil {
				return err
			}
		}
	}
	if m != nil {
		n, _ := strconv.Atoi(m[1])
		if n != p.lastNumber+1 {
			var err error
			if p.lastNumber == 0 {
				err = p.report(i+1, "steps out of order: found Step %d, the first step must be Step 1", n)
			} else {
				err = p.report(i+1, "steps out of order: Step %d follows Step %d, expected Step %d", n, p.lastNumber, p.lastNumber+1)
			}
			if err != nil {
				return err
			}
		}
		p.lastNumber = n
		st.Number = n
		st.ID = p.uniqueID(fmt.Sprintf("step%d", n))
		if s := strings.TrimSpace(m[2]); s != "" {
			st.Short = s
		}
	} else {
		id := slug(title, 40)
		if id == "" {
			id = fmt.Sprintf("section%d", st.Index+1)
		}
		st.ID = p.uniqueID(id)
	}
	p.sc.Steps = append(p.sc.Steps, st)
	p.step = st
	p.sub = ""
	p.lastAnswerQ = nil
	p.fillable = false
	return nil
}

// paragraph reads consecutive non-blank lines up to anything that starts another block.
func (p *parser) paragraph(i int) (int, error) {
	start := i
	i++
	for i < len(p.lines) {
		l := p.lines[i]
		t := strings.TrimSpace(l)
		if t == "" || isFenceOpen(l) || headingLevel(l) > 0 || isTableStart(p.lines, i) || t == fillableMarker {
			break
		}
		if isRule(t) && !reListItem.MatchString(l) {
			break
		}
		i++
	}
	lines := p.lines[start:i]
	raw := strings.Join(lines, "\n")
	b := Block{Kind: Markdown, Line: start + 1, End: i, Markdown: raw}

	switch {
	case reTask.MatchString(lines[0]):
		return i, p.taskList(b, lines)
	case reQuestion.MatchString(lines[0]):
		return i, p.questionPrompt(b, lines)
	}
	if p.step == nil {
		for k, l := range lines {
			if m := reMeta.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
				meta := Meta{Key: strings.TrimSpace(m[1]), Value: strings.TrimSpace(m[2]), Line: start + k + 1}
				p.sc.Meta = append(p.sc.Meta, meta)
				if err := p.labMeta(meta); err != nil {
					return 0, err
				}
			}
		}
	}
	p.add(b)
	return i, nil
}

// taskList reads the paragraph b (its lines) as a task list: one Task per `- [ ]` item, the
// lines after an item continuing its text, a trailing `<!-- tag -->` its tag.
func (p *parser) taskList(b Block, lines []string) error {
	b.Kind = TaskBlock
	for k, l := range lines {
		if tm := reTask.FindStringSubmatch(l); tm != nil {
			t := &Task{Done: tm[1] != " ", Line: b.Line + k}
			t.Text = strings.TrimSpace(tm[2])
			b.Tasks = append(b.Tasks, t)
			continue
		}
		if reListItem.MatchString(l) || len(b.Tasks) == 0 {
			// a plain item inside a task list: keep it in the markdown only
			continue
		}
		last := b.Tasks[len(b.Tasks)-1]
		last.Text = strings.TrimSpace(last.Text + " " + strings.TrimSpace(l))
	}
	for _, t := range b.Tasks {
		if tag := reTrailTag.FindStringSubmatchIndex(t.Text); tag != nil {
			t.Tag = t.Text[tag[2]:tag[3]]
			t.Text = strings.TrimSpace(t.Text[:tag[0]])
		}
		if err := p.setTaskID(t); err != nil {
			return err
		}
	}
	p.add(b)
	return nil
}

// questionPrompt reads the paragraph b (its lines) as a question's bold `**Qn: ...**` prompt;
// the question waits for its answer fence (pendingQ).
func (p *parser) questionPrompt(b Block, lines []string) error {
	loc := reQuestion.FindStringSubmatchIndex(lines[0])
	n, err := strconv.Atoi(lines[0][loc[2]:loc[3]])
	if err != nil || n <= 0 || n > 10000 {
		p.add(b)
		return p.report(b.Line, "question number %q is not a small positive number", clip(lines[0][loc[2]:loc[3]]))
	}
	if p.pendingQ != nil {
		q := p.pendingQ
		p.pendingQ = nil
		if err := p.report(q.Line, "Q%d has no answer fence: add a plain ``` fence starting with \"Your answer:\" after it, before Q%d on line %d", q.Number, n, b.Line); err != nil {
			return err
		}
	}
	if prev, dup := p.questions[n]; dup {
		p.add(b)
		return p.report(b.Line, "duplicate question number Q%d (also on line %d): number questions once each", n, prev)
	}
	rest := strings.Join(lines, " ")[loc[1]:]
	end := strings.Index(rest, "**")
	if end < 0 {
		p.add(b)
		return p.report(b.Line, "Q%d: the bold prompt is not closed: end it with **", n)
	}
	p.questions[n] = b.Line
	q := &Question{ID: fmt.Sprintf("Q%d", n), Number: n, Prompt: strings.TrimSpace(rest[:end]), Line: b.Line, StepIndex: -1}
	if p.step != nil {
		q.Step, q.StepIndex = p.step.Number, p.step.Index
	}
	b.PromptFor = q.ID
	p.add(b)
	p.pendingQ = q
	p.pendingFrom = len(p.blocks())
	return nil
}

// labMeta reads the header's `**Lab:** NAME` line into Scenario.Lab: the name must be a
// lab's name (lower-case letters, digits, dashes), given once. Whether this build has that
// lab is the runner's question, not the parser's.
func (p *parser) labMeta(m Meta) error {
	if !strings.EqualFold(m.Key, "lab") {
		return nil
	}
	switch {
	case p.sc.LabLine != 0:
		return p.report(m.Line, "a second `**Lab:**` line (the first is on line %d): a scenario runs in one lab", p.sc.LabLine)
	case m.Value == "":
		return p.report(m.Line, "`**Lab:**` names no lab: write the lab's name after it, e.g. `**Lab:** single-server`")
	case !reLabName.MatchString(m.Value):
		return p.report(m.Line, "%q is not a lab name: a lab's name is lower-case letters, digits and dashes (`**Lab:** single-server`)", clip(m.Value))
	}
	p.sc.Lab, p.sc.LabLine = m.Value, m.Line
	return nil
}

// fence reads a fenced code block starting at line index i.
func (p *parser) fence(i int) (int, error) {
	open := p.lines[i]
	ch, n, info := fenceOpen(open)
	j := i + 1
	for ; j < len(p.lines); j++ {
		if IsFenceClose(p.lines[j], ch, n) {
			break
		}
	}
	if j == len(p.lines) {
		return 0, p.errf(i+1, "unclosed code fence %s: close it with a line of %s", clip(strings.TrimSpace(open)), strings.Repeat(string(ch), n))
	}
	body := strings.Join(p.lines[i+1:j], "\n")
	raw := strings.Join(p.lines[i:j+1], "\n")
	lang := strings.ToLower(firstWord(info))
	b := Block{Kind: Markdown, Line: i + 1, End: j + 1, Markdown: raw}

	if lang == "model" {
		q := p.lastAnswerQ
		if q == nil {
			p.add(b)
			return j + 1, p.report(i+1, "a ```model fence must come right after a question's answer fence")
		}
		if strings.TrimSpace(body) == "" {
			p.lastAnswerQ = nil
			return j + 1, p.report(i+1, "%s: the model answer is empty", q.ID)
		}
		q.Model = strings.TrimSpace(body)
		q.modelLine, q.modelEnd = i+1, j+1
		p.lastAnswerQ = nil
		return j + 1, nil
	}

	if q := p.pendingQ; q != nil && (lang == "" || lang == "text" || lang == "txt" || lang == "answer") {
		if kind, label, slots, ok := answerKind(body); ok {
			q.Kind, q.Label, q.Slots, q.Template = kind, label, slots, body
			q.AnswerLine = i + 1
			q.Answer = q.AnswerFrom(body)
			var detail []string
			for _, pb := range p.blocks()[p.pendingFrom:] {
				detail = append(detail, pb.Markdown)
			}
			q.Detail = strings.Join(detail, "\n\n")
			b.Kind, b.Question = QuestionBlock, q
			p.pendingQ = nil
			p.add(b)
			p.lastAnswerQ = q
			return j + 1, nil
		}
	}

	if isShellLang(lang) {
		if a := findAction(p.lines[i+1:j], i+2); a != nil {
			a.Lang = strings.TrimSpace(info)
			b.Kind, b.Action = CommandBlock, a
		}
	}
	p.add(b)
	return j + 1, nil
}

// table reads a table whose header is at line index i (the delimiter row follows).
func (p *parser) table(i int) (int, error) {
	header := splitRow(p.lines[i])
	delim := splitRow(p.lines[i+1])
	if len(delim) != len(header) {
		if err := p.report(i+2, "table delimiter row has %d cells, the header has %d", len(delim), len(header)); err != nil {
			return 0, err
		}
	}
	t := &Table{Header: header, Line: i + 1, Fillable: p.fillable, marked: p.fillable}
	for c := range header {
		a := ""
		if c < len(delim) {
			a = alignOf(delim[c])
		}
		t.Align = append(t.Align, a)
	}
	j := i + 2
	md := []string{p.lines[i], p.lines[i+1]}
	for ; j < len(p.lines) && strings.HasPrefix(strings.TrimSpace(p.lines[j]), "|"); j++ {
		line, when, err := p.rowWhen(j)
		if err != nil {
			return 0, err
		}
		if when != "" {
			if t.When == nil {
				t.When = make([]string, len(t.Rows), len(t.Rows)+1)
			}
		}
		if t.When != nil {
			t.When = append(t.When, when)
		}
		md = append(md, line)
		row := splitRow(line)
		if len(row) != len(header) {
			if err := p.report(j+1, "table row has %d cells, the header has %d: give every row one cell per column (leave a cell empty with | |)", len(row), len(header)); err != nil {
				return 0, err
			}
			row = append(row, make([]string, max(0, len(header)-len(row)))...)[:len(header)]
		}
		for c := 1; c < len(row); c++ {
			if row[c] == "" {
				t.Fillable = true
			}
		}
		t.Rows = append(t.Rows, row)
	}
	if msg := checkTable(p.lines[i:j], len(header)); msg != "" {
		if err := p.report(i+1, "%s", msg); err != nil {
			return 0, err
		}
	}
	id := slug(header[0], 24)
	if id == "" {
		id = "table"
	}
	t.ID = p.uniqueID(p.prefix() + "-" + id)
	p.add(Block{Kind: TableBlock, Line: i + 1, End: j, Markdown: strings.Join(md, "\n"), Table: t})
	return j, nil
}

// rowWhen splits the table row at line index j into the row without its trailing
// `<!-- when: NAME -->` and NAME ("" when the row names no condition).
func (p *parser) rowWhen(j int) (line, when string, err error) {
	line = p.lines[j]
	m := reWhen.FindStringSubmatchIndex(line)
	if m == nil {
		return line, "", nil
	}
	if p.tableRows == nil {
		p.tableRows = map[int]bool{}
	}
	p.tableRows[j] = true
	when = line[m[2]:m[3]]
	line = line[:m[0]]
	if when == "" {
		err = p.report(j+1, "`<!-- when: -->` names no condition: write the condition after `when:` or remove the comment")
	}
	return line, when, err
}

// answerKind says whether a fence body is an answer fence, and of which kind.
func answerKind(body string) (kind, label string, slots int, ok bool) {
	lines := strings.Split(body, "\n")
	k := 0
	for k < len(lines) && isBlank(lines[k]) {
		k++
	}
	if k == len(lines) {
		return "", "", 0, false
	}
	first := strings.TrimSpace(lines[k])
	switch {
	case hasPrefixFold(first, "Your answer:"):
		return "answer", first[:len("Your answer:")], 0, true
	case hasPrefixFold(first, "Your guess:"):
		return "guess", first[:len("Your guess:")], 0, true
	}
	if m := reSlot.FindStringSubmatch(first); m != nil && m[1] == "1" {
		for _, l := range lines[k:] {
			if reSlot.MatchString(strings.TrimSpace(l)) {
				slots++
			}
		}
		return "slots", "", slots, true
	}
	return "", "", 0, false
}

// runnerCommands are the runner's own `scalelab` commands: a command block naming one of
// them runs nothing in the lab.
var runnerCommands = map[string]bool{
	"workshop": true, "open": true, "lint": true, "export": true, "doctor": true,
	"psql": true, "help": true, "version": true, "class": true,
}

// findAction returns the first lab command in a shell fence's lines (first at line number ln):
// `scalelab WORD ...` for any action word (whether the lab has that action is the lab's
// question), or one of the original scenario's npm scripts.
func findAction(lines []string, ln int) *Action {
	for k, l := range lines {
		t := strings.TrimSpace(l)
		t = strings.TrimSpace(strings.TrimPrefix(t, "$ "))
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		w := strings.Fields(t)
		var name string
		var args []string
		switch {
		case (w[0] == "scalelab" || strings.HasSuffix(w[0], "/scalelab")) && len(w) > 1:
			if reCommand.MatchString(w[1]) && !runnerCommands[w[1]] {
				name, args = w[1], w[2:]
			}
		case w[0] == "npm" && len(w) > 2 && w[1] == "run":
			name, args = npmAction(w[2]), w[3:]
		case w[0] == "npm" && len(w) > 1 && w[1] == "start":
			name, args = ActionStart, w[2:]
		}
		if name != "" {
			if len(args) == 0 {
				args = nil
			}
			return &Action{Name: name, Command: t, Args: args, Line: ln + k}
		}
	}
	return nil
}

// npmAction is the action an npm script of the original scenario runs, "" for another script.
func npmAction(script string) string {
	switch script {
	case ActionLoadTest, ActionStart, ActionApplyFix, ActionExplain, ActionReset:
		return script
	}
	return ""
}

func isShellLang(lang string) bool {
	switch lang {
	case "", "bash", "sh", "shell", "console", "zsh", "shell-session", "terminal":
		return true
	}
	return false
}

// --- small line helpers ---

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

func headingLevel(line string) int {
	n := 0
	for n < len(line) && line[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || (n < len(line) && line[n] != ' ') {
		return 0
	}
	return n
}

func isRule(trim string) bool {
	if len(trim) < 3 {
		return false
	}
	c := trim[0]
	if c != '-' && c != '*' && c != '_' {
		return false
	}
	count := 0
	for k := 0; k < len(trim); k++ {
		switch trim[k] {
		case c:
			count++
		case ' ', '\t':
		default:
			return false
		}
	}
	return count >= 3
}

// fenceOpen returns the fence character, its length and the info string, or n == 0.
func fenceOpen(line string) (ch byte, n int, info string) {
	t := strings.TrimLeft(line, " \t")
	if len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return 0, 0, ""
	}
	ch = t[0]
	for n < len(t) && t[n] == ch {
		n++
	}
	if n < 3 {
		return 0, 0, ""
	}
	info = strings.TrimSpace(t[n:])
	if ch == '`' && strings.Contains(info, "`") {
		return 0, 0, ""
	}
	return ch, n, info
}

func isFenceOpen(line string) bool { _, n, _ := fenceOpen(line); return n > 0 }

// IsFenceClose says whether line closes a code fence opened with n ch characters (` or ~):
// only that character, at least n of it, blanks around.
func IsFenceClose(line string, ch byte, n int) bool {
	t := strings.TrimSpace(line)
	if len(t) < n {
		return false
	}
	for k := 0; k < len(t); k++ {
		if t[k] != ch {
			return false
		}
	}
	return true
}

func isTableStart(lines []string, i int) bool {
	if i+1 >= len(lines) || !strings.HasPrefix(strings.TrimSpace(lines[i]), "|") {
		return false
	}
	d := strings.TrimSpace(lines[i+1])
	if !strings.HasPrefix(d, "|") || !strings.Contains(d, "-") {
		return false
	}
	for _, c := range splitRow(d) {
		if !reDelimCell.MatchString(strings.ReplaceAll(c, " ", "")) {
			return false
		}
	}
	return true
}

// splitRow splits a table row into trimmed cells, honouring \| escapes.
func splitRow(line string) []string {
	t := strings.TrimSpace(line)
	t = strings.TrimPrefix(t, "|")
	if strings.HasSuffix(t, "|") && !strings.HasSuffix(t, `\|`) {
		t = t[:len(t)-1]
	}
	var cells []string
	var cur strings.Builder
	for k := 0; k < len(t); k++ {
		switch {
		case t[k] == '\\' && k+1 < len(t) && t[k+1] == '|':
			cur.WriteByte('|')
			k++
		case t[k] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(t[k])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

func alignOf(delim string) string {
	d := strings.ReplaceAll(delim, " ", "")
	l, r := strings.HasPrefix(d, ":"), strings.HasSuffix(d, ":")
	switch {
	case l && r:
		return "center"
	case r:
		return "right"
	case l:
		return "left"
	}
	return ""
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return strings.Trim(f[0], "{}.")
	}
	return ""
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// slug makes a lower-case, dash-separated ID of at most max bytes.
func slug(s string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			if b.Len() >= max {
				break
			}
			continue
		}
		dash = true
	}
	return strings.TrimRight(b.String(), "-")
}

func scenarioID(name string) string {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	if ext := path.Ext(base); ext != "" {
		base = strings.TrimSuffix(base, ext)
	}
	if base == "." || base == "/" {
		return ""
	}
	return base
}

func clip(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		r := []rune(s)
		return string(r[:40]) + "…"
	}
	return s
}

func firstInvalid(b []byte) int {
	for k := 0; k < len(b); {
		r, size := utf8.DecodeRune(b[k:])
		if r == utf8.RuneError && size == 1 {
			return k
		}
		k += size
	}
	return len(b)
}

// m0 is the whole match of re in s.
func m0(re *regexp.Regexp, s string) string { return re.FindString(s) }
