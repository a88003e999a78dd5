# snapcopy.cloud: `make demo` and `make test` on a machine with python3 (3.11+), pip, git, make.
# Python packages come from the package registry into .venv (.venv-newest for the newest core, .venv-awx
# and .venv-galaxy for awx-test and galaxy-import); shellcheck and chromium from apt-get (see apt_install).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VENV_NEWEST := .venv-newest
# The oldest SDK releases the collection supports (tests/requirements-oldest.txt), for units-oldest.
VENV_OLDEST := .venv-oldest
# The execution environment of make awx-test (tests/requirements-awx.txt).
VENV_AWX := .venv-awx
# galaxy-importer, in a venv of its own (tests/requirements-galaxy.txt).
VENV_GALAXY := .venv-galaxy
BIN := $(CURDIR)/$(VENV)/bin
BUILD := $(CURDIR)/build
# Ansible and pytest import the collection through this link to the repo.
COLLECTIONS := $(BUILD)/collections
# ansible-test needs a real folder under ansible_collections/ (see tests/utils/stage_collection.py).
# make test gives each leg that runs ansible-test a staged copy of its own (tests/utils/run_legs.py).
ANSIBLE_TEST_ROOT ?= $(BUILD)/ansible-test
STAGE := $(ANSIBLE_TEST_ROOT)/ansible_collections/snapcopy/cloud
PYTHON_LINKS := $(BUILD)/pythons
# pyenv's shims claim every python3.X and then fail; ansible-test gets real interpreters instead
# (tests/utils/python_links.py).
CLEAN_PATH := $(shell printf '%s' "$$PATH" | tr ':' '\n' | grep -v 'pyenv/shims' | paste -sd: -)
TEST_PATH := $(PYTHON_LINKS):$(BIN):$(CLEAN_PATH)
NEWEST_PYTHON := $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12.*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_NOCOLOR := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help venv venv-newest venv-oldest collection-link stage pythons pip-bootstrap shellcheck test test-setup sanity units \
	units-ansible-test units-oldest integration lint \
	sanity-newest units-newest demo clean

# Every target a person runs has a '## what it does' comment on its line; make help lists them.
help: ## this list
	@awk -F':.*## ' '/^[a-z0-9-]+:.*## / { printf "make %-19s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

$(VENV)/.installed: tests/requirements.txt tests/unit/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r tests/requirements.txt
	touch $@

venv: $(VENV)/.installed ## the test and development venv (.venv) from tests/requirements.txt

$(VENV_NEWEST)/.installed: tests/requirements-newest.txt tests/unit/requirements.txt
	$(NEWEST_PYTHON) -m venv $(VENV_NEWEST)
	$(VENV_NEWEST)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_NEWEST)/bin/python -m pip install --quiet -r tests/requirements-newest.txt
	touch $@

venv-newest: $(VENV_NEWEST)/.installed ## .venv-newest: the newest ansible-core, on Python 3.12

$(VENV_OLDEST)/.installed: tests/requirements-oldest.txt
	$(PYTHON) -m venv $(VENV_OLDEST)
	$(VENV_OLDEST)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_OLDEST)/bin/python -m pip install --quiet -r tests/requirements-oldest.txt
	touch $@

venv-oldest: $(VENV_OLDEST)/.installed ## .venv-oldest: the oldest supported SDK releases

collection-link: ## link build/collections/ansible_collections/snapcopy/cloud to this tree
	@mkdir -p $(COLLECTIONS)/ansible_collections/snapcopy
	@ln -sfn ../../../.. $(COLLECTIONS)/ansible_collections/snapcopy/cloud

stage: venv ## copy the collection to build/ansible-test/..., where ansible-test runs
	@$(BIN)/python tests/utils/stage_collection.py $(STAGE)

pythons: venv ## link the Pythons ansible-test may use into build/pythons
	@echo "Pythons for ansible-test: $$($(BIN)/python tests/utils/python_links.py $(PYTHON_LINKS))"

pip-bootstrap: venv ## give ansible-test's pip bootstrap a local answer (no download)
	@$(BIN)/python tests/utils/pip_bootstrap.py

# ---------------------------------------------------------------- test legs, as CI runs them
# Each leg's wall time is printed after it.
timed = start=$$(date +%s); $(MAKE) --no-print-directory $(1); echo "== $(1) took $$(( $$(date +%s) - start )) s"

