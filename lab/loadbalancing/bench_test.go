package loadbalancing

import (
	"context"
	"testing"
	"time"

	"scalelab/lab/load"
)

// The balancer's own cost in the lab: the lab's load test (30 users with their sessions, Fix
// B in place so nobody is logged out) through HAProxy in front of the replicas, then against
// one replica directly, in the same run.
//
//	go test -run '^$' -bench BalancerCost -benchtime 3x ./lab/loadbalancing/
func BenchmarkBalancerCost(b *testing.B) {
	l := newLab(b, tagShared)
	direct := "http://" + l.replicaList()[0].addr + "/me/feed"
	opt := load.Options{Concurrency: 30, Duration: 2 * time.Second, Timeout: 5 * time.Second}
	measure := func(url string) *load.Result {
		o := opt
		o.URL = url
		rec, err := l.LoadTest(context.Background(), nil, o, nil)
		if err != nil {
			b.Fatal(err)
		}
		if rec.Result.Failed > 0 {
			b.Fatalf("%s: %d of %d failed: %v", url, rec.Result.Failed, rec.Result.Total, rec.Result.Errors)
		}
		return rec.Result
	}
	var through, one struct{ p99, rps float64 }
	for b.Loop() {
		h, d := measure(""), measure(direct)
		through.p99 += ms(h.P99)
		through.rps += h.RPS
		one.p99 += ms(d.P99)
		one.rps += d.RPS
	}
	n := float64(b.N)
	b.ReportMetric(through.p99/n, "p99-ms-haproxy")
	b.ReportMetric(one.p99/n, "p99-ms-direct")
	b.ReportMetric(through.rps/n, "rps-haproxy")
	b.ReportMetric(one.rps/n, "rps-direct")
	b.ReportMetric(through.p99/one.p99, "p99-x-direct")
	b.ReportMetric(through.rps/one.rps, "rps-x-direct")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
