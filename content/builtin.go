package content

import (
	"embed"
	"fmt"
	"sync"
)

// Files holds the scenarios shipped with scalelab.
//
//go:embed *.md
var Files embed.FS

// BuiltinFile is the name of the default scenario in Files.
const BuiltinFile = "01-single-server.md"

var builtin = sync.OnceValues(func() (*Scenario, error) {
	src, err := Files.ReadFile(BuiltinFile)
	if err != nil {
		return nil, err
	}
	return Parse(BuiltinFile, src)
})

// Builtin returns the scenario shipped with scalelab. It is parsed once; callers must not
// modify it. A broken embedded file is a build mistake the tests catch, so it panics.
func Builtin() *Scenario {
	s, err := builtin()
	if err != nil {
		panic(fmt.Sprintf("content: the built-in scenario does not parse: %v", err))
	}
	return s
}
