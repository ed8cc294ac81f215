package load

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Stages a run is filed under (Record.State, Result.State). A lab names its own stages
// (lab.Stage); StateBroken, StateFix1 and StateFix2 are Scenario 1's, which lab/singleserver
// files its runs under. The last three are every lab's (lab.StageCustom, StageOutage, StageMixed).
const (
	StateBroken = "broken" // Scenario 1 as shipped: per-request pools, no index
	StateFix1   = "fix1"   // Scenario 1 after Fix 1: one shared pool, still no index
	StateFix2   = "fix2"   // Scenario 1 after Fix 2: shared pool and the index on created_at
	StateCustom = "custom" // settings of none of the lab's stages, or an outside URL
	StateOutage = "outage" // a component was down, or went down or restarted, during the run
	StateMixed  = "mixed"  // the lab's stage changed during the run
)

// How a run ended.
const (
	EndedTime      = "time"      // the duration ran out
	EndedCount     = "count"     // every requested request was made
	EndedCancelled = "cancelled" // the caller's context was cancelled
)

// Client-side causes of failure (the server's own causes come from its telemetry, see
// Result.AttributeServerCauses).
const (
	CauseTimeout     = "timeout"            // no answer within Options.Timeout
	CauseRefused     = "connection refused" // nothing listens at the URL
	CauseReset       = "connection reset"   // the server dropped the connection
	CauseClosed      = "connection closed"  // the server closed the connection before answering (EOF)
	CauseOtherClient = "other error"        // any other transport error
)

// Result is what one load run measured, from the load generator's side.
//
// Latency (Avg, P50, P99, Fastest, Slowest) is over every request that got an HTTP response,
// whatever its status: the broken API's fast 503s count, exactly as the scenario's p99 "over all
// requests". Requests that got no response at all (timeouts, refused connections) have no latency
// of their own and are only counted in Failed and Errors. This is how hey measures, and the summary
// it prints agrees with the table.
type Result struct {
	Total       int            // requests that ended within the run (Succeeded + Failed)
	Succeeded   int            // 2xx responses
	Failed      int            // everything else: non-2xx responses and transport errors
	SuccessRate float64        // percent, 0-100
	Avg         time.Duration  // mean latency of the requests that got a response
	P50, P99    time.Duration  // percentiles of the same
	Fastest     time.Duration  //
	Slowest     time.Duration  //
	RPS         float64        // Total / Elapsed
	Elapsed     time.Duration  // from the first request to the last one ending
	StatusCodes map[int]int    // status -> responses
	Errors      map[string]int // failures by cause; sums to Failed
	Messages    map[string]int // the transport errors' own text (at most 10 kinds), for the curious
	// ServerErrors is the API's own count of failures by cause during the run, when the target
	// is the lab's API (AttributeServerCauses); empty for an outside URL.
	ServerErrors map[string]int
	// Unfinished counts requests still in flight when the run ended (cut off shortly after the
	// deadline, or at cancel). They are not in Total: they neither succeeded nor failed.
	Unfinished int
	Ended      string // EndedTime, EndedCount or EndedCancelled
	State      string // the lab state the run ran against (StateBroken ... StateCustom); set by the caller
	Summary    string // hey's own summary text
}

// classify names the cause of one of hey's transport errors.
func classify(msg string) string {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "timeout") || strings.Contains(m, "deadline exceeded"):
		return CauseTimeout
	case strings.Contains(m, "connection refused"):
		return CauseRefused
	case strings.Contains(m, "connection reset") || strings.Contains(m, "broken pipe"):
		return CauseReset
	case strings.HasSuffix(m, "eof"):
		return CauseClosed
	}
	return CauseOtherClient
}

// isOurCancel tells the requests the runner itself cut off at the end of a run.
func isOurCancel(msg string) bool { return strings.Contains(msg, "context canceled") }

// StatusCause is the cause name of a non-2xx response, e.g. "http 503".
func StatusCause(code int) string { return fmt.Sprintf("http %d", code) }

