package tui

import (
	"strings"
	"testing"
)

func TestPlainProseLeavesNoKeysOrPanes(t *testing.T) {
	md := "Start the load test.\n\nPress Enter on the command (or `L` from anywhere). For 30 seconds, 100\nsimulated users call `GET /feed`.\n\n" +
		"**While it runs**, watch the live panes. They show requests.\n\n" +
		"| Part | Where |\n| --- | --- |\n| Feed API | 127.0.0.1:3000 |\n| Live panes | key `d` |\n\n" +
		"Restart the API with your changes: Enter on the command below (or `R`)\nrestarts the API.\n\n" +
		"```bash\nscalelab loadtest\n```\n"
	if got := plainRewrite("Restart the API: Enter on `scalelab serve`"); got != "Restart the API: choosing `scalelab serve` from the numbered list" {
		t.Errorf("a table cell's key mention: %q", got)
	}
	got := plainProse(md)
	for _, bad := range []string{"Press", "press", "panes", "`L`", "`R`", "key `d`"} {
		if strings.Contains(got, bad) {
			t.Errorf("plain text still says %q:\n%s", bad, got)
		}
	}
	for _, want := range []string{"Start the load test.", "For 30 seconds, 100 simulated users call `GET /feed`.",
		"run the command (choose it from the numbered list after this step).", "| Feed API | 127.0.0.1:3000 |",
		"Restart the API with your changes: choosing the command below from the numbered list restarts the API.",
		"```bash\nscalelab loadtest\n```"} {
		if !strings.Contains(got, want) {
			t.Errorf("plain text lost %q:\n%s", want, got)
		}
	}
}
