// Package e2e drives the real scalelab binary in tmux: the learner's key presses go in with
// send-keys, the screen comes back with capture-pane. The tests skip when tmux is missing
// (`make tools` / .ci/run install it).
package e2e
