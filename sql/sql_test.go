package sql

import (
	"io/fs"
	"strings"
	"testing"
)

// Each file holds exactly one statement: CREATE INDEX CONCURRENTLY cannot run
// in a multi-statement string, and the seed takes parameters.
func TestOneStatementPerFile(t *testing.T) {
	names, err := fs.Glob(Files, "*.sql")
	if err != nil || len(names) < 9 {
		t.Fatalf("embedded files %v (%v)", names, err)
	}
	for _, name := range names {
		b, _ := Files.ReadFile(name)
		var code []string
		for _, line := range strings.Split(string(b), "\n") {
			if !strings.HasPrefix(strings.TrimSpace(line), "--") {
				code = append(code, line)
			}
		}
		stmt := strings.TrimSpace(strings.Join(code, "\n"))
		if stmt == "" || strings.Count(stmt, ";") != 1 || !strings.HasSuffix(stmt, ";") {
			t.Errorf("%s: want one statement ending in ';', got %q", name, stmt)
		}
	}
}

func TestTheScenarioStartsWithoutTheIndex(t *testing.T) {
	if strings.Contains(strings.ToLower(Schema), "index") && strings.Contains(Schema, "CREATE INDEX") {
		t.Error("schema.sql must not index created_at: that is Fix 2")
	}
	if !strings.Contains(CreateIndex, "CONCURRENTLY") || !strings.Contains(CreateIndex, IndexName) {
		t.Errorf("create_index.sql: %s", CreateIndex)
	}
	if !strings.Contains(ExplainFeed, "ORDER BY created_at DESC") || !strings.Contains(FeedQuery, "LIMIT 20") {
		t.Error("the feed query and its EXPLAIN drifted apart")
	}
}
