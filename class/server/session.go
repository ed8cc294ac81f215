package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"

	"scalelab/tui"
)

// sessionFPS is the most frames a second a session's program draws.
const sessionFPS = 30

// sender is what the server needs of a running program: to pass it a message.
type sender interface{ Send(tea.Msg) }

// noticeQueue is how many of the instructor's notices wait for a session's program: a session
// further behind misses the next ones rather than holding a goroutine each.
const noticeQueue = 8

// takeoverGrace is how long a session taken over may take to quit before its program is killed.
const takeoverGrace = 3 * time.Second

// session is one SSH session: a learner's, once their name and key are let in.
type session struct {
	sess     ssh.Session
	in       *inputPump
	l        *learner // nil until let in
	done     chan struct{}
	released chan struct{} // closed once no program of this session runs or will run again
	relOnce  sync.Once
	notices  chan tea.Msg // the instructor's notices for the program (see deliver)
	mu       sync.Mutex
	p        *tea.Program
	app      *tui.App
	why      string // why the server ends it ("" while it may go on)
	ended    bool
}

// release says that no program of the session runs any more, its app flushed.
func (st *session) release() { st.relOnce.Do(func() { close(st.released) }) }

// deliver queues msg for the session's program without waiting; false when the queue is full.
func (st *session) deliver(msg tea.Msg) bool {
	select {
	case st.notices <- msg:
		return true
	default:
		return false
	}
}

// passNotices hands the queued notices to the program of the moment, one at a time, until
// the session ends. A notice arriving between two programs goes to the next.
func (st *session) passNotices() {
	for {
		select {
		case <-st.done:
			return
		case msg := <-st.notices:
			for {
				st.mu.Lock()
				p := st.p
				st.mu.Unlock()
				if p != nil {
					p.Send(msg) // returns when the program took it or ended
					break
				}
				select {
				case <-st.done:
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}
	}
}

// who is the session's learner's name, for the server's log.
func (st *session) who() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.l != nil {
		return st.l.name
	}
	return cleanForError(st.sess.User())
}

// kill ends the session's program at once (Run returns; the app is flushed after it).
func (st *session) kill() {
	st.mu.Lock()
	p := st.p
	st.mu.Unlock()
	if p != nil {
		p.Kill()
	}
}

// waitReleased waits until the session taken over has no program left: it was asked to quit;
// after takeoverGrace its program is killed, and the wait goes on until its Run has returned
// and its app is flushed, so that two programs never share the learner's worksheet.
func (st *session) waitReleased() {
	select {
	case <-st.released:
		return
	case <-time.After(takeoverGrace):
	}
	for {
		st.kill() // again each second: a program made after the first kill is killed too
		select {
		case <-st.released:
			return
		case <-time.After(time.Second):
		}
	}
}

type sessionKey struct{}

func sessionOf(sess ssh.Session) *session {
	st, _ := sess.Context().Value(sessionKey{}).(*session)
	return st
}

// program is the session's running program (nil between programs).
func (st *session) program() sender {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.p == nil || st.l == nil {
		return nil
	}
	return st.p
}

// stop ends the session for why (told to the learner at its end): its program quits.
func (st *session) stop(why string) {
	st.mu.Lock()
	if st.why == "" {
		st.why = why
	}
	p := st.p
	st.mu.Unlock()
	if p != nil {
		go p.Quit() // Send waits for the program's loop; never under a lock
	}
	st.in.close() // a session reading the code, or between programs, stops reading too
}

func (st *session) stopped() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.why
}

// interactiveOnly is the outermost middleware: a session must ask for a terminal and run no
// command and no subsystem (there is no shell, no exec, no SFTP). It registers the session so
// the shutdown can reach it.
func (s *Server) interactiveOnly(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if c, ok := sess.Context().Value(connKey{}).(*cappedConn); ok {
			c.loggedIn()
		}
		if _, _, ok := sess.Pty(); !ok || len(sess.Command()) > 0 || sess.Subsystem() != "" {
			wish.Fatalln(sess, "this server runs the scalelab workshop only: connect with `ssh -p PORT NAME@HOST`, with no command (and no -T)")
			return
		}
		st := &session{sess: sess, in: newInputPump(sess), done: make(chan struct{}),
			released: make(chan struct{}), notices: make(chan tea.Msg, noticeQueue)}
		s.mu.Lock()
		if s.stopping {
			s.mu.Unlock()
			wish.Fatalln(sess, stopNotice)
			return
		}
		s.sessions[st] = true
		s.wg.Add(1)
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			delete(s.sessions, st)
			s.mu.Unlock()
			st.in.close()
			st.release()
			close(st.done)
			s.wg.Done()
		}()
		sess.Context().SetValue(sessionKey{}, st)
		go st.passNotices()
		next(sess)
	}
}

