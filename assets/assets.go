package assets

import (
	"embed"
	"path"
	"strings"
)

// Width is the widest a diagram line may be, in terminal columns.
const Width = 78

//go:embed *.txt
var Files embed.FS

// Diagram returns the diagram whose base name (without directory and extension) matches
// name's: "assets/diagram-index.svg", "diagram-index.txt" and "diagram-index" all find
// diagram-index.txt.
func Diagram(name string) (string, bool) {
	b, err := Files.ReadFile(baseName(name) + ".txt")
	if err != nil {
		return "", false
	}
	return strings.TrimRight(string(b), "\n"), true
}

func baseName(name string) string {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	if ext := path.Ext(base); ext != "" {
		base = strings.TrimSuffix(base, ext)
	}
	return base
}
