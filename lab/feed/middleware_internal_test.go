package feed

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"

	"scalelab/lab/pg/pgtest"
	"scalelab/lab/telemetry"
)

// A handler that panics still ends its request: its hold on the app is
// released (else SetKnobs and Close would wait for it forever), the client
// gets a 500 and the telemetry counts it.
func TestRoutePanicEndsTheRequest(t *testing.T) {
	rec := telemetry.NewRecorder()
	s := New(pgtest.NewDatabase(t), Fixed(), rec)
	h := s.route("/boom", func(*app, http.ResponseWriter, *http.Request) { panic("boom") })
	ts := httptest.NewUnstartedServer(h)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.Start()
	defer ts.Close()

	resp, err := http.Get(ts.URL)
	if err != nil {
		t.Errorf("GET: %v (want a 500 answer)", err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError || resp.Header.Get("X-Scalelab-Cause") != string(telemetry.Other) {
			t.Errorf("GET: %d, cause %q; want 500, %q", resp.StatusCode, resp.Header.Get("X-Scalelab-Cause"), telemetry.Other)
		}
	}
	a := s.cur.Load()
	if !a.inflight.TryLock() {
		t.Fatal("the panicking request still holds the app: SetKnobs and Close would hang")
	}
	a.inflight.Unlock()
	if tot := rec.Snapshot().Total; tot.Failed != 1 || tot.ByCause[telemetry.Other] != 1 {
		t.Errorf("telemetry: %+v", tot)
	}
	if err := s.SetKnobs(context.Background(), Broken()); err != nil {
		t.Error(err)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
}
