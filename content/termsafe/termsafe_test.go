package termsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	const P = Placeholder
	cases := []struct{ name, in, want string }{
		{"plain", "Step 1 — ünïcode ✓\n\tindented", "Step 1 — ünïcode ✓\n\tindented"},
		{"OSC 0 title BEL", "a\x1b]0;pwned\x07b", "a" + P + "b"},
		{"OSC 52 clipboard ST", "a\x1b]52;c;cm0gLXJmIH4=\x1b\\b", "a" + P + "b"},
		{"OSC 8 link", "\x1b]8;;http://x\x1b\\text\x1b]8;;\x1b\\", P + "text" + P},
		{"CSI clear", "\x1b[2J\x1b[Hhi", P + P + "hi"},
		{"CSI SGR", "\x1b[31;1mred\x1b[0m", P + "red" + P},
		{"CSI private", "\x1b[?1049h", P},
		{"C1 CSI", "a\u009b2Jb", "a" + P + "b"},
		{"C1 OSC", "a\u009d0;t\u009cb", "a" + P + "b"},
		{"C1 NEL", "a\u0085b", "a" + P + "b"},
		{"BEL BS DEL NUL", "a\x07b\x08c\x7fd\x00e", "a" + P + "b" + P + "c" + P + "d" + P + "e"},
		{"bare CR", "safe\rEVIL", "safe" + P + "EVIL"},
		{"CRLF", "a\r\nb\r\n", "a\nb\n"},
		{"ESC single", "\x1bc\x1b7x", P + P + "x"},
		{"ESC charset", "\x1b(Bx", P + "x"},
		{"ESC at end", "x\x1b", "x" + P},
		{"open OSC stops at newline", "\x1b]0;title\nnext line", P + "\nnext line"},
		{"DCS", "\x1bPq#0;2;0;0;0\x1b\\x", P + "x"},
		{"invalid UTF-8", "a\xffb\xc2", "a" + P + "b" + P},
		{"raw 8-bit CSI byte", "a\x9b2Jb", "a" + P + "2Jb"},
	}
	for _, c := range cases {
		got := Clean(c.in)
		if got != c.want {
			t.Errorf("%s: Clean(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("%s: result is not valid UTF-8: %q", c.name, got)
		}
		if bad := firstControl(got); bad >= 0 {
			t.Errorf("%s: result keeps a control at byte %d: %q", c.name, bad, got)
		}
		if Clean(got) != got {
			t.Errorf("%s: Clean is not idempotent on %q", c.name, got)
		}
	}
}

// firstControl is the index of the first byte (or rune) a terminal would act on, or -1.
func firstControl(s string) int {
	for i, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) {
			return i
		}
	}
	return -1
}

func TestCleanKeepsCleanTextUncopied(t *testing.T) {
	s := strings.Repeat("plain text — ok\n", 100)
	got := Clean(s)
	if got != s {
		t.Fatal("clean text changed")
	}
	if allocs := testing.AllocsPerRun(10, func() { Clean(s) }); allocs != 0 {
		t.Errorf("Clean of clean text allocates %.0f times, want 0", allocs)
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "a\x1b]0;t\x07", "\x1b[2J", "\u009b1m", "\xff\xfe", "é\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Clean(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Clean(%q) = %q: not valid UTF-8", s, got)
		}
		if i := firstControl(got); i >= 0 {
			t.Fatalf("Clean(%q) = %q: control at %d", s, got, i)
		}
		if strings.Count(got, "\n") != strings.Count(s, "\n") {
			t.Fatalf("Clean(%q) = %q: line count changed", s, got)
		}
	})
}

func BenchmarkCleanClean(b *testing.B) {
	s := strings.Repeat("A line of a scenario, with — some ünicode ✓ and `code`.\n", 20000)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Clean(s)
	}
}

func BenchmarkCleanDirty(b *testing.B) {
	s := strings.Repeat("A line \x1b]0;title\x07 with \x1b[2J escapes \u009b1m and \x07 bells.\n", 20000)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Clean(s)
	}
}

func TestStripBidi(t *testing.T) {
	if got := StripBidi("pay \u202Eevil\u202C now \u2066x\u2069"); got != "pay evil now x" {
		t.Fatalf("StripBidi = %q", got)
	}
	if s := "plain: שלום"; StripBidi(s) != s {
		t.Fatal("text with no formatting characters changed")
	}
}
