package content

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// seedPath is the original scenario, kept in the shared folder beside the repository.
var seedPath = filepath.Join("..", "..", "shared", "seeds", "scenario-01-single-server.md")

func readSeed(t testing.TB) []byte {
	t.Helper()
	return readSeedFrom(t, seedPath)
}

// readSeedFrom reads the original scenario at path. It lives outside the repository: a
// test that needs it skips when it is missing, but fails in CI (the CI variable set), where
// shared/ is checked out beside the clone and a missing file means a broken checkout.
func readSeedFrom(t testing.TB, path string) []byte {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("original scenario not found at %s, and CI is set: check out shared/ beside the repository (%v)", path, err)
		}
		t.Skipf("original scenario not found at %s (it lives outside the repository; in CI this fails): %v", path, err)
	}
	return src
}

// TestSeedMissing runs readSeedFrom on a missing file in a child test process: it must fail
// with CI set and skip without.
func TestSeedMissing(t *testing.T) {
	if os.Getenv("SCALELAB_SEED_CHILD") != "" {
		readSeedFrom(t, filepath.Join(t.TempDir(), "missing.md"))
		return
	}
	for _, ci := range []string{"", "true"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSeedMissing$", "-test.v")
		cmd.Env = append(os.Environ(), "SCALELAB_SEED_CHILD=1", "CI="+ci)
		out, err := cmd.CombinedOutput()
		switch {
		case ci != "" && (err == nil || !strings.Contains(string(out), "--- FAIL") || !strings.Contains(string(out), "check out shared/")):
			t.Errorf("CI=%s: want a failure, got %v:\n%s", ci, err, out)
		case ci == "" && (err != nil || !strings.Contains(string(out), "--- SKIP")):
			t.Errorf("CI unset: want a skip, got %v:\n%s", err, out)
		}
	}
}

func mustParse(t testing.TB, name string, src []byte) *Scenario {
	t.Helper()
	s, err := Parse(name, src)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return s
}

// shape is what both scenario files must share: five numbered steps with Q1-Q9 and the two
// result tables of the original first, its three images; the built-in file has more after.
func checkShape(t *testing.T, s *Scenario, images int, wantActions string, wantTasks ...string) {
	t.Helper()
	var numbered []int
	for _, st := range s.Steps {
		if st.Number > 0 {
			numbered = append(numbered, st.Number)
		}
	}
	if got := len(numbered); got != 5 {
		t.Errorf("numbered steps = %v, want 1..5", numbered)
	}
	checkQuestions(t, s)
	checkTablesTasksActions(t, s, wantActions, wantTasks)

	var imgs int
	s.each(func(b *Block) {
		if b.Kind == ImageBlock {
			imgs++
			if b.Image.Asset == "" {
				t.Errorf("image %s has no terminal diagram", b.Image.Src)
			}
		}
	})
	if imgs != images {
		t.Errorf("images = %d, want %d", imgs, images)
	}

	fix := map[string]bool{}
	for _, st := range s.Steps {
		if st.Number == 3 {
			for _, b := range st.Blocks {
				if b.Sub != "" {
					fix[strings.SplitN(b.Sub, ":", 2)[0]] = true
				}
			}
		}
	}
	if !fix["Fix 1"] || !fix["Fix 2"] {
		t.Errorf("step 3 subsections = %v, want Fix 1 and Fix 2", fix)
	}
}

// checkQuestions: Q1-Q9 of the original, numbered on, each with its prompt and answer fence.
func checkQuestions(t *testing.T, s *Scenario) {
	t.Helper()
	wantKinds := map[string]string{"Q1": "answer", "Q2": "answer", "Q3": "guess", "Q4": "answer", "Q5": "answer",
		"Q6": "answer", "Q7": "slots", "Q8": "answer", "Q9": "answer"}
	wantStep := map[string]int{"Q1": 1, "Q2": 1, "Q3": 1, "Q4": 2, "Q5": 2, "Q6": 2, "Q7": 5, "Q8": 5, "Q9": 5}
	qs := s.Questions()
	if len(qs) < 9 {
		t.Fatalf("questions = %d, want 9 at least", len(qs))
	}
	for i, q := range qs {
		if want := "Q" + itoa(i+1); q.ID != want {
			t.Errorf("question %d is %s, want %s", i, q.ID, want)
		}
		if q.Prompt == "" || q.AnswerLine <= q.Line {
			t.Errorf("%s: prompt %q at line %d, answer fence at line %d", q.ID, q.Prompt, q.Line, q.AnswerLine)
		}
		if q.Answer != "" {
			t.Errorf("%s: an unanswered file gave answer %q", q.ID, q.Answer)
		}
		if i >= 9 {
			continue
		}
		if q.Kind != wantKinds[q.ID] {
			t.Errorf("%s kind = %q, want %q", q.ID, q.Kind, wantKinds[q.ID])
		}
		if q.Step != wantStep[q.ID] {
			t.Errorf("%s is in step %d, want %d", q.ID, q.Step, wantStep[q.ID])
		}
	}
	if q7 := s.Question("Q7"); q7.Slots != 3 {
		t.Errorf("Q7 slots = %d, want 3", q7.Slots)
	}
	if q4 := s.Question("Q4"); !strings.Contains(q4.Detail, "150") {
		t.Errorf("Q4 detail should hold the pool code between prompt and answer, got %q", q4.Detail)
	}
}

