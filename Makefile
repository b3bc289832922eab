# Patchbay. `make help` lists the targets. `make run` and `make test` are all the set-up a
# fresh Debian/Ubuntu machine needs: they install missing system packages (apt, as root or
# through sudo) and the npm test peers themselves.

SHELL := /bin/bash
GO ?= go
# Two binaries: the lean, pure-Go patchbay (CLI, bridge, the shim every AI client launches)
# and the Fyne tray, patchbay-tray, which `patchbay` with no arguments runs from its folder.
BIN := patchbay
TRAY := patchbay-tray
FYNEAPP := cmd/patchbay-tray/FyneApp.toml
VERSION ?= $(shell sed -n 's/^ *Version *= *"\(.*\)"/\1/p' $(FYNEAPP) 2>/dev/null | grep . || echo dev)
LDFLAGS := -s -w -X github.com/patchbay-mcp/patchbay/cli.Version=$(VERSION)
TOOLBIN := $(CURDIR)/.tools
# Non-GUI packages: everything but app/ and cmd/patchbay-tray (which link Fyne through cgo).
CORE_PKGS := . ./bridge/... ./connectors/... ./clientconfig/... ./cli/... ./internal/...

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

## build: build ./patchbay (pure Go, no cgo) and ./patchbay-tray (the Fyne tray)
.PHONY: build
build: deps
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(TRAY) ./cmd/patchbay-tray

## run: build both and open the tray app (./patchbay runs ./patchbay-tray)
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

## package: build a Linux release archive, Patchbay.tar.xz (both binaries, a .desktop file for the tray)
# fyne package builds the tray from cmd/patchbay-tray (its FyneApp.toml, whose Build number it
# bumps: the file is put back as it was). The lean patchbay is added next to the tray in the
# archive's bin folder and to its Makefile's install and uninstall rules, then it is repacked.
.PHONY: package
package: deps $(TOOLBIN)/fyne
	rm -f Patchbay.tar.xz
	@set -euo pipefail; tmp=$$(mktemp -d); trap 'cp "$$tmp/FyneApp.toml" $(FYNEAPP); rm -rf "$$tmp"' EXIT; \
	cp $(FYNEAPP) "$$tmp/FyneApp.toml"; \
	$(TOOLBIN)/fyne package --os linux --release --src cmd/patchbay-tray --name Patchbay --app-id dev.patchbay.Patchbay; \
	mkdir "$$tmp/pkg"; tar -xJf Patchbay.tar.xz -C "$$tmp/pkg"; \
	tray=$$(cd "$$tmp/pkg" && find . -path '*/bin/$(TRAY)'); bindir=$$(dirname "$${tray#./}"); \
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o "$$tmp/pkg/$$bindir/$(BIN)" .; \
	for mk in "$$tmp"/pkg/*/Makefile; do \
		sed -i '/^\t\(install -Dm00755\|-rm\) .*bin\/$$(Exec)$$/{p;s/$$(Exec)/$(BIN)/g}' "$$mk"; \
		grep -q 'bin/$(BIN)' "$$mk"; \
	done; \
	(cd "$$tmp/pkg" && tar -cJf "$(CURDIR)/Patchbay.tar.xz" *); \
	list=$$(tar -tJf Patchbay.tar.xz); \
	for f in "$$bindir/$(TRAY)" "$$bindir/$(BIN)"; do grep -qx "$$f" <<<"$$list" || { echo "Patchbay.tar.xz lacks $$f" >&2; exit 1; }; done; \
	tar -xJOf Patchbay.tar.xz --wildcards '*.desktop' | grep -qx 'Exec=$(TRAY)' || { echo "the .desktop file does not launch $(TRAY)" >&2; exit 1; }
	@tar -tvJf Patchbay.tar.xz | grep '/bin/'
	@ls -l Patchbay.tar.xz

## cross: check that the non-GUI packages and the lean patchbay build for Windows and macOS without cgo
.PHONY: cross
cross:
	GOOS=windows CGO_ENABLED=0 $(GO) build $(CORE_PKGS)
	GOOS=darwin CGO_ENABLED=0 $(GO) build $(CORE_PKGS)

## clean: remove build outputs
.PHONY: clean
clean:
	rm -rf $(BIN) $(TRAY) Patchbay.tar.xz screenshots $(TOOLBIN)

# The fyne CLI and staticcheck come from the tools module (tools/go.mod), pinned: `go install
# pkg@version` of fyne.io/tools fails against this module proxy.
$(TOOLBIN)/%: tools/go.mod tools/go.sum
	cd tools && GOBIN=$(TOOLBIN) $(GO) install $$(sed -n 's/^\t\(.*\/cmd\/$*\)$$/\1/p' go.mod)
