package content

import (
	"path"
	"strings"

	"scalelab/assets"
)

// diagramFor returns the terminal diagram for an image source ("assets/diagram-index.svg").
func diagramFor(src string) (string, bool) {
	base := path.Base(strings.ReplaceAll(src, "\\", "/"))
	return assets.Diagram(base)
}
