package worksheet

import (
	"fmt"
	"path/filepath"

	"scalelab/content/safefile"
)

// Claim marks a worksheet as open in this process for as long as it runs (a lock on
// path.open holding the process ID). Two workshops may still open one worksheet: the second
// learns which process has it open, and both save with SaveMerged, so neither drops the
// other's answers.
type Claim struct {
	release func()
	// Holder is the process ID of another workshop that has the worksheet open (0: none,
	// or one that has not written its ID yet when Shared is true).
	Holder int
	// Shared is true when another workshop had the worksheet open first.
	Shared bool
}

// ClaimSheet claims the worksheet at path (its directory created 0700).
func ClaimSheet(path string) (*Claim, error) {
	if err := privateDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("worksheet directory: %w", err)
	}
	release, holder, err := safefile.Claim(path + ".open")
	if err != nil {
		return nil, fmt.Errorf("worksheet %s: marking it open: %w", path, err)
	}
	if release == nil {
		return &Claim{Holder: holder, Shared: true}, nil
	}
	return &Claim{release: release}, nil
}

// Release ends the claim (safe twice, and on a shared claim).
func (c *Claim) Release() {
	if c != nil && c.release != nil {
		c.release()
		c.release = nil
	}
}

// Notice is the line to show the learner when the worksheet is open elsewhere ("" if not).
func (c *Claim) Notice() string {
	if c == nil || !c.Shared {
		return ""
	}
	who := "another scalelab"
	if c.Holder > 0 {
		who = fmt.Sprintf("another scalelab (process %d)", c.Holder)
	}
	return "this worksheet is also open in " + who + ": both save into it and answers are merged, none is lost"
}
