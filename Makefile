# kamaelia-go: set-up, tests, benchmarks, lint, fuzzing and the demo.
# `make demo` and `make test` are all a fresh Debian machine with Go needs.

GO       ?= go
GOFMT    ?= gofmt
FUZZTIME ?= 30s
# -fuzzminimizetime: a found input is minimised this long, no longer, so the
# time goes to fuzzing.
FUZZMINTIME ?= 10s
# Directories whose Fuzz targets `make fuzz` runs (./launch ./internet/...).
FUZZPKG  ?=
BENCH    ?= .
PKG      ?= ./...
BENCHFLAGS ?=

# Debian packages the project needs; `make setup` installs the missing ones.
# gcc and libc6-dev: cgo, which the race detector of `make test` needs.
# ca-certificates: fetching modules from the module proxy over HTTPS.
# chromium: the inspector's end-to-end test draws its page in headless Chromium.
# ngircd: the IRC tests of internet/irc start a real IRC server.
# netcat-openbsd: the servers' test with the real `nc -N` (a half-closing client).
# To add a package, add its name to this line.
PKGS := ca-certificates netcat-openbsd gcc libc6-dev pkg-config libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libavfilter-dev libavdevice-dev ffmpeg libsdl2-dev libsdl2-image-dev libsdl2-ttf-dev fonts-dejavu-core chromium ngircd

# Pinned: the module proxy has no @latest here. v0.7.0 misreports generic
# methods in axon as unused; v0.8.2 is the newest and runs clean on Go 1.26.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

# The core packages, which use no cgo (only media/ and device/ may): `make
# test-nocgo` tests them with CGO_ENABLED=0, as the README promises. Built
# without cgo, cmd/kamaelia leaves out the media components.
NOCGO_PKGS := ./axon/... ./chassis/... ./components/... ./internet/... ./launch/... ./compose/... ./media/catalog/... ./inspect/... ./cmd/... ./media/frame/... ./media/shotchange/... ./media/reframe/... ./media/ogg/... ./media/dirac/...

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help setup test test-nocgo bench lint fuzz demo macro-demo docs

help:
	@echo "make setup   install missing Debian packages ($(PKGS)) and Go modules"
	@echo "make test    setup, go vet, go test -race"
	@echo "make test-nocgo  the core packages built and tested with CGO_ENABLED=0"
	@echo "make bench   benchmarks (BENCH=regexp PKG=./pkg/... BENCHFLAGS='-count 5')"
	@echo "make lint    gofmt, go vet, staticcheck"
	@echo "make docs    regenerate docs/reference from the doc comments"
	@echo "make fuzz    every Fuzz target for FUZZTIME (default 30s); FUZZPKG=./dir/... narrows"
	@echo "make demo    stream a Dirac clip through 3 relay peers (examples/p2pvideo -demo)"
	@echo "make macro-demo  record a generated two-channel multiplex into macro-demo/finished and serve its feeds on :8080"

setup:
	@missing=""; \
	for p in $(PKGS); do \
		[ "$$(dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null)" = installed ] || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "setup: installing$$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@$(GO) mod download

test: setup
	$(GO) vet ./...
	$(GO) test -race -timeout 20m ./...

# No -race: the race detector needs cgo.
test-nocgo:
	CGO_ENABLED=0 $(GO) build ./...
	CGO_ENABLED=0 $(GO) test -timeout 10m $(NOCGO_PKGS)

bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem $(BENCHFLAGS) $(PKG)

lint:
	@out="$$($(GOFMT) -l .)"; \
	if [ -n "$$out" ]; then echo "gofmt: not formatted:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# scripts/fuzz finds every `func FuzzXxx(` in a _test.go file, so new targets
# are picked up; it goes on after a failure, tells a failing input from a
# fault of the fuzzing engine, and ends with a summary.
fuzz:
	GO="$(GO)" FUZZTIME="$(FUZZTIME)" FUZZMINTIME="$(FUZZMINTIME)" FUZZPKG="$(FUZZPKG)" ./scripts/fuzz

demo: setup
	$(GO) run ./examples/p2pvideo -demo

# Kamaelia Macro on a generated multiplex (docs/macro.md): programmes split
# at their EIT junctions, transcoded to LO and HI, served as RSS feeds until
# Ctrl-C.
macro-demo: setup
	mkdir -p macro-demo
	$(GO) run ./cmd/kamaelia macro -generate macro-demo/mux.ts -duration 20s
	$(GO) run ./cmd/kamaelia macro -input macro-demo/mux.ts -rate fast -out macro-demo -http 127.0.0.1:8080

# The reference pages are generated from the doc comments; a test in
# docs/internal/refgen fails when they are stale.
docs:
	$(GO) run ./docs/internal/refgen/cmd/refgen
