package loadbalancing

import (
	"slices"
	"testing"

	"scalelab/content"
	"scalelab/lab"
)

// Scenario 2's text and this lab agree: its header names the lab, every command is one of
// the lab's actions, every row of a comparison table is one of its stages, its fixes carry
// the lab's task tags and its Stuck? rows the lab's conditions; the steps' commands lead to
// the stages the table lists.
func TestScenarioMatchesLab(t *testing.T) {
	var s *content.Scenario
	for _, sc := range content.Builtins() {
		if sc.Lab == labName {
			s = sc
		}
	}
	if s == nil {
		t.Fatal("no built-in scenario runs this lab")
	}
	l, _ := lab.New(labName, lab.Config{})
	if errs := content.CheckHints(s, l.Conditions()); len(errs) > 0 {
		t.Errorf("Stuck? rows: %v", errs)
	}
	var actions []string
	reached := map[string]bool{}
	var tags []string
	for _, st := range s.Steps {
		for _, b := range st.Blocks {
			switch b.Kind {
			case content.CommandBlock:
				a, ok := lab.FindAction(l, b.Action.Name)
				if !ok {
					t.Errorf("line %d: %q is no action of the lab", b.Action.Line, b.Action.Command)
					continue
				}
				actions = append(actions, a.Name)
				if a.Load {
					reached[l.StageAfter(actions)] = true
				}
			case content.TaskBlock:
				for _, task := range b.Tasks {
					tags = append(tags, task.Tag)
				}
			case content.TableBlock:
				if len(b.Table.Header) == 0 || b.Table.Header[0] != "Run" {
					continue
				}
				for _, row := range b.Table.Rows {
					if lab.StageOfLabel(l.Stages(), row[0]) == "" {
						t.Errorf("row %q names no stage", row[0])
					}
				}
			}
		}
	}
	if !slices.Equal(tags, []string{tagSticky, tagShared}) {
		t.Errorf("task tags %v", tags)
	}
	// the kill stages are measured by the load tests the kills run during
	for _, st := range []string{stageInMemory, stageSticky, stageShared} {
		if !reached[st] {
			t.Errorf("no load test of the text measures %s (reached %v)", st, reached)
		}
	}
	if !slices.Contains(actions, actKill) || !slices.Contains(actions, actBringBack) {
		t.Errorf("the text never kills or brings back a replica: %v", actions)
	}
}
