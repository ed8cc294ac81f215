package main

import (
	"flag"
	"io"
	"strings"
	"testing"
)

// TestWorkshopFlagsCheck: the workshop checks --rows as every lab command does (labFlags) and
// leaves positional arguments to its caller (open takes a FILE).
func TestWorkshopFlagsCheck(t *testing.T) {
	parse := func(args ...string) (*workshopFlags, []string, error) {
		var f workshopFlags
		fs := flag.NewFlagSet("open", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		f.register(fs, false)
		rest, err := parseInterspersed(fs, args)
		if err != nil {
			return nil, nil, err
		}
		return &f, rest, f.check(fs)
	}
	f, rest, err := parse("scenario.md", "--rows", "500")
	if err != nil || !f.lab.rowsSet || f.lab.rows != 500 || len(rest) != 1 {
		t.Fatalf("--rows 500 with a FILE: err %v, rowsSet %v, rows %d, rest %q", err, f.lab.rowsSet, f.lab.rows, rest)
	}
	if f, _, err = parse("--replicas", "4"); err != nil || f.lab.config(io.Discard).Replicas != 4 {
		t.Fatalf("--replicas 4: err %v, config %+v", err, f.lab.config(io.Discard))
	}
	if f, _, err = parse(); err != nil || f.lab.rowsSet || f.lab.rows != 0 { // 0: the lab's default
		t.Fatalf("no flags: err %v, rowsSet %v, rows %d", err, f.lab.rowsSet, f.lab.rows)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--rows", "0"}, "--rows 0 is out of range"},
		{[]string{"--replicas", "1"}, "--replicas 1 is out of range: pass a number from 2 to 8"},
		{[]string{"--replicas", "9"}, "--replicas 9 is out of range"},
		{[]string{"--users", "0"}, "--users 0 is out of range"},
		{[]string{"--duration", "10h"}, "--duration 10h0m0s is out of range"},
	} {
		if _, _, err := parse(c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err %v, want %q", c.args, err, c.want)
		}
	}
}
