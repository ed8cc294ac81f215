# scalelab — `make run` starts the workshop, `make test` runs the tests.
# Both install what a fresh machine lacks (Go modules, PostgreSQL binaries, HAProxy) or say what to run.
SHELL := /bin/bash
GO ?= go
BIN := bin/scalelab

.PHONY: run test bench build deps postgres haproxy tools clean lint fuzz vuln

build: $(BIN)

$(BIN): $(shell find . -name '*.go' -not -path './bin/*') $(shell find content sql assets -type f 2>/dev/null) go.mod go.sum
	@mkdir -p bin
	$(GO) build -o $(BIN) .

run: deps postgres haproxy build
	./$(BIN)

test: deps postgres haproxy tools build
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...

bench: deps postgres haproxy tools build
	$(GO) test -p 1 -run '^$$' -bench . -benchtime 1x -timeout 30m ./...

fuzz: deps
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 30s ./content/

deps:
	@command -v $(GO) >/dev/null || { echo "Go not found: install Go 1.26+ (https://go.dev/doc/install) and run make again"; exit 1; }
	@$(GO) mod download

# PostgreSQL server binaries (initdb, postgres) for the lab's private cluster.
postgres:
	@./scripts/ensure-postgres.sh

# HAProxy, the load balancer of Scenario 2 (Scenario 1 runs without it).
haproxy:
	@./scripts/ensure-haproxy.sh

# tmux drives the end-to-end tests of the real binary; wrk is the external load for benchmarks.
tools:
	@./scripts/ensure-tools.sh

# Known vulnerabilities reachable from scalelab's code, from the Go vulnerability database
# (vuln.go.dev; offline, point it at a local copy: make vuln VULNDB=file:///path/to/db).
VULNDB ?=
vuln:
	$(GO) run golang.org/x/vuln/cmd/govulncheck@v1.9.0 $(if $(VULNDB),-db $(VULNDB)) ./...

clean:
	rm -rf bin