# What the legs share, made once by test-setup; the lanes' legs are told not to make it again (make -o),
# so that no leg rebuilds a venv or a link that a leg of the other lane is using.
TEST_SETUP_MADE := venv venv-oldest venv-newest docs-venv collection-link pythons pip-bootstrap shellcheck \
	$(VENV)/.installed $(VENV)/.docs-installed $(VENV_OLDEST)/.installed $(VENV_NEWEST)/.installed \
	$(VENV_AWX)/.installed $(VENV_GALAXY)/.installed
NEWEST_LEGS := $(if $(NEWEST_PYTHON),sanity-newest units-newest)
# Two lanes side by side, one per CPU of CI's machine; most legs wait more than they compute.
# The longest leg (integration) leads the first lane; the second lane is the rest, about as long.
TEST_LANE_1 := integration docs-test release-test awx-test galaxy-import
TEST_LANE_2 := sanity units units-ansible-test units-oldest chaos-short lint $(NEWEST_LEGS)

test-setup: ## the venvs (side by side) and tools that the legs share; make test runs it first
	@$(MAKE) --no-print-directory -j4 venv venv-oldest $(VENV_AWX)/.installed $(VENV_GALAXY)/.installed $(if $(NEWEST_PYTHON),venv-newest)
	@$(MAKE) --no-print-directory docs-venv collection-link pythons pip-bootstrap shellcheck

test: ## what CI runs: every leg below, in two lanes side by side, each with its time (logs in build/test-logs)
	@$(call timed,test-setup)
	@[ -n "$(NEWEST_PYTHON)" ] || echo 'python3.12 not found: the newest ansible-core legs will not run'
	@$(BIN)/python tests/utils/run_legs.py --log-dir $(BUILD)/test-logs --build $(BUILD) \
		--make-flags '$(foreach made,$(TEST_SETUP_MADE),-o $(made))' '$(TEST_LANE_1)' '$(TEST_LANE_2)'

# Two legs use Debian packages: sanity's shellcheck test (shellcheck) and docs-test's page tests
# (chromium). $(call apt_install,PACKAGE,CHECK,WHAT) installs PACKAGE with apt-get when CHECK fails,
# as root or with sudo. Where it cannot (no apt-get, sudo would ask for a password, or APT=no), it
# says that WHAT is skipped, and the leg goes on without it. CI runs as root with apt-get: nothing is skipped.
APT ?= yes
define apt_install
if $(2); then :; \
elif [ '$(APT)' = yes ] && command -v apt-get > /dev/null && { [ "$$(id -u)" = 0 ] || sudo -n true 2> /dev/null; }; then \
	echo 'Installing $(1) (apt-get)'; sudo=$$([ "$$(id -u)" = 0 ] || echo 'sudo -n'); \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $(1) > /dev/null; \
else echo 'SKIPPED: $(3), for want of $(1), which apt-get cannot install here (install $(1) to run it)'; fi
endef

shellcheck: ## install shellcheck with apt-get if it is missing (see apt_install)
	@$(call apt_install,shellcheck,command -v shellcheck > /dev/null,the shellcheck test of ansible-test sanity)

sanity: venv stage pythons pip-bootstrap shellcheck ## ansible-test sanity, oldest supported ansible-core, no ignore file
	@echo '== sanity (ansible-test, oldest supported ansible-core)'
	cd $(STAGE) && PATH='$(TEST_PATH)' $(BIN)/ansible-test sanity --color no

units: venv collection-link ## unit tests and fakecloud's own tests with pytest, with coverage
	@echo '== units (pytest)'
	$(BIN)/python -m pytest -q -n 4 --cov=plugins --cov-report=term-missing:skip-covered tests/unit tests/fakecloud/tests

units-ansible-test: venv stage pythons ## the same unit tests as ansible-test units runs them
	@echo '== units-ansible-test (ansible-test units, Python 3.11)'
	cd $(STAGE) && PATH='$(TEST_PATH)' $(BIN)/ansible-test units --local --python 3.11 --num-workers 4 --color no

units-oldest: venv-oldest collection-link ## the unit tests on the oldest supported SDK releases
	@echo '== units-oldest (pytest, the SDK releases of tests/requirements-oldest.txt)'
	$(VENV_OLDEST)/bin/python -m pytest -q -n 4 -m 'not pinned_sdk' tests/unit/plugins

