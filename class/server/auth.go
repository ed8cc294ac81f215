package server

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"scalelab/content/worksheet"
)

// Who gets in: a learner is a name (the SSH user) bound to one public key. With --keys only the
// keys of that file may log in at all; with a class code any key may open a session, but a
// name not yet bound to it must type the code once. The bindings are kept in learners.json.

// LearnersFile is the class directory's record of who joined: name → key fingerprint.
const LearnersFile = "learners.json"

// namePattern is the rule a learner's name (the SSH user name, lowercased) must follow: it
// names their directory, so nothing but lowercase letters, digits, '_' and '-'.
var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// NameRule says the rule of namePattern to someone whose name broke it.
const NameRule = "a name is 1 to 32 characters: lowercase letters, digits, '_' and '-', starting with a letter or a digit"

// CleanName lowercases the SSH user name and checks it against the rule.
func CleanName(user string) (string, error) {
	name := strings.ToLower(user)
	if !namePattern.MatchString(name) {
		return "", fmt.Errorf("the name %q cannot join this class: %s (connect as ssh -p PORT NAME@HOST)", cleanForError(user), NameRule)
	}
	return name, nil
}

// cleanForError keeps a refused name printable: at most 40 runes of letters, digits and punctuation.
func cleanForError(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == 40 {
			b.WriteString("…")
			break
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			r = '?'
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// Fingerprint is the key's SHA-256 fingerprint as OpenSSH prints it ("SHA256:...").
func Fingerprint(k gossh.PublicKey) string { return gossh.FingerprintSHA256(k) }

// LearnerID is the directory-safe, unique ID of the learner name with key k: the name, "-",
// and the first 8 hex digits of the SHA-256 of the key.
func LearnerID(name string, k gossh.PublicKey) string {
	sum := sha256.Sum256(k.Marshal())
	return name + "-" + hex.EncodeToString(sum[:])[:8]
}

// binding is one remembered learner.
type binding struct {
	Fingerprint string    `json:"fingerprint"`
	ID          string    `json:"id"`
	Joined      time.Time `json:"joined"`
}

// learnerBook is learners.json: who joined the class with which key.
type learnerBook struct {
	mu    sync.Mutex
	path  string
	Names map[string]binding `json:"learners"`
}

// openBook reads learners.json at path (none yet: an empty book).
func openBook(path string) (*learnerBook, error) {
	b := &learnerBook{path: path, Names: map[string]binding{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return b, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the class's learners %s: %w (check the directory's permissions)", path, err)
	}
	if err := json.Unmarshal(data, b); err != nil {
		return nil, fmt.Errorf("%s does not read as the class's learners: %v (move it away to start the class afresh)", path, err)
	}
	if b.Names == nil {
		b.Names = map[string]binding{}
	}
	return b, nil
}

// lookup says whether name is bound, and whether to the key with fingerprint fp.
func (b *learnerBook) lookup(name, fp string) (bound, same bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.Names[name]
	return ok, ok && e.Fingerprint == fp
}

// nameOf is the name the key with fingerprint fp joined as ("" none). A key is one learner.
func (b *learnerBook) nameOf(fp string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.nameOfLocked(fp)
}

func (b *learnerBook) nameOfLocked(fp string) string {
	first := ""
	for name, e := range b.Names {
		if e.Fingerprint == fp && (first == "" || name < first) {
			first = name
		}
	}
	return first
}

// bind remembers name → fp (written at once, 0600). It refuses a name bound to another key
// (errNameTaken), a key bound to another name (errKeyJoined), and a new learner when max have
// joined already.
func (b *learnerBook) bind(name, fp, id string, max int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.Names[name]; ok {
		if e.Fingerprint != fp {
			return errNameTaken(name)
		}
		return nil
	}
	if other := b.nameOfLocked(fp); other != "" {
		return errKeyJoined(other)
	}
	if len(b.Names) >= max {
		return fmt.Errorf("this class is full: %d learners joined it, its most (the instructor can raise --max-learners)", len(b.Names))
	}
	b.Names[name] = binding{Fingerprint: fp, ID: id, Joined: time.Now().UTC()}
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	if err := worksheet.WriteFileAtomic(b.path, append(data, '\n')); err != nil {
		return fmt.Errorf("remembering %s in %s: %w", name, b.path, err)
	}
	return os.Chmod(b.path, 0o600)
}

func errNameTaken(name string) error {
	return fmt.Errorf("the name %s is taken in this class: connect with another name", name)
}

func errKeyJoined(name string) error {
	return fmt.Errorf("this key joined this class as %s: connect as %s", name, name)
}

// readAuthorizedKeys reads an authorized_keys file: the keys allowed in, by fingerprint.
func readAuthorizedKeys(path string) (map[string]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the allowed keys: %w (--keys takes a file in authorized_keys format)", err)
	}
	keys := map[string]bool{}
	for rest := data; len(rest) > 0; {
		var k gossh.PublicKey
		k, _, _, rest, err = gossh.ParseAuthorizedKey(rest)
		if err != nil {
			break // no more keys (ParseAuthorizedKey skips comments and blank lines)
		}
		keys[Fingerprint(k)] = true
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s holds no public key: put one learner's key per line (the lines of their ~/.ssh/id_ed25519.pub)", path)
	}
	return keys, nil
}

// codeAttempt is who is typing a class code: their source address and the name they gave.
type codeAttempt struct{ addr, name string }

// readCode asks for the class code on the session: the client's terminal is raw, so the
// characters are read one at a time and echoed as '*'. It gives tries attempts and says whether
// one matched; ctrl+c or ctrl+d or the end of input stop at once. A source address over the
// guard's bound is told so and not asked.
func readCode(rw io.ReadWriter, code string, tries int, guard *codeGuard, who codeAttempt) bool {
	r := bufio.NewReader(&byteReader{rw})
	for try := 1; try <= tries; try++ {
		if !guard.allow(who.addr, time.Now()) {
			fmt.Fprint(rw, "\r\ntoo many wrong class codes from your address just now: wait a minute, then connect again\r\n")
			return false
		}
		fmt.Fprint(rw, "class code: ")
		line, ok := readSecretLine(r, rw)
		guard.done(who.addr)
		if !ok {
			fmt.Fprint(rw, "\r\n")
			return false
		}
		if subtle.ConstantTimeCompare([]byte(line), []byte(code)) == 1 {
			fmt.Fprint(rw, "\r\nwelcome: your key is remembered for this class\r\n")
			return true
		}
		time.Sleep(guard.failed(who, time.Now())) // each wrong code costs its sender a second
		if try < tries {
			fmt.Fprintf(rw, "\r\nthat is not the class code (ask the instructor); %s left\r\n", plural(tries-try, "try", "tries"))
		}
	}
	fmt.Fprint(rw, "\r\nthat is not the class code: ask the instructor for it, then connect again\r\n")
	return false
}

// plural is "1 try", "2 tries".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// byteReader reads one byte at a time, so nothing after the code's line is consumed from the
// session (the workshop reads what follows).
type byteReader struct{ r io.Reader }

func (b *byteReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return b.r.Read(p)
}

// readSecretLine reads a line ended by Enter, echoing '*' and handling backspace; ok is false on
// ctrl+c, ctrl+d, or the end of input. At most 64 characters are kept.
func readSecretLine(r *bufio.Reader, echo io.Writer) (string, bool) {
	var line []byte
	for {
		c, err := r.ReadByte()
		if err != nil {
			return "", false
		}
		switch {
		case c == '\r' || c == '\n':
			return string(line), true
		case c == 3 || c == 4:
			return "", false
		case c == 0x7f || c == 0x08:
			if len(line) > 0 {
				line = line[:len(line)-1]
				fmt.Fprint(echo, "\b \b")
			}
		case c >= 0x20 && c < 0x7f && len(line) < 64:
			line = append(line, c)
			fmt.Fprint(echo, "*")
		}
	}
}

// publicKeyHandler accepts the keys of allowed (nil: every key; the session then checks the
// code). A client without a key is refused at authentication: no password, no keyboard-interactive.
func publicKeyHandler(allowed map[string]bool) ssh.PublicKeyHandler {
	return func(_ ssh.Context, k ssh.PublicKey) bool {
		return allowed == nil || allowed[Fingerprint(k)]
	}
}

// codeGuard bounds how fast the class code can be guessed: each wrong code costs its session
// delay, and each source address gets at most max wrong codes a minute (new connections and
// new keys from it do not reset it). A learner mistyping stays far below it; a guesser gets max
// a minute out of a code space of millions, and cannot lock anyone else out.
type codeGuard struct {
	mu     sync.Mutex
	max    int
	delay  time.Duration
	logf   func(string, ...any)
	recent map[string][]time.Time // by source address: its wrong codes of the last minute
	// pending counts the codes being typed now, by address: a try is reserved before its line
	// is read, so that many prompts open at once from one address get no more tries between them
	pending map[string]int
}

// newCodeGuard is a guard of max wrong codes a minute per address (0: 30), delay each (0: a
// second), logging on logf.
func newCodeGuard(max int, delay time.Duration, logf func(string, ...any)) *codeGuard {
	if max <= 0 {
		max = 30
	}
	if delay <= 0 {
		delay = time.Second
	}
	return &codeGuard{max: max, delay: delay, logf: logf, recent: map[string][]time.Time{}, pending: map[string]int{}}
}

// allow says whether addr may try another code now, and reserves the try: done gives the
// reservation back once the line is read (then failed counts it when it was wrong).
func (g *codeGuard) allow(addr string, now time.Time) bool {
	addr = guardKey(addr)
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.trim(addr, now))+g.pending[addr] >= g.max {
		return false
	}
	g.pending[addr]++
	return true
}

