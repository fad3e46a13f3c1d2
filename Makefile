# The commands a newcomer types: make, make test, make demo, make install, make clean.
BUILD ?= build
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps test unit integration demo install clean asan fuzz check-generated docs \
	check-abi abi-update

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

# Unit tests under AddressSanitizer and UndefinedBehaviorSanitizer. Only
# what they need is built (unit_tests, about 60% of the tree's compiling);
# `make -C build-asan` builds the rest, for running other suites under ASan.
asan:
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DKFK_SANITIZE=ON -DKFK_WERROR=ON >/dev/null
	@$(MAKE) --no-print-directory -C build-asan -j$(JOBS) unit_tests
	@cd build-asan && ctest -L unit --output-on-failure

fuzz:
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DKFK_SANITIZE=ON -DKFK_FUZZ=ON >/dev/null
	@$(MAKE) --no-print-directory -C build-fuzz -j$(JOBS)

check-generated:
	@scripts/check-generated

# The HTML API reference of kfk.h and kfk_mock.h: $(BUILD)/docs/html/index.html.
# Any Doxygen warning fails it, and so does a function whose comment does not
# say from which threads it may be called.
docs:
	@docs/api/check-thread-rules
	@rm -rf $(BUILD)/docs && mkdir -p $(BUILD)/docs
	@KFK_DOCS_OUT=$(BUILD)/docs \
	    KFK_VERSION=$$(sed -n 's/^#define KFK_VERSION_STR "\(.*\)"/\1/p' include/kfk.h) \
	    doxygen docs/api/Doxyfile
	@echo "docs: $(BUILD)/docs/html/index.html"

# libkfk.so's exports and ABI against the public headers and abi/libkfk.abi
# (docs/ABI.md); abi-update records a deliberate ABI change.
check-abi: all
	@scripts/check-exports $(BUILD)
	@scripts/check-abi $(BUILD)

abi-update: all
	@scripts/check-abi --update $(BUILD)

clean:
	@rm -rf $(BUILD) build-asan build-fuzz build-poll
