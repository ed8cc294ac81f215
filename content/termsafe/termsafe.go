package termsafe

import (
	"strings"
	"unicode/utf8"
)

// Placeholder replaces each control character or escape sequence Clean takes out, so the
// reader sees that something was there.
const Placeholder = "\uFFFD"

// Clean returns s with every C0 control except \n and \t, DEL, every C1 control and every
// escape sequence (ESC and what it introduces: CSI, OSC, DCS, SOS, PM, APC or a single
// character) replaced by one Placeholder each. A CR right before a LF is dropped, so CRLF
// text reads as LF text; invalid UTF-8 bytes become Placeholder too, so the result is always
// valid UTF-8. Text with nothing to clean is returned as it is, without copying.
func Clean(s string) string {
	if !dirty(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f || c == '\n' || c == '\t' {
			// copy the run of plain ASCII at once
			j := i + 1
			for j < len(s) && (s[j] >= 0x20 && s[j] < 0x7f || s[j] == '\n' || s[j] == '\t') {
				j++
			}
			b.WriteString(s[i:j])
			i = j
			continue
		}
		if c == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
			continue
		}
		if c == 0x1b {
			i = skipEscape(s, i+1)
			b.WriteString(Placeholder)
			continue
		}
		if c < 0x80 { // other C0 controls and DEL
			b.WriteString(Placeholder)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteString(Placeholder)
		case r >= 0x80 && r <= 0x9f:
			i = skipC1(s, r, i+size)
			b.WriteString(Placeholder)
			continue
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// dirty says whether s holds anything Clean would change.
func dirty(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20:
			if c != '\n' && c != '\t' {
				return true
			}
		case c == 0x7f:
			return true
		case c == 0xc2: // U+0080..U+009F are C2 80..C2 9F in UTF-8
			if i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f {
				return true
			}
		}
	}
	return !utf8.ValidString(s)
}

// skipEscape returns the index after the escape sequence whose ESC was just before i.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[': // CSI
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: a string up to its terminator
		return skipString(s, i+1)
	}
	if s[i] < 0x20 || s[i] >= 0x7f {
		// ESC followed by a control or a non-ASCII byte: that byte is handled on its own
		return i
	}
	// intermediates, then one final character (ESC c, ESC ( B, ESC 7 ...)
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] < 0x7f {
		i++
	}
	return i
}

// skipC1 returns the index after a C1 control r that ended just before i, with the
// parameters or string a CSI, OSC, DCS, SOS, PM or APC control introduces.
func skipC1(s string, r rune, i int) int {
	switch r {
	case 0x9b:
		return skipCSI(s, i)
	case 0x9d, 0x90, 0x98, 0x9e, 0x9f:
		return skipString(s, i)
	}
	return i
}

// skipCSI skips parameter bytes, intermediate bytes and the final byte of a CSI sequence.
func skipCSI(s string, i int) int {
	for i < len(s) && s[i] >= 0x30 && s[i] <= 0x3f {
		i++
	}
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipString skips a control string up to and including its terminator (BEL, ESC \ or the
// C1 ST). It stops before a line break, so a sequence left open never swallows the lines
// after it (line numbers stay right; the introducer is gone, so the rest is plain text).
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i // another sequence starts: Clean handles it next
		case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c:
			return i + 2
		case s[i] == '\n':
			return i
		}
		i++
	}
	return i
}

// StripBidi returns s without the Unicode bidirectional formatting characters (the embeddings,
// overrides and isolates U+202A–U+202E and U+2066–U+2069, the marks U+200E, U+200F and U+061C).
// They are not control sequences, but one of them in a line from somebody else (a broadcast)
// reverses how the rest of the line reads on every screen that shows it.
func StripBidi(s string) string {
	if !strings.ContainsFunc(s, isBidi) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isBidi(r) {
			return -1
		}
		return r
	}, s)
}

func isBidi(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}
