package pgtest

import "scalelab/lab/pg"

func pgOptions() pg.Options { return pg.Options{} }
