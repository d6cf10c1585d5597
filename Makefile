# Vantage: `make run` builds and starts the server; `make test` runs every test.
BUILD ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
DATA ?= ./data
ASAN_BUILD ?= build-asan
# The API test files a check runs (all of them unless told).
API_TESTS ?= tests/api/
NODE_TEST = node --test --test-concurrency=1 $(API_TESTS)
INTEROP = tests/interop
NODE_INTEROP = node --test --test-concurrency=1 $(INTEROP)/
# The federation suite: a real ActivityPub peer (Fedify) against the binary.
# Its files start their own servers and peers on free ports: two run at once.
FEDERATION = tests/federation
FEDERATION_TESTS ?= $(FEDERATION)/
NODE_FEDERATION = node --test --test-concurrency=2 $(FEDERATION_TESTS)
# Whether a check runs the federation suite.
WITH_FEDERATION ?= 1
E2E = tests/e2e
# The browser journeys run once per `make test`: in the Release check, which
# `test` calls with WITH_E2E=1 (SQLite; the engines are covered below them).
WITH_E2E ?= 0
# The storage engines the API and client suites run on.
ENGINES ?= sqlite postgres
# Whether a check runs the client-library suite.
WITH_INTEROP ?= 1
# What the sanitized build runs in `make test`: the API tests that feed the
# server hostile input and drive its connections' lives (malformed requests
# and bodies, keep-alive and timeouts, event streams and shutdown, past bugs).
ASAN_API_TESTS = tests/api/bad-input.test.mjs tests/api/connections.test.mjs tests/api/qa-stream.test.mjs \
	tests/api/regressions.test.mjs
# ...and the federation files that feed it what other servers send: forged
# and malformed signatures, the shapes real servers' activities take.
ASAN_FEDERATION_TESTS = tests/federation/forgeries.test.mjs tests/federation/shapes.test.mjs \
	tests/federation/rfc9421.test.mjs

.PHONY: bootstrap build asan-build run test check unit-test api-test interop-deps interop-test federation-deps federation-test e2e-deps e2e-test e2e-run sanitize bench clean

bootstrap:
	@scripts/bootstrap

# The Mastodon client libraries the interop tests drive, pinned by their
# lockfile. npm ci runs only when node_modules is missing or older than the
# lockfile (npm keeps its own record of what it installed in
# node_modules/.package-lock.json), so later runs need no network.
$(INTEROP)/node_modules/.package-lock.json: $(INTEROP)/package.json $(INTEROP)/package-lock.json
	npm ci --prefix $(INTEROP) --no-audit --no-fund --prefer-offline
	@touch $@

interop-deps: $(INTEROP)/node_modules/.package-lock.json

# Fedify, the federation suite's peer, pinned the same way.
$(FEDERATION)/node_modules/.package-lock.json: $(FEDERATION)/package.json $(FEDERATION)/package-lock.json
	npm ci --prefix $(FEDERATION) --no-audit --no-fund --prefer-offline
	@touch $@

federation-deps: $(FEDERATION)/node_modules/.package-lock.json

# Playwright and axe-core for the browser tests, pinned the same way. The
# browser is Debian's chromium (scripts/bootstrap); none is downloaded.
$(E2E)/node_modules/.package-lock.json: $(E2E)/package.json $(E2E)/package-lock.json
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix $(E2E) --no-audit --no-fund --prefer-offline
	@touch $@

e2e-deps: $(E2E)/node_modules/.package-lock.json

# The web app in headless Chromium at 390x844 and 1280x800 (tests/e2e).
e2e-run: e2e-deps
	cd $(E2E) && VANTAGE_BIN=$(abspath $(BUILD))/vantage node_modules/.bin/playwright test

e2e-test: build
	$(MAKE) --no-print-directory e2e-run

build: bootstrap
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	ninja -C $(BUILD) -j $(JOBS)

# The same code with AddressSanitizer and UndefinedBehaviorSanitizer.
asan-build: bootstrap
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVANTAGE_SANITIZE=ON
	ninja -C $(ASAN_BUILD) -j $(JOBS)

