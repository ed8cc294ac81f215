package lab

import "context"

// Remote is a lab whose server, run by another process (the workshop, `scalelab serve`), says
// what it is: a load test from another terminal files its run under the stage that server
// reports, as the lab's own LoadTest would. A lab without it has such runs filed StageCustom.
type Remote interface {
	// RemoteStage reads the stage of the lab's server at url (a load test's target) and the rows
	// it serves, from what it reports about itself; StageCustom when it reports nothing one of
	// the lab's stages matches. Bounded in time by ctx.
	RemoteStage(ctx context.Context, url string) (stage string, rows int, err error)
}