// checkTablesTasksActions: the original's two result tables first, the tasks (their IDs, and
// the position IDs of format 1 worksheets), the command blocks' actions in order.
func checkTablesTasksActions(t *testing.T, s *Scenario, wantActions string, wantTasks []string) {
	t.Helper()
	fillable := fillableTables(s)
	if len(fillable) < 2 {
		t.Fatalf("fillable tables = %d, want 2 at least", len(fillable))
	}
	if m := fillable[0]; m.ID != "step2-metric" || len(m.Rows) != 4 || len(m.Header) != 2 {
		t.Errorf("step 2 table: %s %v %d rows", m.ID, m.Header, len(m.Rows))
	}
	if c := fillable[1]; c.ID != "step4-run" || len(c.Rows) != 3 || len(c.Header) != 4 {
		t.Errorf("step 4 table: %s %v %d rows", c.ID, c.Header, len(c.Rows))
	}

	tasks := s.Tasks()
	if len(tasks) != len(wantTasks) {
		t.Fatalf("tasks = %d, want %d", len(tasks), len(wantTasks))
	}
	for i, tk := range tasks {
		if want := wantTasks[i]; tk.ID != want || tk.Done || tk.Text == "" {
			t.Errorf("task %d = %+v, want ID %s, not done, with text", i, tk, want)
		}
		if want := "step3-task" + itoa(i+1); s.PositionTaskIDs()[want] != tk.ID {
			t.Errorf("task %d: its position ID %s maps to %q, want %s", i, want, s.PositionTaskIDs()[want], tk.ID)
		}
	}

	var names []string
	for _, a := range s.Actions() {
		names = append(names, a.Name)
	}
	if got, want := strings.Join(names, ","), wantActions; got != want {
		t.Errorf("actions = %s, want %s", got, want)
	}
}

func fillableTables(s *Scenario) []*Table {
	var out []*Table
	for _, tb := range s.Tables() {
		if tb.Fillable {
			out = append(out, tb)
		}
	}
	return out
}

func TestParseSeed(t *testing.T) {
	s := mustParse(t, seedPath, readSeed(t))
	checkShape(t, s, 3, "loadtest,start,loadtest,apply-fix,explain-query,loadtest",
		"step3-replace-the-getdbconnection-function-wit", "step3-in-each-route-replace-const-db-getdbconn",
		"step3-remove-all-await-db-end-calls-you-don-t-c", "step3-remove-the-await-new-promise-resolve-set")
	if s.ID != "scenario-01-single-server" || s.Title != "Scenario 1: The Single Server Problem" {
		t.Errorf("ID %q title %q", s.ID, s.Title)
	}
	if len(s.Meta) != 3 || s.Meta[0].Key != "Difficulty" || s.Meta[0].Value != "Entry Level" {
		t.Errorf("meta = %+v", s.Meta)
	}
	if len(s.Questions()) != 9 || len(fillableTables(s)) != 2 {
		t.Errorf("the original has %d questions, %d result tables; want 9, 2", len(s.Questions()), len(fillableTables(s)))
	}
	if s.Lab != "" || s.LabLine != 0 {
		t.Errorf("the original names no lab, got %q on line %d", s.Lab, s.LabLine)
	}
	if got := s.Steps[0].Title; got != "The Situation" || s.Steps[0].Number != 0 {
		t.Errorf("first section = %q (%d), want The Situation, unnumbered", got, s.Steps[0].Number)
	}
	if st := s.Step(2); st == nil || st.Short != "Run the Load Test" || st.ID != "step2" {
		t.Errorf("Step(2) = %+v", st)
	}
	if st := s.Step(3); len(st.Tasks()) != 4 || len(st.Actions()) != 5 || len(st.Questions()) != 0 || len(st.Tables()) != 0 {
		t.Errorf("Step 3 holds %d tasks, %d actions", len(st.Tasks()), len(st.Actions()))
	}
	if st := s.Step(2); len(st.Questions()) != 3 || len(st.Tables()) != 1 {
		t.Errorf("Step 2 holds %d questions, %d tables", len(st.Questions()), len(st.Tables()))
	}
	for _, a := range s.Actions() {
		if !strings.HasPrefix(a.Command, "npm run ") || a.Lang != "bash" {
			t.Errorf("action %+v", a)
		}
	}
	for _, q := range s.Questions() {
		if q.Model != "" {
			t.Errorf("%s: the original has no model answers, got %q", q.ID, q.Model)
		}
	}
}

