package tui

import (
	"path/filepath"
	"testing"
)

// The notice a start-up leaves (another process on the worksheet) is too long for the status
// line, so it shows in a box over the text: it must not cut the ? help in half, and it goes
// after a while like every other notice instead of covering the text for good.
func TestStartNoticeNeitherCoversHelpNorStays(t *testing.T) {
	long := "this worksheet is also open in another scalelab (process 12345): both save into it and answers are merged, none is lost"
	a := newTestApp(t, filepath.Join(testHome(t), "ws.json"), func(o *Options) { o.Notice = long })
	if a.Init() == nil {
		t.Fatal("no command to clear the start-up notice")
	}
	tm := start(t, a, 80, 24)
	waitText(t, tm, "also open in another")
	send(tm, "?")
	waitText(t, tm, "? or esc closes this help.")
	send(tm, "?")
	tm.Send(clearNoticeMsg{gen: 0}) // what the start-up tick delivers
	a2, v := finalView(t, tm)
	if a2.notice != "" {
		t.Errorf("the start-up notice is still up after its time: %q\n%s", a2.notice, v)
	}
}
