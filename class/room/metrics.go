package room

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metric is one family the Collector exports.
type metric struct {
	desc  *prometheus.Desc
	vtype prometheus.ValueType
}

func newMetric(name, help string, vtype prometheus.ValueType, labels ...string) metric {
	return metric{prometheus.NewDesc(name, help, labels, nil), vtype}
}

// The Collector's families, built once: their names are what the Grafana dashboard queries.
var (
	mLearners    = newMetric("scalelab_class_learners", "Learners of the class, connected or away.", prometheus.GaugeValue, "state")
	mLoadTests   = newMetric("scalelab_class_load_tests", "Load tests running now and waiting for a slot.", prometheus.GaugeValue, "state")
	mSlots       = newMetric("scalelab_class_slots", "Load tests that may run at once (K).", prometheus.GaugeValue)
	mStep        = newMetric("scalelab_class_learner_step", "The step a learner is on (1 = the first).", prometheus.GaugeValue, "learner", "name", "scenario")
	mAnswered    = newMetric("scalelab_class_learner_answered_ratio", "The share of the scenario's questions a learner has answered (0-1).", prometheus.GaugeValue, "learner", "name", "scenario")
	mRunning     = newMetric("scalelab_class_learner_load_test_running", "1 while a learner's load test runs.", prometheus.GaugeValue, "learner", "name")
	mRunSuccess  = newMetric("scalelab_class_learner_run_success_ratio", "Success rate of a learner's latest run in a stage (0-1).", prometheus.GaugeValue, "learner", "name", "scenario", "stage")
	mRunP99      = newMetric("scalelab_class_learner_run_p99_seconds", "p99 latency of a learner's latest run in a stage.", prometheus.GaugeValue, "learner", "name", "scenario", "stage")
	mRunRPS      = newMetric("scalelab_class_learner_run_rps", "Requests per second of a learner's latest run in a stage.", prometheus.GaugeValue, "learner", "name", "scenario", "stage")
	mMedSuccess  = newMetric("scalelab_class_stage_median_success_ratio", "The class's median success rate of each learner's latest run in a stage (0-1).", prometheus.GaugeValue, "scenario", "stage", "title")
	mMedP99      = newMetric("scalelab_class_stage_median_p99_seconds", "The class's median p99 latency of each learner's latest run in a stage.", prometheus.GaugeValue, "scenario", "stage", "title")
	mMedRPS      = newMetric("scalelab_class_stage_median_rps", "The class's median requests per second of each learner's latest run in a stage.", prometheus.GaugeValue, "scenario", "stage", "title")
	mMedLearners = newMetric("scalelab_class_stage_learners", "Learners with a run in a stage.", prometheus.GaugeValue, "scenario", "stage", "title")
	mRunsTotal   = newMetric("scalelab_class_runs_total", "Load runs a learner has recorded.", prometheus.CounterValue, "learner", "name")
	families     = []metric{mLearners, mLoadTests, mSlots, mStep, mAnswered, mRunning, mRunSuccess, mRunP99,
		mRunRPS, mMedSuccess, mMedP99, mMedRPS, mMedLearners, mRunsTotal}
)

// collector builds the room's metrics from a Snapshot at every scrape.
type collector struct{ r *Room }

// Collector is the room as Prometheus metrics, read from a Snapshot at scrape time: learners
// connected and away, load tests running and queued, K, each learner's step, answers and
// latest run per stage, the class's medians per stage. Learners are labelled by their unique
// ID (learner) and their name.
func (r *Room) Collector() prometheus.Collector { return collector{r} }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range families {
		ch <- m.desc
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	s := c.r.Snapshot()
	emit := func(m metric, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(m.desc, m.vtype, v, labels...)
	}
	connected := 0
	for _, l := range s.Learners {
		if l.Connected {
			connected++
		}
	}
	emit(mLearners, float64(connected), "connected")
	emit(mLearners, float64(len(s.Learners)-connected), "away")
	emit(mLoadTests, float64(s.Running), "running")
	emit(mLoadTests, float64(s.Queued), "queued")
	emit(mSlots, float64(s.Slots))
	for _, l := range s.Learners {
		name := l.Name
		if l.Steps > 0 {
			emit(mStep, float64(l.Step+1), l.ID, name, l.Scenario)
		}
		if l.Questions > 0 {
			emit(mAnswered, float64(l.Answered)/float64(l.Questions), l.ID, name, l.Scenario)
		}
		running := 0.0
		if l.Running {
			running = 1
		}
		emit(mRunning, running, l.ID, name)
		emit(mRunsTotal, float64(len(l.Runs)), l.ID, name)
		// one series per (scenario, stage): should two labs share one, the latest run wins
		runs := LatestRuns(l.Runs)
		latest := map[[2]string]Run{}
		for _, r := range runs {
			k := [2]string{r.Scenario, r.Stage}
			if old, ok := latest[k]; !ok || compareRuns(r, old) > 0 {
				latest[k] = r
			}
		}
		for _, r := range runs {
			k := [2]string{r.Scenario, r.Stage}
			if latest[k] != r {
				continue
			}
			delete(latest, k)
			emit(mRunSuccess, r.SuccessRate/100, l.ID, name, r.Scenario, r.Stage)
			emit(mRunP99, r.P99.Seconds(), l.ID, name, r.Scenario, r.Stage)
			emit(mRunRPS, r.RPS, l.ID, name, r.Scenario, r.Stage)
		}
	}
	seen := map[[2]string]bool{}
	for _, m := range s.Medians {
		k := [2]string{m.Scenario, m.Stage}
		if seen[k] {
			continue
		}
		seen[k] = true
		emit(mMedSuccess, m.SuccessRate/100, m.Scenario, m.Stage, m.Title)
		emit(mMedP99, m.P99.Seconds(), m.Scenario, m.Stage, m.Title)
		emit(mMedRPS, m.RPS, m.Scenario, m.Stage, m.Title)
		emit(mMedLearners, float64(m.Learners), m.Scenario, m.Stage, m.Title)
	}
}
