package tui

import (
	"regexp"
	"strings"

	"scalelab/content"
	"scalelab/lab"
)

var reMetaLine = regexp.MustCompile(`^\*\*[^*]+:\*\*`)

// metaOnly reports a block made only of **Key:** value lines and rules.
func metaOnly(md string) bool {
	for _, l := range strings.Split(md, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || reMetaLine.MatchString(l) || strings.Trim(l, "-*_ ") == "" {
			continue
		}
		return false
	}
	return true
}

// common is the state every screen shares (soft-serve's "common" value): styles, keys,
// the scenario, the worksheet and how markdown is rendered. Screens hold a pointer to it.
type common struct {
	blockCache [][]content.Block // blocks, by step
	measured   map[int][]string  // stagesMeasured, by step
	styles     *Styles
	keys       *KeyMap
	scenario   *content.Scenario
	sheet      *sheet
	render     renderSpec
	runs       map[string]bool // stages with a recorded run (LabRunsMsg): the step checks
	hints      map[string]bool // lab conditions that hold now (LabStatusMsg.Hints): live Stuck? rows
	// the lab whose records the screens read (nil with --no-lab: no lab keys, no stage rows),
	// its stages and its actions' keys
	lab     lab.Lab
	stages  []lab.Stage
	actKeys []actionKey
	// the series the scenarios screen lists (Options.Series), and the index in it of the
	// scenario the text's end names as the next one (-1: none)
	series []SeriesEntry
	next   int
}

// stepBlocks is what the reader shows for step i: its blocks, and for the first step the
// scenario's intro (the text between the title and the first section) before them.
func stepBlocks(sc *content.Scenario, i int) []content.Block {
	if i < 0 || i >= len(sc.Steps) {
		return nil
	}
	var src []content.Block
	if i == 0 {
		src = append(src, sc.Intro...)
	}
	src = append(src, sc.Steps[i].Blocks...)
	out := src[:0:0]
	for _, b := range src {
		// section rules and the **Key:** value header (drawn from Scenario.Meta) are left out
		if b.Kind == content.Markdown && b.PromptFor == "" && metaOnly(b.Markdown) {
			continue
		}
		out = append(out, b)
	}
	return out
}

// blocks is stepBlocks of the scenario's step i, worked out once per step: the scenario does
// not change, and the step list reads every step's blocks at every frame. The slice is shared:
// read it, never change it.
func (c *common) blocks(i int) []content.Block {
	if i < 0 || i >= len(c.scenario.Steps) {
		return nil
	}
	if c.blockCache == nil {
		c.blockCache = make([][]content.Block, len(c.scenario.Steps))
	}
	if c.blockCache[i] == nil {
		c.blockCache[i] = stepBlocks(c.scenario, i)
	}
	return c.blockCache[i]
}

// questionsIn lists the questions of blocks in order.
func questionsIn(blocks []content.Block) []*content.Question {
	var qs []*content.Question
	for i := range blocks {
		if q := blocks[i].Question; q != nil && blocks[i].Kind == content.QuestionBlock {
			qs = append(qs, q)
		}
	}
	return qs
}

// progress counts the answered questions of step i.
func (c *common) progress(i int) (answered, total int) {
	for _, q := range questionsIn(c.blocks(i)) {
		total++
		if c.sheet.answered(q) {
			answered++
		}
	}
	return answered, total
}

// totalProgress counts the answered questions of the whole scenario.
func (c *common) totalProgress() (answered, total int) {
	for i := range c.scenario.Steps {
		a, t := c.progress(i)
		answered += a
		total += t
	}
	return answered, total
}