// program lets the session's learner in (name, key, class code) and makes their program on the
// scenario they are in. nil: refused (said on the session); the middleware then ends it.
func (s *Server) program(sess ssh.Session) *tea.Program {
	st := sessionOf(sess)
	if st == nil {
		return nil
	}
	l, err := s.letIn(sess, st)
	if err != nil {
		if msg := err.Error(); msg != "" {
			fmt.Fprintf(sess.Stderr(), "%s\r\n", msg)
		}
		st.mu.Lock()
		st.ended = true
		st.mu.Unlock()
		sess.Exit(1)
		return nil
	}
	st.mu.Lock()
	st.l = l
	st.mu.Unlock()
	if old := l.attach(st); old != nil {
		old.stop(takenOver)
		old.waitReleased() // the worksheet is the old program's until it has ended
	}
	if why := st.stopped(); why != "" {
		return nil
	}
	p, err := st.newProgram()
	if err != nil {
		fmt.Fprintf(sess.Stderr(), "%v\r\n", err)
		return nil
	}
	return p
}

// errQuiet refuses without a further message (the prompt already said why).
var errQuiet = errors.New("")

// letIn checks the session's name and key against the class and returns its learner. A key
// is one learner: bound to a name, it gets in under that name only. A key not yet bound types
// the class code first (when there is one): only then is it told whether the name is free.
func (s *Server) letIn(sess ssh.Session, st *session) (*learner, error) {
	name, err := CleanName(sess.User())
	if err != nil {
		return nil, err
	}
	k := sess.PublicKey()
	if k == nil {
		return nil, errors.New("this class lets in SSH keys only: make one with `ssh-keygen -t ed25519`, then connect again")
	}
	fp := Fingerprint(k)
	if _, same := s.book.lookup(name, fp); !same {
		if other := s.book.nameOf(fp); other != "" {
			return nil, errKeyJoined(other)
		}
		if s.allowed == nil {
			fmt.Fprintf(sess, "welcome to the class, %s: type the class code the instructor gave (once: your key is remembered)\r\n", name)
			if err := s.askCode(sess, st, name); err != nil {
				return nil, err
			}
		}
	}
	id := LearnerID(name, k)
	if err := s.book.bind(name, fp, id, s.cfg.MaxLearners); err != nil {
		return nil, err
	}
	return s.learner(id, name)
}

// askCode asks for the class code; it gives up when no code is typed for Config.codeTimeout.
func (s *Server) askCode(sess ssh.Session, st *session, name string) error {
	var timedOut atomic.Bool
	t := time.AfterFunc(s.cfg.codeTimeout, func() {
		timedOut.Store(true)
		st.in.close() // the prompt's read ends; the session ends after it
	})
	defer t.Stop()
	who := codeAttempt{addr: remoteHost(sess.RemoteAddr()), name: name}
	// each key gives the prompt codeTimeout more, but never past 3 times it in all: a byte
	// every minute does not hold a connection's place for ever
	rw := readWriter{&timedReader{r: st.in, t: t, d: s.cfg.codeTimeout, until: time.Now().Add(3 * s.cfg.codeTimeout)}, sess}
	ok := readCode(rw, s.code, codeTries, s.codes, who)
	if t.Stop(); ok && !timedOut.Load() {
		return nil
	}
	if timedOut.Load() { // the input is closed: the session cannot go on
		return errors.New("no code typed: connect again when you have it")
	}
	return errQuiet
}

// timedReader restarts the prompt's timer at every key: the time runs while nothing is typed.
type timedReader struct {
	r     io.Reader
	t     *time.Timer
	d     time.Duration
	until time.Time // the prompt's end however much is typed
}

