package content

import (
	"fmt"
	"strings"
)

// Scenario is one parsed scenario file.
type Scenario struct {
	ID    string // from the file name without directory and extension: "01-single-server"
	Title string // the `# ` heading
	// Lab is the lab the header's `**Lab:** NAME` line names ("single-server"); "" when the
	// header names none (the original seed's file), which the runner reads as its default lab.
	Lab     string
	LabLine int      // the line of the `**Lab:**` line (1-based), 0 when there is none
	Meta    []Meta   // `**Key:** value` lines before the first section, in order
	Intro   []Block  // everything between the title and the first `## ` section
	Steps   []*Step  // every `## ` section in order (intro sections like "The Situation" too)
	Source  []byte   // the file as read, with CRLF made LF and control characters replaced (termsafe.Clean)
	Lines   []string // Source split into lines (Lines[0] is line 1)
}

// Meta is one `**Key:** value` line of the scenario's header.
type Meta struct {
	Key, Value string
	Line       int
}

// Step is one `## ` section.
type Step struct {
	Index  int    // position in Scenario.Steps (0-based)
	Number int    // N for a "Step N ..." heading, 0 for other sections
	ID     string // "step2" for Step 2, else a slug of the title ("the-situation")
	Title  string // the heading text as written: "Step 2 — Run the Load Test"
	Short  string // the title without its "Step N —" prefix: "Run the Load Test"
	Line   int    // line of the heading
	End    int    // last line of the section
	Blocks []Block
}

// BlockKind says what a Block is.
type BlockKind int

const (
	Markdown      BlockKind = iota // prose, headings, code, quotes: render Block.Markdown
	QuestionBlock                  // a question's answer fence: Block.Question
	TableBlock                     // a table: Block.Table (Fillable for result tables)
	TaskBlock                      // a task list: Block.Tasks
	CommandBlock                   // a shell fence that runs a lab action: Block.Action
	ImageBlock                     // an image on its own line: Block.Image
)

func (k BlockKind) String() string {
	switch k {
	case Markdown:
		return "markdown"
	case QuestionBlock:
		return "question"
	case TableBlock:
		return "table"
	case TaskBlock:
		return "tasks"
	case CommandBlock:
		return "command"
	case ImageBlock:
		return "image"
	}
	return fmt.Sprintf("BlockKind(%d)", int(k))
}

// Block is one piece of a step, in reading order.
type Block struct {
	Kind     BlockKind
	Line     int    // first line of the block in the file (1-based)
	End      int    // last line of the block
	Markdown string // the raw source of the block (for QuestionBlock: the answer fence)
	Sub      string // the `### ` heading this block sits under ("Fix 1: Connection Pooling"), or ""
	// PromptFor is set on the Markdown block holding a question's bold prompt: the
	// question's ID ("Q4"). The QuestionBlock with the answer fence comes later.
	PromptFor string

	Question *Question
	Table    *Table
	Tasks    []*Task
	Action   *Action
	Image    *Image
}

// Question is one `**Qn: ...**` question and its answer fence.
type Question struct {
	ID     string // "Q1"
	Number int    // 1
	Prompt string // the bold text without "Qn:" (inline markdown kept)
	// Detail is the markdown between the prompt paragraph and the answer fence (Q4's code
	// and its follow-up sentence), "" when the fence follows the prompt directly.
	Detail   string
	Kind     string // "answer" | "guess" | "slots"
	Label    string // "Your answer:" | "Your guess:" | "" for slots
	Slots    int    // number of numbered slots for Kind "slots"
	Template string // the answer fence's body as written in the file
	Model    string // model answer from a ```model fence, "" when none
	Answer   string // an answer already written in the file (an exported worksheet), else ""

	Step       int // the Number of the step it is in (0 for unnumbered sections)
	StepIndex  int // index of that step in Scenario.Steps (-1 in the intro)
	Line       int // line of the prompt
	AnswerLine int // line of the answer fence's opening

	modelLine, modelEnd int // lines of the ```model fence, 0 when none
}

// Table is a markdown table.
type Table struct {
	ID       string // stable: "step2-metric" (step ID + first header cell), "-2" etc. on repeats
	Header   []string
	Align    []string // per column: "" | "left" | "center" | "right"
	Rows     [][]string
	Fillable bool // has empty value cells (column 2 onwards) to fill with results
	Line     int
	// When holds, per row, the lab condition a "Stuck?" row names with a trailing
	// `<!-- when: NAME -->` on its line ("" for a row without one); nil when no row has one.
	// The workshop shows the row's hint in place while the lab reports that condition.
	When []string

	marked bool // preceded by the <!-- fillable --> marker line
}

// Task is one `- [ ]` item.
type Task struct {
	// ID is stable (the worksheet keeps the tick under it): the tag when there is one
	// ("no-delay"), else the step's ID and a slug of the text ("step3-remove-the-500-ms"),
	// which an edit of the text changes (a tag keeps the tick through edits).
	ID   string
	Text string // the item text without the checkbox (and without a trailing <!-- tag -->)
	Tag  string // text of a trailing HTML comment, "<!-- shared-pool -->" -> "shared-pool"
	Done bool
	Line int
}

