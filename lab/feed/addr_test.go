package feed_test

import (
	"errors"
	"net"
	"strconv"
	"testing"

	"scalelab/lab/feed"
)

// hold listens on addr until the test ends; false when it cannot.
func hold(t *testing.T, addr string) bool {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	t.Cleanup(func() { ln.Close() })
	return true
}

func port(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNextFreeAddr(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().String()
	p := port(t, busy)
	next := net.JoinHostPort("127.0.0.1", strconv.Itoa(p+1))
	heldNext := hold(t, next)

	got, err := feed.NextFreeAddr(busy, 10)
	if err != nil {
		t.Fatalf("NextFreeAddr(%s, 10): %v", busy, err)
	}
	if g := port(t, got); g <= p || g > p+10 || (heldNext && g == p+1) {
		t.Fatalf("NextFreeAddr(%s, 10) = %s, want a free one of the ten ports after", busy, got)
	}
	if !hold(t, got) {
		t.Errorf("NextFreeAddr gave %s, which cannot be listened on", got)
	}
	// got is held now: asked again, it is skipped too, and asked for itself it is busy.
	if again, err := feed.NextFreeAddr(busy, 10); err != nil || again == got || again == busy {
		t.Errorf("NextFreeAddr(%s, 10) again = %s, %v", busy, again, err)
	}
	if _, err := feed.NextFreeAddr(got, 0); !errors.Is(err, feed.ErrAddrInUse) {
		t.Errorf("NextFreeAddr(busy %s, 0) = %v, want ErrAddrInUse", got, err)
	}
	if a, err := feed.NextFreeAddr("127.0.0.1:0", 10); a != "127.0.0.1:0" || err != nil {
		t.Errorf("NextFreeAddr(port 0) = %s, %v; want it as it is", a, err)
	}
	if _, err := feed.NextFreeAddr("no port", 10); err == nil {
		t.Error("NextFreeAddr(no port): no error")
	}
}

// The advice in a busy port's error names a port that is free, not just the next one.
func TestAddrInUseSuggestsAFreePort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().String()
	p := port(t, busy)
	if !hold(t, net.JoinHostPort("127.0.0.1", strconv.Itoa(p+1))) {
		t.Skip("the port after a free one is taken already")
	}
	var e *feed.AddrInUseError
	if err := feed.CheckAddr(busy); !errors.As(err, &e) {
		t.Fatalf("CheckAddr(%s) = %v, want an *AddrInUseError", busy, err)
	}
	if s := port(t, e.Suggest); s <= p+1 || s > p+10 {
		t.Errorf("suggests %s; %s and the port after it are taken", e.Suggest, busy)
	}
}
