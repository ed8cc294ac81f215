package feed

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"scalelab/lab/telemetry"
)

// metrics is the API's Prometheus registry: what GET /metrics serves, so a
// real Prometheus/Grafana can scrape the lab.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	failures *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scalelab_http_requests_total", Help: "HTTP requests served, by route and status code.",
		}, []string{"route", "status"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scalelab_http_failures_total", Help: "Failed HTTP requests, by route and cause.",
		}, []string{"route", "cause"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "scalelab_http_request_duration_seconds",
			Help:    "HTTP request latency, by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .15, .25, .5, .75, 1, 2, 2.5, 5, 10},
		}, []string{"route"}),
	}
	m.reg.MustRegister(m.requests, m.failures, m.latency, &poolCollector{s},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(route string, status int, cause telemetry.Cause, latency time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	if cause != telemetry.OK {
		m.failures.WithLabelValues(route, string(cause)).Inc()
	}
	m.latency.WithLabelValues(route).Observe(latency.Seconds())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// poolCollector reports Stats at scrape time.
type poolCollector struct{ s *Server }

var (
	descPool = func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("scalelab_pool_"+name, help, nil, nil)
	}
	dAcquired     = descPool("acquired_conns", "Connections borrowed by requests now.")
	dIdle         = descPool("idle_conns", "Open connections waiting in the pool.")
	dConstructing = descPool("constructing_conns", "Connections being opened now.")
	dTotal        = descPool("total_conns", "Open connections in the API's pools.")
	dMax          = descPool("max_conns", "Pool size limit (summed over per-request pools).")
	dLive         = descPool("live_pools", "Pools open now (per-request mode: in flight plus leaked).")
	dCreated      = descPool("created_total", "Per-request pools created.")
	dAcquires     = descPool("acquires_total", "Successful acquires.")
	dEmpty        = descPool("empty_acquires_total", "Acquires that had to wait for a connection.")
	dCanceled     = descPool("canceled_acquires_total", "Acquires given up (timeout or client gone).")
	dNewConns     = descPool("new_conns_total", "Connections opened (attempts, failed ones included).")
	dWait         = descPool("acquire_wait_seconds_total", "Time spent acquiring connections.")
	dBackends     = prometheus.NewDesc("scalelab_postgres_backends", "PostgreSQL client backends (pg_stat_activity).", []string{"kind"}, nil)
	dMaxConn      = prometheus.NewDesc("scalelab_postgres_max_connections", "PostgreSQL max_connections.", nil, nil)
	dUp           = prometheus.NewDesc("scalelab_postgres_up", "1 if the monitoring connection reached PostgreSQL.", nil, nil)
)

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dAcquired, dIdle, dConstructing, dTotal, dMax, dLive, dCreated,
		dAcquires, dEmpty, dCanceled, dNewConns, dWait, dBackends, dMaxConn, dUp} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	st := c.s.Stats(ctx)
	g := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	ctr := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	p := st.Pool
	g(dAcquired, float64(p.Acquired))
	g(dIdle, float64(p.Idle))
	g(dConstructing, float64(p.Constructing))
	g(dTotal, float64(p.Total))
	g(dMax, float64(p.MaxConns))
	g(dLive, float64(st.LivePools))
	ctr(dCreated, float64(st.PoolsCreated))
	ctr(dAcquires, float64(p.AcquireCount))
	ctr(dEmpty, float64(p.EmptyAcquire))
	ctr(dCanceled, float64(p.CanceledAcquire))
	ctr(dNewConns, float64(p.NewConns))
	ctr(dWait, p.AcquireWait.Seconds())
	if st.DBErr != "" {
		g(dUp, 0)
		return
	}
	g(dUp, 1)
	g(dBackends, float64(st.Backends), "all")
	g(dBackends, float64(st.APIBackends), "api")
	g(dBackends, float64(st.ActiveBackends), "api_active")
	g(dMaxConn, float64(st.MaxConnections))
}
