# snapcopy.cloud: `make demo` and `make test` on a machine with only python3 (3.11+), pip, git, make.
# Everything else comes from the package registry into .venv (and .venv-newest for the newest core).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VENV_NEWEST := .venv-newest
BIN := $(CURDIR)/$(VENV)/bin
BUILD := $(CURDIR)/build
# Ansible and pytest import the collection through this link to the repo.
COLLECTIONS := $(BUILD)/collections
# ansible-test needs a real folder under ansible_collections/ (see tests/utils/stage_collection.py).
STAGE := $(BUILD)/ansible-test/ansible_collections/snapcopy/cloud
PYTHON_LINKS := $(BUILD)/pythons
# pyenv's shims claim every python3.X and then fail; ansible-test gets real interpreters instead
# (tests/utils/python_links.py).
CLEAN_PATH := $(shell printf '%s' "$$PATH" | tr ':' '\n' | grep -v 'pyenv/shims' | paste -sd: -)
TEST_PATH := $(PYTHON_LINKS):$(BIN):$(CLEAN_PATH)
NEWEST_PYTHON := $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12.*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_NOCOLOR := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help venv venv-newest collection-link stage pythons pip-bootstrap test sanity units integration lint \
	sanity-newest units-newest demo clean

help:
	@echo 'make demo   run the main job against local emulators (moto server, fakecloud)'
	@echo 'make test   sanity, units, integration, lint: what CI runs'

$(VENV)/.installed: tests/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r tests/requirements.txt
	touch $@

venv: $(VENV)/.installed

$(VENV_NEWEST)/.installed: tests/requirements-newest.txt
	$(NEWEST_PYTHON) -m venv $(VENV_NEWEST)
	$(VENV_NEWEST)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_NEWEST)/bin/python -m pip install --quiet -r tests/requirements-newest.txt
	touch $@

venv-newest: $(VENV_NEWEST)/.installed

collection-link:
	@mkdir -p $(COLLECTIONS)/ansible_collections/snapcopy
	@ln -sfn ../../../.. $(COLLECTIONS)/ansible_collections/snapcopy/cloud

stage: venv
	@$(BIN)/python tests/utils/stage_collection.py $(STAGE)

pythons: venv
	@echo "Pythons for ansible-test: $$($(BIN)/python tests/utils/python_links.py $(PYTHON_LINKS))"

pip-bootstrap: venv
	@$(BIN)/python tests/utils/pip_bootstrap.py

# ---------------------------------------------------------------- test legs, in CI order
# Each leg's wall time is printed after it; the last leg is pytest's, whose summary line
# closes the output and gives its own time.
timed = start=$$(date +%s); $(MAKE) --no-print-directory $(1); echo "== $(1) took $$(( $$(date +%s) - start )) s"

test:
	@$(call timed,venv)
	@$(call timed,sanity)
	@$(call timed,units)
	@$(call timed,integration)
	@$(call timed,lint)
	@if [ -n "$(NEWEST_PYTHON)" ]; then $(call timed,venv-newest); $(call timed,sanity-newest); \
		$(MAKE) --no-print-directory units-newest; \
	else echo 'python3.12 not found: the newest ansible-core legs did not run'; fi

sanity: venv stage pythons pip-bootstrap
	@echo '== sanity (ansible-test, oldest supported ansible-core)'
	cd $(STAGE) && PATH='$(TEST_PATH)' $(BIN)/ansible-test sanity --color no

units: venv collection-link
	@echo '== units (pytest)'
	$(BIN)/python -m pytest -q -n 2 --cov=plugins --cov-report=term-missing:skip-covered tests/unit tests/fakecloud/tests

integration: venv stage collection-link
	@echo '== integration (ansible-test, against moto server and fakecloud)'
	PATH='$(TEST_PATH)' $(BIN)/python tests/utils/with_emulators.py --config $(STAGE)/tests/integration/integration_config.yml -- \
		bash -c 'cd $(STAGE) && $(BIN)/ansible-test integration --color no --local'

lint: venv
	@echo '== lint (ansible-lint production profile, antsibull-changelog)'
	$(BIN)/ansible-lint --profile production $(wildcard roles playbooks)
	$(BIN)/antsibull-changelog lint

sanity-newest: venv-newest stage pythons
	@echo '== sanity (ansible-test, newest ansible-core)'
	$(VENV_NEWEST)/bin/python tests/utils/pip_bootstrap.py
	cd $(STAGE) && PATH='$(PYTHON_LINKS):$(CURDIR)/$(VENV_NEWEST)/bin:$(CLEAN_PATH)' $(CURDIR)/$(VENV_NEWEST)/bin/ansible-test sanity --color no

units-newest: venv-newest collection-link
	@echo '== units (pytest, newest ansible-core)'
	$(VENV_NEWEST)/bin/python -m pytest -q -n 2 tests/unit tests/fakecloud/tests

# ---------------------------------------------------------------- the main job, on local emulators
# The first run seeds the emulators and copies; the second, with everything in place, changes nothing.
DEMO_ONLY ?= ["aws", "ecs", "ens", "cbs"]
demo: venv collection-link
	$(BIN)/python tests/utils/with_emulators.py --config $(BUILD)/emulators.json -- bash -c '\
		set -e; \
		echo "== demo, first run: seed the emulators, then the DR role on each cloud"; \
		$(BIN)/ansible-playbook playbooks/demo.yml -e @$(BUILD)/emulators.json -e demo_seed=true -e '"'"'{"demo_only": $(DEMO_ONLY)}'"'"'; \
		echo "== demo, second run: everything is in place, so nothing changes (see changed=0 in the recap)"; \
		$(BIN)/ansible-playbook playbooks/demo.yml -e @$(BUILD)/emulators.json -e '"'"'{"demo_only": $(DEMO_ONLY)}'"'"' \
			| tee $(BUILD)/demo-rerun.log; \
		grep -q "changed=0 " $(BUILD)/demo-rerun.log'

clean:
	rm -rf $(BUILD) $(VENV) $(VENV_NEWEST) .pytest_cache .coverage