// done ends the try allow reserved for addr.
func (g *codeGuard) done(addr string) {
	addr = guardKey(addr)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pending[addr]--; g.pending[addr] <= 0 {
		delete(g.pending, addr)
	}
}

// guardKey is the address the guard counts under: an IPv4 address, or an IPv6 address's /64
// (one host or network holds a whole /64, so every address in it counts together).
func guardKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() != nil {
		return addr
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// failed counts a wrong code of who (logged, and the lock-out of their address when it
// reaches the bound) and returns what it costs them.
func (g *codeGuard) failed(who codeAttempt, now time.Time) time.Duration {
	g.mu.Lock()
	for addr := range g.recent { // the map holds the addresses of the last minute only
		g.trim(addr, now)
	}
	key := guardKey(who.addr)
	n := len(g.recent[key]) + 1
	g.recent[key] = append(g.recent[key], now)
	g.mu.Unlock()
	name := cleanForError(who.name)
	g.logf("a wrong class code from %s as %q (%d in the last minute from there)", who.addr, name, n)
	if n == g.max {
		g.logf("%s is refused the class code for a minute: %d wrong codes in a minute (the last as %q)", who.addr, n, name)
	}
	return g.delay
}

// trim drops addr's wrong codes older than a minute (and addr, when none is left).
func (g *codeGuard) trim(addr string, now time.Time) []time.Time {
	times := g.recent[addr]
	i := 0
	for i < len(times) && now.Sub(times[i]) >= time.Minute {
		i++
	}
	times = times[i:]
	if len(times) == 0 {
		delete(g.recent, addr)
		return nil
	}
	g.recent[addr] = times
	return times
}
