package pg_test

import (
	"context"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

// The start-up targets (cold < 3 s, warm < 1 s) are measured against a reference run in the
// same benchmark on the same machine: a bare `initdb` (same flags) + `pg_ctl start -w` (cold),
// `pg_ctl start -w` on an existing cluster (warm). Open does more than that (feedapp database,
// port probe, locks, readiness ping), so x-of-reference says what that costs.
//
//	go test -run '^$' -bench Start -benchtime 3x ./lab/pg/

func BenchmarkColdStart(b *testing.B) {
	ctx := context.Background()
	bins, cred := benchSetup(b)
	b.ResetTimer()
	var ours, ref time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := benchDir(b, cred)
		b.StartTimer()
		t0 := time.Now()
		srv, err := pg.Open(ctx, pg.Options{DataDir: filepath.Join(dir, "pg")})
		if err != nil {
			b.Fatal(err)
		}
		ours += time.Since(t0)
		b.StopTimer()
		srv.Close()

		pgdata := filepath.Join(dir, "ref")
		t0 = time.Now()
		refInitdb(b, bins, cred, dir, pgdata)
		refStart(b, bins, cred, pgdata)
		ref += time.Since(t0)
		refStop(b, bins, cred, pgdata)
		b.StartTimer()
	}
	report(b, ours, ref)
}

func BenchmarkWarmStart(b *testing.B) {
	ctx := context.Background()
	bins, cred := benchSetup(b)
	dir := benchDir(b, cred)
	pgdata := filepath.Join(dir, "ref")
	srv, err := pg.Open(ctx, pg.Options{DataDir: filepath.Join(dir, "pg")})
	if err != nil {
		b.Fatal(err)
	}
	srv.Close()
	refInitdb(b, bins, cred, dir, pgdata)
	b.ResetTimer()
	var ours, ref time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		srv, err := pg.Open(ctx, pg.Options{DataDir: filepath.Join(dir, "pg")})
		if err != nil {
			b.Fatal(err)
		}
		ours += time.Since(t0)
		b.StopTimer()
		if !srv.Info().Started {
			b.Fatal("warm Open did not start the cluster")
		}
		srv.Close()
		t0 = time.Now()
		refStart(b, bins, cred, pgdata)
		ref += time.Since(t0)
		refStop(b, bins, cred, pgdata)
		b.StartTimer()
	}
	report(b, ours, ref)
}

// BenchmarkRestartAfterKill: kill -9 of the postmaster to the next answered query, by the
// supervisor alone (the target is at most 3 s), against a warm `pg_ctl start -w` of a cluster of
// the same size after a crash, measured in the same run.
//
//	go test -run '^$' -bench RestartAfterKill -benchtime 3x ./lab/pg/
func BenchmarkRestartAfterKill(b *testing.B) {
	ctx := context.Background()
	bins, cred := benchSetup(b)
	dir := benchDir(b, cred)
	srv, err := pg.Open(ctx, pg.Options{DataDir: filepath.Join(dir, "pg")})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	pgdata := filepath.Join(dir, "ref")
	refInitdb(b, bins, cred, dir, pgdata)
	b.ResetTimer()
	var ours, ref time.Duration
	for i := 0; i < b.N; i++ {
		pid := srv.Info().PID
		t0 := time.Now()
		syscall.Kill(pid, syscall.SIGKILL)
		for {
			if in := srv.Info(); in.Running && in.PID != pid && srv.Ping(ctx) == nil {
				break
			}
			if time.Since(t0) > time.Minute {
				b.Fatal("not back a minute after kill -9")
			}
			time.Sleep(5 * time.Millisecond)
		}
		ours += time.Since(t0)
		b.StopTimer()
		refStart(b, bins, cred, pgdata)
		refPID, _, _, err := pg.PostmasterPID(pgdata)
		if err != nil {
			b.Fatal(err)
		}
		t0 = time.Now()
		syscall.Kill(refPID, syscall.SIGKILL)
		for pg.IsPostmaster(refPID) {
			time.Sleep(time.Millisecond)
		}
		// As a person or a service manager would: start again until the killed server's
		// backends have let go of its shared memory.
		for attempt := 0; !refTryStart(bins, cred, pgdata); attempt++ {
			if attempt > 100 {
				b.Fatal("the reference cluster does not start again after kill -9")
			}
			time.Sleep(20 * time.Millisecond)
		}
		ref += time.Since(t0)
		refStop(b, bins, cred, pgdata)
		b.StartTimer()
	}
	report(b, ours, ref)
}

