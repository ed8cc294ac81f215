package feed

import (
	"fmt"
	"net/http"
	"time"

	"scalelab/lab/telemetry"
)

// statusWriter remembers the status and failure cause of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	cause  telemetry.Cause
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) setCause(c telemetry.Cause) { w.cause = c }

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// route wraps a handler: it runs it on the current app, times it, and records
// the outcome in the telemetry recorder and the Prometheus metrics. A handler
// that panics still ends its request (SetKnobs and Close wait for every
// request) and counts as a 500 with cause "other".
func (s *Server) route(name string, h func(*app, http.ResponseWriter, *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			p := recover()
			// After a panic: answer 500 if nothing was sent yet; else (or for
			// http.ErrAbortHandler) panic on, so net/http cuts the answer short.
			abort := p == http.ErrAbortHandler || (p != nil && sw.status != 0)
			if p != nil {
				sw.cause = telemetry.Other
				if abort {
					sw.status = http.StatusInternalServerError
				} else {
					markCause(sw, telemetry.Other)
					writeJSON(sw, http.StatusInternalServerError, map[string]string{"error": fmt.Sprintf("the handler failed: %v", p), "cause": string(telemetry.Other)})
				}
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			latency := time.Since(start)
			s.rec.Observe(name, sw.status, sw.cause, latency)
			s.metrics.observe(name, sw.status, sw.cause, latency)
			if abort {
				panic(p)
			}
		}()
		a := s.begin()
		if a != nil {
			defer s.end(a) // runs before the telemetry above, panic or not
		}
		switch {
		case s.initErr != nil:
			writeJSON(sw, http.StatusInternalServerError, map[string]string{"error": s.initErr.Error(), "cause": string(telemetry.Other)})
			sw.cause = telemetry.Other
		case a == nil:
			writeJSON(sw, http.StatusServiceUnavailable, map[string]string{"error": "the feed API is shutting down", "cause": string(telemetry.Other)})
			sw.cause = telemetry.Other
		default:
			h(a, sw, r)
		}
	})
}
