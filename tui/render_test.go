package tui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/muesli/termenv"

	"scalelab/content"
)

// hostileMD is a scenario whose text tries to command the terminal: OSC titles and
// clipboard writes, screen clears, C1 controls, bells, backspaces, bare carriage returns,
// and the same again as numeric character references, which markdown turns into characters.
const hostileMD = "# Title\x1b]0;owned\x07\n\n" +
	"## Step 1 — Start \x1b[2J\x1b[H\n\n" +
	"Prose \x1b]52;c;cm0gLXJmIH4K\x1b\\ copies, \x1b[31mpaints\x1b[0m, rings\x07 and \u009b2J clears.\n" +
	"Backspaces\x08\x08 and a return\rhide text; DEL\x7f.\n\n" +
	"References: &#27;[2J &#x1b;]0;refs&#7; &#x9B;1m &#8; &#13; and a fine &#233; &#x2713;.\n\n" +
	"> quoted \x1b[?1049h text\n\n" +
	"- item \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\n\n" +
	"`code \x1b[5m` and *emph \u0085*\n\n" +
	"```\nfenced \x1b[2J\x07 text\n```\n\n" +
	"- [ ] a task \x1b[31m red\n"

// reGlamourSGR is the only escape sequence glamour itself writes: colours and attributes.
var reGlamourSGR = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// terminalControl returns the first control a terminal would act on in s once glamour's
// own colour sequences are taken out, or "".
func terminalControl(s string) string {
	s = reGlamourSGR.ReplaceAllString(s, "")
	for i, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) {
			return strings.ToValidUTF8(s[max(0, i-20):min(len(s), i+20)], "?")
		}
	}
	return ""
}

func TestRenderHostileScenario(t *testing.T) {
	sc, err := content.Parse("hostile.md", []byte(hostileMD))
	if err != nil {
		t.Fatal(err)
	}
	blocks := sc.Steps[0].Blocks
	for _, spec := range []renderSpec{{style: "dark", profile: termenv.TrueColor}, {style: "plain", profile: termenv.Ascii}, {style: "notty", profile: termenv.Ascii}} {
		r, err := renderStep(spec, renderKey{width: 80}, blocks)
		if err != nil {
			t.Fatal(err)
		}
		all := strings.Join(r.blocks, "\n")
		for _, ts := range r.tasks {
			all += strings.Join(ts, "\n")
		}
		if c := terminalControl(all); c != "" {
			t.Errorf("%s: a control from the file reaches the terminal near %q", spec.style, c)
		}
		if spec.profile == termenv.Ascii && reGlamourSGR.MatchString(strings.ReplaceAll(all, "\x1b[0m", "")) {
			t.Errorf("%s: a colour sequence from the file survives:\n%q", spec.style, all)
		}
		for _, want := range []string{"copies", "paints", "clears", "é", "✓", "quoted", "fenced"} {
			if !strings.Contains(all, want) {
				t.Errorf("%s: the text around the sequences lost %q:\n%s", spec.style, want, all)
			}
		}
		raw := rawRender(blocks, 80)
		if c := terminalControl(strings.Join(raw.blocks, "\n")); c != "" {
			t.Errorf("raw stand-in keeps a control near %q", c)
		}
	}
	// the renderer cleans what it is given even when it did not come through Parse
	tr, err := newGlamour(renderSpec{style: "plain", profile: termenv.Ascii}, ThemeDefault, 80)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tr.Render("answer \x1b]0;t\x07 &#27;[2J text")
	if err != nil || terminalControl(out) != "" {
		t.Errorf("Render of unparsed text: %q, %v", out, err)
	}
}

func TestRenderLongWordWraps(t *testing.T) {
	word := strings.Repeat("abcdefghij", 1000) // 10,000 characters, no space
	tr, err := newGlamour(renderSpec{style: "plain", profile: termenv.Ascii}, ThemeDefault, 60)
	if err != nil {
		t.Fatal(err)
	}
	out, err := renderMD(tr, "A word: "+word+" ends.")
	if err != nil {
		t.Fatal(err)
	}
	var joined strings.Builder
	for _, l := range strings.Split(out, "\n") {
		if n := len([]rune(strings.TrimRight(l, " "))); n > 60 {
			t.Fatalf("a line of %d columns at width 60: %q", n, l)
		}
		joined.WriteString(strings.ReplaceAll(l, " ", ""))
	}
	if !strings.Contains(joined.String(), word) {
		t.Errorf("the long word lost characters")
	}
	// a code fence keeps its long line whole
	code := "```\n" + word + "\n```"
	if out, _ := renderMD(tr, code); !strings.Contains(out, word) {
		t.Errorf("a fenced line was cut")
	}
}

func TestRenderCharRefs(t *testing.T) {
	for ref, want := range map[string]string{"&#27;": "\uFFFD", "&#x1B;": "\uFFFD", "&#x9b;": "\uFFFD", "&#7;": "\uFFFD",
		"&#127;": "\uFFFD", "&#233;": "&#233;", "&#10;": "&#10;", "&amp;": "&amp;"} {
		if got := safeMarkdown("a "+ref+" b", 80); got != "a "+want+" b" {
			t.Errorf("safeMarkdown(%q) = %q, want %q", ref, got, want)
		}
	}
}

// The renderer bounds nesting itself for text that did not come through the parser: the
// 1,000-`>` line renders as 8 quotes and text.
func TestRenderFlattensDeepNesting(t *testing.T) {
	if got := flattenMarkers(strings.Repeat(">", 20) + " x"); got != strings.Repeat(">", 8)+`\`+strings.Repeat(">", 12)+" x" {
		t.Errorf("flattenMarkers = %q", got)
	}
	if got := flattenMarkers("> - > - > - > - > - x"); got != `> - > - > - > - \> - x` {
		t.Errorf("flattenMarkers = %q", got)
	}
	for _, l := range []string{"- - - x", strings.Repeat("- ", 20), strings.Repeat("* ", 12)} {
		if got := flattenMarkers(l); got != l {
			t.Errorf("flattenMarkers changed %q to %q", l, got)
		}
	}
	tr, err := newGlamour(renderSpec{style: "plain", profile: termenv.Ascii}, ThemeDefault, 80)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tr.Render(strings.Repeat(">", 1000) + " deep")
	if err != nil {
		t.Fatal(err)
	}
	if len(out) > 20000 || !strings.Contains(out, "deep") {
		t.Errorf("1,000 nested quotes rendered to %d bytes", len(out))
	}
}