func report(b *testing.B, ours, ref time.Duration) {
	n := float64(b.N)
	b.ReportMetric(ours.Seconds()/n, "s-ours")
	b.ReportMetric(ref.Seconds()/n, "s-reference")
	b.ReportMetric(ours.Seconds()/ref.Seconds(), "x-of-reference")
}

// benchSetup finds the binaries and, when root, the unprivileged user the reference runs as
// (created by a first Open if needed).
func benchSetup(b *testing.B) (pg.Binaries, *syscall.Credential) {
	b.Helper()
	bins, err := pg.FindBinaries(context.Background(), "")
	if err != nil {
		b.Fatal(err)
	}
	if os.Geteuid() != 0 {
		return bins, nil
	}
	dir := benchDir(b, nil)
	srv, err := pg.Open(context.Background(), pg.Options{DataDir: filepath.Join(dir, "pg")})
	if err != nil {
		b.Fatal(err)
	}
	name := srv.Info().RunAs
	srv.Close()
	u, err := user.Lookup(name)
	if err != nil {
		b.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return bins, &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}
}

func benchDir(b *testing.B, cred *syscall.Credential) string {
	b.Helper()
	dir, err := os.MkdirTemp("", "scalelab-pg-bench-")
	if err != nil {
		b.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	if cred != nil {
		os.Chown(dir, int(cred.Uid), int(cred.Gid))
	}
	b.Cleanup(func() {
		os.RemoveAll(dir)
		pgtest.RemoveAccount(pg.Info{RunAs: pg.AccountName(filepath.Join(dir, "pg"))})
	})
	return dir
}

func run(b *testing.B, cred *syscall.Credential, dir, prog string, args ...string) {
	b.Helper()
	cmd := exec.Command(prog, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s %v: %v\n%s", prog, args, err, out)
	}
}

func refInitdb(b *testing.B, bins pg.Binaries, cred *syscall.Credential, dir, pgdata string) {
	pw := filepath.Join(dir, "refpw")
	os.WriteFile(pw, []byte("postgres\n"), 0o644)
	run(b, cred, dir, bins.Path("initdb"), "-D", pgdata, "--locale=C", "-E", "UTF8", "--auth=scram-sha-256",
		"-U", "postgres", "--pwfile="+pw, "--no-sync", "--no-instructions")
}

func refStart(b *testing.B, bins pg.Binaries, cred *syscall.Credential, pgdata string) {
	port, err := freeTCPPort()
	if err != nil {
		b.Fatal(err)
	}
	run(b, cred, filepath.Dir(pgdata), bins.Path("pg_ctl"), "-D", pgdata, "-w", "-l", pgdata+".log",
		"-o", "-c listen_addresses=127.0.0.1 -c port="+strconv.Itoa(port)+" -c unix_socket_directories= -c fsync=off -c full_page_writes=off", "start")
}

func refTryStart(bins pg.Binaries, cred *syscall.Credential, pgdata string) bool {
	port, err := freeTCPPort()
	if err != nil {
		return false
	}
	cmd := exec.Command(bins.Path("pg_ctl"), "-D", pgdata, "-w", "-l", pgdata+".log",
		"-o", "-c listen_addresses=127.0.0.1 -c port="+strconv.Itoa(port)+" -c unix_socket_directories= -c fsync=off -c full_page_writes=off", "start")
	cmd.Dir = filepath.Dir(pgdata)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	return cmd.Run() == nil
}

func refStop(b *testing.B, bins pg.Binaries, cred *syscall.Credential, pgdata string) {
	run(b, cred, filepath.Dir(pgdata), bins.Path("pg_ctl"), "-D", pgdata, "-w", "-m", "fast", "stop")
}
