# The commands a newcomer types: make, make test, make demo, make install, make clean.
BUILD ?= build
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps test unit integration demo install clean asan fuzz check-generated

all: $(BUILD)/Makefile
	@$(MAKE) --no-print-directory -C $(BUILD) -j$(JOBS)

$(BUILD)/Makefile:
	@cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null

deps:
	@scripts/install-deps

# The whole suite: unit tests, then integration tests on a real broker
# (KFK_BOOTSTRAP if set, else a local single node started and stopped here).
test: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-tests $(BUILD)

unit: all
	@cd $(BUILD) && ctest -L unit --output-on-failure

demo: deps all
	@scripts/demo $(BUILD)

install: all
	@cmake --install $(BUILD) --prefix $(PREFIX)

# Unit tests under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DKFK_SANITIZE=ON -DKFK_WERROR=ON >/dev/null
	@$(MAKE) --no-print-directory -C build-asan -j$(JOBS)
	@cd build-asan && ctest -L unit --output-on-failure

fuzz:
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DKFK_SANITIZE=ON -DKFK_FUZZ=ON >/dev/null
	@$(MAKE) --no-print-directory -C build-fuzz -j$(JOBS)

check-generated:
	@scripts/check-generated

clean:
	@rm -rf $(BUILD) build-asan build-fuzz build-poll
