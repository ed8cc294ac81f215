package haproxy

import "testing"

// A request's log line is read into its fields; other lines are not taken for requests.
func TestParseLog(t *testing.T) {
	r, ok := parseLog("req 127.0.0.1:40000 lb replicas <NOSRV> 503 -1 -1 -1 0 SC-- 3 GET /me/feed")
	if !ok || r.Server != "<NOSRV>" || r.Status != 503 || r.Connect != -1 || r.Active != 0 || r.Termination != "SC--" || r.Retries != 3 || r.Path != "/me/feed" {
		t.Fatalf("parseLog = %+v, %v", r, ok)
	}
	if _, ok := parseLog("Server replicas/a is DOWN, reason: Layer4 connection problem"); ok {
		t.Fatal("a server state change read as a request")
	}
}

// A server's state change is read into its fields.
func TestParseChange(t *testing.T) {
	for text, want := range map[string]Change{
		`Server replicas/a is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 1 active and 0 backup servers left.`: {
			Backend: "replicas", Server: "a", State: "DOWN", Reason: "Layer4 connection problem", Info: "Connection refused"},
		`Server replicas/r2 is UP, reason: Layer7 check passed, code: 200, check duration: 1ms. 2 active and 0 backup servers online.`: {
			Backend: "replicas", Server: "r2", State: "UP", Reason: "Layer7 check passed"},
		`Server replicas/a is going DOWN for maintenance. 1 active and 0 backup servers left.`: {
			Backend: "replicas", Server: "a", State: "MAINT"},
	} {
		if got, ok := parseChange(text); !ok || got != want {
			t.Errorf("parseChange(%q) = %+v, %v; want %+v", text, got, ok, want)
		}
	}
	if _, ok := parseChange("backend replicas has no server available!"); ok {
		t.Error("a backend alert read as a server change")
	}
}
