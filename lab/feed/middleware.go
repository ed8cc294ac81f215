package feed

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"scalelab/lab/telemetry"
)

// statusWriter remembers the status and failure cause of a response, and
// lets go of the request's app when the answer starts: a handler is done
// with the database by then, so a client that reads slowly does not hold
// up SetKnobs or Close, which wait for the app's requests.
type statusWriter struct {
	http.ResponseWriter
	status int
	cause  telemetry.Cause
	app    *app // held (inflight.RLock) until the answer starts; nil after
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.letGo()
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.letGo()
	return w.ResponseWriter.Write(b)
}

// letGo ends the request's hold on its app (once).
func (w *statusWriter) letGo() {
	if w.app != nil {
		w.app.inflight.RUnlock()
		w.app = nil
	}
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
					s.errs.note(telemetry.Other, fmt.Errorf("the handler panicked: %v", p))
					markCause(sw, telemetry.Other)
					writeJSON(sw, http.StatusInternalServerError, map[string]string{"error": "the feed API failed on this request (a bug in scalelab); the lab keeps the details", "cause": string(telemetry.Other)})
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
		sw.app = a
		defer sw.letGo() // runs before the telemetry above, panic or not
		switch {
		case s.initErr != nil:
			s.errs.note(telemetry.Other, s.initErr)
			writeJSON(sw, http.StatusInternalServerError, map[string]string{"error": initMessage(s.initErr), "cause": string(telemetry.Other)})
			sw.cause = telemetry.Other
		case a == nil:
			writeJSON(sw, http.StatusServiceUnavailable, map[string]string{"error": "the feed API is shutting down", "cause": string(telemetry.Other)})
			sw.cause = telemetry.Other
		default:
			h(a, sw, r)
		}
	})
}

// initMessage says why a feed API that could not be set up answers 500,
// without the database URL (user, host:port) that the error may quote.
func initMessage(err error) string {
	if errors.Is(err, ErrBadKnobs) {
		return "the feed API's connection knobs are invalid: " + err.Error()
	}
	return "the feed API's database settings are invalid: fix --db or DATABASE_URL and start it again"
}
