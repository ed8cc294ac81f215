package load

import "scalelab/lab/feed"

// StateOf names the lab state a run goes against, from the API's knobs and whether the index on
// posts.created_at exists: the broken preset without the index is the scenario as shipped,
// the fixed preset without it is "after Fix 1", with it "after Fix 2"; anything else (the broken
// knobs with the index, a single knob changed) is custom.
func StateOf(k feed.Knobs, index bool) string {
	switch {
	case k == feed.Broken() && !index:
		return StateBroken
	case k == feed.Fixed() && !index:
		return StateFix1
	case k == feed.Fixed() && index:
		return StateFix2
	}
	return StateCustom
}
