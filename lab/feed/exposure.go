package feed

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// ExposureWarning says who can reach an API listening on addr (host:port)
// when that is more than this machine: "" for a loopback address (127.0.0.0/8,
// ::1, localhost), a warning sentence otherwise. The feed API has no
// authentication and POST /posts writes to the database, so anyone who can
// reach the port can use it and load the database. Commands that take an
// --addr (serve, the workshop, a classroom server) print it as they start.
func ExposureWarning(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "" // Listen refuses it with its own error
	}
	if isLoopback(host) {
		return ""
	}
	who := "anyone who can reach this machine"
	switch {
	case isUnspecified(host):
		who += " on any of its networks"
	default:
		who += " at " + host
	}
	return fmt.Sprintf("listening on %s: %s on port %s can use the API and load the database "+
		"(it has no login). Keep it to this machine with --addr 127.0.0.1:%s", addr, who, port, port)
}

// isUnspecified tells whether host means every interface: empty, or 0.0.0.0 or :: in any
// spelling (0:0::0, ::ffff:0.0.0.0).
func isUnspecified(host string) bool {
	if host == "" {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.Unmap().IsUnspecified()
}

// isLoopback tells whether host names only this machine. A name other than
// localhost counts when every address it resolves to (from /etc/hosts or
// DNS, within a second) is a loopback one.
func isLoopback(host string) bool {
	if host == "" {
		return false // every interface
	}
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return ip.Unmap().IsLoopback()
	}
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", h)
	if err != nil || len(ips) == 0 {
		return false
	}
	for _, ip := range ips {
		if !ip.Unmap().IsLoopback() {
			return false
		}
	}
	return true
}