func (tr *timedReader) Read(p []byte) (int, error) {
	n, err := tr.r.Read(p)
	if n > 0 {
		tr.t.Reset(max(0, min(tr.d, time.Until(tr.until))))
	}
	return n, err
}

type readWriter struct {
	io.Reader
	io.Writer
}

// newProgram makes the program of the learner's current scenario: the same tui.App as the
// local workshop, in the session's window.
func (st *session) newProgram() (*tea.Program, error) {
	look := sessionLook(st.sess)
	app, err := st.l.newApp(look)
	if err != nil {
		return nil, err
	}
	opts := append(bubbletea.MakeOptions(st.sess),
		tea.WithInput(st.in.reader()), // keys read for this program only: none lost between two
		tea.WithAltScreen(),
		tea.WithoutSignalHandler(), // the server's signals are the server's, not a session's
		// a frame every 1/30 s at most: the renderer wakes that often even when idle, in every
		// session, and 30 redraws a second is more than a terminal over SSH shows
		tea.WithFPS(sessionFPS),
	)
	p := tea.NewProgram(app, opts...)
	st.mu.Lock()
	st.p, st.app = p, app
	st.mu.Unlock()
	return p, nil
}

// afterProgramMiddleware is the innermost middleware: it runs once the learner's program ended.
// The scenarios screen's choice opens the next scenario in another program on the same
// session; the learner quitting, a takeover or the shutdown end the session, saying why.
func (s *Server) afterProgramMiddleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		st := sessionOf(sess)
		if st != nil && st.l != nil {
			s.afterProgram(sess, st)
		}
		next(sess)
	}
}

func (s *Server) afterProgram(sess ssh.Session, st *session) {
	defer st.l.detach(st)
	for {
		st.in.endReader()
		st.mu.Lock()
		app := st.app
		st.p, st.app = nil, nil
		st.mu.Unlock()
		nextID := ""
		if app != nil {
			if err := app.Flush(); err != nil {
				fmt.Fprintf(sess, "\r\nsaving your answers failed: %v (tell the instructor)\r\n", err)
			}
			nextID = app.Next()
		}
		if why := st.stopped(); why != "" {
			st.release() // before writing to a client that may not read
			fmt.Fprintf(sess, "\r\nscalelab: %s\r\n", why)
			sess.Exit(0)
			return
		}
		if nextID == "" || sess.Context().Err() != nil {
			st.release()
			fmt.Fprintf(sess, "\r\nscalelab: your answers are saved; your lab keeps running for %s: connect again to go on\r\n", humanDuration(s.cfg.Idle))
			sess.Exit(0)
			return
		}
		if err := st.l.switchTo(nextID); err != nil {
			fmt.Fprintf(sess, "\r\nscalelab: %v\r\n", err)
			sess.Exit(1)
			return
		}
		p, err := st.newProgram()
		if err != nil {
			fmt.Fprintf(sess, "\r\nscalelab: %v\r\n", err)
			sess.Exit(1)
			return
		}
		runInWindow(sess, p)
	}
}

// humanDuration writes d for people: "90 s", "20 min", "1 h 30 min".
func humanDuration(d time.Duration) string {
	d = d.Round(time.Second)
	if d < 2*time.Minute {
		return fmt.Sprintf("%d s", int(d/time.Second))
	}
	h, m, sec := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	var parts []string
	if h > 0 {
		parts = append(parts, fmt.Sprintf("%d h", h))
	}
	if m > 0 {
		parts = append(parts, fmt.Sprintf("%d min", m))
	}
	if sec > 0 {
		parts = append(parts, fmt.Sprintf("%d s", sec))
	}
	return strings.Join(parts, " ")
}

// runInWindow runs p in the session's window as the bubbletea middleware does for the first
// program: the window's size at once, then its resizes; the session's end quits it.
func runInWindow(sess ssh.Session, p *tea.Program) {
	pty, winch, _ := sess.Pty()
	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	go func() {
		p.Send(tea.WindowSizeMsg{Width: pty.Window.Width, Height: pty.Window.Height})
		for {
			select {
			case <-ctx.Done():
				p.Quit()
				return
			case w, ok := <-winch:
				if !ok {
					return
				}
				p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
			}
		}
	}()
	p.Run()
	p.Kill()
}

