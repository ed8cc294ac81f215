package feed_test

import (
	"strings"
	"testing"

	"scalelab/lab/feed"
)

func TestExposureWarning(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:3000", "127.1.2.3:3000", "[::1]:3000", "localhost:3000", "LOCALHOST.:0", "api.localhost:3000", "[::ffff:127.0.0.1]:3000"} {
		if w := feed.ExposureWarning(addr); w != "" {
			t.Errorf("%s is loopback, but warns: %s", addr, w)
		}
	}
	for addr, says := range map[string]string{
		"0.0.0.0:3000":          "listening on 0.0.0.0:3000: anyone who can reach this machine on any of its networks on port 3000 can use the API and load the database",
		":3000":                 "anyone who can reach this machine on any of its networks on port 3000",
		"[::]:8080":             "on port 8080 can use the API",
		"[0:0::0]:3000":         "on any of its networks on port 3000",
		"[::ffff:0.0.0.0]:3000": "on any of its networks on port 3000",
		"192.168.1.20:3000":     "anyone who can reach this machine at 192.168.1.20 on port 3000",
		"10.0.0.1:3000":         "--addr 127.0.0.1:3000",
	} {
		w := feed.ExposureWarning(addr)
		if !strings.Contains(w, says) {
			t.Errorf("ExposureWarning(%q) = %q, want it to say %q", addr, w, says)
		}
	}
}