// build turns hey's summary plus the runner's own request count into a Result.
// started is how many requests the workers began (every one of them ended before hey returned).
func build(s summary, started int) *Result {
	r := &Result{
		Avg: s.Average, P50: s.Percentiles[50], P99: s.Percentiles[99],
		Fastest: s.Fastest, Slowest: s.Slowest, Elapsed: s.Total,
		StatusCodes: map[int]int{}, Errors: map[string]int{}, Messages: map[string]int{},
	}
	transport := 0
	for msg, n := range s.Errors {
		if isOurCancel(msg) {
			r.Unfinished += n
			continue
		}
		transport += n
		r.Errors[classify(msg)] += n
		r.Messages[msg] += n
	}
	trimMessages(r.Messages, 10)
	// hey keeps status codes for its first 1,000,000 responses only; scale them up to the number
	// of responses the runner counted (exact below that cap).
	responses := started - r.Unfinished - transport
	seen := 0
	for _, n := range s.StatusCodes {
		seen += n
	}
	if responses < 0 {
		responses = seen // cannot happen unless hey's counting changes; trust hey then
	}
	scaled := scale(s.StatusCodes, responses, seen)
	for code, n := range scaled {
		r.StatusCodes[code] = n
		if code >= 200 && code < 300 {
			r.Succeeded += n
		} else {
			r.Errors[StatusCause(code)] += n
		}
	}
	r.Total = r.Succeeded + transport
	for code, n := range r.StatusCodes {
		if code < 200 || code >= 300 {
			r.Total += n
		}
	}
	r.Failed = r.Total - r.Succeeded
	if _, ok := s.Percentiles[99]; !ok || r.P99 == 0 {
		// hey prints no 99th percentile below 100 responses: the slowest is the honest figure.
		r.P99 = s.Slowest
	}
	if r.P50 == 0 {
		r.P50 = s.Average
	}
	r.finish()
	return r
}

// finish recomputes the derived figures.
func (r *Result) finish() {
	r.SuccessRate = 0
	if r.Total > 0 {
		r.SuccessRate = 100 * float64(r.Succeeded) / float64(r.Total)
	}
	r.RPS = 0
	if r.Elapsed > 0 {
		r.RPS = float64(r.Total) / r.Elapsed.Seconds()
	}
	for k, n := range r.Errors {
		if n == 0 {
			delete(r.Errors, k)
		}
	}
}

// scale multiplies counts so they sum to want (largest remainder rounding). have is their sum.
func scale[K comparable](counts map[K]int, want, have int) map[K]int {
	out := make(map[K]int, len(counts))
	if have == want || have == 0 {
		for k, n := range counts {
			out[k] = n
		}
		return out
	}
	type rem struct {
		k K
		f float64
	}
	var rems []rem
	got := 0
	for k, n := range counts {
		exact := float64(n) * float64(want) / float64(have)
		fl := int(math.Floor(exact))
		out[k] = fl
		got += fl
		rems = append(rems, rem{k, exact - float64(fl)})
	}
	sort.Slice(rems, func(i, j int) bool { return rems[i].f > rems[j].f })
	for i := 0; got < want && len(rems) > 0; i = (i + 1) % len(rems) {
		out[rems[i].k]++
		got++
	}
	return out
}

func trimMessages(m map[string]int, keep int) {
	if len(m) <= keep {
		return
	}
	type kv struct {
		k string
		n int
	}
	var all []kv
	for k, n := range m {
		all = append(all, kv{k, n})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].n > all[j].n || all[i].n == all[j].n && all[i].k < all[j].k })
	for _, e := range all[keep:] {
		delete(m, e.k)
	}
}

// AttributeServerCauses explains the failed HTTP responses with the API's own telemetry: causes
// is what the server counted by cause during the run (e.g. connect_timeout: 1200). The "http 5xx"
// entries of Errors are replaced by the server's causes, scaled to the number of such responses
// the client saw (the counts differ by the few requests cut off at the end). "client_error" is
// left out: it counts 4xx answers, which stay "http 4xx" here, and requests whose client had
// gone (cut off by the runner), which the client never saw. Transport errors stay as they are,
// so Errors still sums to Failed. ServerErrors keeps the server's counts as given. Calling it
// with no causes changes nothing.
func (r *Result) AttributeServerCauses(causes map[string]int) {
	explained := 0
	server, all := map[string]int{}, map[string]int{}
	for c, n := range causes {
		if c == "" || n <= 0 {
			continue
		}
		all[c] += n
		if c != "client_error" {
			server[c] += n
			explained += n
		}
	}
	if len(all) == 0 {
		return
	}
	r.ServerErrors = all
	if explained == 0 {
		return
	}
	statusFailed := 0
	statusCauses := map[string]int{}
	for code, n := range r.StatusCodes {
		if code >= 500 {
			statusFailed += n
			statusCauses[StatusCause(code)] += n
			delete(r.Errors, StatusCause(code))
		}
	}
	if explained >= statusFailed {
		for c, n := range scale(server, statusFailed, explained) {
			r.Errors[c] += n
		}
	} else {
		for c, n := range server {
			r.Errors[c] += n
		}
		// What the server did not explain stays under its status codes.
		for c, n := range scale(statusCauses, statusFailed-explained, statusFailed) {
			r.Errors[c] += n
		}
	}
	r.finish()
}

