package tui

import (
	"path"
	"strings"

	"scalelab/assets"
	"scalelab/content"
)

// diagramFor returns the terminal drawing of an image: the parser's Asset text, or an
// assets diagram of the same base name ("assets/diagram-index.svg" -> "diagram-index").
func diagramFor(img *content.Image) string {
	if strings.TrimSpace(img.Asset) != "" {
		return strings.TrimRight(img.Asset, "\n")
	}
	base := strings.TrimSuffix(path.Base(img.Src), path.Ext(img.Src))
	if d, ok := assets.Diagram(base); ok {
		return strings.TrimRight(d, "\n")
	}
	return ""
}
