package pg

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// Roles of the private cluster.
const (
	// AdminUser is the cluster's superuser (for psql --admin and setup that needs it).
	AdminUser = "postgres"
	// AppUser is the role the API, the lab's pool and the load use: it owns the database
	// feedapp and its tables, and may log in; it is not a superuser and cannot create roles
	// or databases.
	AppUser = "feedapp"
	// Database is the lab's database on the private cluster.
	Database = "feedapp"
)

// legacyPassword is the superuser password clusters made by older scalelab versions have; Open
// logs in with it once to replace it with a random one.
const legacyPassword = "postgres"

// secrets are the private cluster's passwords, kept in DataDir/secret.json (0600, in the part of
// the cluster directory only the scalelab process can write and read).
type secrets struct {
	Admin string `json:"admin"`
	App   string `json:"app"`
}

func newSecrets() (secrets, error) {
	a, err := randomPassword()
	if err != nil {
		return secrets{}, err
	}
	b, err := randomPassword()
	if err != nil {
		return secrets{}, err
	}
	return secrets{Admin: a, App: b}, nil
}

// randomPassword returns 32 hex digits (128 random bits): nothing to quote in SQL or a URL.
func randomPassword() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make a random password: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

func (c *cluster) secretPath() string { return filepath.Join(c.dir, "secret.json") }

// loadSecrets reads secret.json; os.ErrNotExist when there is none.
func (c *cluster) loadSecrets() (secrets, error) {
	f, err := os.OpenFile(c.secretPath(), os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return secrets{}, err
	}
	defer f.Close()
	// Only a file of ours that nobody else may read holds our passwords: one planted by
	// another account (in a directory it could once write) is not trusted.
	if st, err := f.Stat(); err != nil {
		return secrets{}, err
	} else if uid, _, ok := fileOwner(st); !ok || uid != os.Geteuid() || st.Mode().Perm()&0o077 != 0 || !st.Mode().IsRegular() {
		return secrets{}, os.ErrNotExist
	}
	var s secrets
	if err := json.NewDecoder(f).Decode(&s); err != nil || s.Admin == "" || s.App == "" {
		return secrets{}, fmt.Errorf("%s is damaged (%v): delete %s to start over (the lab reseeds its data)", c.secretPath(), err, c.dir)
	}
	return s, nil
}

// saveSecrets replaces secret.json atomically: a private temp file, then rename.
func (c *cluster) saveSecrets(s secrets) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return writePrivate(c.secretPath(), append(b, '\n'), 0o600)
}

// writePrivate replaces path with data atomically. The temp file is created with O_EXCL and
// O_NOFOLLOW, so a link planted in its place is never followed; rename replaces a link at path
// itself, not its target.
func writePrivate(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp-" + strconv.Itoa(os.Getpid())
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, mode)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// passwordPipe returns the read end of a pipe holding pw and a newline, for initdb
// --pwfile=/dev/fd/3: the password never touches the disk, so a kill leaves nothing behind.
// The pipe is given to a (when root) because initdb opens it again through /dev/fd as that user.
func passwordPipe(pw string, a account) (*os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer w.Close()
	if a.drop {
		if err := r.Chown(a.UID, a.GID); err != nil {
			r.Close()
			return nil, fmt.Errorf("give the password pipe to %s: %w", a.Name, err)
		}
	}
	if _, err := w.WriteString(pw + "\n"); err != nil { // far below the pipe's buffer
		r.Close()
		return nil, err
	}
	return r, nil
}

func (s *Server) secrets() secrets {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sec
}

func (s *Server) setSecrets(sec secrets) {
	s.mu.Lock()
	s.sec = sec
	s.mu.Unlock()
}

func (s *Server) appURL(port int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appURLLocked(port)
}

func (s *Server) appURLLocked(port int) string { return urlFor(AppUser, s.sec.App, port, Database) }

// readSecrets loads the cluster's passwords, the lock held. A cluster made before they were
// kept gets new ones now (the superuser's replaces the published one at the first login). Kept
// passwords with no finished cluster belong to an initdb that was killed: they are dropped.
func (s *Server) readSecrets() error {
	c := s.cl
	sec, err := c.loadSecrets()
	switch {
	case err == nil && c.initialized():
		s.setSecrets(sec)
		return nil
	case err == nil || errors.Is(err, os.ErrNotExist):
		if !c.initialized() {
			os.Remove(c.secretPath())
			return nil // initdb makes them
		}
		if sec, err = newSecrets(); err != nil {
			return err
		}
		if err := c.saveSecrets(sec); err != nil {
			return fmt.Errorf("keep the cluster's passwords in %s: %w", c.secretPath(), err)
		}
		s.setSecrets(sec)
		return nil
	default:
		return err
	}
}
