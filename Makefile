# Patchbay. `make help` lists the targets. `make run` and `make test` are all the set-up a
# fresh Debian/Ubuntu machine needs: they install missing system packages (apt, as root or
# through sudo) and the npm test peers themselves.

SHELL := /bin/bash
GO ?= go
BIN := patchbay
VERSION ?= $(shell sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/patchbay-mcp/patchbay/cli.Version=$(VERSION)
TOOLBIN := $(CURDIR)/.tools
# Non-GUI packages: everything but app/ and the root (which link Fyne through cgo).
CORE_PKGS := ./bridge/... ./connectors/... ./clientconfig/... ./cli/... ./internal/...

.DEFAULT_GOAL := help

## help: list the documented targets
.PHONY: help
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST) | column -t -s ':' | sed 's/^/  make /'

## deps: install missing system packages (Debian/Ubuntu; no-op elsewhere)
.PHONY: deps
deps:
	@scripts/apt-deps.sh

## npm-peers: install the real MCP servers and clients the tests and benchmarks run against
.PHONY: npm-peers
npm-peers: testdata/npm/node_modules/.installed
testdata/npm/node_modules/.installed: testdata/npm/package.json testdata/npm/package-lock.json
	cd testdata/npm && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## build: build ./patchbay
.PHONY: build
build: deps
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

## run: build and open the tray app
.PHONY: run
run: build
	./$(BIN)

## test: run every test, in a private X display, D-Bus session and unlocked keyring, with a temporary HOME
.PHONY: test
test: deps npm-peers
	@scripts/test-env.sh $(GO) test -count=1 -timeout 20m ./...

## test-core: run the tests of the non-GUI packages only (no cgo, no display needed)
.PHONY: test-core
test-core: npm-peers
	@scripts/test-env.sh $(GO) test -count=1 -timeout 15m $(CORE_PKGS)

## lint: gofmt check, go vet, staticcheck
.PHONY: lint
lint: deps $(TOOLBIN)/staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(TOOLBIN)/staticcheck ./...

## bench: run the benchmarks (bridge vs direct vs mcp-remote, Notion connector vs the official server, client configs)
.PHONY: bench
bench: deps npm-peers
	@scripts/test-env.sh scripts/bench.sh

## screenshot: save PNGs of every window (with sample data) into screenshots/
.PHONY: screenshot
screenshot: deps
	@scripts/screenshot.sh

## package: build a Linux release archive (Patchbay.tar.xz with a .desktop file) with fyne package
.PHONY: package
package: deps $(TOOLBIN)/fyne
	$(TOOLBIN)/fyne package --os linux --release --name Patchbay --app-id dev.patchbay.Patchbay
	@ls -l Patchbay.tar.xz

## cross: check that the non-GUI packages build for Windows and macOS without cgo
.PHONY: cross
cross:
	GOOS=windows CGO_ENABLED=0 $(GO) build $(CORE_PKGS)
	GOOS=darwin CGO_ENABLED=0 $(GO) build $(CORE_PKGS)

## clean: remove build outputs
.PHONY: clean
clean:
	rm -rf $(BIN) Patchbay.tar.xz screenshots $(TOOLBIN)

# The fyne CLI and staticcheck come from the tools module (tools/go.mod), pinned: `go install
# pkg@version` of fyne.io/tools fails against this module proxy.
$(TOOLBIN)/%: tools/go.mod tools/go.sum
	cd tools && GOBIN=$(TOOLBIN) $(GO) install $$(sed -n 's/^\t\(.*\/cmd\/$*\)$$/\1/p' go.mod)