func TestParseBuiltin(t *testing.T) {
	s := Builtin()
	checkShape(t, s, 4, "loadtest,serve,loadtest,apply-fix,explain-query,loadtest,"+
		"loadtest,kill-db,bring-back,loadtest,kill-api,bring-back,"+
		"grow-table,serve,loadtest,explain-query,apply-fix,loadtest,explain-query,shrink-table,reset",
		"shared-pool", "pool-size", "no-close", "no-delay")
	if s.ID != "01-single-server" || s.Lab != "single-server" || s.Lines[s.LabLine-1] != "**Lab:** single-server" {
		t.Errorf("ID = %q, lab %q on line %d", s.ID, s.Lab, s.LabLine)
	}
	for _, q := range s.Questions() {
		if q.Model == "" {
			t.Errorf("%s has no model answer", q.ID)
		}
	}
	for _, a := range s.Actions() {
		if !strings.HasPrefix(a.Command, "scalelab ") {
			t.Errorf("action %q is not a scalelab command", a.Command)
		}
	}
	tags := map[string]bool{}
	for _, tk := range s.Tasks() {
		tags[tk.Tag] = true
	}
	for _, want := range []string{"shared-pool", "pool-size", "no-close", "no-delay"} {
		if !tags[want] {
			t.Errorf("no Fix 1 task tagged %q (tags %v)", want, tags)
		}
	}
}

// TestGoFurther: the built-in scenario's two experiments are sections between Step 5 and
// What You Learned, each with its questions (numbered on from Q9, with model answers) and a
// result table whose rows name the stages they are filled from.
func TestGoFurther(t *testing.T) {
	s := Builtin()
	var titles []string
	for _, st := range s.Steps[s.Step(5).Index+1:] {
		titles = append(titles, st.Title)
	}
	if want := "Go Further — When the Single Server Dies|Go Further — A Million Posts|What You Learned"; !strings.HasPrefix(strings.Join(titles, "|"), want) {
		t.Fatalf("sections after Step 5: %v, want %s first", titles, want)
	}
	outage, big := s.Steps[s.Step(5).Index+1], s.Steps[s.Step(5).Index+2]
	for st, want := range map[*Step]string{outage: "Q10 Q11 Q12", big: "Q13 Q14 Q15"} {
		var ids []string
		for _, q := range st.Questions() {
			ids = append(ids, q.ID)
			if q.Kind != "answer" || q.Model == "" {
				t.Errorf("%s: kind %q, model %q", q.ID, q.Kind, q.Model)
			}
		}
		if strings.Join(ids, " ") != want {
			t.Errorf("%s: questions %v, want %s", st.Title, ids, want)
		}
	}
	rows := func(st *Step) string {
		var out []string
		for _, tb := range st.Tables() {
			if !tb.Fillable || strings.Join(tb.Header, "|") != "Run|Success Rate|p99 Latency|Req/sec" {
				t.Errorf("%s: table %s %v", st.Title, tb.ID, tb.Header)
			}
			for _, r := range tb.Rows {
				out = append(out, r[0])
			}
		}
		return strings.Join(out, "|")
	}
	if got := rows(outage); got != "During an outage" {
		t.Errorf("outage rows %q", got)
	}
	if got := rows(big); got != "1M rows, no index|1M rows, with the index" {
		t.Errorf("1M rows %q", got)
	}
	if n := len(fillableTables(s)); n != 4 {
		t.Errorf("fillable tables = %d, want 4", n)
	}
	if a := outage.Actions()[0]; a.Name != "loadtest" || strings.Join(a.Args, " ") != "-c 100 -z 30s" {
		t.Errorf("the outage's load test: %+v", a)
	}
}

