package singleserver

import (
	"regexp"
	"slices"
	"strings"

	"scalelab/lab/feed"
)

// The Fix 1 changes a task of the scenario stands for, by its tag (content/01-single-server.md).
const (
	fixSharedPool = "shared-pool" // one pool for the whole API
	fixPoolSize   = "pool-size"   // 10 connections, 2 s to get one
	fixNoClose    = "no-close"    // the pool is not closed after each request
	fixNoDelay    = "no-delay"    // no simulated 500 ms slow query
)

// fixes lists the Fix 1 changes in the order they are counted.
var fixes = []string{fixSharedPool, fixPoolSize, fixNoClose, fixNoDelay}

// presetTag is an applied setting that names a whole preset ("preset:fixed"): a scenario
// without Fix 1 tasks restarts the API with its command's --preset.
const presetTag = "preset:"

// taskFixes are the Fix 1 changes of a task, known by its key: its tag, or for an untagged task
// (the original scenario's) its ID, whose words say what it changes. An untagged task's ID is
// its step's ID and the first 40 characters of a slug of its text
// ("step3-replace-the-getdbconnection-function-wit"), so a few words decide: only letters and
// digits after the step are read ("getDbConnection()" and "getdbconn" match, as "db.end()" and
// "db-end"), and a word cut at the end still matches its start.
func taskFixes(key string) []string {
	if slices.Contains(fixes, key) {
		return []string{key}
	}
	x := alnum(stepPrefix.ReplaceAllString(strings.ToLower(key), ""))
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(x, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("getdbconn") && has("shared", "function"):
		// "replace the getDbConnection() function with the shared pool above" (max 10, 2 s)
		return []string{fixSharedPool, fixPoolSize}
	case has("dbend", "close"):
		return []string{fixNoClose}
	case has("500", "settimeout", "delay", "sleep", "promise"):
		return []string{fixNoDelay}
	case has("getdbconn", "sharedpool"): // "replace const db = getDbConnection() with just db"
		return []string{fixSharedPool}
	}
	return nil
}

// stepPrefix is the step part of an untagged task's ID ("step3-", "intro-").
var stepPrefix = regexp.MustCompile(`^(step[0-9]+|intro)-`)

// alnum is s in lower case with only its letters and digits.
func alnum(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// knobsFromTasks turns the ticked Fix 1 tasks into knobs, starting from the broken preset:
// changes of total Fix 1 tasks are ticked.
func knobsFromTasks(ticked map[string]bool) (k feed.Knobs, changes, total int) {
	k = feed.Broken()
	for _, key := range sortedKeys(ticked) {
		fx := taskFixes(key)
		if len(fx) == 0 {
			continue
		}
		total++
		if !ticked[key] {
			continue
		}
		changes++
		for _, f := range fx {
			k = withFix(k, f)
		}
	}
	return k, changes, total
}

// appliedFixes lists the fix tags of the ticked Fix 1 tasks, sorted and without repeats.
func appliedFixes(ticked map[string]bool) []string {
	out := []string{}
	for key, on := range ticked {
		if on {
			for _, f := range taskFixes(key) {
				if !slices.Contains(out, f) {
					out = append(out, f)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// scenarioFixes lists the fix tags of all the Fix 1 tasks, ticked or not.
func scenarioFixes(ticked map[string]bool) []string {
	all := make(map[string]bool, len(ticked))
	for key := range ticked {
		all[key] = true
	}
	return appliedFixes(all)
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// knobsFromApplied turns applied settings (fix tags, or a preset tag) into the API's knobs,
// starting from the broken preset; unknown tags are ignored.
func knobsFromApplied(applied []string) feed.Knobs {
	k := feed.Broken()
	for _, f := range applied {
		if p, ok := strings.CutPrefix(f, presetTag); ok {
			if pk, err := feed.ParsePreset(p); err == nil {
				k = pk
			}
			continue
		}
		k = withFix(k, f)
	}
	return k
}

// withFix applies one Fix 1 change to the knobs.
func withFix(k feed.Knobs, fix string) feed.Knobs {
	switch fix {
	case fixSharedPool:
		k.SharedPool = true
	case fixPoolSize:
		k.MaxConns, k.ConnectTimeout = feed.Fixed().MaxConns, feed.Fixed().ConnectTimeout
	case fixNoClose:
		k.ClosePerRequest = false
	case fixNoDelay:
		k.SlowQuery = 0
	}
	return k
}

// hasFix tells whether the knobs include one Fix 1 change.
func hasFix(k feed.Knobs, fix string) bool { return withFix(k, fix) == k }

// fixCount is how many of the Fix 1 changes the knobs have (the broken preset has none).
func fixCount(k feed.Knobs) int {
	n := 0
	for _, f := range fixes {
		if hasFix(k, f) {
			n++
		}
	}
	return n
}

// presetFromArgs is the preset a start command names (--preset NAME); the fixed one when it
// names none (`npm run start` after editing server.js: the learner's fixed code).
func presetFromArgs(args []string) feed.Knobs {
	for i, a := range args {
		v := ""
		if a == "--preset" || a == "-preset" {
			if i+1 < len(args) {
				v = args[i+1]
			}
		} else if strings.HasPrefix(a, "--preset=") {
			v = strings.TrimPrefix(a, "--preset=")
		}
		if k, err := feed.ParsePreset(v); v != "" && err == nil {
			return k
		}
	}
	return feed.Fixed()
}
