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

// BuiltinFiles are the scenarios shipped with scalelab, in the series' order.
var BuiltinFiles = []string{BuiltinFile, "02-load-balancing.md"}

var builtins = sync.OnceValues(func() ([]*Scenario, error) {
	first, err := builtin()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", BuiltinFile, err)
	}
	out := []*Scenario{first}
	for _, name := range BuiltinFiles[1:] {
		src, err := Files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		s, err := Parse(name, src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, s)
	}
	return out, nil
})

// Builtins returns every scenario shipped with scalelab, in the series' order (Builtin's
// first). Parsed once; callers must not modify them. Like Builtin, it panics on a broken
// embedded file.
func Builtins() []*Scenario {
	s, err := builtins()
	if err != nil {
		panic(fmt.Sprintf("content: a built-in scenario does not parse: %v", err))
	}
	return s
}