integration: venv stage collection-link ## ansible-test integration against moto server and fakecloud
	@echo '== integration (ansible-test, against moto server and fakecloud)'
	PATH='$(TEST_PATH)' $(BIN)/python tests/utils/with_emulators.py --config $(STAGE)/tests/integration/integration_config.yml -- \
		bash -c 'cd $(STAGE) && $(BIN)/ansible-test integration --color no --local'

lint: venv collection-link ## ruff, pylint, mypy, yamllint, ansible-lint (production), changelog lint
	@echo '== lint (ruff, pylint, mypy on plugins/; yamllint; ansible-lint production profile; antsibull-changelog)'
	$(BIN)/ruff check plugins/
	PYTHONPATH=$(COLLECTIONS) $(BIN)/pylint plugins/
	$(BIN)/mypy plugins/
	$(BIN)/yamllint docs/ playbooks/ roles/
	$(BIN)/ansible-lint --profile production $(wildcard roles playbooks)
	$(BIN)/antsibull-changelog lint

# plugins/module_utils/_ec2_model.py: the EC2 operations we call, cut from the installed botocore's model.
# Rerun after a botocore upgrade; the units fail until then (test_ec2_model.py).
.PHONY: ec2-model
ec2-model: venv ## rewrite plugins/module_utils/_ec2_model.py from the installed botocore
	$(BIN)/python tests/utils/trim_ec2_model.py

sanity-newest: venv-newest stage pythons shellcheck ## ansible-test sanity with the newest ansible-core
	@echo '== sanity (ansible-test, newest ansible-core)'
	$(VENV_NEWEST)/bin/python tests/utils/pip_bootstrap.py
	cd $(STAGE) && PATH='$(PYTHON_LINKS):$(CURDIR)/$(VENV_NEWEST)/bin:$(CLEAN_PATH)' $(CURDIR)/$(VENV_NEWEST)/bin/ansible-test sanity --color no

units-newest: venv-newest collection-link ## the unit tests with the newest ansible-core
	@echo '== units (pytest, newest ansible-core)'
	$(VENV_NEWEST)/bin/python -m pytest -q -n 4 tests/unit tests/fakecloud/tests

# ---------------------------------------------------------------- the main job, on local emulators
# The first run seeds the emulators and copies; the second, with everything in place, changes nothing.
DEMO_ONLY ?= ["aws", "ecs", "ens", "cbs"]
demo: venv collection-link ## the main job on the local emulators, then again: nothing changes
	tests/utils/demo.sh '$(BIN)' '$(BUILD)' '$(DEMO_ONLY)'

clean: ## remove build/ and every venv
	rm -rf $(BUILD) $(VENV) $(VENV_NEWEST) $(VENV_OLDEST) $(VENV_AWX) $(VENV_GALAXY) .pytest_cache .coverage

# ---------------------------------------------------------------- docs, docs-test, release-test
# The docs tools (antsibull-docs, Sphinx, MyST, ansible-builder) are pinned in docs/requirements.txt
# and go into .venv. `make docs` builds the collection's HTML site (reference pages from
# antsibull-docs, plus the user guide) into build/docsite/build/html, without network access.
DOCSITE := $(BUILD)/docsite
CHROMIUM ?= /usr/bin/chromium

.PHONY: docs-venv docs docs-test release-test

$(VENV)/.docs-installed: $(VENV)/.installed docs/requirements.txt
	$(BIN)/python -m pip install --quiet -r docs/requirements.txt
	touch $@

docs-venv: venv $(VENV)/.docs-installed ## the docs tools into .venv (docs/requirements.txt)

docs: docs-venv collection-link ## the HTML site: module reference and user guide, offline
	@echo '== docs (antsibull-docs: the collection reference and the user guide)'
	rm -rf $(DOCSITE) && mkdir -p $(DOCSITE)
	PATH='$(BIN):$(CLEAN_PATH)' $(BIN)/antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir $(DOCSITE) \
		--project snapcopy.cloud --copyright 'snapcopy.cloud contributors' --title snapcopy.cloud --html-short-title snapcopy.cloud \
		snapcopy.cloud > /dev/null
	@# What sphinx-init asks for, at the versions docs/requirements.txt pins (already there: no download).
	$(BIN)/python -m pip install --quiet -r $(DOCSITE)/requirements.txt -c docs/requirements.txt
	@# build.sh's two steps, with the user guide and an offline intersphinx inventory added in between.
	cd $(DOCSITE) && mkdir -p rst && chmod og-w rst && PATH='$(BIN):$(CLEAN_PATH)' $(BIN)/antsibull-docs \
		--config-file antsibull-docs.cfg collection --cleanup everything --fail-on-error --use-current --dest-dir rst snapcopy.cloud
	$(BIN)/python docs/tools/build_site.py $(DOCSITE)
	cd $(DOCSITE) && $(BIN)/sphinx-build -M html rst build -c . -W --keep-going -q
	@echo "Site: $(DOCSITE)/build/html/index.html"

