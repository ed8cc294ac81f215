// Package board is the instructor's board, `scalelab class board`: a full-screen bubbletea
// program for the projector that shows the class live. It reads the room through a Source
// (the class server's control-socket client): one row per learner with their step, answers,
// load-test state and latest run per stage; the class's median per stage as the scenario's
// comparison table; and a bar chart of those medians. The instructor sends everyone a one-line
// message or to a step from it.
//
// Everything that comes from the network (names, titles, messages, stage names) is cleaned of
// control sequences before it is drawn, and every line is cut to the terminal's width, so the
// board never wraps and never lets a peer drive the instructor's terminal.
package board
