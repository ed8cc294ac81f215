package feed

import "embed"

// Source holds the API's handler files, so the workshop shows the learner the
// exact code that runs: handlers.go (the routes), connect_per_request.go (the
// broken getDbConnection), connect_shared.go (Fix 1), classify.go (the causes).
//
//go:embed handlers.go connect_per_request.go connect_shared.go classify.go
var Source embed.FS

// SourceFiles lists Source's files in reading order.
var SourceFiles = []string{"handlers.go", "connect_per_request.go", "connect_shared.go", "classify.go"}
