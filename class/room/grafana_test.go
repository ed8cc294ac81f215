package room

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

const dashboardFile = "../../assets/grafana/scalelab-class.json"

type dashboardPanel struct {
	ID         int    `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource *struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	GridPos *struct{ X, Y, W, H int } `json:"gridPos"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []dashboardPanel `json:"panels"` // a row's panels
}

type dashboard struct {
	Inputs []struct {
		Name     string `json:"name"`
		Type     string `json:"type"`
		PluginID string `json:"pluginId"`
	} `json:"__inputs"`
	SchemaVersion int              `json:"schemaVersion"`
	UID           string           `json:"uid"`
	Title         string           `json:"title"`
	Panels        []dashboardPanel `json:"panels"`
	Templating    struct {
		List []struct {
			Name       string `json:"name"`
			Definition string `json:"definition"`
		} `json:"list"`
	} `json:"templating"`
}

// metricName finds the metric names a PromQL expression uses (the scalelab ones: the
// functions and labels around them are Prometheus's own).
var metricName = regexp.MustCompile(`\bscalelab_[a-zA-Z0-9_:]+`)

// TestDashboardQueriesExportedMetrics keeps the shipped Grafana dashboard from drifting: every
// query of every panel names metrics the Collector really exports, and every panel reads the
// datasource the dashboard asks for on import.
func TestDashboardQueriesExportedMetrics(t *testing.T) {
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s is not JSON: %v", dashboardFile, err)
	}
	if d.SchemaVersion < 36 || d.UID == "" || d.Title == "" {
		t.Errorf("schemaVersion %d, uid %q, title %q", d.SchemaVersion, d.UID, d.Title)
	}
	if len(d.Inputs) != 1 || d.Inputs[0].Name != "DS_PROMETHEUS" || d.Inputs[0].PluginID != "prometheus" {
		t.Errorf("inputs %+v, want one Prometheus datasource input DS_PROMETHEUS", d.Inputs)
	}

	// what the Collector exports for a class with learners, runs and a queue
	exported := map[string]bool{}
	for _, line := range strings.Split(gatherText(t, metricsRoom().Collector()), "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			exported[strings.Fields(name)[0]] = true
		}
	}
	for _, m := range families {
		name := strings.Split(strings.TrimPrefix(m.desc.String(), `Desc{fqName: "`), `"`)[0]
		if !exported[name] {
			t.Errorf("the test's room does not make %s appear: give it what that metric needs", name)
		}
	}

	check := func(where, expr string) {
		names := metricName.FindAllString(expr, -1)
		if len(names) == 0 {
			t.Errorf("%s: %q names no scalelab metric", where, expr)
		}
		for _, n := range names {
			if !exported[n] {
				t.Errorf("%s: %q queries %s, which the Collector does not export", where, expr, n)
			}
		}
	}
	var walk func([]dashboardPanel)
	ids := map[int]bool{}
	used := map[string]bool{}
	walk = func(ps []dashboardPanel) {
		for _, p := range ps {
			if ids[p.ID] {
				t.Errorf("panel id %d twice", p.ID)
			}
			ids[p.ID] = true
			walk(p.Panels)
			if p.Type == "row" {
				continue
			}
			if p.Datasource == nil || p.Datasource.UID != "${DS_PROMETHEUS}" {
				t.Errorf("panel %q does not read ${DS_PROMETHEUS}", p.Title)
			}
			if p.GridPos == nil || p.GridPos.W == 0 || p.GridPos.H == 0 || p.GridPos.X+p.GridPos.W > 24 {
				t.Errorf("panel %q has no place on the grid: %+v", p.Title, p.GridPos)
			}
			if len(p.Targets) == 0 {
				t.Errorf("panel %q queries nothing", p.Title)
			}
			for _, tg := range p.Targets {
				check("panel "+p.Title, tg.Expr)
				for _, n := range metricName.FindAllString(tg.Expr, -1) {
					used[n] = true
				}
			}
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		check("variable "+v.Name, v.Definition)
	}
	// the panels the classroom asks for
	for _, n := range []string{"scalelab_class_learners", "scalelab_class_load_tests", "scalelab_class_stage_median_p99_seconds",
		"scalelab_class_stage_median_success_ratio", "scalelab_class_stage_median_rps", "scalelab_class_learner_run_p99_seconds",
		"scalelab_class_learner_step"} {
		if !used[n] {
			t.Errorf("no panel shows %s", n)
		}
	}
}
