package load

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

// RunWith's prepare shapes every request hey sends: the server sees the header it set on each
// one, with the values spread as prepare chose (request i carries user i mod 4).
func TestRunWithPrepareShapesEveryRequest(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	srv := newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Header.Get("Cookie")]++
		mu.Unlock()
	}))
	defer srv.Close()
	var next atomic.Int64
	prepare := func(r *http.Request) {
		r.Header.Set("Cookie", fmt.Sprintf("session=user-%d", next.Add(1)%4))
	}
	res, err := RunWith(context.Background(), Options{URL: srv.URL, Concurrency: 8, Requests: 400}, prepare, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 400 || res.Succeeded != 400 {
		t.Fatalf("total %d, succeeded %d; want 400, 400", res.Total, res.Succeeded)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := range 4 {
		if n := seen[fmt.Sprintf("session=user-%d", i)]; n != 100 {
			t.Errorf("user %d: %d requests, want 100 (all seen: %v)", i, n, seen)
		}
	}
	if len(seen) != 4 {
		t.Errorf("requests without the header prepare set: %v", seen)
	}
}
