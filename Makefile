# Nông Sản Bot. `make run` and `make test` work on a fresh Debian/Ubuntu machine with Go:
# deploy/dev/services.sh brings up private PostgreSQL (127.0.0.1:55432) and Redis
# (127.0.0.1:56379) unless DATABASE_URL / REDIS_URL are set (environment or .env);
# for `make test`, deploy/dev/chromium.sh installs Debian's chromium (as root) for
# the browser test, which is skipped where there is none.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

SERVICES := bash deploy/dev/services.sh
CHROMIUM := bash deploy/dev/chromium.sh
# Puts DATABASE_URL / REDIS_URL of the private services into the recipe's shell.
WITH_ENV := eval "$$($(SERVICES) env)" &&

BIN := bin/nongsan
STATICCHECK_VERSION := v0.8.2
TESTFLAGS ?=
BENCHFLAGS ?=
# BenchmarkBroadcast paces 5,000 groups at Telegram's rate (3 minutes):
# `make bench BENCH_SKIP=` runs it too.
BENCH_SKIP ?= BenchmarkBroadcast
LOADFLAGS ?= -users 200 -duration 20s

.PHONY: help run test bench lint build services-up services-down services-status services-clean chromium

help: ## list the targets
	@echo "Targets:"
	@grep -E '^[a-z-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 24

run: services-up build ## start PostgreSQL + Redis if needed, build, and serve (applies migrations)
	$(WITH_ENV) exec $(BIN) serve

test: services-up chromium ## the whole test suite, race detector on, against real PostgreSQL and Redis (and Chromium)
	$(WITH_ENV) go test -race -count=1 -timeout 50m $(TESTFLAGS) ./...

bench: services-up ## Go benchmarks, then the load tool (cmd/loadtest) against the service it starts; see deploy/BENCHMARKS.md
	$(WITH_ENV) go test -run '^$$' -bench . -skip '$(BENCH_SKIP)' -benchmem $(BENCHFLAGS) ./...
	$(WITH_ENV) go run ./cmd/loadtest -workload sell $(LOADFLAGS)
	$(WITH_ENV) go run ./cmd/loadtest -workload mixed $(LOADFLAGS)

lint: ## gofmt, go vet, staticcheck
	@unformatted="$$(find . \( -path ./.dev -o -path ./.git -o -path ./bin \) -prune -o -name '*.go' -type f -exec gofmt -l {} +)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt -l lists files (run gofmt -w):"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

build: ## go build -o bin/nongsan ./cmd/nongsan
	go build -o $(BIN) ./cmd/nongsan

services-up: ## start the private PostgreSQL and Redis (idempotent)
	$(SERVICES) up

services-down: ## stop the private PostgreSQL and Redis (data kept in .dev/)
	$(SERVICES) down

services-status: ## what runs
	$(SERVICES) status

services-clean: ## stop the private services and delete their data
	$(SERVICES) clean

chromium: ## install Debian's chromium for the browser test when missing (as root)
	$(CHROMIUM) up
