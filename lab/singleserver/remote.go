package singleserver

import (
	"context"

	"scalelab/lab"
	"scalelab/lab/feed"
	"scalelab/lab/load"
)

var _ lab.Remote = (*single)(nil)

// RemoteStage reads the stage of a feed API run by another process (the workshop, `scalelab
// serve`) from its /health: its preset, whether the index exists and the rows it serves. A
// server that does not say its preset and index is of no stage of this lab (custom).
func (s *single) RemoteStage(ctx context.Context, url string) (string, int, error) {
	h, err := load.ReadHealth(ctx, url)
	if err != nil {
		return StageCustom, 0, err
	}
	k, perr := feed.ParsePreset(h.Preset)
	if perr != nil || h.Index == nil {
		return StageCustom, h.Rows, nil
	}
	return stageAt(k, *h.Index, h.Rows), h.Rows, nil
}
