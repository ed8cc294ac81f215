package load

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	for msg, want := range map[string]string{
		`Get "http://127.0.0.1:1/feed": dial tcp 127.0.0.1:1: connect: connection refused`:                             CauseRefused,
		`Get "http://127.0.0.1:3000/feed": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`: CauseTimeout,
		`Get "http://127.0.0.1:3000/feed": read tcp 127.0.0.1:5->127.0.0.1:3000: read: connection reset by peer`:       CauseReset,
		`Get "http://127.0.0.1:3000/feed": EOF`:         CauseClosed,
		`Get "http://127.0.0.1:3000/feed": weird thing`: CauseOtherClient,
	} {
		if got := classify(msg); got != want {
			t.Errorf("classify(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestBuildCorrectsHeysCapAndCutOffs(t *testing.T) {
	s := summary{
		Total:       10 * time.Second,
		StatusCodes: map[int]int{200: 600_000, 503: 400_000}, // hey keeps codes of its first 1e6 responses only
		Errors: map[string]int{
			`Get "x": context canceled`:                      7, // cut off by the runner at the end
			`Get "x": dial tcp: connect: connection refused`: 3,
		},
		Percentiles: map[int]time.Duration{50: time.Millisecond, 99: 9 * time.Millisecond},
	}
	r := build(s, 1_500_010) // the runner counted 1.5M started requests
	if r.Unfinished != 7 || r.Total != 1_500_003 || r.Succeeded != 900_000 || r.Failed != 600_003 {
		t.Fatalf("unfinished %d total %d succeeded %d failed %d", r.Unfinished, r.Total, r.Succeeded, r.Failed)
	}
	if r.Errors["http 503"] != 600_000 || r.Errors[CauseRefused] != 3 || len(r.Errors) != 2 {
		t.Fatalf("errors %v", r.Errors)
	}
	if r.RPS < 150_000 || r.RPS > 150_001 || r.SuccessRate < 59.99 || r.SuccessRate > 60 {
		t.Fatalf("rps %v success %v", r.RPS, r.SuccessRate)
	}
}

func TestAttributeServerCauses(t *testing.T) {
	r := &Result{Total: 1015, Succeeded: 100, Failed: 915, Elapsed: time.Second,
		StatusCodes: map[int]int{200: 100, 503: 900, 400: 5},
		Errors:      map[string]int{"http 503": 900, "http 400": 5, CauseTimeout: 10}}
	// The server saw a few more failures than the client (requests cut off at the end), and
	// counts its 400s and the requests whose client had gone as client errors.
	r.AttributeServerCauses(map[string]int{"connect_timeout": 610, "too_many_clients": 305, "": 100, "client_error": 9})
	sum := 0
	for _, n := range r.Errors {
		sum += n
	}
	if sum != r.Failed || r.Errors["http 503"] != 0 || r.Errors[CauseTimeout] != 10 || r.Errors["http 400"] != 5 || r.Errors["client_error"] != 0 ||
		r.Errors["connect_timeout"] != 600 || r.Errors["too_many_clients"] != 300 {
		t.Fatalf("errors %v (sum %d, failed %d)", r.Errors, sum, r.Failed)
	}
	if r.ServerErrors["connect_timeout"] != 610 || r.ServerErrors["client_error"] != 9 {
		t.Fatalf("server errors %v", r.ServerErrors)
	}
	// Fewer server causes than failed responses: the rest stays under its status code.
	r2 := &Result{Total: 100, Failed: 100, StatusCodes: map[int]int{503: 100}, Errors: map[string]int{"http 503": 100}}
	r2.AttributeServerCauses(map[string]int{"database_down": 80})
	if r2.Errors["database_down"] != 80 || r2.Errors["http 503"] != 20 {
		t.Fatalf("errors %v", r2.Errors)
	}
	// No server telemetry (an outside URL): nothing changes.
	r2.AttributeServerCauses(nil)
	if r2.Errors["http 503"] != 20 || r2.ServerErrors["database_down"] != 80 {
		t.Fatalf("errors %v", r2.Errors)
	}
}

func TestResultJSONKeys(t *testing.T) {
	r := sampleResult()
	r.State = StateBroken
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"total", "succeeded", "failed", "success_rate", "avg_ms", "p50_ms", "p99_ms", "rps", "errors", "state"} {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing from %s", k, b)
		}
	}
	if m["avg_ms"].(float64) != 12.345 || m["p99_ms"].(float64) != 150 || m["state"] != "broken" || m["success_rate"].(float64) != 40 {
		t.Fatalf("values in %s", b)
	}
	if !strings.Contains(string(b), `"errors":{"connect_timeout":60}`) {
		t.Fatalf("errors in %s", b)
	}
}
