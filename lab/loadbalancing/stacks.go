package loadbalancing

import (
	"sync"
	"time"

	"scalelab/lab"
)

// stackSeconds is how many seconds of requests by replica the panes get.
const stackSeconds = 60

// byReplica counts the requests HAProxy's log shows each replica served, per second: the
// stacked series of the panes, one part per replica.
type byReplica struct {
	mu    sync.Mutex
	parts []string            // "replica-1".."replica-N", in drawing order
	index map[string]int      // part -> its position in parts
	secs  map[int64][]float64 // unix second -> requests by part
}

func newByReplica(names []string) *byReplica {
	b := &byReplica{parts: names, index: map[string]int{}, secs: map[int64][]float64{}}
	for i, n := range names {
		b.index[n] = i
	}
	return b
}

// add counts one request server served, logged at at; a request no replica served (HAProxy's
// "<NOSRV>") is in no part.
func (b *byReplica) add(server string, at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i, ok := b.index[server]
	if !ok {
		return
	}
	sec := at.Unix()
	v := b.secs[sec]
	if v == nil {
		v = make([]float64, len(b.parts))
		b.secs[sec] = v
		delete(b.secs, sec-stackSeconds) // the seconds before the window go as new ones come
	}
	v[i]++
}

// stack is the last stackSeconds up to now's second (the one in progress), oldest first,
// without gaps: a second with no request is all zeros.
func (b *byReplica) stack(now time.Time) lab.Stack {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := lab.Stack{Title: "requests per second by replica", Parts: append([]string(nil), b.parts...)}
	last := now.Unix()
	for sec := range b.secs {
		if sec <= last-stackSeconds {
			delete(b.secs, sec)
		}
	}
	for sec := last - stackSeconds + 1; sec <= last; sec++ {
		v := make([]float64, len(b.parts))
		copy(v, b.secs[sec])
		st.Seconds = append(st.Seconds, lab.StackSecond{At: time.Unix(sec, 0), Values: v})
	}
	return st
}
