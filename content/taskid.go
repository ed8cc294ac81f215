package content

import "fmt"

// taskSlugLen bounds the text part of an untagged task's ID.
const taskSlugLen = 40

// setTaskID gives a task its stable ID, which a worksheet keeps its tick under: its tag
// (unique in the scenario), or for an untagged task its step's ID and a slug of its text
// ("step3-remove-all-await-db-end-calls-you-don-t"), so that adding, removing or moving other
// tasks does not move a saved tick. Tasks with the same text in one step get "-2", "-3".
func (p *parser) setTaskID(t *Task) error {
	if p.taskIDs == nil {
		p.taskIDs = map[string]int{}
	}
	if t.Tag != "" {
		if prev, dup := p.taskIDs[t.Tag]; dup {
			if err := p.report(t.Line, "duplicate task tag %q (also on line %d): a tag names one task, give each its own", clip(t.Tag), prev); err != nil {
				return err
			}
		} else {
			t.ID = t.Tag
			p.taskIDs[t.ID] = t.Line
			return nil
		}
	}
	text := slug(t.Text, taskSlugLen)
	if text == "" {
		text = "task"
	}
	base := p.prefix() + "-" + text
	id := base
	for n := 2; p.taskIDs[id] != 0; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	t.ID = id
	p.taskIDs[id] = t.Line
	return nil
}

// PositionTaskIDs maps the ID each task had in worksheets of earlier versions, which numbered
// the tasks of a section in order ("step3-task1": the first task of Step 3; "intro-task1"
// before the first section), to its ID now. A worksheet of that format keeps its ticks through
// it (numbered against this scenario as it is now).
func (s *Scenario) PositionTaskIDs() map[string]string {
	out := map[string]string{}
	number := func(prefix string, blocks []Block) {
		n := 0
		for _, b := range blocks {
			for _, t := range b.Tasks {
				n++
				out[fmt.Sprintf("%s-task%d", prefix, n)] = t.ID
			}
		}
	}
	number("intro", s.Intro)
	for _, st := range s.Steps {
		number(st.ID, st.Blocks)
	}
	return out
}
