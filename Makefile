# The two set-up commands of the README: `make demo` and `make test`.
SWIFT ?= swift
RELEASE_BIN = .build/release/sambabench

.PHONY: demo test build deps clean

deps:
	@scripts/deps.sh

build: deps
	$(SWIFT) build -c release --product sambabench

demo: build
	$(RELEASE_BIN) run scenarios/demo.yaml

test:
	@scripts/deps.sh --test
	scripts/sdk-compat/run.sh --install-only
	SAMBABENCH_SDK_PYTHON=$(CURDIR)/.build-sdk-venv/bin/python $(SWIFT) test --no-parallel
	scripts/sdk-compat/run.sh
	scripts/schemathesis/run.sh

clean:
	rm -rf .build results
