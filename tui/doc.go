// Package tui is scalelab's terminal interface: a bubbletea app that walks a learner through a
// scenario, collects their answers into the worksheet and (later) drives the lab beside the text.
//
// The shape follows bubbletea's composable-views example and glow's ui/: one root model (app.go)
// owns the window size, the active screen, the shared Styles (styles.go) and KeyMap (keys.go), the
// worksheet and its debounced saves (save.go), and routes messages. Each screen lives in its own
// file with its own model, key bindings and SetSize (reader.go is the first; a dashboard, a code
// view, an explain view and a results screen slot in beside it through the screen interface).
//
// Update never blocks: glamour rendering (render.go) and file I/O (save.go) run in tea.Cmds and
// report back through unexported xxxMsg types declared beside them. Lab actions leave the TUI
// through the Actions interface (actions.go), the seam where the lab is wired in.
//
// Plain mode (plain.go) is the same workshop without a screen: linear text and numbered prompts on
// an io.Reader/io.Writer, for screen readers, dumb terminals and pipes.
package tui
