// Package room is the class as the workshop server knows it: who has joined, where each
// learner is in the scenario, their load runs, the load-test queue, and what the instructor
// sends to everyone. The server keeps one Room; the board reads it through the control socket
// (Client), `scalelab class export` writes it as CSV and markdown, and /metrics shows it to a
// Prometheus.
package room

import "time"

// Learner is one learner of the class as the board shows them.
type Learner struct {
	ID        string    `json:"id"`   // directory-safe and unique: name + "-" + key fingerprint prefix
	Name      string    `json:"name"` // the SSH user name they joined with
	Connected bool      `json:"connected"`
	LastSeen  time.Time `json:"last_seen"` // the end of their last session, or now while connected

	Scenario  string `json:"scenario"`   // the scenario's ID they are in
	Step      int    `json:"step"`       // 0-based index of the step they are on
	Steps     int    `json:"steps"`      // steps in that scenario
	StepTitle string `json:"step_title"` // the step's heading
	Answered  int    `json:"answered"`   // questions answered in that scenario
	Questions int    `json:"questions"`  // questions in that scenario

	Lab     string `json:"lab"`     // their lab's short status ("lab: up", "lab: stopped (idle)")
	Running bool   `json:"running"` // a load test of theirs runs now
	Queued  int    `json:"queued"`  // their place in the load-test queue (1 = next); 0: not queued

	Runs []Run `json:"runs"` // their recorded load runs, oldest first
}

// Run is one recorded load run of a learner (from their run history).
type Run struct {
	ID          int           `json:"id"`
	At          time.Time     `json:"at"`
	Scenario    string        `json:"scenario"`
	Lab         string        `json:"lab"`
	Stage       string        `json:"stage"` // the lab's stage name the run measured
	Users       int           `json:"users"`
	Duration    time.Duration `json:"duration"`
	Total       int           `json:"total"`
	SuccessRate float64       `json:"success_rate"` // percent, 0-100
	P99         time.Duration `json:"p99"`
	RPS         float64       `json:"rps"`
	// Beside is how many other learners' load tests ran at some moment of this one (0: it ran
	// alone): a run measured beside others shares the machine's CPUs with them.
	Beside int `json:"beside"`
}

// StageMedian is the class's median, over the learners who ran it, of each learner's latest
// run in one stage of one scenario: a row of the scenario's comparison table.
type StageMedian struct {
	Scenario    string        `json:"scenario"`
	Lab         string        `json:"lab"`
	Stage       string        `json:"stage"`
	Title       string        `json:"title"` // the stage's label in the lab (lab.Stage.Label)
	Learners    int           `json:"learners"`
	SuccessRate float64       `json:"success_rate"`
	P99         time.Duration `json:"p99"`
	RPS         float64       `json:"rps"`
}

// Snapshot is the whole class at one moment. Version grows with every change, so a reader can
// wait for the next one (Room.Wait, Client.Wait).
type Snapshot struct {
	Class    string        `json:"class"`
	Version  uint64        `json:"version"`
	At       time.Time     `json:"at"`
	Slots    int           `json:"slots"`   // K: load tests that may run at once
	Running  int           `json:"running"` // load tests running now
	Queued   int           `json:"queued"`  // load tests waiting for a slot
	Message  string        `json:"message"` // the instructor's last broadcast ("" none)
	Learners []Learner     `json:"learners"`
	Medians  []StageMedian `json:"medians"`
}

// Notice is what the instructor sends to every session: a one-line message for the status
// line, and/or a step to go to.
type Notice struct {
	Message string `json:"message,omitempty"`
	// Goto is the 0-based step to send everyone to; -1 (or absent in JSON: use GotoNone) for none.
	Goto int `json:"goto"`
}

// GotoNone is Notice.Goto when the notice sends nobody anywhere.
const GotoNone = -1
