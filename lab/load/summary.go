package load

import (
	"bufio"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// summary is what hey's text summary says, parsed back into numbers.
//
// Why parse the text: hey's requester keeps its per-request results private and only prints a
// summary, and hey builds its own http.Transport, so a RequestFunc or an httptrace hook never sees
// a response's status code or a transport error. The summary (default template of hey v0.1.5, which
// go.mod pins) carries everything the scenario's table needs: status code distribution, error
// distribution, average and percentiles. TestParseHeySummary runs hey for real and fails if the
// format drifts. What hey caps (it keeps at most 1,000,000 per-request entries) is corrected in
// result.go with the runner's own request count.
type summary struct {
	Total, Slowest, Fastest, Average time.Duration
	RPS                              float64
	Percentiles                      map[int]time.Duration // 10, 25, 50, 75, 90, 95, 99 -> latency
	StatusCodes                      map[int]int           // status -> responses
	Errors                           map[string]int        // hey's error text -> count
}

var (
	reField      = regexp.MustCompile(`^\s*([A-Za-z/ ]+):\t(\S+) secs$|^\s*(Requests/sec):\t(\S+)$`)
	rePercentile = regexp.MustCompile(`^\s*(\d+)%+ in (\S+) secs$`)
	reStatus     = regexp.MustCompile(`^\s*\[(\d+)\]\t(\d+) responses$`)
	reError      = regexp.MustCompile(`^\s*\[(\d+)\]\t(.*)$`)
)

// parseSummary reads hey's default summary text. It fails when a section it relies on is
// missing, so a format change in hey is caught instead of silently giving zeros.
func parseSummary(text string) (summary, error) {
	s := summary{Percentiles: map[int]time.Duration{}, StatusCodes: map[int]int{}, Errors: map[string]int{}}
	section := ""
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasSuffix(trimmed, ":") && !strings.HasPrefix(line, " ") {
			section = strings.TrimSuffix(trimmed, ":")
			seen[section] = true
			continue
		}
		if trimmed == "" {
			continue
		}
		switch section {
		case "Summary":
			m := reField.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			name, val := strings.TrimSpace(m[1]), m[2]
			if m[3] != "" {
				name, val = m[3], m[4]
			}
			f := parseFloat(val)
			switch name {
			case "Total":
				s.Total = secs(f)
			case "Slowest":
				s.Slowest = secs(f)
			case "Fastest":
				s.Fastest = secs(f)
			case "Average":
				s.Average = secs(f)
			case "Requests/sec":
				s.RPS = f
				seen["rps"] = true
			}
		case "Latency distribution":
			if m := rePercentile.FindStringSubmatch(line); m != nil {
				p, _ := strconv.Atoi(m[1])
				s.Percentiles[p] = secs(parseFloat(m[2]))
			}
		case "Status code distribution":
			if m := reStatus.FindStringSubmatch(line); m != nil {
				code, _ := strconv.Atoi(m[1])
				n, _ := strconv.Atoi(m[2])
				s.StatusCodes[code] += n
			}
		case "Error distribution":
			if m := reError.FindStringSubmatch(line); m != nil {
				n, _ := strconv.Atoi(m[1])
				s.Errors[m[2]] += n
			}
		}
	}
	for _, need := range []string{"Summary", "rps", "Latency distribution", "Status code distribution"} {
		if !seen[need] {
			return s, fmt.Errorf("hey's summary has no %q: its format changed (scalelab expects hey v0.1.5)", need)
		}
	}
	return s, nil
}

func parseFloat(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0 // hey prints NaN when no request got a response
	}
	return f
}

func secs(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
