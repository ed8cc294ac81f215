package loadbalancing

import (
	"net/http"
	"strings"

	"scalelab/lab/load"
	"scalelab/lab/telemetry"
)

// The lab's own causes of failure, in load.Result.Errors and the telemetry.
const (
	causeLoggedOut      = "logged_out"      // 401: the replica that answered does not know the session
	causeNoServer       = "no_server"       // 503 from HAProxy: no replica could take the request
	causeReplicaCrashed = "replica_crashed" // 502 from HAProxy: the replica died with the request in flight
)

// causeHelp says what the lab's causes mean, for the panes and tables.
var causeHelp = map[string]string{
	causeLoggedOut:      "the replica that answered did not know the user's session (401)",
	causeNoServer:       "HAProxy had no replica to send the request to, or the one it chose was dead (503)",
	causeReplicaCrashed: "the replica crashed while it was answering the request (502)",
}

// causeOfResponse names the failure of a response with that status ("" for a success).
func causeOfResponse(status int) string {
	switch {
	case status >= 200 && status < 300:
		return ""
	case status == http.StatusUnauthorized:
		return causeLoggedOut
	case status == http.StatusServiceUnavailable:
		return causeNoServer
	case status == http.StatusBadGateway:
		return causeReplicaCrashed
	}
	return load.StatusCause(status)
}

// causeOfStatus is the telemetry cause of a request HAProxy logged with that status (-1: the
// client went away before an answer).
func causeOfStatus(status int) telemetry.Cause {
	switch c := causeOfResponse(status); {
	case status < 0:
		return telemetry.ClientError
	case c == "":
		return telemetry.OK
	case strings.HasPrefix(c, "http "):
		if status >= 500 {
			return telemetry.Other
		}
		return telemetry.ClientError
	default:
		return telemetry.Cause(c)
	}
}