// The actions the original scenario's npm scripts run (`npm run loadtest`, `npm start`): a
// `scalelab WORD` command names its action by WORD itself.
const (
	ActionLoadTest = "loadtest"      // npm run loadtest
	ActionStart    = "start"         // npm run start, npm start: (re)start the API
	ActionApplyFix = "apply-fix"     // npm run apply-fix: Fix 2, the index
	ActionExplain  = "explain-query" // npm run explain-query: EXPLAIN of the feed query
	ActionReset    = "reset"         // npm run reset: back to the scenario's start
)

// Action is a lab command found in a shell fence.
type Action struct {
	// Name is the action as the command names it: WORD of `scalelab WORD ...` ("serve",
	// "kill-db"; the lab knows its actions and their aliases), or the Action* an npm script runs.
	Name    string
	Command string   // the command line as written: "scalelab serve --preset fixed"
	Args    []string // the words after the command name: ["--preset", "fixed"]
	Lang    string   // the fence's info string: "bash", "sh", ""
	Line    int
}

// Image is an image on a line of its own.
type Image struct {
	Alt, Src string
	Asset    string // the terminal diagram drawn for it when assets/ has one of the same base name
}

// ParseError is a problem in a scenario file at a line.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.File != "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// Hint is a "Stuck?" row that names a lab condition: its problem and what to do, shown in
// place while the lab reports the condition.
type Hint struct {
	When    string // the condition's name, e.g. "restart-pending"
	Problem string // the row's first cell
	Fix     string // the row's other cells, joined
	Table   string // the table's ID
	Line    int    // the table's line
}

// Hints returns every row of every table that names a condition, in file order.
func (s *Scenario) Hints() []Hint {
	var out []Hint
	for _, t := range s.Tables() {
		for i, w := range t.When {
			if w == "" || i >= len(t.Rows) || len(t.Rows[i]) == 0 {
				continue
			}
			row := t.Rows[i]
			out = append(out, Hint{When: w, Problem: row[0], Fix: strings.Join(row[1:], " "), Table: t.ID, Line: t.Line})
		}
	}
	return out
}

// Questions returns every question in file order.
func (s *Scenario) Questions() []*Question {
	var out []*Question
	s.each(func(b *Block) {
		if b.Kind == QuestionBlock {
			out = append(out, b.Question)
		}
	})
	return out
}

// Tables returns every table in file order (filter on Fillable for result tables).
func (s *Scenario) Tables() []*Table {
	var out []*Table
	s.each(func(b *Block) {
		if b.Kind == TableBlock {
			out = append(out, b.Table)
		}
	})
	return out
}

// Tasks returns every task in file order.
func (s *Scenario) Tasks() []*Task {
	var out []*Task
	s.each(func(b *Block) {
		if b.Kind == TaskBlock {
			out = append(out, b.Tasks...)
		}
	})
	return out
}

// Actions returns every action in file order.
func (s *Scenario) Actions() []*Action {
	var out []*Action
	s.each(func(b *Block) {
		if b.Kind == CommandBlock {
			out = append(out, b.Action)
		}
	})
	return out
}

// Question returns the question with that ID ("Q4"), or nil.
func (s *Scenario) Question(id string) *Question {
	for _, q := range s.Questions() {
		if q.ID == id {
			return q
		}
	}
	return nil
}

// Table returns the table with that ID, or nil.
func (s *Scenario) Table(id string) *Table {
	for _, t := range s.Tables() {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// Step returns the step with that Number (1..n), or nil.
func (s *Scenario) Step(number int) *Step {
	for _, st := range s.Steps {
		if number > 0 && st.Number == number {
			return st
		}
	}
	return nil
}

func (s *Scenario) each(f func(*Block)) {
	for i := range s.Intro {
		f(&s.Intro[i])
	}
	for _, st := range s.Steps {
		for i := range st.Blocks {
			f(&st.Blocks[i])
		}
	}
}

// Questions returns the step's questions in order.
func (st *Step) Questions() []*Question {
	var out []*Question
	for i := range st.Blocks {
		if b := &st.Blocks[i]; b.Kind == QuestionBlock {
			out = append(out, b.Question)
		}
	}
	return out
}

// Tables returns the step's tables in order.
func (st *Step) Tables() []*Table {
	var out []*Table
	for i := range st.Blocks {
		if b := &st.Blocks[i]; b.Kind == TableBlock {
			out = append(out, b.Table)
		}
	}
	return out
}

// Tasks returns the step's tasks in order.
func (st *Step) Tasks() []*Task {
	var out []*Task
	for i := range st.Blocks {
		if b := &st.Blocks[i]; b.Kind == TaskBlock {
			out = append(out, b.Tasks...)
		}
	}
	return out
}

// Actions returns the step's lab actions in order.
func (st *Step) Actions() []*Action {
	var out []*Action
	for i := range st.Blocks {
		if b := &st.Blocks[i]; b.Kind == CommandBlock {
			out = append(out, b.Action)
		}
	}
	return out
}
