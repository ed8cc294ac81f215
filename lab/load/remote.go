package load

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"
)

// A scalelab feed API in another process (`scalelab serve`) says what it is through its own
// endpoints: GET /metrics counts failures by route and cause, GET /health names its preset and
// says whether the index is there and how many rows the table holds.
// These helpers read them so that a run against such a URL is explained like a run against the
// lab's own API. Any other server simply has neither, and the run stays client-side only.

// failuresMetric is the API's Prometheus counter of failed requests by route and cause.
const failuresMetric = "scalelab_http_failures_total"

var reFailure = regexp.MustCompile(`^` + failuresMetric + `\{([^}]*)\} ([0-9.eE+]+)$`)
var reLabel = regexp.MustCompile(`(\w+)="([^"]*)"`)

// ScrapeFailures reads the failure counters of the scalelab API serving target (its /metrics)
// for target's path: cause -> count since the API started. A server without them gives an
// empty map and no error; an unreachable one gives an error.
func ScrapeFailures(ctx context.Context, target string) (map[string]int, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	route := u.Path
	body, err := get(ctx, endpoint(u, "/metrics"))
	if err != nil {
		return nil, err
	}
	defer body.Close()
	out := map[string]int{}
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		m := reFailure.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		labels := map[string]string{}
		for _, l := range reLabel.FindAllStringSubmatch(m[1], -1) {
			labels[l[1]] = l[2]
		}
		if labels["route"] != route || labels["cause"] == "" {
			continue
		}
		f, err := strconv.ParseFloat(m[2], 64)
		if err == nil {
			out[labels["cause"]] += int(f)
		}
	}
	return out, sc.Err()
}

// DiffCounts returns after - before for every key (counters read around a run).
func DiffCounts(before, after map[string]int) map[string]int {
	out := map[string]int{}
	for k, n := range after {
		if d := n - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}

// Health is what a scalelab API's GET /health says about itself (empty for other servers).
type Health struct {
	Status string `json:"status"`
	Preset string `json:"preset"` // "broken" | "fixed" | "custom"
	Index  *bool  `json:"index"`  // the index on posts.created_at, when the API reports it
	Rows   int    `json:"rows"`   // posts in the table (an estimate), when the API reports it
}

// ReadHealth GETs the /health of the server serving target.
func ReadHealth(ctx context.Context, target string) (Health, error) {
	var h Health
	u, err := url.Parse(target)
	if err != nil {
		return h, err
	}
	body, err := get(ctx, endpoint(u, "/health"))
	if err != nil {
		return h, err
	}
	defer body.Close()
	err = json.NewDecoder(io.LimitReader(body, 64*1024)).Decode(&h)
	return h, err
}

// remoteClient keeps no idle connection behind (a load run is followed by nothing else).
var remoteClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

func endpoint(u *url.URL, path string) string {
	v := *u
	v.Path, v.RawQuery, v.Fragment = path, "", ""
	return v.String()
}

func get(ctx context.Context, u string) (io.ReadCloser, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	resp, err := remoteClient.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusServiceUnavailable {
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return cancelBody{resp.Body, cancel}, nil
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelBody) Close() error { err := b.ReadCloser.Close(); b.cancel(); return err }
