package load

import "strings"

// causeHelp says in a few words what each cause of failure means, for tables and panes.
var causeHelp = map[string]string{
	// The API's own causes (lab/telemetry), from the error PostgreSQL or the driver returned.
	"connect_timeout":      "the API could not open a database connection in time",
	"too_many_clients":     "PostgreSQL refused a connection: max_connections reached",
	"pool_acquire_timeout": "every pooled connection stayed busy for the whole wait",
	"query_error":          "the query itself failed",
	"database_down":        "PostgreSQL was not reachable",
	"client_error":         "a bad request, or a client that gave up",
	"other":                "a failure with no better name",
	// Seen by the load generator.
	CauseTimeout:     "no answer within the per-request timeout",
	CauseRefused:     "nothing listens at the URL",
	CauseReset:       "the server dropped the connection",
	CauseClosed:      "the server closed the connection without answering",
	CauseOtherClient: "another transport error (see --json error_messages)",
}

// CauseHelp explains a cause of failure in a few words ("" when unknown).
func CauseHelp(cause string) string {
	if h, ok := causeHelp[cause]; ok {
		return h
	}
	if strings.HasPrefix(cause, "http ") {
		return "the server answered with this status"
	}
	return ""
}
