package board

import (
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"scalelab/class/room"
)

// BenchmarkBoardView renders the board of a 30-learner class at 120x40 in colour (the
// projector theme, 16 ANSI colours), and reports its ratio to rendering the board of an
// empty room measured in the same process: the cost of the rows, the table and the chart.
func BenchmarkBoardView(b *testing.B) {
	lipgloss.SetColorProfile(termenv.ANSI)
	defer lipgloss.SetColorProfile(termenv.Ascii)

	empty := board(b, room.Snapshot{Class: "empty", Version: 1, At: testAt, Slots: 2}, 120, 40)
	const refRuns = 2000
	start := time.Now()
	for range refRuns {
		_ = empty.View()
	}
	emptyNs := float64(time.Since(start).Nanoseconds()) / refRuns

	full := board(b, classSnapshot(30), 120, 40)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = full.View()
	}
	fullNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(emptyNs, "empty-ns/op")
	b.ReportMetric(fullNs/emptyNs, "x-empty")
}
