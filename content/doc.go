// Package content reads scenario markdown: the format a scalelab workshop is written in.
//
// A scenario is ordinary markdown with a few conventions, and Parse turns it into a
// Scenario the workshop can drive:
//
//   - the first line is the title (`# Title`); `**Key:** value` lines before the first
//     section are metadata; `**Lab:** NAME` names the lab the scenario runs in (Scenario.Lab;
//     a file without one runs in the runner's default lab);
//   - every `## ` section is a Step, in order; a heading that starts with "Step N" gives
//     the step its Number (1, 2, ... without gaps); other sections have Number 0;
//   - `### ` headings stay inside their step and name the blocks under them (Block.Sub);
//   - a paragraph that starts with `**Qn: ...**` asks question n; its answer goes in the
//     first plain fence after it whose text starts with "Your answer:", "Your guess:" or
//     numbered slots ("1.\n\n2.\n\n3."). A fence with the info string `model` right after
//     an answer fence is the question's model answer (kept out of the blocks);
//   - a table with empty value cells is a result table to be filled (Table.Fillable);
//   - `- [ ]` / `- [x]` lists are task lists; a trailing `<!-- tag -->` tags a task and is
//     its ID, an untagged task's ID is its step's and a slug of its text (Task.ID);
//   - a shell fence that runs a lab command (`scalelab WORD ...` for any action word the
//     lab may have, or the original's `npm run loadtest`, ...) becomes an Action the learner
//     runs with a key;
//   - `![alt](assets/NAME.svg)` is drawn from the terminal diagram assets/NAME.txt when
//     there is one;
//   - a table row ending in `<!-- when: NAME -->` (after its last cell) names the lab
//     condition under which the workshop shows it as a live "Stuck?" hint (Table.When,
//     Scenario.Hints); one anywhere else is an error, and CheckHints reports names the
//     caller's labs do not know.
//
// Parse is the input boundary for text from files: it replaces control characters and
// escape sequences (termsafe.Clean), so nothing in a Scenario can command a terminal, and it
// refuses what would make showing the file slow or huge: a file over 1 MB, a section whose
// markdown (answers and tables aside) is over 32 KB, block quotes and lists nested more than
// 8 deep, a table of over 1,000 rows or 64 columns; each with its line.
//
// Malformed input gives a *ParseError with the line number, never a panic. Fill (and the
// worksheet package's Export) writes the markdown back with answers, ticks and results in
// place, in a form Parse reads again.
//
// Builtin returns the scenario shipped with scalelab (embedded in Files).
package content
