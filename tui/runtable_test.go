package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"scalelab/lab/load"
)

// A run read back from runs.json is text from a file: its URL and cause names reach the
// terminal without their control sequences.
func TestWriteRunTableCleansFileText(t *testing.T) {
	rec := &load.Record{
		Options: load.Options{URL: "http://127.0.0.1:1/feed\x1b]52;c;b3duZWQ=\a", Concurrency: 5, Duration: time.Second},
		State:   load.StateCustom,
		Result:  &load.Result{Total: 10, Failed: 10, Errors: map[string]int{"boom\x1b[2J": 10}},
	}
	var b bytes.Buffer
	WriteRunTable(&b, rec, nil)
	if s := b.String(); strings.ContainsAny(s, "\x1b\a") {
		t.Fatalf("control characters reached the output: %q", s)
	}
	mustContain(t, b.String(), "against http://127.0.0.1:1/feed", "boom")
}
