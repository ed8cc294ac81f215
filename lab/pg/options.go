package pg

// Options say which PostgreSQL Open should give the lab.
type Options struct {
	URL            string                           // external server (DATABASE_URL / --db). Empty: private cluster.
	DataDir        string                           // private cluster dir; default <Home>/pg/<major>
	Home           string                           // the data home DataDir defaults under; "" = home.Dir()
	BinDir         string                           // optional override (must hold initdb and postgres); default discovered
	MaxConnections int                              // private cluster max_connections; 0 = default (100)
	Logf           func(format string, args ...any) // progress lines for long work; may be nil
	// OnChange, when set, is called (from the supervisor's goroutine, or the one calling Stop,
	// Kill or Start) each time the private cluster goes down or comes back. It must not block.
	OnChange func(up bool)
}

// DefaultMaxConnections is the private cluster's max_connections when Options leave it 0.
const DefaultMaxConnections = 100

func (o Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// Info describes the server a Server points at. It is a snapshot; Info() is cheap.
type Info struct {
	External       bool   // Options.URL was used; the fields below about the cluster are empty
	URL            string // what the lab connects with, as AppUser (includes the password)
	Version        string // server version, e.g. "15.18"
	BinDir         string // where initdb/postgres were found (private only)
	DataDir        string // the cluster directory (private only; may differ from Options.DataDir when root)
	PGData         string // DataDir/data
	LogFile        string // the server's output (private only)
	Port           int    // TCP port on 127.0.0.1 (private) or the URL's port
	PID            int    // postmaster pid (private, while running)
	Started        bool   // this process started the cluster (its Close stops it)
	Running        bool   // private: the postmaster runs (as far as this process knows)
	RunAs          string // the unix user postgres runs as (private)
	Stopped        bool   // private: deliberately down (Stop or Kill) until Start
	MaxConnections int    // private: the cluster's max_connections (asked of the server when attached)
}
