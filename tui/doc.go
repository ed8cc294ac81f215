// Package tui is scalelab's terminal interface: a bubbletea app that walks a learner through a
// scenario, collects their answers into the worksheet and (later) drives the lab beside the text.
//
// The shape follows bubbletea's composable-views example and glow's ui/: one root model (app.go)
// owns the window size, the active screen, the shared Styles (styles.go) and KeyMap (keys.go), the
// worksheet and its debounced saves (save.go), and routes messages: window size to every screen,
// global keys (q, ctrl+c, ?, T) itself, other keys to the active screen, everything else (renders,
// lab messages, ticks) to every screen. Each screen lives in its own file with its own model, key
// bindings and SetSize, behind the screen interface; reader.go is the first (with compose.go,
// editor.go, search.go, steps.go). A dashboard, a code view, an explain view and a results screen
// slot in as more screenIDs in App.screens, switched by a global key.
//
// Update never blocks: glamour rendering (render.go) and file I/O (save.go) run in tea.Cmds and
// report back through unexported xxxMsg types declared beside them. The glamour style and colour
// profile are fixed at start-up (Options.GlamourStyle, Options.ColorProfile); a step is rendered
// per width and theme, and re-rendered in a Cmd on resize or T, the source shown until then.
//
// The seams for the lab (issue 5):
//   - Options.Actions (actions.go): Enter on a command block calls Actions.Run(action) and runs
//     the Cmd it returns; an ActionDoneMsg ends it (Summary or Err in the status line). nil
//     Actions shows "the lab is not wired yet: run `scalelab loadtest` in another terminal".
//   - Options.Startup: a Cmd run at start beside the first rendering (the lab's background start).
//   - LabStatusMsg: the lab's state line in the header; p.Send it or return it from a Cmd.
//   - SetTableMsg: measured values into a result table (worksheet + screen, saved); the learner
//     can also fill or correct a result table by hand (Tab to it, Enter).
//   - Messages the root does not know go to every screen, so new screens get lab samples.
//
// Saving: every change bumps a generation and schedules a save 400 ms later (tea.Tick); only the
// latest generation's tick saves, a snapshot taken in Update written in a Cmd by worksheet.Save
// (atomic). q saves then quits; App.Flush saves what is left after p.Run returns (ctrl+c,
// SIGTERM, SIGHUP). kill -9 loses at most the last 400 ms of typing.
//
// Plain mode (plain.go) is the same workshop without a screen: linear text and numbered prompts on
// an io.Reader/io.Writer, for screen readers, dumb terminals and pipes.
package tui
