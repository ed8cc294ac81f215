package pg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// Status is what Inspect found, without starting, initialising or creating anything.
type Status struct {
	Binaries    Binaries // zero when BinErr
	BinErr      error    // wraps ErrBinariesNotFound
	DataDir     string   // where the private cluster lives (or would); "" when unknown
	Initialized bool     // DataDir holds a cluster
	DataVersion string   // its PG_VERSION
	Running     bool     // a postmaster runs on it
	PID, Port   int      // of that postmaster
	Owner       int      // pid of the scalelab process that started it (0: none alive)
	Answers     bool     // it accepted our password and a query
	PingErr     error    // why not, when Running
	RunAs       string   // the unix user postgres runs (or would run) as
	LogFile     string
	URL         string // the lab's URL (as AppUser, password included: Redact before showing)
	Legacy      bool   // made by an older scalelab: superuser postgres/postgres, no lab role yet
}

// Inspect reports on the private cluster Open would use for opt (opt.URL is ignored). It only
// reads: it never runs initdb, starts or stops a server, or creates a user.
func Inspect(ctx context.Context, opt Options) Status {
	var st Status
	st.Binaries, st.BinErr = FindBinaries(ctx, opt.BinDir)
	st.RunAs = currentUserName()
	if st.BinErr != nil {
		return st
	}
	if os.Geteuid() == 0 {
		if asked, err := askedDir(opt, st.Binaries); err == nil {
			st.RunAs = accountName(asked)
			if _, ok := lookupAccount(st.RunAs); !ok {
				st.RunAs += " (created on first start)"
			}
		}
	}
	dir, err := DataDirFor(ctx, opt, st.Binaries)
	if err != nil {
		return st
	}
	c := &cluster{bins: st.Binaries, dir: dir}
	st.DataDir, st.LogFile = dir, c.logPath()
	if b, err := os.ReadFile(filepath.Join(c.pgdata(), "PG_VERSION")); err == nil {
		st.Initialized, st.DataVersion = true, strings.TrimSpace(string(b))
	}
	pf, err := readPidFile(c.pgdata())
	if err != nil || !postmasterOf(pf.PID, c.pgdata()) {
		return st
	}
	st.Running, st.PID, st.Port = true, pf.PID, pf.Port
	if o := readInt(c.ownerPath()); alive(o) {
		st.Owner = o
	}
	sec, err := c.loadSecrets()
	if errors.Is(err, os.ErrNotExist) {
		// Run by an older scalelab: the published superuser password, until this version's
		// next start replaces it.
		st.Legacy = true
		st.URL = urlFor(AdminUser, legacyPassword, pf.Port, Database)
		st.PingErr = ping(ctx, st.URL)
		st.Answers = st.PingErr == nil
		return st
	}
	if err != nil {
		st.PingErr = fmt.Errorf("the cluster's passwords in %s: %w", c.secretPath(), err)
		return st
	}
	st.URL = urlFor(AppUser, sec.App, pf.Port, Database)
	st.PingErr = ping(ctx, st.URL)
	st.Answers = st.PingErr == nil
	return st
}

func currentUserName() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return strconv.Itoa(os.Geteuid())
}