// SortedErrors returns the causes of failure, most frequent first.
func (r *Result) SortedErrors() []CauseCount {
	out := make([]CauseCount, 0, len(r.Errors))
	for c, n := range r.Errors {
		out = append(out, CauseCount{c, n})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Count > out[j].Count || out[i].Count == out[j].Count && out[i].Cause < out[j].Cause
	})
	return out
}

// CauseCount is one line of the errors-by-cause list.
type CauseCount struct {
	Cause string
	Count int
}

// resultJSON is Result on the wire: the keys scripts rely on (total, succeeded, failed,
// success_rate, avg_ms, p50_ms, p99_ms, rps, errors, state) and the rest.
type resultJSON struct {
	Total        int            `json:"total"`
	Succeeded    int            `json:"succeeded"`
	Failed       int            `json:"failed"`
	SuccessRate  float64        `json:"success_rate"`
	AvgMS        float64        `json:"avg_ms"`
	P50MS        float64        `json:"p50_ms"`
	P99MS        float64        `json:"p99_ms"`
	FastestMS    float64        `json:"fastest_ms"`
	SlowestMS    float64        `json:"slowest_ms"`
	RPS          float64        `json:"rps"`
	ElapsedS     float64        `json:"elapsed_s"`
	Errors       map[string]int `json:"errors"`
	State        string         `json:"state"`
	Ended        string         `json:"ended,omitempty"`
	Unfinished   int            `json:"unfinished"`
	StatusCodes  map[int]int    `json:"status_codes"`
	ServerErrors map[string]int `json:"server_errors,omitempty"`
	Messages     map[string]int `json:"error_messages,omitempty"`
	Summary      string         `json:"summary,omitempty"`
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

func fromMS(f float64) time.Duration { return time.Duration(math.Round(f * 1e6)) }

// MarshalJSON writes durations as milliseconds and rates as plain numbers.
func (r Result) MarshalJSON() ([]byte, error) {
	errs := r.Errors
	if errs == nil {
		errs = map[string]int{}
	}
	return json.Marshal(resultJSON{
		Total: r.Total, Succeeded: r.Succeeded, Failed: r.Failed,
		SuccessRate: math.Round(r.SuccessRate*1000) / 1000,
		AvgMS:       ms(r.Avg), P50MS: ms(r.P50), P99MS: ms(r.P99), FastestMS: ms(r.Fastest), SlowestMS: ms(r.Slowest),
		RPS: math.Round(r.RPS*100) / 100, ElapsedS: math.Round(r.Elapsed.Seconds()*1000) / 1000,
		Errors: errs, State: r.State, Ended: r.Ended, Unfinished: r.Unfinished,
		StatusCodes: r.StatusCodes, ServerErrors: r.ServerErrors, Messages: r.Messages, Summary: r.Summary,
	})
}

// UnmarshalJSON reads what MarshalJSON wrote (the run history).
func (r *Result) UnmarshalJSON(b []byte) error {
	var j resultJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Result{
		Total: j.Total, Succeeded: j.Succeeded, Failed: j.Failed, SuccessRate: j.SuccessRate,
		Avg: fromMS(j.AvgMS), P50: fromMS(j.P50MS), P99: fromMS(j.P99MS), Fastest: fromMS(j.FastestMS), Slowest: fromMS(j.SlowestMS),
		RPS: j.RPS, Elapsed: time.Duration(j.ElapsedS * float64(time.Second)),
		Errors: j.Errors, State: j.State, Ended: j.Ended, Unfinished: j.Unfinished,
		StatusCodes: j.StatusCodes, ServerErrors: j.ServerErrors, Messages: j.Messages, Summary: j.Summary,
	}
	return nil
}
