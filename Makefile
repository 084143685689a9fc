# The two commands a newcomer needs: `make run` and `make test`.
.PHONY: deps build run test test-unit test-asan bench fuzz format tidy clean

JOBS ?= $(shell nproc)
CTEST_JOBS ?= 2

deps:
	@bash scripts/deps.sh

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

run: build
	@bash scripts/web_test.sh build >/dev/null 2>&1 || echo "note: web/client not built (Node.js >= 20 and npm needed): the demo serves no /spa/"
	./build/gatekeeper demo

# Unit, integration and bounded fuzz runs, all through CTest.
test: build
	ctest --test-dir build --output-on-failure -j $(CTEST_JOBS)

test-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	ctest --test-dir build-asan --output-on-failure -j $(CTEST_JOBS) -L unit

bench: deps
	@bash bench/run.sh

fuzz: deps
	@bash scripts/fuzz.sh run $(or $(SECONDS_PER_TARGET),60)

format:
	@find src include tests fuzz bench -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

tidy: build
	@run-clang-tidy -p build -quiet src/ 2>/dev/null || clang-tidy -p build $$(find src -name '*.cpp')

clean:
	rm -rf build build-debug build-asan build-fuzz build-bench