run: build
	$(BUILD)/vantage serve --listen 127.0.0.1:8080 --data $(DATA)

# Runs the suite $(1) against the binary once per engine in $(ENGINES), the
# engines at once (each run has its own servers, and mostly waits on them),
# each engine's output printed whole when it ends (kept in
# $(BUILD)/$(2)-ENGINE.log); fails when any engine's run fails.
PER_ENGINE = pids=; for engine in $(ENGINES); do \
  ( VANTAGE_BIN=$(abspath $(BUILD))/vantage VANTAGE_TEST_ENGINE=$$engine $(1) > $(BUILD)/$(2)-$$engine.log 2>&1; \
    rc=$$?; cat $(BUILD)/$(2)-$$engine.log; echo "$(2) on $$engine: exit $$rc"; exit $$rc ) & pids="$$pids $$!"; done; \
  rc=0; for pid in $$pids; do wait $$pid || rc=1; done; exit $$rc

# Every suite, on both storage engines: the unit and store tests (CTest), then
# the API tests against the real binary on SQLite and on PostgreSQL. Needs the
# throwaway PostgreSQL that scripts/with-postgres starts (and always stops).
# Then real Mastodon client libraries (masto, megalodon) drive a scenario
# against the binary, on both engines too.
check: interop-deps federation-deps
	@test -n "$$VANTAGE_TEST_POSTGRES_URL" || { echo "make check runs under scripts/with-postgres"; exit 2; }
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(call PER_ENGINE,$(NODE_TEST),api)
	@if [ "$(WITH_INTEROP)" = 1 ]; then $(call PER_ENGINE,$(NODE_INTEROP),interop); fi
	@if [ "$(WITH_FEDERATION)" = 1 ]; then $(call PER_ENGINE,$(NODE_FEDERATION),federation); fi
	@if [ "$(WITH_E2E)" = 1 ]; then $(MAKE) --no-print-directory e2e-run BUILD=$(BUILD); fi

# The Release build through every suite on both engines, then the sanitizer
# build: its unit and store tests on both engines (the store conformance
# suites are where the engines' own code runs) and ASAN_API_TESTS on the
# embedded default. The whole API and client suites under the sanitizers
# (`make sanitize`) would take CI past its time limit.
test: build asan-build interop-deps federation-deps e2e-deps
	scripts/with-postgres $(MAKE) --no-print-directory check BUILD=$(BUILD) WITH_E2E=1
	scripts/with-postgres $(MAKE) --no-print-directory check BUILD=$(ASAN_BUILD) ENGINES=sqlite \
	  API_TESTS="$(ASAN_API_TESTS)" FEDERATION_TESTS="$(ASAN_FEDERATION_TESTS)" WITH_INTEROP=0

unit-test: build
	cd $(BUILD) && $(CURDIR)/scripts/with-postgres ctest --output-on-failure -j $(JOBS)

api-test: build
	scripts/with-postgres sh -c 'VANTAGE_BIN=$(abspath $(BUILD))/vantage $(NODE_TEST) && VANTAGE_TEST_ENGINE=postgres VANTAGE_BIN=$(abspath $(BUILD))/vantage $(NODE_TEST)'

federation-test: build federation-deps
	scripts/with-postgres sh -c 'VANTAGE_BIN=$(abspath $(BUILD))/vantage $(NODE_FEDERATION) && VANTAGE_TEST_ENGINE=postgres VANTAGE_BIN=$(abspath $(BUILD))/vantage $(NODE_FEDERATION)'

interop-test: build interop-deps federation-deps
	scripts/with-postgres sh -c 'VANTAGE_BIN=$(abspath $(BUILD))/vantage $(NODE_INTEROP) && VANTAGE_TEST_ENGINE=postgres VANTAGE_BIN=$(abspath $(BUILD))/vantage $(NODE_INTEROP)'

sanitize: asan-build
	scripts/with-postgres $(MAKE) --no-print-directory check BUILD=$(ASAN_BUILD)

bench: build
	bench/run.sh
	bench/db.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
