package lab

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Default is the lab of a scenario whose header names none (the original seed's file).
const Default = "single-server"

// Kind describes a registered lab.
type Kind struct {
	Name  string // what a scenario's `**Lab:**` line says ("single-server")
	Title string // a few words for lists ("one API on one PostgreSQL")
	// New makes the lab with its configuration; it starts nothing (Start does).
	New func(cfg Config) Lab
}

var (
	regMu sync.RWMutex
	kinds = map[string]Kind{}
)

// Register adds a lab kind; a lab package calls it from its init. Registering a name twice
// panics: two labs answering to one name would make a scenario ambiguous.
func Register(k Kind) {
	regMu.Lock()
	defer regMu.Unlock()
	if k.Name == "" || k.New == nil {
		panic("lab: Register needs a name and New")
	}
	if _, dup := kinds[k.Name]; dup {
		panic("lab: " + k.Name + " registered twice")
	}
	kinds[k.Name] = k
}

// Lookup finds a registered lab kind by name; "" is Default.
func Lookup(name string) (Kind, error) {
	if name == "" {
		name = Default
	}
	regMu.RLock()
	defer regMu.RUnlock()
	if k, ok := kinds[name]; ok {
		return k, nil
	}
	return Kind{}, fmt.Errorf("no lab named %q in this build (labs: %s)", name, strings.Join(namesLocked(), ", "))
}

// Names lists the registered labs, sorted.
func Names() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	return namesLocked()
}

func namesLocked() []string {
	out := make([]string, 0, len(kinds))
	for n := range kinds {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// New makes the named lab ("" is Default) with cfg; it starts nothing.
func New(name string, cfg Config) (Lab, error) {
	k, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	return k.New(cfg), nil
}

// FindAction returns the lab's action that a command name (or one of its aliases) names.
func FindAction(l Lab, name string) (Action, bool) {
	for _, a := range l.Actions() {
		if a.Name == name || slices.Contains(a.Aliases, name) {
			return a, true
		}
	}
	return Action{}, false
}

// StageTitle is the title of a stage of l, or of the stages every lab has.
func StageTitle(stages []Stage, name string) string {
	for _, s := range stages {
		if s.Name == name {
			return s.Title
		}
	}
	switch name {
	case StageOutage:
		return "During an outage"
	case StageMixed:
		return "Across a change"
	}
	return "Custom"
}

// StageOfLabel is the stage a result-table row label names: the stage with the longest of its
// Labels found in it ("1m rows, with the index" is the 1M stage, not the index one), else the
// outage runs when the label says "outage"; "" for none.
func StageOfLabel(stages []Stage, label string) string {
	x := strings.ToLower(label)
	best, bestLen := "", 0
	for _, s := range stages {
		for _, w := range s.Labels {
			if len(w) > bestLen && strings.Contains(x, w) {
				best, bestLen = s.Name, len(w)
			}
		}
	}
	if best == "" && strings.Contains(x, "outage") {
		return StageOutage
	}
	return best
}
