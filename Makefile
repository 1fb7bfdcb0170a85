# The two set-up commands of the README: `make demo` and `make test`.
SWIFT ?= swift
RELEASE_BIN = .build/release/sambabench

.PHONY: demo test test-real test-slurm test-k8s build deps clean

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
	scripts/k8s/validate.sh
	scripts/slurm-test.sh

# A sharded run on a real Slurm on this host (4 srun tasks against one mock, merged and checked): about 1 minute.
test-slurm:
	scripts/slurm-test.sh

# The Kubernetes manifests against the Kubernetes JSON schema, offline: about 20 s (the first time, with the install).
test-k8s:
	scripts/k8s/validate.sh

# The real-server check (README, "Real servers"): builds llama.cpp's llama-server once per clone (about 10 minutes on
# 2 cores, cached in .cache/real-server) and checks sambabench's figures against the server's own.
test-real:
	@scripts/deps.sh --real
	$(SWIFT) build -c release --product sambabench
	nice scripts/real-server/run.sh

clean:
	rm -rf .build results
