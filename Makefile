# gaggle — the two commands that work on a fresh Debian 12 machine (as root):
#   make demo   installs what is missing, builds, runs the main job on the embedded default
#   make test   installs what is missing, builds, runs every test (also under ASan+UBSan)
# Other targets: build, build-gaggle, build-asan, unit, unit-asan, unit-release, integration, bench,
#   fuzz, format, clean,
#   demo-serve (the dashboard on the demo's state, after make demo), demo-nested (the nested
#   Avro -> Parquet demo).

JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
CMAKE_FLAGS ?=

.PHONY: all deps oracle build build-gaggle build-asan test unit unit-asan unit-release integration demo demo-nested demo-serve bench fuzz format clean

all: build

deps:
	@bash scripts/install-deps.sh

# Independent readers (DuckDB, avsc) from npm; some unit tests use them as oracles.
# s3rver (npm) is the S3 server of the object-storage tests.
oracle: deps
	@bash tests/oracle/setup.sh
	@bash tests/s3/setup.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

# Every target: the library, the gaggle binary, the unit tests, the benchmarks.
build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

# The gaggle binary alone, all that the demos and the integration tests run.
build-gaggle: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS) --target gaggle

$(ASAN_BUILD)/CMakeCache.txt:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DGAGGLE_SANITIZE=ON $(CMAKE_FLAGS)

build-asan: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j$(JOBS) --target gaggle_unit_tests gaggle

# The Release unit tests (a developer's target; make test runs them under ASan instead).
unit: build oracle
	cd $(BUILD) && ctest --output-on-failure --timeout 300 -j$(JOBS) -LE '^release-only$$'

unit-asan: build-asan oracle
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure --timeout 300 -j$(JOBS)

# What make test checks in the Release build besides integration, without building the whole
# unit-test binary a second time: clang's lock-annotation check and the tests ASan cannot make
# (gaggle_release_only_tests, CMakeLists.txt).
unit-release: deps $(BUILD)/CMakeCache.txt oracle
	cmake --build $(BUILD) -j$(JOBS) --target gaggle gaggle_release_only_tests
	cd $(BUILD) && ctest --output-on-failure --timeout 300 -j$(JOBS) -L '^(lint|release-only)$$'

integration: build-gaggle
	bash tests/run-integration.sh $(BUILD)/gaggle

# Every unit test runs once, under ASan+UBSan; the Release build makes the gaggle binary for
# the integration tests and runs only what ASan cannot (unit-release). Benchmarks are not built.
test: unit-release unit-asan integration
	@echo "make test: all suites passed"

demo: build-gaggle
	bash scripts/demo.sh $(BUILD)/gaggle

# The nested demo: events with a device record, item lists and attribute maps, Avro -> nested Parquet.
demo-nested: build-gaggle
	bash scripts/demo_nested.sh $(BUILD)/gaggle

# The dashboard on the demo's state (run `make demo` first); stops on Ctrl-C.
demo-serve: build-gaggle
	@test -s demo-out/gaggle.db || { echo "make demo-serve: run 'make demo' first (no demo-out/gaggle.db)"; exit 2; }
	$(BUILD)/gaggle serve --state demo-out/gaggle.db --demo-token

bench: build
	bash bench/run.sh $(BUILD)

fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGAGGLE_FUZZ=ON \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j$(JOBS)
	bash scripts/run-fuzz.sh $(FUZZ_BUILD) $${FUZZ_SECONDS:-60}

format:
	find src bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
