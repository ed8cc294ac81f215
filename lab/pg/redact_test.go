package pg_test

import (
	"strings"
	"testing"

	"scalelab/lab/pg"
)

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://postgres:postgres@127.0.0.1:5432/feedapp?sslmode=disable": "postgres://postgres:xxxxx@127.0.0.1:5432/feedapp?sslmode=disable",
		"postgres://app@db.example:5432/feed":                                 "postgres://app@db.example:5432/feed",
		"postgres://app@db/feed?password=s3cret&sslmode=require":              "postgres://app@db/feed?password=xxxxx&sslmode=require",
		"host=db user=app password=s3cret":                                    "(the given connection string)",
		"postgres://app:p#ss@db/feed":                                         "(the given connection string)",
	} {
		got := pg.Redact(in)
		if got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
		if strings.Contains(got, "s3cret") || strings.Contains(got, "p#ss") {
			t.Errorf("Redact(%q) shows the password: %q", in, got)
		}
	}
}
