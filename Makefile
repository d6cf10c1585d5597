# Vantage: `make run` builds and starts the server; `make test` runs every test.
BUILD ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
DATA ?= ./data

.PHONY: bootstrap build run test unit-test api-test sanitize bench clean

bootstrap:
	@scripts/bootstrap

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(EXTRA_CMAKE)

build: bootstrap $(BUILD)/build.ninja
	ninja -C $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/vantage serve --listen 127.0.0.1:8080 --data $(DATA)

# The store tests run on SQLite and on a throwaway PostgreSQL 15 that
# scripts/with-postgres starts for them (and stops afterwards).
unit-test: build
	cd $(BUILD) && $(CURDIR)/scripts/with-postgres ctest --output-on-failure -j $(JOBS)

api-test: build
	VANTAGE_BIN=$(abspath $(BUILD))/vantage node --test --test-concurrency=1 tests/api/

test: unit-test api-test

# The unit and API tests again, under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize: bootstrap
	$(MAKE) BUILD=build-asan BUILD_TYPE=Debug EXTRA_CMAKE=-DVANTAGE_SANITIZE=ON unit-test api-test

bench: build
	bench/run.sh

clean:
	rm -rf build build-asan
