# The project's commands. Each installs what is missing first (a second run skips it):
#   make test   install everything, run the whole test suite (embedded devnet and anvil, side by side)
#   make demo   install everything, run full market rounds on the embedded devnet
#   make rollup-demo  install everything, run the reference rollup on the market (real proofs)
#   make gas    gas table of the settlement contract
SHELL := /bin/bash
ROOT := $(abspath .)
PYTHON ?= python3
VENV := $(ROOT)/.venv
BIN := $(VENV)/bin
SOLC_VERSION := 0.8.28

export SOLC_VERSION
export SOLCX_BINARY_PATH := $(ROOT)/.tools/solcx
export PATH := $(BIN):$(ROOT)/node_modules/.bin:$(PATH)
export PROOFMARKET_HOME ?= $(ROOT)/var
export MPLBACKEND := Agg

PYTEST := $(BIN)/pytest -p no:cacheprovider --tb=short -rs --durations=12
TEMPORARY := $(shell $(PYTHON) -c 'import tempfile; print(tempfile.gettempdir())')
ANVIL_NETWORK := ethereum:local:foundry

.PHONY: install chromium test test-embedded test-anvil demo rollup-demo gas bench properties compile clean

install: $(VENV)/.installed node_modules/.installed $(SOLCX_BINARY_PATH)/solc-v$(SOLC_VERSION) $(BIN)/anvil chromium

# The virtualenv and node_modules take about 850 MB; pip's own cache would double the wheels.
PIP_INSTALL := $(BIN)/pip install --quiet --quiet --no-cache-dir --disable-pip-version-check

$(VENV)/.installed: pyproject.toml requirements.lock
	@tools/check-disk.sh 1000 $(ROOT)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) pip==24.3.1
	$(PIP_INSTALL) -c requirements.lock -e ".[test]"
	@touch $@

# npm's download cache goes to a scratch folder, removed after: the packages are in node_modules.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error --cache $(ROOT)/.npm-cache
	@rm -rf $(ROOT)/.npm-cache
	@touch $@

# anvil through tools/anvil (no state dumps on disk), first on PATH for ape-foundry and proofmarket.
$(BIN)/anvil: tools/anvil $(VENV)/.installed node_modules/.installed
	ln -sf $(ROOT)/tools/anvil $@

$(SOLCX_BINARY_PATH)/solc-v$(SOLC_VERSION): tools/install-solc.sh node_modules/.installed
	tools/install-solc.sh

# Debian's chromium for the dashboard's browser test (tests/e2e/test_dashboard.py, Playwright):
# kept if /usr/bin/chromium is there, else installed with apt-get (Playwright's own browser
# download is not used).
chromium:
	@tools/install-chromium.sh

compile: install
	$(BIN)/ape compile

# The two passes run side by side (tools/run-passes.sh), each line prefixed with its pass's name.
test: install
	@tools/check-disk.sh 400 $(ROOT) $(TEMPORARY)
	@tools/run-passes.sh embedded=test-embedded anvil=test-anvil

# The example rollup project (examples/rollup_integration) runs on its own, as a team's project
# would, with the testing kit's plugin (registered by the package's pytest11 entry point).
test-embedded: install
	@tools/check-disk.sh 200 $(ROOT) $(TEMPORARY)
	$(PYTEST) tests
	cd examples/rollup_integration && $(PYTEST) tests

test-anvil: install
	@tools/check-disk.sh 200 $(ROOT) $(TEMPORARY)
	$(PYTEST) tests/contracts tests/zk tests/rollup tests/e2e --network $(ANVIL_NETWORK)
	cd examples/rollup_integration && $(PYTEST) tests --network $(ANVIL_NETWORK)

demo: install
	$(BIN)/proofmarket demo

rollup-demo: install
	$(BIN)/proofmarket rollup-demo

gas: install
	$(BIN)/proofmarket bench gas

properties: install
	$(BIN)/proofmarket properties

clean:
	rm -rf .build .cache var out
