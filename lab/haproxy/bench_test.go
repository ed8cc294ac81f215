package haproxy_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"scalelab/lab/haproxy"
	"scalelab/lab/load"
)

// The balancer's own cost: the same backend loaded directly and through HAProxy, in the same
// run, with the load runner's requester (hey's, as the lab's load tests use), 50 users for 2 s
// each way. "instant" answers at once, so its ratios are HAProxy's whole overhead on loopback;
// "work-2ms" waits 2 ms first, as a replica running a short query does.
//
//	go test -run '^$' -bench Overhead -benchtime 3x ./lab/haproxy/
func BenchmarkBalancerOverhead(b *testing.B) {
	needHAProxy(b)
	be := startBackend(b, "a", "")
	p := start(b, haproxy.Config{Dir: shortDir(b), Listen: freeAddr(b), Backends: []haproxy.Backend{{Name: "a", Addr: be.Addr()}}})
	for _, c := range []struct{ name, path string }{{"instant", "/feed"}, {"work-2ms", "/work"}} {
		b.Run(c.name, func(b *testing.B) { overhead(b, "http://"+be.Addr()+c.path, p.URL()+c.path) })
	}
}

func overhead(b *testing.B, directURL, balancedURL string) {
	run := func(url string) *load.Result {
		res, err := load.Run(context.Background(), load.Options{URL: url, Concurrency: 50, Duration: 2 * time.Second}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if res.Failed > 0 {
			b.Fatalf("%s: %d of %d failed: %v", url, res.Failed, res.Total, res.Errors)
		}
		return res
	}
	var direct, through struct{ p99, rps float64 }
	for b.Loop() {
		d, h := run(directURL), run(balancedURL)
		direct.p99 += ms(d.P99)
		direct.rps += d.RPS
		through.p99 += ms(h.P99)
		through.rps += h.RPS
	}
	n := float64(b.N)
	b.ReportMetric(direct.p99/n, "p99-ms-direct")
	b.ReportMetric(through.p99/n, "p99-ms-haproxy")
	b.ReportMetric(direct.rps/n, "rps-direct")
	b.ReportMetric(through.rps/n, "rps-haproxy")
	b.ReportMetric(through.p99/direct.p99, "p99-x-direct")
	b.ReportMetric(through.rps/direct.rps, "rps-x-direct")
}

// How long a crashed backend keeps its place with the default checks (every 1 s, DOWN after 2
// failures): from the kill to the DOWN that Stats reports, polled every 20 ms.
//
//	go test -run '^$' -bench Detection -benchtime 5x ./lab/haproxy/
func BenchmarkDetectionWindow(b *testing.B) {
	needHAProxy(b)
	a, bb := startBackend(b, "a", ""), startBackend(b, "b", "")
	addr := a.Addr()
	cfg := haproxy.Config{Dir: shortDir(b), Listen: freeAddr(b), Backends: []haproxy.Backend{{Name: "a", Addr: addr}, {Name: "b", Addr: bb.Addr()}}}
	p := start(b, cfg)
	lo, hi := cfg.DetectionWindow()
	var total, worst time.Duration
	best := time.Hour
	for b.Loop() {
		waitFor(b, hi+5*time.Second, "a UP after a passed check", func() bool {
			s, _ := mustStats(b, p).Server("a")
			return s.State == "UP" && s.CheckStatus == "L7OK"
		})
		// Turning UP happens at a check: kill at a random point between two checks instead.
		time.Sleep(rand.N(p.Config().CheckInterval))
		a.kill()
		t0 := time.Now()
		waitFor(b, hi+5*time.Second, "a DOWN", func() bool { return serverState(b, p, "a") == "DOWN" })
		d := time.Since(t0)
		total += d
		worst, best = max(worst, d), min(best, d)
		a = startBackend(b, "a", addr)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "detect-ms-mean")
	b.ReportMetric(float64(best.Milliseconds()), "detect-ms-min")
	b.ReportMetric(float64(worst.Milliseconds()), "detect-ms-max")
	b.ReportMetric(float64(lo.Milliseconds()), "window-ms-from")
	b.ReportMetric(float64(hi.Milliseconds()), "window-ms-to")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
