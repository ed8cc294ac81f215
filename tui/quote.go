package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"scalelab/content"
)

// Blockquotes ("> **Stuck?** ...") are rendered here rather than by glamour's quote style:
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
	if err != nil || len(quotes) == 0 {
		return out, err
	}
	qk := key
	qk.width = max(20, key.width-lipgloss.Width(quoteBar))
	q, err := renderStep(spec, qk, quotes)
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
