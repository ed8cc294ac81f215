package tui

import (
	"strconv"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Theme selects the palette: the default one, or the projector one (bold text and only the
// 16 basic ANSI colours, readable on a washed-out projected screen).
type Theme int

const (
	ThemeDefault Theme = iota
	ThemeProjector
)

func (t Theme) String() string {
	if t == ThemeProjector {
		return "projector"
	}
	return "default"
}

// ParseTheme reads a --theme value.
func ParseTheme(s string) (Theme, bool) {
	switch s {
	case "", "default":
		return ThemeDefault, true
	case "projector":
		return ThemeProjector, true
	}
	return ThemeDefault, false
}

// Palette is every colour the TUI uses. Screens never name a colour: they use Styles.
type Palette struct {
	Accent, Subtle, Muted, Text, Good, Warn, Bad, Focus, Highlight lipgloss.TerminalColor
}

func paletteFor(t Theme, noColor bool) Palette {
	if noColor {
		n := lipgloss.NoColor{}
		return Palette{n, n, n, n, n, n, n, n, n}
	}
	if t == ThemeProjector {
		// The 16 basic ANSI colours only: the terminal's own, well contrasted, never a subtle grey.
		return Palette{
			Accent: lipgloss.Color("14"), Subtle: lipgloss.Color("7"), Muted: lipgloss.Color("7"),
			Text: lipgloss.Color("15"), Good: lipgloss.Color("10"), Warn: lipgloss.Color("11"),
			Bad: lipgloss.Color("9"), Focus: lipgloss.Color("11"), Highlight: lipgloss.Color("13"),
		}
	}
	return inProfile(Palette{
		Accent:    lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#9F8CFF"},
		Subtle:    lipgloss.AdaptiveColor{Light: "#9A9A9A", Dark: "#5C5C5C"},
		Muted:     lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#9A9A9A"},
		Text:      lipgloss.AdaptiveColor{Light: "#1A1A1A", Dark: "#E4E4E4"},
		Good:      lipgloss.AdaptiveColor{Light: "#1E7F3C", Dark: "#5FD387"},
		Warn:      lipgloss.AdaptiveColor{Light: "#9A6700", Dark: "#F2C94C"},
		Bad:       lipgloss.AdaptiveColor{Light: "#C0262D", Dark: "#FF6B6B"},
		Focus:     lipgloss.AdaptiveColor{Light: "#B25E00", Dark: "#FFB454"},
		Highlight: lipgloss.AdaptiveColor{Light: "#A0007A", Dark: "#FF7AD9"},
	}, lipgloss.ColorProfile())
}

// inProfile is p with its hex colours turned into the colours of profile (a 256- or 16-colour
// terminal) once, as lipgloss would turn them at every Render: finding the nearest of 256
// colours costs more than the rest of drawing a frame, and the class server draws a frame per
// learner each second. A true-colour (or colourless) profile keeps them as they are.
func inProfile(p Palette, profile termenv.Profile) Palette {
	if profile != termenv.ANSI256 && profile != termenv.ANSI {
		return p
	}
	conv := func(c lipgloss.TerminalColor) lipgloss.TerminalColor {
		a, ok := c.(lipgloss.AdaptiveColor)
		if !ok {
			return c
		}
		one := func(hex string) string {
			switch v := profile.Color(hex).(type) {
			case termenv.ANSI256Color:
				return strconv.Itoa(int(v))
			case termenv.ANSIColor:
				return strconv.Itoa(int(v))
			}
			return hex
		}
		return lipgloss.AdaptiveColor{Light: one(a.Light), Dark: one(a.Dark)}
	}
	return Palette{conv(p.Accent), conv(p.Subtle), conv(p.Muted), conv(p.Text), conv(p.Good),
		conv(p.Warn), conv(p.Bad), conv(p.Focus), conv(p.Highlight)}
}

// Styles is the one set of lipgloss styles shared by every screen.
type Styles struct {
	Theme   Theme
	NoColor bool
	Palette Palette

	Title, Header, StepTitle                lipgloss.Style
	Status, StatusKey, StatusOK, StatusWarn lipgloss.Style
	StatusErr                               lipgloss.Style
	Sidebar, SidebarItem, SidebarCurrent    lipgloss.Style
	MarkDone, MarkPartial, MarkNone         lipgloss.Style
	FocusBar, Blur                          lipgloss.Style
	QuestionLabel, AnswerBox, AnswerEmpty   lipgloss.Style
	AnswerBoxFocused, ModelAnswer, Hint     lipgloss.Style
	TaskDone, TaskOpen                      lipgloss.Style
	Command, CommandFocused, Diagram        lipgloss.Style
	TableBorder, TableHeader, TableCell     lipgloss.Style
	TableEmpty                              lipgloss.Style
	SearchMatch, SearchLine                 lipgloss.Style
	Overlay, OverlayTitle, Notice           lipgloss.Style
	HelpKey, HelpDesc, HelpSep              lipgloss.Style
}

// NewStyles builds the styles of a theme. noColor (NO_COLOR set) keeps bold/reverse but no colour.
func NewStyles(t Theme, noColor bool) *Styles {
	p := paletteFor(t, noColor)
	bold := t == ThemeProjector
	s := &Styles{Theme: t, NoColor: noColor, Palette: p}
	base := lipgloss.NewStyle().Bold(bold)
	s.Title = base.Foreground(p.Accent).Bold(true)
	s.Header = base.Foreground(p.Muted)
	s.StepTitle = base.Foreground(p.Text).Bold(true)
	s.Status = base.Foreground(p.Muted)
	s.StatusKey = base.Foreground(p.Accent)
	s.StatusOK = base.Foreground(p.Good)
	s.StatusWarn = base.Foreground(p.Warn)
	s.StatusErr = base.Foreground(p.Bad).Bold(true)
	s.Sidebar = lipgloss.NewStyle().BorderStyle(lipgloss.NormalBorder()).BorderRight(true).
		BorderForeground(p.Subtle).PaddingRight(1)
	s.SidebarItem = base.Foreground(p.Muted)
	s.SidebarCurrent = base.Foreground(p.Focus).Bold(true)
	if noColor {
		s.SidebarCurrent = s.SidebarCurrent.Reverse(true)
	}
	s.MarkDone = base.Foreground(p.Good)
	s.MarkPartial = base.Foreground(p.Warn)
	s.MarkNone = base.Foreground(p.Subtle)
	s.FocusBar = base.Foreground(p.Focus).Bold(true)
	s.Blur = base.Foreground(p.Subtle)
	s.QuestionLabel = base.Foreground(p.Accent).Bold(true)
	s.AnswerBox = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(p.Subtle).
		Foreground(p.Text).Bold(bold).Padding(0, 1)
	s.AnswerBoxFocused = s.AnswerBox.BorderForeground(p.Focus)
	s.AnswerEmpty = base.Foreground(p.Muted).Italic(!bold)
	s.ModelAnswer = lipgloss.NewStyle().Border(lipgloss.NormalBorder(), false, false, false, true).
		BorderForeground(p.Good).Foreground(p.Text).Bold(bold).PaddingLeft(1)
	s.Hint = base.Foreground(p.Muted)
	s.TaskDone = base.Foreground(p.Good)
	s.TaskOpen = base.Foreground(p.Text)
	s.Command = lipgloss.NewStyle().Border(lipgloss.NormalBorder()).BorderForeground(p.Subtle).
		Foreground(p.Text).Bold(bold).Padding(0, 1)
	s.CommandFocused = s.Command.BorderForeground(p.Focus)
	s.Diagram = base.Foreground(p.Text)
	s.TableBorder = lipgloss.NewStyle().Foreground(p.Subtle)
	s.TableHeader = base.Foreground(p.Accent).Bold(true).Padding(0, 1)
	s.TableCell = base.Foreground(p.Text).Padding(0, 1)
	s.TableEmpty = base.Foreground(p.Subtle).Padding(0, 1)
	s.SearchMatch = lipgloss.NewStyle().Reverse(true).Bold(true)
	s.SearchLine = base.Foreground(p.Highlight)
	s.Overlay = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(p.Accent).Padding(0, 1)
	s.OverlayTitle = base.Foreground(p.Accent).Bold(true)
	s.Notice = base.Foreground(p.Warn).Bold(true)
	s.HelpKey = base.Foreground(p.Accent)
	s.HelpDesc = base.Foreground(p.Muted)
	s.HelpSep = base.Foreground(p.Subtle)
	return s
}
