package tui

import (
	"github.com/charmbracelet/glamour/ansi"
	"github.com/charmbracelet/glamour/styles"
)

// styleNoColor is the glamour style for NO_COLOR: the markdown is rendered (headings bold, bold
// text bold, lists with bullets), never shown as source ("###", "**"), and nothing relies on a
// colour or a background to be read.
const styleNoColor = "nocolor"

// noColorStyleConfig is the dark style without its colours' side effects: heading markers and the
// padding that only a background colour made readable around inline code are dropped.
func noColorStyleConfig() ansi.StyleConfig {
	cfg := styles.DarkStyleConfig
	for _, h := range []*ansi.StyleBlock{&cfg.H1, &cfg.H2, &cfg.H3, &cfg.H4, &cfg.H5, &cfg.H6} {
		h.Prefix, h.Suffix = "", ""
	}
	cfg.Code.Prefix, cfg.Code.Suffix = "", ""
	return cfg
}
