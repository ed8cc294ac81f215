package singleserver

import "scalelab/lab"

// EngineOf is the engine behind a started lab made by lab.New, for tests that look inside.
func EngineOf(l lab.Lab) *Lab { return l.(*single).engine() }
