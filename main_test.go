package main

import (
	"testing"

	"scalelab/lab/pg/pgtest"
)

// TestMain stops the tests' shared PostgreSQL at the end and removes the per-cluster system
// users that the commands run in this process made for their temporary data homes (as root).
func TestMain(m *testing.M) { pgtest.Main(m) }
