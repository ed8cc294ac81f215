package telemetry

// Cause says why a request failed; "" means it succeeded.
type Cause string

const (
	OK                 Cause = ""
	ConnectTimeout     Cause = "connect_timeout"      // a new connection did not open in time
	TooManyClients     Cause = "too_many_clients"     // PostgreSQL refused it: max_connections reached (SQLSTATE 53300)
	PoolAcquireTimeout Cause = "pool_acquire_timeout" // every pooled connection was busy for the whole wait
	QueryError         Cause = "query_error"          // the query itself failed
	DatabaseDown       Cause = "database_down"        // PostgreSQL is not running or shutting down
	ClientError        Cause = "client_error"         // a bad request (4xx) or a client that gave up
	Other              Cause = "other"                // a failure with no better name
)

// Causes lists the failure causes in display order.
var Causes = []Cause{ConnectTimeout, TooManyClients, PoolAcquireTimeout, QueryError, DatabaseDown, ClientError, Other}
