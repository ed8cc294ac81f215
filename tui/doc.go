// Package tui is scalelab's terminal interface: a bubbletea app that walks a learner through a
// scenario, collects their answers into the worksheet and drives the lab beside the text.
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
// The lab: the workshop knows a lab only through the contract of package lab (lab.Lab and its
// records); it imports no lab's own package. Options.Lab is the running lab (LabController,
// labctl.go, around the lab.Lab the caller made with lab.New). App.Init starts it in the
// background beside the first rendering (the first frame never waits for the lab); App.Update
// hands it every message first (its ticks and results come back as messages). It reports
// through LabStatusMsg (the header's state line, the lab's Status.Line, with a spinner while it
// starts, and the Stuck? conditions that hold), labSampleMsg (the lab's Sample with the load
// test's progress: ~4 a second during a load test, once a second otherwise), ActionDoneMsg,
// ActionProgressMsg, ExplainMsg, LabAppliedMsg, SetTableMsg (result tables filled from the
// recorded runs by the lab's stages: empty cells at start, the fresh run's rows after a run) and
// LabRunsMsg (which stages have a run: the step checks of steps.go, through Lab.StageAfter).
//
// applab.go is the app's side: the lab's action keys (each action record's Key; its Help in the
// help screen and under the command blocks; its Confirm asked as y/n first) and Enter on a
// command block all go through startAction (SetTasks, then Lab.Run); the runner's own keys are
// S to stop a run, d/c/e/r for the live panes (the lab's gauge groups), the code view
// (lab.CodeViewer), the plan view (lab.Planner) and the results, esc/backspace to come back.
// During a load test the reader shares the window with the dashboard's Compact pane (beside
// from 120 columns, below from 40 rows) or shows a one-line live strip in the status line; from
// the reader in a smaller window the run opens the full-screen panes. When the run ends its last
// picture stays, with its summary, until esc (on the full-screen panes or the pane beside the
// text). A failing action shows its error in the status line (in a box over the text when it is
// long).
//   - Options.Actions: what runs the commands when there is no Lab (nil with --no-lab: the
//     notice says the lab is off and to run the command in another terminal).
//   - SetTableMsg: the learner can also fill or correct a result table by hand (Tab to it, Enter).
//   - Messages the root does not know go to every screen, so screens get lab samples.
//
// Saving: every change bumps a generation and schedules a save 400 ms later (tea.Tick); only the
// latest generation's tick saves, a snapshot taken in Update written in a Cmd by worksheet.Save
// (atomic). q saves then quits; App.Flush saves what is left after p.Run returns (ctrl+c,
// SIGTERM, SIGHUP). kill -9 loses at most the last 400 ms of typing.
//
// Plain mode (plain.go) is the same workshop without a screen: linear text and numbered prompts on
// an io.Reader/io.Writer, for screen readers, dumb terminals and pipes.
package tui
