package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"scalelab/lab/load"
	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

func TestLoadtestURLPrintsJSONAndRecordsTheRun(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("[]")) }))
	defer srv.Close()
	var out, errb bytes.Buffer
	a := loadtestArgs{Options: load.Options{URL: srv.URL + "/feed", Concurrency: 4, Requests: 40}, json: true}
	if err := loadtest(context.Background(), &out, &errb, a); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out.String())
	}
	for _, k := range []string{"total", "succeeded", "failed", "success_rate", "avg_ms", "p50_ms", "p99_ms", "rps", "errors", "state"} {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing: %s", k, out.String())
		}
	}
	if m["total"].(float64) != 40 || m["success_rate"].(float64) != 100 || m["state"] != "custom" {
		t.Fatalf("figures: %s", out.String())
	}
	h, err := load.OpenDefaultHistory()
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := h.Latest(load.StateCustom); !ok || r.Result.Total != 40 || r.Options.URL != srv.URL+"/feed" {
		t.Fatalf("history: %+v", h.List())
	}
}

func TestLoadtestLabPrintsTheScenarioTable(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	db := pgtest.OwnServer(t, pg.Options{})
	var out, errb bytes.Buffer
	a := loadtestArgs{Options: load.Options{Concurrency: 10, Duration: time.Second}, preset: "fixed",
		labFlags: labFlags{db: db.URL(), rows: 10_000}}
	if err := loadtest(context.Background(), &out, &errb, a); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	for _, want := range []string{"Summary:", "Requests/sec:", "Lab state: after Fix 1 (connection pooling), 10,000 rows",
		"Success rate     100.0%", "Failed requests  0 of ", "Average latency", "p99 latency", "Errors by cause: none"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	h, _ := load.OpenDefaultHistory()
	if r, ok := h.Latest(load.StateFix1); !ok || r.Rows != 10_000 || r.Result.Succeeded == 0 {
		t.Fatalf("history: %+v", h.List())
	}
}

func TestLoadtestFlags(t *testing.T) {
	if err := runLoadtest([]string{"--preset", "nope", "--url", "x"}); err == nil || !strings.Contains(err.Error(), "http") {
		t.Fatalf("a bad URL: %v", err)
	}
	if err := runLoadtest([]string{"extra"}); err == nil {
		t.Fatal("a stray argument was accepted")
	}
}