// look is how a session's terminal wants the app drawn.
type look struct {
	noColor bool
	glamour string
	profile termenv.Profile
}

// sessionLook reads the session's terminal: NO_COLOR in its environment (OpenSSH sends it with
// SendEnv/SetEnv) or TERM dumb or empty → no colour; else the markdown's colours follow TERM
// (truecolor/24bit, 256color, else the 16 ANSI colours) and COLORFGBG for light or dark.
func sessionLook(sess ssh.Session) look {
	env := map[string]string{}
	for _, kv := range sess.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	pty, _, _ := sess.Pty()
	term := pty.Term
	if _, ok := env["NO_COLOR"]; ok || term == "" || term == "dumb" {
		return look{noColor: true, glamour: "notty", profile: termenv.Ascii}
	}
	lk := look{glamour: "dark", profile: termenv.ANSI}
	switch ct := env["COLORTERM"]; {
	case ct == "truecolor" || ct == "24bit" || strings.Contains(term, "truecolor") || strings.Contains(term, "direct"):
		lk.profile = termenv.TrueColor
	case strings.Contains(term, "256color"):
		lk.profile = termenv.ANSI256
	}
	if v := env["COLORFGBG"]; v != "" {
		parts := strings.Split(v, ";")
		if p := parts[len(parts)-1]; p == "7" || p == "15" {
			lk.glamour = "light"
		}
	}
	return lk
}

// inputPump reads the session's input on one goroutine and hands it to one reader at a time:
// the class code's prompt, then each program. A program's reader ends with the program, so no
// key typed after it is lost to its abandoned read.
type inputPump struct {
	data   chan []byte
	closed chan struct{}
	once   sync.Once
	mu     sync.Mutex
	cur    *pumpReader
	rest   []byte // read from data but not yet given out
}

func newInputPump(r io.Reader) *inputPump {
	ip := &inputPump{data: make(chan []byte), closed: make(chan struct{})}
	go func() {
		for {
			buf := make([]byte, 1024)
			n, err := r.Read(buf)
			if n > 0 {
				select {
				case ip.data <- buf[:n]:
				case <-ip.closed:
					return
				}
			}
			if err != nil {
				ip.close()
				return
			}
		}
	}()
	return ip
}

func (ip *inputPump) close() { ip.once.Do(func() { close(ip.closed) }) }

// Read is the pump read directly (the code's prompt).
func (ip *inputPump) Read(p []byte) (int, error) { return ip.read(p, nil) }

func (ip *inputPump) read(p []byte, done chan struct{}) (int, error) {
	ip.mu.Lock()
	if len(ip.rest) > 0 {
		n := copy(p, ip.rest)
		ip.rest = ip.rest[n:]
		ip.mu.Unlock()
		return n, nil
	}
	ip.mu.Unlock()
	select {
	case b := <-ip.data:
		n := copy(p, b)
		if n < len(b) {
			ip.mu.Lock()
			ip.rest = append(ip.rest, b[n:]...)
			ip.mu.Unlock()
		}
		return n, nil
	case <-ip.closed:
		return 0, io.EOF
	case <-done:
		return 0, io.EOF
	}
}

// reader is a reader for the next program (the one before it ends).
func (ip *inputPump) reader() io.Reader {
	ip.mu.Lock()
	defer ip.mu.Unlock()
	if ip.cur != nil {
		ip.cur.end()
	}
	ip.cur = &pumpReader{ip: ip, done: make(chan struct{})}
	return ip.cur
}

// endReader ends the current program's reader.
func (ip *inputPump) endReader() {
	ip.mu.Lock()
	defer ip.mu.Unlock()
	if ip.cur != nil {
		ip.cur.end()
		ip.cur = nil
	}
}

type pumpReader struct {
	ip   *inputPump
	done chan struct{}
	once sync.Once
}

func (r *pumpReader) end()                       { r.once.Do(func() { close(r.done) }) }
func (r *pumpReader) Read(p []byte) (int, error) { return r.ip.read(p, r.done) }
