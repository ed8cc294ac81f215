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
	if got := plainRewrite("Restart the API: Enter on `scalelab serve`", true); got != "Restart the API: choosing `scalelab serve` from the numbered list" {
		t.Errorf("a table cell's key mention: %q", got)
	}
	got := plainProse(md, true)
	for _, bad := range []string{"Press", "press", "panes", "`L`", "`R`", "key `d`"} {
		if strings.Contains(got, bad) {
			t.Errorf("plain text still says %q:\n%s", bad, got)
		}
	}
	for _, want := range []string{"Start the load test.", "For 30 seconds, 100 simulated users call `GET /feed`.",
		"Run the command (choose it from the numbered list after this step).", "| Feed API | 127.0.0.1:3000 |",
		"Restart the API with your changes: choosing the command below from the numbered list restarts the API.",
		"```bash\nscalelab loadtest\n```"} {
		if !strings.Contains(got, want) {
			t.Errorf("plain text lost %q:\n%s", want, got)
		}
	}
}

// Without the lab (--no-lab, open FILE) plain mode offers no lab choices: the text sends the
// reader to another terminal instead.
func TestPlainProseWithoutTheLab(t *testing.T) {
	md := "Press Enter on the command (or `L` from anywhere). For 30 seconds.\n\n" +
		"Restart the API with your changes: Enter on the command below (or `R`)\nrestarts the API.\n"
	got := plainProse(md, false)
	if strings.Contains(got, "numbered list") {
		t.Errorf("plain text without the lab promises a numbered choice:\n%s", got)
	}
	for _, want := range []string{"Run the command in another terminal.", "Restart the API with your changes: running the command below in another terminal restarts the API."} {
		if !strings.Contains(got, want) {
			t.Errorf("plain text without the lab lacks %q:\n%s", want, got)
		}
	}
}

// A sentence that points back at one plain mode leaves out ("They show ..." after the panes) is
// left out with it; one after a kept sentence stays.
func TestPlainProseDropsWhatPointsAtTheDropped(t *testing.T) {
	md := "**While it runs**, watch the live panes. They open by themselves; `d` switches between them\n" +
		"and the text. They show requests per second.\n\nThe run ends. It prints a table.\n"
	got := plainProse(md, true)
	if strings.Contains(got, "They show") {
		t.Errorf("a sentence about the left-out panes stayed:\n%s", got)
	}
	if !strings.Contains(got, "The run ends. It prints a table.") {
		t.Errorf("a sentence after a kept one was dropped:\n%s", got)
	}
}