# Lint the collection's docs, build the site, open its module pages in headless Chromium (Debian's
# package, installed with apt-get when missing), and run tests/docs: the AWX credential types
# and survey against fakecloud, the execution environment with ansible-builder, the user guide.
docs-test: docs-venv collection-link ## docs lint, the site in Chromium, AWX types and survey, guide (tests/docs)
	@echo '== docs-test (antsibull-docs lint, site, Chromium, AWX, execution environment, guide)'
	PATH='$(BIN):$(CLEAN_PATH)' $(BIN)/antsibull-docs lint-collection-docs --plugin-docs .
	@$(MAKE) --no-print-directory docs
	@$(call apt_install,chromium,test -x '$(CHROMIUM)',the Chromium tests of the site pages (tests/docs/test_docsite.py))
	SNAPCOPY_DOCSITE='$(DOCSITE)/build/html' SNAPCOPY_CHROMIUM='$(CHROMIUM)' \
		$(BIN)/python -m pytest -q -n 2 tests/docs $$(test -x '$(CHROMIUM)' || echo --ignore=tests/docs/test_docsite.py)

# tests/utils/release_test.sh says what it checks.
RELEASE_SOURCE ?= $(CURDIR)
release-test: venv ## build the tarball, install it, run the demo from the installed copy
	@echo '== release-test (ansible-galaxy collection build / install, the demo from the installed copy)'
	tests/utils/release_test.sh '$(BIN)' '$(RELEASE_SOURCE)' '$(TEST_PATH)'

# ---------------------------------------------------------------- awx-test: the DR job as AWX runs it
# ansible-runner runs the project playbook of docs/awx.md against fakecloud, as an execution environment
# does: the collection installed from its tarball, read-only and owned by root; a user that is not root
# (a throwaway one made with useradd when make runs as root); credentials from the credential type's
# injectors; the survey's answers as extra variables (tests/awx). .venv-awx is the image's Python
# environment; its Python must be one that user can run (tests/utils/job_user_python.py).
$(VENV_AWX)/.installed: tests/requirements-awx.txt
	rm -rf $(VENV_AWX)
	python=$$($(PYTHON) tests/utils/job_user_python.py) && "$$python" -m venv $(VENV_AWX)
	$(VENV_AWX)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_AWX)/bin/python -m pip install --quiet -r tests/requirements-awx.txt
	touch $@

.PHONY: awx-test
awx-test: venv collection-link $(VENV_AWX)/.installed ## the DR job through ansible-runner as an execution environment runs it
	@echo '== awx-test (ansible-runner as in an execution environment: read-only collection, a user not root, survey answers)'
	SNAPCOPY_AWX_VENV='$(CURDIR)/$(VENV_AWX)' $(BIN)/python -m pytest -q tests/awx

# ---------------------------------------------------------------- galaxy-import: what Galaxy checks on upload
# galaxy-importer on the built tarball, without containers or network (tests/utils/galaxy_import.py has its
# settings); fails on any error or warning, a role without README or a module without documentation.
$(VENV_GALAXY)/.installed: tests/requirements-galaxy.txt
	rm -rf $(VENV_GALAXY)
	$(PYTHON) -m venv $(VENV_GALAXY)
	$(VENV_GALAXY)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_GALAXY)/bin/python -m pip install --quiet -r tests/requirements-galaxy.txt
	touch $@

.PHONY: galaxy-import
galaxy-import: venv $(VENV_GALAXY)/.installed ## galaxy-importer on the tarball, as Galaxy runs it on upload
	@echo '== galaxy-import (galaxy-importer on the tarball, as Galaxy and Automation Hub run it on upload)'
	@set -e; dist=$$(mktemp -d); trap 'rm -rf "$$dist"' EXIT; \
	$(BIN)/ansible-galaxy collection build --force --output-path "$$dist" . > /dev/null; \
	$(VENV_GALAXY)/bin/python tests/utils/galaxy_import.py "$$dist"/snapcopy-cloud-*.tar.gz

