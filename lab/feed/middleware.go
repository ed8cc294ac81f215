package feed

import (
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
// the outcome in the telemetry recorder and the Prometheus metrics.
func (s *Server) route(name string, h func(*app, http.ResponseWriter, *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		switch a := s.begin(); {
		case s.initErr != nil:
			writeJSON(sw, http.StatusInternalServerError, map[string]string{"error": s.initErr.Error(), "cause": string(telemetry.Other)})
			sw.cause = telemetry.Other
			if a != nil {
				s.end(a)
			}
		case a == nil:
			writeJSON(sw, http.StatusServiceUnavailable, map[string]string{"error": "the feed API is shutting down", "cause": string(telemetry.Other)})
			sw.cause = telemetry.Other
		default:
			h(a, sw, r)
			s.end(a)
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		latency := time.Since(start)
		s.rec.Observe(name, sw.status, sw.cause, latency)
		s.metrics.observe(name, sw.status, sw.cause, latency)
	})
}
