package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"scalelab/content"
)

// A step's markdown is rendered here so that it fits its pane whatever glamour's wrapping gets
// wrong. Blockquotes ("> **Stuck?** ...") are rendered here rather than by glamour's quote style:
// glamour wraps a quote's text one column too wide for its two-column bar ("│ "), so the last
// word of a full line is pushed onto a line of its own without the bar. The quote's text is
// rendered as a paragraph two columns narrower and the bar is drawn on every line.

// quoteBar is drawn in front of every line of a quote.
const quoteBar = "│ "

// renderFittedCmd renders a step like renderStepCmd, with its quotes drawn by renderQuotes.
func renderFittedCmd(spec renderSpec, key renderKey, blocks []content.Block, bar lipgloss.Style) tea.Cmd {
	return func() tea.Msg {
		r, err := renderFitted(spec, key, blocks, bar)
		return renderedMsg{key: key, r: r, err: err}
	}
}

func renderFitted(spec renderSpec, key renderKey, blocks []content.Block, bar lipgloss.Style) (*stepRender, error) {
	rest := make([]content.Block, len(blocks))
	var quotes []content.Block
	var at []int
	for i, b := range blocks {
		if b.Kind == content.Markdown && isQuote(b.Markdown) {
			quotes = append(quotes, content.Block{Kind: content.Markdown, Markdown: unquote(b.Markdown)})
			at = append(at, i)
			b.Markdown = ""
		}
		rest[i] = b
	}
	out, err := renderStep(spec, key, rest)
	if err != nil {
		return nil, err
	}
	if err := refit(spec, key, rest, out); err != nil {
		return nil, err
	}
	if len(quotes) == 0 {
		return out, nil
	}
	qk := key
	qk.width = max(20, key.width-lipgloss.Width(quoteBar))
	q, err := renderStep(spec, qk, quotes)
	if err == nil {
		err = refit(spec, qk, quotes, q)
	}
	if err != nil {
		return nil, err
	}
	for j, i := range at {
		lines := strings.Split(q.blocks[j], "\n")
		for k, l := range lines {
			lines[k] = bar.Render(quoteBar) + l
		}
		out.blocks[i] = strings.Join(lines, "\n")
	}
	return out, nil
}

// refit renders again, a little narrower each time, a Markdown block that glamour drew wider
// than its width (it does not count the padding around inline code when it wraps), so no
// line is cut at the pane's edge.
func refit(spec renderSpec, key renderKey, blocks []content.Block, out *stepRender) error {
	for i, b := range blocks {
		if b.Kind != content.Markdown {
			continue
		}
		for narrower := 2; widest(out.blocks[i]) > key.width && narrower <= 8; narrower += 2 {
			k := key
			k.width = max(20, key.width-narrower)
			r, err := renderStep(spec, k, []content.Block{b})
			if err != nil {
				return err
			}
			out.blocks[i] = r.blocks[0]
		}
	}
	return nil
}

// widest is the width of the widest line of s.
func widest(s string) int {
	w := 0
	for _, l := range strings.Split(s, "\n") {
		w = max(w, lipgloss.Width(l))
	}
	return w
}

// isQuote reports markdown made only of blockquote lines.
func isQuote(md string) bool {
	md = strings.TrimSpace(md)
	if md == "" {
		return false
	}
	for _, l := range strings.Split(md, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), ">") {
			return false
		}
	}
	return true
}

// unquote drops the "> " marks of a quote, keeping its paragraphs.
func unquote(md string) string {
	lines := strings.Split(strings.TrimSpace(md), "\n")
	for i, l := range lines {
		l = strings.TrimPrefix(strings.TrimSpace(l), ">")
		lines[i] = strings.TrimPrefix(l, " ")
	}
	return strings.Join(lines, "\n")
}