func TestParseErrors(t *testing.T) {
	const ok = "# T\n\n## Step 1 — A\n\n**Q1: Why?**\n\n```\nYour answer:\n\n```\n"
	cases := []struct {
		name, src string
		line      int
		msg       string
	}{
		{"empty", "", 1, "empty file"},
		{"blank", "\n\n  \n", 1, "empty file"},
		{"no title", "Hello\n\n## Step 1\n", 1, "no title"},
		{"h2 first", "\n## Step 1\n", 2, "no title"},
		{"unclosed fence", "# T\n\n## A\n\ntext\n\n```bash\nnpm run loadtest\n", 7, "unclosed code fence"},
		{"question without fence", "# T\n\n## Step 1\n\n**Q1: Why?**\n\nno fence here\n\n## Step 2\n", 5, "Q1 has no answer fence"},
		{"question at eof", "# T\n\n## A\n\ntext\n\n**Q3: Why?**\n", 7, "Q3 has no answer fence"},
		{"question before question", "# T\n\n## A\n\n**Q1: a?**\n\n**Q2: b?**\n\n```\nYour answer:\n```\n", 5, "Q1 has no answer fence"},
		{"duplicate question", ok + "\n**Q1: Again?**\n\n```\nYour answer:\n```\n", 12, "duplicate question number Q1"},
		{"steps out of order", "# T\n\n## Step 1\n\n## Step 3\n", 5, "Step 3 follows Step 1"},
		{"first step not 1", "# T\n\n## Step 2 — B\n", 3, "must be Step 1"},
		{"repeated step", "# T\n\n## Step 1\n\n## Step 1\n", 5, "Step 1 follows Step 1"},
		{"table row short", "# T\n\n## A\n\n| a | b |\n| - | - |\n| 1 | 2 |\n| 3 |\n", 8, "table row has 1 cells"},
		{"table row long", "# T\n\n## A\n\n| a | b |\n| - | - |\n| 1 | 2 | 3 |\n", 7, "table row has 3 cells"},
		{"delimiter mismatch", "# T\n\n## A\n\n| a | b |\n| - |\n", 6, "delimiter row"},
		{"second title", "# T\n\n## A\n\n# Again\n", 5, "second `# ` title"},
		{"unclosed bold", "# T\n\n## A\n\n**Q1: why\n\n```\nYour answer:\n```\n", 5, "not closed"},
		{"stray model", "# T\n\n## A\n\ntext\n\n```model\nanswer\n```\n", 7, "model fence"},
		{"empty model", ok + "```model\n\n```\n", 11, "model answer is empty"},
		{"invalid utf8", "# T\n\n## A\n\n\xff\xfe\n", 5, "UTF-8"},
		{"empty section title", "# T\n\n## \n", 3, "without a title"},
		{"empty lab", "# T\n\n**Time:** 5 min  \n**Lab:**\n\n## A\n", 4, "names no lab"},
		{"lab not a name", "# T\n\n**Lab:** Single Server\n\n## A\n", 3, "is not a lab name"},
		{"lab in backquotes", "# T\n\n**Lab:** `single-server`\n\n## A\n", 3, "is not a lab name"},
		{"duplicate tag", "# T\n\n## A\n\n- [ ] one <!-- t -->\n\n## B\n\n- [ ] two\n- [ ] three <!-- t -->\n", 10, "duplicate task tag \"t\" (also on line 5)"},
		{"second lab", "# T\n\n**Lab:** a\n\n**Lab:** b\n\n## A\n", 5, "first is on line 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("x.md", []byte(c.src))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.Line != c.line || !strings.Contains(pe.Msg, c.msg) {
				t.Errorf("got line %d %q, want line %d containing %q", pe.Line, pe.Msg, c.line, c.msg)
			}
			if !strings.HasPrefix(err.Error(), "x.md:") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
	if _, err := Parse("ok.md", []byte(ok)); err != nil {
		t.Errorf("the valid base case fails: %v", err)
	}
}

func TestCheckFindsEveryProblem(t *testing.T) {
	src := "# T\n\n## Step 1 — A\n\n**Q1: a?**\n\n## Step 3 — C\n\n" + // 5: no fence, 7: order
		"**Q2: b?**\n\n```\nYour answer:\n```\n\n**Q2: again?**\n\n" + // 15: duplicate
		"```model\nx\n```\n\n| a | b |\n|---|---|\n| 1 | 2 | 3 |\n\n# Two\n" // 17: stray model, 23: row, 25: title
	errs := Check("c.md", []byte(src))
	var got []string
	for _, e := range errs {
		got = append(got, itoa(e.Line))
	}
	if strings.Join(got, ",") != "5,7,15,17,23,25" {
		t.Errorf("Check lines = %v, want 5,7,15,17,23,25: %v", got, errs)
	}
	if _, err := Parse("c.md", []byte(src)); err == nil || err.(*ParseError).Line != 5 {
		t.Errorf("Parse gives %v, want the first problem (line 5)", err)
	}
	if errs := Check("ok.md", []byte("# T\n\n## A\n")); errs != nil {
		t.Errorf("Check of a good file: %v", errs)
	}
	many := "# T\n\n## A\n\n" + strings.Repeat("# again\n\n", 200)
	if errs := Check("m.md", []byte(many)); len(errs) > maxErrors+1 {
		t.Errorf("Check reported %d problems, the cap is %d", len(errs), maxErrors)
	}
}

func TestParseDetails(t *testing.T) {
	src := "# T\n\n**Time:** 5 min  \n\n## Intro\n\n" +
		"| k | v |\n|:--|--:|\n| a \\| b | |\n\n" +
		"## Step 1 — Go\n\n### Sub\n\n" +
		"- [x] done <!-- tag-a -->\n- [ ] open\n  continued\n\n" +
		"**Q1: Pick three:**\n\n~~~\n1.\n\n2.\n\n3.\n~~~\n\n```model\n1. a\n```\n\n" +
		"```sh\n# comment\n$ scalelab serve --preset fixed\n```\n\n" +
		"```console\n./scalelab explain\n```\n\n" +
		"```go\nscalelab loadtest\n```\n\n" +
		"![x](img/diagram-none.png)\n"
	s := mustParse(t, "dir/my-file.md", []byte(src))
	if s.ID != "my-file" || len(s.Meta) != 1 || s.Meta[0].Value != "5 min" {
		t.Errorf("id %q meta %+v", s.ID, s.Meta)
	}
	tb := s.Tables()[0]
	if tb.ID != "intro-k" || tb.Rows[0][0] != "a | b" || !tb.Fillable || tb.Align[0] != "left" || tb.Align[1] != "right" {
		t.Errorf("table %+v", tb)
	}
	tasks := s.Tasks()
	if len(tasks) != 2 || !tasks[0].Done || tasks[0].Tag != "tag-a" || tasks[0].Text != "done" || tasks[1].Text != "open continued" {
		t.Errorf("tasks %+v %+v", tasks[0], tasks[1])
	}
	q := s.Question("Q1")
	if q.Kind != "slots" || q.Slots != 3 || q.Model != "1. a" {
		t.Errorf("q %+v", q)
	}
	acts := s.Actions()
	if len(acts) != 2 || acts[0].Name != "serve" || strings.Join(acts[0].Args, " ") != "--preset fixed" || acts[1].Name != "explain" {
		t.Errorf("actions %+v", acts)
	}
	var img *Image
	s.each(func(b *Block) {
		if b.Kind == ImageBlock {
			img = b.Image
		}
		if b.Kind == TaskBlock && b.Sub != "Sub" {
			t.Errorf("task block sub = %q", b.Sub)
		}
	})
	if img == nil || img.Asset != "" || img.Alt != "x" {
		t.Errorf("image %+v", img)
	}
}

// The built-in text reads in an 80-column terminal as it is (plain mode, cat): no line
// over 78 columns and no emoji, whose width terminals and renderers disagree on. A Stuck?
// row's trailing `<!-- when: NAME -->` is not counted: the workshop reads it and never shows it.
func TestBuiltinFitsEightyColumns(t *testing.T) {
	for i, l := range Builtin().Lines {
		if loc := reWhen.FindStringIndex(l); loc != nil {
			l = l[:loc[0]]
		}
		if n := len([]rune(l)); n > 78 {
			t.Errorf("line %d is %d columns: %q", i+1, n, l)
		}
		for _, r := range l {
			if (r >= 0x1F000 && r <= 0x1FAFF) || (r >= 0x2600 && r <= 0x27BF) || r == '\t' {
				t.Errorf("line %d has %U: %q", i+1, r, l)
			}
		}
	}
}

// TestLabHeader: the header's `**Lab:**` line names the scenario's lab, with its line; a
// `**Lab:**` line in a section is prose.
func TestLabHeader(t *testing.T) {
	s := mustParse(t, "l.md", []byte("# T\n\n**Difficulty:** Easy  \n**lab:** two-servers-2  \n\n## A\n\n**Lab:** other\n"))
	if s.Lab != "two-servers-2" || s.LabLine != 4 || len(s.Meta) != 2 {
		t.Errorf("lab %q on line %d, meta %+v", s.Lab, s.LabLine, s.Meta)
	}
	s = mustParse(t, "n.md", []byte("# T\n\n## A\n"))
	if s.Lab != "" || s.LabLine != 0 {
		t.Errorf("no Lab line: lab %q on line %d", s.Lab, s.LabLine)
	}
}

// TestCommandWords: `scalelab WORD` names any action word, so a lab's new action needs no
// change here; the runner's own commands and words that are not action names run nothing;
// the original's npm scripts keep their actions.
func TestCommandWords(t *testing.T) {
	cases := []struct{ fence, name, args string }{
		{"scalelab kill-db", "kill-db", ""},
		{"$ scalelab grow-table --rows 1000000", "grow-table", "--rows 1000000"},
		{"/usr/local/bin/scalelab bring-back", "bring-back", ""},
		{"scalelab serve --preset fixed", "serve", "--preset fixed"},
		{"scalelab open my.md\nscalelab loadtest", "loadtest", ""},
		{"npm run start", "start", ""},
		{"npm start", "start", ""},
		{"npm run explain-query", "explain-query", ""},
		{"npm run build", "", ""},
		{"scalelab", "", ""},
		{"scalelab --help", "", ""},
		{"scalelab Kill-DB", "", ""},
		{"scalelab 2fast", "", ""},
		{"scalelab kill_db", "", ""},
	}
	for _, w := range []string{"workshop", "open", "lint", "export", "doctor", "psql", "help", "version", "class"} {
		cases = append(cases, struct{ fence, name, args string }{"scalelab " + w + " x", "", ""})
	}
	for _, c := range cases {
		s := mustParse(t, "c.md", []byte("# T\n\n## A\n\n```bash\n"+c.fence+"\n```\n"))
		acts := s.Actions()
		switch {
		case c.name == "" && len(acts) != 0:
			t.Errorf("%q runs %+v, want nothing", c.fence, acts[0])
		case c.name != "" && (len(acts) != 1 || acts[0].Name != c.name || strings.Join(acts[0].Args, " ") != c.args):
			t.Errorf("%q: actions %+v, want %s %q", c.fence, acts, c.name, c.args)
		}
	}
}

// TestTaskIDs: a tagged task is known by its tag, an untagged one by its step and its text;
// tasks with the same text in one step are told apart; inserting a task keeps the others' IDs.
func TestTaskIDs(t *testing.T) {
	const before = "# T\n\n- [ ] in the intro\n\n## Step 1 — A\n\n- [ ] Add the index <!-- index -->\n- [ ] Measure again!\n- [ ] Measure again!\n- [ ] `...`\n"
	s := mustParse(t, "t.md", []byte(before))
	var got []string
	for _, tk := range s.Tasks() {
		got = append(got, tk.ID)
	}
	if strings.Join(got, " ") != "intro-in-the-intro index step1-measure-again step1-measure-again-2 step1-task" {
		t.Errorf("IDs %v", got)
	}
	pos := s.PositionTaskIDs()
	if pos["intro-task1"] != "intro-in-the-intro" || pos["step1-task1"] != "index" || pos["step1-task3"] != "step1-measure-again-2" || len(pos) != 5 {
		t.Errorf("position IDs %v", pos)
	}
	inserted := strings.Replace(before, "- [ ] Add the index", "- [ ] Read the plan first\n- [ ] Add the index", 1)
	s2 := mustParse(t, "t.md", []byte(inserted))
	var after []string
	for _, tk := range s2.Tasks() {
		if tk.Text != "Read the plan first" {
			after = append(after, tk.ID)
		}
	}
	if strings.Join(after, " ") != strings.Join(got, " ") {
		t.Errorf("after an insertion the IDs are %v, were %v", after, got)
	}
}
