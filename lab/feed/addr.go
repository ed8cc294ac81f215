package feed

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// ErrAddrInUse: Listen's address is taken by another program.
var ErrAddrInUse = errors.New("address already in use")

// AddrInUseError is Listen's error for a busy port; it wraps ErrAddrInUse.
// Suggest is a free port near it, or port 0 (any free port) when none is.
type AddrInUseError struct{ Addr, Suggest string }

func (e *AddrInUseError) Error() string {
	return fmt.Sprintf("%s is already in use: stop the other program or pass --addr %s", e.Addr, e.Suggest)
}
func (e *AddrInUseError) Unwrap() error { return ErrAddrInUse }

// listen is net.Listen on TCP, with a busy port as an *AddrInUseError.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, &AddrInUseError{Addr: addr, Suggest: suggest(addr)}
	}
	return nil, fmt.Errorf("listen on %s: %w", addr, err)
}

// CheckAddr tells whether addr can be listened on now (an *AddrInUseError if
// another program holds it), so a command can fail before starting anything.
func CheckAddr(addr string) error {
	ln, err := listen(addr)
	if err != nil {
		return err
	}
	return ln.Close()
}

// NextFreeAddr returns addr if it can be listened on now, else the first of
// the tries ports after it (same host) that can: NextFreeAddr(a, 10) moves
// the API off a busy 3000 to at most 3010. Port 0 (any free port) is returned
// as it is. When every port tried is taken the error is an *AddrInUseError
// for addr; an addr without a numeric port, or that cannot be listened on
// for another reason, gets that error. A port found free may be taken again
// before it is listened on: Listen can still return ErrAddrInUse.
func NextFreeAddr(addr string, tries int) (string, error) {
	host, p, err := splitPort(addr)
	if err != nil {
		return "", err
	}
	if p == 0 {
		return addr, nil
	}
	for i := 0; i <= tries && p+i <= 65535; i++ {
		a := net.JoinHostPort(host, strconv.Itoa(p+i))
		ln, err := net.Listen("tcp", a)
		if err == nil {
			ln.Close()
			return a, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return "", fmt.Errorf("listen on %s: %w", a, err)
		}
	}
	return "", &AddrInUseError{Addr: addr, Suggest: net.JoinHostPort(host, "0")}
}

// suggest names a free port after busy addr's, for AddrInUseError's advice.
func suggest(addr string) string {
	host, p, err := splitPort(addr)
	if err != nil {
		return "127.0.0.1:0"
	}
	if p > 0 && p < 65535 {
		if a, err := NextFreeAddr(net.JoinHostPort(host, strconv.Itoa(p+1)), 9); err == nil {
			return a
		}
	}
	return net.JoinHostPort(host, "0")
}

func splitPort(addr string) (host string, port int, err error) {
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("address %q: %w (want host:port, like 127.0.0.1:3000)", addr, err)
	}
	port, err = strconv.Atoi(ps)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("address %q: the port must be a number from 0 to 65535", addr)
	}
	return host, port, nil
}
