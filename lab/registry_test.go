package lab

import (
	"context"
	"strings"
	"testing"

	"scalelab/lab/load"
)

// nullLab is the least lab there is: a name and nothing to run.
type nullLab struct{ name string }

func (n nullLab) Name() string                { return n.name }
func (nullLab) Start(context.Context) error   { return nil }
func (nullLab) Close() error                  { return nil }
func (nullLab) Status(context.Context) Status { return Status{} }
func (nullLab) Actions() []Action             { return []Action{{Name: "poke", Aliases: []string{"prod"}}} }
func (nullLab) Stages() []Stage               { return nil }
func (nullLab) StageAfter([]string) string    { return "" }
func (nullLab) SetTasks(map[string]bool)      {}
func (nullLab) Sample(context.Context) Sample { return Sample{} }
func (nullLab) Conditions() []string          { return nil }
func (nullLab) LoadTest(context.Context, *load.History, load.Options, func(load.Progress)) (*load.Record, error) {
	return nil, nil
}

func TestRegistry(t *testing.T) {
	Register(Kind{Name: "null-a", New: func(Config) Lab { return nullLab{"null-a"} }})
	l, err := New("null-a", Config{})
	if err != nil || l.Name() != "null-a" {
		t.Fatalf("New(null-a) = %v, %v", l, err)
	}
	_, err = Lookup("no-such-lab")
	if err == nil || !strings.Contains(err.Error(), `"no-such-lab"`) || !strings.Contains(err.Error(), "null-a") {
		t.Errorf("unknown lab: %v, want its name and the labs there are", err)
	}
	if a, ok := FindAction(l, "prod"); !ok || a.Name != "poke" {
		t.Errorf("FindAction by alias = %+v, %v", a, ok)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a name twice did not panic")
		}
	}()
	Register(Kind{Name: "null-a", New: func(Config) Lab { return nullLab{"null-a"} }})
}

func TestStageOfLabel(t *testing.T) {
	stages := []Stage{
		{Name: "fix2", Labels: []string{"fix 2", "index"}},
		{Name: "big-index", Labels: []string{"1m rows, with the index"}},
	}
	for label, want := range map[string]string{
		"After Fix 2":             "fix2",
		"1M rows, with the index": "big-index", // the longest label wins, whatever the order
		"During an outage":        StageOutage,
		"Something else":          "",
	} {
		if got := StageOfLabel(stages, label); got != want {
			t.Errorf("StageOfLabel(%q) = %q, want %q", label, got, want)
		}
	}
	if got := StageTitle(stages, StageMixed); got != "Across a change" {
		t.Errorf("StageTitle(mixed) = %q", got)
	}
}