# ---------------------------------------------------------------- make bench: speed and cost, measured
# Prints tables and writes bench-results.json, bench-results.png and bench-results-fleet.png (tests/bench,
# docs/performance.md). About 25 to 30 minutes, of which the fleet lane (part f) takes 13 to 18;
# BENCH_ARGS=--quick tries the bench itself in about four; BENCH_ARGS='--parts f' runs the fleet lane alone.
BENCH_ARGS ?=
$(VENV)/.bench-installed: $(VENV)/.installed tests/bench/requirements.txt
	$(VENV)/bin/python -m pip install --quiet -r tests/bench/requirements.txt
	touch $@

.PHONY: bench
bench: venv collection-link $(VENV)/.bench-installed ## speed and cost, measured (docs/performance.md)
	$(BIN)/python tests/bench/bench.py $(BENCH_ARGS)

# ---------------------------------------------------------------- make real-account: opt-in, never in CI
# The integration target real_account against YOUR cloud account (docs/real-account.md): it makes a tiny
# disk and a snapshot per configured cloud, runs the modules on them and deletes what it made.
# make real-account CONFIG=/path/outside/the/repo/real-account.yml [DRY_RUN=1]
.PHONY: real-account
real-account: venv collection-link ## opt-in: the modules against your own account (CONFIG=...)
	@test -n '$(CONFIG)' || { echo 'make real-account CONFIG=/path/to/real-account.yml [DRY_RUN=1] (see docs/real-account.md)'; exit 2; }
	SNAPCOPY_REAL_ACCOUNT_CONFIG='$(CONFIG)' SNAPCOPY_REAL_ACCOUNT_DRY_RUN='$(DRY_RUN)' PATH='$(BIN):$(CLEAN_PATH)' \
		tests/integration/targets/real_account/runme.sh

# ---------------------------------------------------------------- make chaos: faults, SIGKILL, bad input, fleet, TLS
# The DR role under injected faults (throttling, 5xx, lost answers, answers slower than the client's
# timeout) and under SIGKILL, on all four clouds, counted from the emulators' state; the bad-input
# corpus; the fleet playbook over many scopes and accounts under the same faults and SIGKILLs of the
# whole run; then the TLS test (tests/chaos, docs/reliability.md). Figures: build/chaos-figures/*/figures.json.
# chaos: 300 disks per cloud, 5 kill rounds, a fleet of 30 scopes of 10 disks (about 12 minutes).
# chaos-short, for make test: 30 disks, 2 kill rounds, a fleet of 6 scopes of 2 disks (2 to 3 minutes).
CHAOS_TLS = $(BIN)/python tests/utils/with_emulators.py -- $(BIN)/python -m pytest -q -p no:cacheprovider tests/chaos/test_tls.py
.PHONY: chaos chaos-short
chaos: venv collection-link ## 300 disks per cloud under faults, SIGKILL and bad input; a fleet of 30 scopes; TLS
	@echo '== chaos (300 disks per cloud: faults, SIGKILL, bad input; a fleet of 30 scopes; TLS)'
	$(BIN)/python tests/chaos/run.py --disks 300 --kill-rounds 5 --out $(BUILD)/chaos-figures/full
	$(CHAOS_TLS)

chaos-short: venv collection-link ## the same with 30 disks per cloud and a fleet of 6 scopes (make test)
	@echo '== chaos-short (30 disks per cloud: faults, SIGKILL, bad input; a fleet of 6 scopes; TLS)'
	$(BIN)/python tests/chaos/run.py --disks 30 --kill-rounds 2 --fleet-scopes 6 --out $(BUILD)/chaos-figures/short
	$(CHAOS_TLS)

# ---------------------------------------------------------------- make mutation: would the unit tests notice?
# A fixed sample (seed 19) of mutants of the engine, the DR run and the retry and poll helpers, each run against
# the unit tests that execute its line, in copies of the tree under a temporary folder (tests/utils/mutation.py,
# docs/reliability.md). About 15 minutes; prints killed / survived / timed out per file and every survivor, and
# fails below 90 % in any file. Not part of make test. MUTATION_ARGS='--files _poller.py --sample 0' for one file.
MUTATION_ARGS ?=
.PHONY: mutation
mutation: venv collection-link ## mutants of the engine, DR run, retries and polling against the unit tests
	$(BIN)/python tests/utils/mutation.py --json $(BUILD)/mutation.json $(MUTATION_ARGS)
