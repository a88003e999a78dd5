# snapcopy.cloud: `make demo` and `make test` on a machine with python3 (3.11+), pip, git, make.
# Python packages come from the package registry into .venv (.venv-<core> for the other ansible-core releases,
# .venv-oldest, .venv-awx and .venv-galaxy for their legs); shellcheck and chromium from apt-get (see apt_install).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
# The oldest SDK releases the collection supports (tests/requirements-oldest.txt), for units-oldest.
VENV_OLDEST := .venv-oldest
# The execution environment of make awx-test (tests/requirements-awx.txt).
VENV_AWX := .venv-awx
# galaxy-importer, in a venv of its own (tests/requirements-galaxy.txt).
VENV_GALAXY := .venv-galaxy
# ansible-rulebook for make eda-test (tests/requirements-eda.txt).
VENV_EDA := .venv-eda
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

# ---------------------------------------------------------------- the ansible-core matrix
# Every ansible-core release that meta/runtime.yml's requires_ansible admits, each on the Python a plain
# `pip install ansible-core` picks for it: 3.11 for 2.18 and 2.19 (the newest a 3.11 controller runs), 3.12
# from 2.20 on. The oldest runs in .venv (tests/requirements.txt), each other in .venv-<core>
# (tests/requirements-<core>.txt). tests/unit/test_core_matrix.py holds CORES, requires_ansible, the
# requirements files, the core-<core> legs and the README's supported versions together.
CORES := 2.18 2.19 2.20 2.21
OLDEST_CORE := $(firstword $(CORES))
NEWEST_CORE := $(lastword $(CORES))
PYTHON_3_12 := $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12.*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
PYTHON_3_11_CORES := 2.18 2.19
# The Python of a core; a missing python3.12 stops the leg that needs it, naming it (nothing is skipped).
core_python = $(if $(filter $(PYTHON_3_11_CORES),$(1)),$(PYTHON),$(if $(PYTHON_3_12),$(PYTHON_3_12),\
	$(error ansible-core $(1) needs python3.12, which is not on this machine (pyenv install 3.12, or put it on PATH))))
core_venv = $(if $(filter $(OLDEST_CORE),$(1)),$(VENV),.venv-$(1))
core_bin = $(CURDIR)/$(call core_venv,$(1))/bin
OTHER_CORE_VENVS := $(foreach core,$(filter-out $(OLDEST_CORE),$(CORES)),.venv-$(core)/.installed)
NEWEST_BIN := $(call core_bin,$(NEWEST_CORE))
# What a leg with ansible-core CORE needs made first: its venv.
core_venv_made = $(if $(filter $(OLDEST_CORE),$(1)),$(VENV)/.installed,.venv-$(1)/.installed)
# The integration targets' groups: each target's aliases put it in one (group/modules: the copy modules, their
# options, credentials and logs; group/dr: the DR role, its drill and the fleet). make test runs each group as a
# leg of its own, so that its lanes end together; make integration runs them all. test_makefile.py holds every
# target to one group.
INTEGRATION_GROUPS := modules dr

export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_NOCOLOR := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Python writes each module's bytecode once, on its first import, and reads it after. With this variable set
# (CI's environment sets it), every one of the thousands of Pythons make test starts (ansible-playbook, each
# module run, moto, pytest's workers) compiled ansible, botocore and moto from source again: about a fifth of
# the smoke's CPU time. uv leaves the venvs without bytecode, so nothing else writes it.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: java eda-test
.PHONY: help sanity-venvs ansible-test-key venv venv-cores venv-oldest collection-link stage pythons pip-bootstrap shellcheck test test-setup sanity smoke \
	units units-ansible-test units-oldest units-under-load integration $(INTEGRATION_GROUPS:%=integration-%) lint demo emulators clean $(CORES:%=core-%)

# Every target a person runs has a '## what it does' comment on its line; make help lists them.
help: ## this list
	@awk -F':.*## ' '/^[a-z0-9.-]+:.*## / { printf "make %-19s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

# uv makes the venvs and installs their pinned requirements from PyPI: what pip takes a minute for, uv does in
# seconds (make test-setup makes seven venvs). uv itself comes from PyPI with pip (tests/requirements-uv.txt), and
# never fetches a Python: each venv is made with the interpreter named (--python-preference only-system). Each
# venv keeps a pip (--seed) for the tools that call one.
UV_HOME := $(BUILD)/uv
UV := UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1 $(UV_HOME)/bin/uv
$(UV_HOME)/.installed: tests/requirements-uv.txt
	rm -rf $(UV_HOME)
	$(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/python -m pip install --quiet -r tests/requirements-uv.txt
	touch $@
# $(call new_venv,DIR,PYTHON): an empty venv in DIR (made again if it was there) with the interpreter PYTHON.
new_venv = $(UV) venv --quiet --clear --seed --python-preference only-system --python $(2) $(1)
# $(call uv_install,DIR,PIP ARGUMENTS): install into the venv DIR.
uv_install = $(UV) pip install --quiet --python $(1)/bin/python $(2)

# $(call run_caches,DIR): the venv DIR keeps what make test's thousands of Ansible processes would each work out again
# from the same sources, keyed by those sources (tests/utils/run_caches/snapcopy_run_caches.py says how): the compiled
# code of the zipped modules Ansible runs (a quarter of a module run's CPU: 27 -> 21 CPU s for the target
# ecs_snapshot_copy), the module_utils of each module's AnsiballZ payload (0.85 to 1.2 CPU s for dr_sync in every
# ansible or ansible-playbook process), and ansible-core's own YAML read at every start of an ansible command (its
# routing tables and its configuration's definitions: 0.24 CPU s a start). The venvs that run modules have it (all
# but .venv-awx, the execution environment's); make bench turns it off (SNAPCOPY_ZIP_BYTECODE=off
# SNAPCOPY_PAYLOAD_CACHE=off SNAPCOPY_YAML_CACHE=off), as it measures users' cost. Made with the venv (a changed hook
# reaches a venv made before it with make clean, or rm .venv*/.installed).
RUN_CACHES := tests/utils/run_caches/snapcopy_run_caches.py
run_caches = $(1)/bin/python -c 'import shutil, sysconfig; folder = sysconfig.get_paths()["purelib"]; \
	shutil.copy("$(RUN_CACHES)", folder); open(folder + "/snapcopy_run_caches.pth", "w").write("import snapcopy_run_caches\n")'

$(VENV)/.installed: tests/requirements.txt tests/unit/requirements.txt $(UV_HOME)/.installed
	$(call new_venv,$(VENV),$(PYTHON))
	$(call uv_install,$(VENV),-r tests/requirements.txt)
	$(call run_caches,$(VENV))
	touch $@

venv: $(VENV)/.installed ## the test and development venv (.venv) from tests/requirements.txt

# The SDKs the modules run with, at the releases of tests/unit/requirements.txt (read from it, not written twice):
# what a core's venv needs besides that core, for its smoke. The newest core's venv is make units' too.
SDK_PACKAGES := botocore aliyun-python-sdk-core aliyun-python-sdk-ecs aliyun-python-sdk-ens tencentcloud-sdk-python-common \
	tencentcloud-sdk-python-cbs tencentcloud-sdk-python-tag PyYAML
$(OTHER_CORE_VENVS): .venv-%/.installed: tests/requirements-%.txt tests/unit/requirements.txt $(UV_HOME)/.installed
	$(call new_venv,.venv-$*,$(call core_python,$*))
	grep -E '^($(subst $(eval) ,|,$(strip $(SDK_PACKAGES))))==' tests/unit/requirements.txt > .venv-$*/sdk-requirements.txt
	$(call uv_install,.venv-$*,-r tests/requirements-$*.txt -r .venv-$*/sdk-requirements.txt)
	$(call run_caches,.venv-$*)
	touch $@

venv-cores: $(OTHER_CORE_VENVS) ## .venv-<core> for every ansible-core of the matrix but the oldest (which is .venv's)

$(VENV_OLDEST)/.installed: tests/requirements-oldest.txt $(UV_HOME)/.installed
	$(call new_venv,$(VENV_OLDEST),$(PYTHON))
	$(call uv_install,$(VENV_OLDEST),-r tests/requirements-oldest.txt)
	$(call run_caches,$(VENV_OLDEST))
	touch $@

venv-oldest: $(VENV_OLDEST)/.installed ## .venv-oldest: the oldest supported SDK releases

collection-link: ## link build/collections/ansible_collections/snapcopy/cloud to this tree
	@mkdir -p $(COLLECTIONS)/ansible_collections/snapcopy
	@ln -sfn ../../../.. $(COLLECTIONS)/ansible_collections/snapcopy/cloud

stage: venv ## copy the collection to build/ansible-test/..., where ansible-test runs
	@$(BIN)/python tests/utils/stage_collection.py $(STAGE)

pythons: venv ## link the Pythons ansible-test may use into build/pythons
	@echo "Pythons for ansible-test: $$($(BIN)/python tests/utils/python_links.py $(PYTHON_LINKS))"

pip-bootstrap: venv venv-cores ## give every core's ansible-test its pip bootstrap from the registry (no download)
	@$(foreach core,$(CORES),$(call core_bin,$(core))/python tests/utils/pip_bootstrap.py;)

# ansible-test keeps each sanity test's venv in ~/.ansible/test/venv, keyed by what it installs; two cores that
# share one must not make it at the same time in two legs. $(call prime_venvs,CORE) makes a core's venvs under a lock
# that every core's priming takes, one core after the other; what a core finds made it keeps. make test's core legs
# prime their own core's venvs, so that the pip work (about 40 CPU s a core on a fresh machine) runs beside the other
# legs rather than before them all with one CPU idle.
# The lock sits beside the venvs it guards, which every clone on the machine shares.
SANITY_VENVS_LOCK := $(HOME)/.ansible/test/sanity-venvs.lock
prime_venvs = echo '== the venvs of ansible-test sanity, ansible-core $(1)' && mkdir -p $(dir $(SANITY_VENVS_LOCK)) && (cd $(STAGE) && \
	flock $(SANITY_VENVS_LOCK) env PATH='$(PYTHON_LINKS):$(call core_bin,$(1)):$(CLEAN_PATH)' $(call core_bin,$(1))/ansible-test sanity \
	--prime-venvs --color no $(call sanity_python,$(1)) > /dev/null)
sanity-venvs: venv venv-cores stage pythons pip-bootstrap ## the venvs of ansible-test sanity, for every core (the core legs make their own)
	@$(foreach core,$(CORES),$(call prime_venvs,$(core));)

# ansible-test's SSH key, which its integration command makes on its first run on a machine when it is missing,
# in the same way as here (core_ci.py SshKey): made once in test-setup, since two integration legs that start
# together on a fresh machine both make it, and the second fails ("id_rsa already exists. Overwrite (y/n)?").
ANSIBLE_TEST_KEY := $(HOME)/.ansible/test/id_rsa
ansible-test-key: ## the SSH key of ansible-test integration, made once (test-setup: legs that start together race on it)
	@test -f $(ANSIBLE_TEST_KEY) && test -f $(ANSIBLE_TEST_KEY).pub || { mkdir -p $(dir $(ANSIBLE_TEST_KEY)) && rm -f $(ANSIBLE_TEST_KEY) \
		$(ANSIBLE_TEST_KEY).pub && ssh-keygen -m PEM -q -t rsa -N '' -f $(ANSIBLE_TEST_KEY) \
		&& sed -i -E 's/(BEGIN|END) PRIVATE KEY/\1 RSA PRIVATE KEY/' $(ANSIBLE_TEST_KEY); }

# ---------------------------------------------------------------- test legs, as CI runs them
# Each leg's wall and CPU time is printed after it, and all of them in a table at the end (tests/utils/run_legs.py).

# What the legs share, made once by test-setup; the lanes' legs are told not to make it again (make -o),
# so that no leg rebuilds a venv or a link that a leg of the other lane is using.
TEST_SETUP_MADE := venv venv-cores venv-oldest docs-venv collection-link pythons pip-bootstrap shellcheck ansible-test-key \
	$(UV_HOME)/.installed $(VENV)/.installed $(VENV)/.docs-installed $(VENV_OLDEST)/.installed $(OTHER_CORE_VENVS) \
	$(VENV_AWX)/.installed $(VENV_GALAXY)/.installed $(VENV_EDA)/.installed java
# The legs, longest first (by their wall time in make test on two CPUs: the newest core's leg, whose sanity checks the test
# code too, is the longest). make test runs TEST_LANES of them at once, and a lane that is free takes the next
# (tests/utils/run_legs.py): on CI's two CPUs most legs wait (on emulators, subprocesses, pip) more than they compute. The
# short legs go last, so that the lanes end together.
TEST_LEGS := core-$(NEWEST_CORE) chaos-short units units-oldest $(INTEGRATION_GROUPS:%=integration-%) \
	$(filter-out core-$(NEWEST_CORE),$(CORES:%=core-%)) docs-test units-ansible-test lint release-test release eda-test awx-test units-under-load
TEST_LANES ?= 3

test-setup: ## the venvs (side by side) and tools that the legs share; make test runs it first
	@$(MAKE) --no-print-directory -j4 venv venv-oldest $(VENV_AWX)/.installed $(VENV_GALAXY)/.installed $(OTHER_CORE_VENVS) \
		$(VENV)/.docs-installed $(VENV_EDA)/.installed shellcheck java
	@$(MAKE) --no-print-directory docs-venv collection-link pythons pip-bootstrap ansible-test-key

# run_legs.py needs Python alone (no venv): it runs test-setup first, which makes the venvs.
test: ## what CI runs: every leg below, in lanes side by side, each with its time (logs in build/test-logs)
	@$(PYTHON) tests/utils/run_legs.py --setup test-setup --log-dir $(BUILD)/test-logs --build $(BUILD) --lanes $(TEST_LANES) \
		--make-flags '$(foreach made,$(TEST_SETUP_MADE),-o $(made))' $(TEST_LEGS)

# Three legs use Debian packages: sanity's shellcheck test (shellcheck), docs-test's page tests
# (chromium) and eda-test's rules engine (openjdk-17-jre-headless: ansible-rulebook runs Drools on Java 17). $(call apt_install,PACKAGE,CHECK,WHAT) installs PACKAGE with apt-get when CHECK fails,
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

# ansible-rulebook's rules engine needs Java 17 (java -version answers "17.x"), as Debian's openjdk-17-jre-headless gives it.
JAVA_17 := java -version 2>&1 | grep -q 'version "17\.'
java: ## install Java 17 with apt-get if it is missing (ansible-rulebook's rules engine; see apt_install)
	@$(call apt_install,openjdk-17-jre-headless,$(JAVA_17),the event-driven leg (make eda-test))

# ansible-test sanity with ansible-core $(1), no ignore file, on every Python 3.9-3.13 found (make pythons).
# What it checks: with every core, all that users get (what galaxy.yml does not leave out of the tarball:
# everything but tests/); with the newest, the test code too. The test code is checked once: whether it runs
# on a core is proven by running it there (units-oldest, integration and chaos on the oldest, units on the
# newest). Checking tests/ (three times the lines of plugins/) with four cores' pylint was half of the core
# legs' CPU time.
SANITY_TEST_CODE_CORES := $(NEWEST_CORE)
sanity_paths = $(if $(filter $(SANITY_TEST_CODE_CORES),$(1)),,$(filter-out tests/,$(shell git ls-files | sed -E 's|/.*|/|' | sort -u)))
# The Python tests of sanity (import: the modules and module_utils on every target Python, the plugins on every controller
# Python; compile) run on each Python 3.9-3.13 found once, with one core each: each older core on its own venv's Python
# (3.11 for 2.18 and 2.19, 3.12 for 2.20), the newest on the Pythons left (3.9, 3.10, 3.13; SANITY_NEWEST_PYTHONS). What a
# Python can break in our code (syntax, the standard library, an SDK's import guarded or not) is the same whatever the
# core, and one core checks it on each Python; what a core can break (the module_utils and plugin API our imports reach)
# is the same whatever the Python, and each core checks it on a Python of its own (the newest: its plugins on 3.13, a
# controller Python of its, its modules on 3.9, 3.10 and 3.13). import on five Pythons was 30 of core-2.18's 70 sanity CPU
# s, and the newest core's import on 3.11 and 3.12 (the older cores' own) 22 of core-2.21's (docs/performance.md).
# The newest core's other tests run once, on its venv's Python.
SANITY_EVERY_PYTHON_CORES := $(NEWEST_CORE)
core_python_version = $(shell $(call core_bin,$(1))/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
sanity_python = $(if $(filter $(SANITY_EVERY_PYTHON_CORES),$(1)),,--python $(call core_python_version,$(1)))
SANITY_PYTHON_TESTS := import compile
SANITY_NEWEST_PYTHONS = $(filter-out $(foreach core,$(filter-out $(SANITY_EVERY_PYTHON_CORES),$(CORES)),$(call core_python_version,$(core))),\
	$(sort $(patsubst python%,%,$(notdir $(wildcard $(PYTHON_LINKS)/python3.*)))))
# Each sanity test whose verdict another run gives is skipped (tests/utils/sanity_same_verdict.py says how it compares):
# - with an older core, the tests whose code, settings and pinned tool versions are the newest core's byte for byte
#   (with 2.19 and 2.20: twelve code-smell tests and shellcheck; with 2.18, whose scripts all differ, none);
# - pep8, with a core that pins make lint's pycodestyle (2.20, 2.21): make lint's pep8 is the same tool with fewer codes
#   ignored, on every Python file (PEP8_FILES). 2.18 and 2.19 pin older pycodestyles, and run it.
# (With no venv of the newest core, as make sanity CORE=2.19 may run, an older core skips none but pep8.)
ansible_test_of = $(shell $(call core_bin,$(1))/python -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))' 2> /dev/null)
LINT_PYCODESTYLE = $(shell $(BIN)/python -c 'import pycodestyle; print(pycodestyle.__version__)')
sanity_skips = $(shell $(BIN)/python tests/utils/sanity_same_verdict.py --lint-pep8 $(LINT_PYCODESTYLE) $(PEP8_IGNORE) \
	$(call ansible_test_of,$(1)) $(if $(filter $(NEWEST_CORE),$(1)),,$(call ansible_test_of,$(NEWEST_CORE))))
sanity_in_stage = cd $(STAGE) && PATH='$(PYTHON_LINKS):$(call core_bin,$(1)):$(CLEAN_PATH)' $(call core_bin,$(1))/ansible-test sanity --color no
define sanity_with
@$(call prime_venvs,$(1))
@echo '== sanity (ansible-test, ansible-core $(1), $(if $(call sanity_paths,$(1)),all but tests/,all of the collection), $(if $(call sanity_python,$(1)),on its own Python,$(SANITY_PYTHON_TESTS) on Python $(SANITY_NEWEST_PYTHONS)))'
$(if $(call sanity_python,$(1)),$(call sanity_in_stage,$(1)) $(call sanity_python,$(1)) $(call sanity_skips,$(1)) \
	$(call sanity_paths,$(1)),\
	$(call sanity_in_stage,$(1)) $(SANITY_PYTHON_TESTS:%=--skip-test %) $(call sanity_skips,$(1)) $(call sanity_paths,$(1)) && \
	for python in $(SANITY_NEWEST_PYTHONS); do $(call sanity_in_stage,$(1)) $(SANITY_PYTHON_TESTS:%=--test %) --python $$python \
	$(call sanity_paths,$(1)) || exit 1; done)
endef

# tests/utils/core_smoke.py with ansible-core $(1), on emulators of its own. Each run holds the core's own tasks (the
# builtin ones, changed_when) to no change. The rerun of each playbook, which must change nothing, runs on no core in
# make test (SMOKE_RERUN_CORES; make smoke SMOKE_RERUN_CORES=2.19 reruns): what it adds to a first run is the collection
# finding its own copies from the arguments that first run shows the core passes, which no core can change, and the
# integration targets prove it already, on the oldest core: each copy module's rerun (ebs/ecs/ens/cbs_snapshot_copy),
# the role's with its reports (dr_copy_aws/ecs/ens/cbs), the fleet's (dr_fleet). The reruns were 10 of a smoke's 22
# CPU s (2.19, alone on the machine). smoke.yml and dr_fleet.yml run in one ansible-playbook start, each playbook's part
# of the output checked on its own (core_smoke.py): one start of the core and one build of dr_sync's payload, where two
# runs and a --version made three starts (2.20's smoke: 16.4, 14.4 CPU s before, 12.6, 12.7 after).
SMOKE_RERUN_CORES :=
smoke_runs = $(if $(filter $(SMOKE_RERUN_CORES),$(1)),2,1)
define smoke_with
@echo '== smoke (ansible-core $(1): the copy modules, the role with reports and a drill, the fleet; $(if $(filter 2,$(call smoke_runs,$(1))),each twice,each once))'
$(BIN)/python tests/utils/with_emulators.py -- $(BIN)/python tests/utils/core_smoke.py --ansible-bin $(call core_bin,$(1)) \
	--core $(1) --work $(BUILD)/smoke-$(1) --runs $(call smoke_runs,$(1))
endef

CORE ?= $(OLDEST_CORE)
sanity: venv $(call core_venv_made,$(CORE)) stage pythons pip-bootstrap shellcheck ## ansible-test sanity, no ignore file, with ansible-core CORE (default: the oldest)
	$(call sanity_with,$(CORE))

smoke: venv $(call core_venv_made,$(CORE)) collection-link ## the smoke of tests/utils/core_smoke.py with ansible-core CORE (default: the oldest)
	$(call smoke_with,$(CORE))

# One leg per core of the matrix: sanity and the smoke. test_core_matrix.py holds these to CORES.
core-2.18: venv stage pythons pip-bootstrap shellcheck collection-link ## ansible-core 2.18 on Python 3.11: sanity and the smoke
	$(call sanity_with,2.18)
	$(call smoke_with,2.18)

core-2.19: venv .venv-2.19/.installed stage pythons pip-bootstrap shellcheck collection-link ## ansible-core 2.19 on Python 3.11: sanity and the smoke
	$(call sanity_with,2.19)
	$(call smoke_with,2.19)

core-2.20: venv .venv-2.20/.installed stage pythons pip-bootstrap shellcheck collection-link ## ansible-core 2.20 on Python 3.12: sanity and the smoke
	$(call sanity_with,2.20)
	$(call smoke_with,2.20)

core-2.21: venv .venv-2.21/.installed stage pythons pip-bootstrap shellcheck collection-link ## ansible-core 2.21 on Python 3.12: sanity and the smoke
	$(call sanity_with,2.21)
	$(call smoke_with,2.21)

# pytest-xdist workers of the unit legs, one per CPU of CI's machine. Each worker collects every test module (the SDKs'
# and moto's imports) and starts its own moto server and fakecloud: about 8 CPU s a worker before its first test
# (pytest -n 3 against -n 2 on the whole tree with two tests selected: 25.1, 21.7 against 16.5, 14.1 CPU s). make test
# runs the unit legs beside two other lanes, so a third worker only added that CPU; a fourth had cost 30 CPU s more than
# three (132 against 98, fresh venv) for no less time.
UNIT_WORKERS ?= 2
# Coverage is a report for a person, not a check (no line count fails the suite): make test runs the units without
# it, and make units COVERAGE=yes prints it.
COVERAGE ?= no
units: .venv-$(NEWEST_CORE)/.installed collection-link ## the unit suite and fakecloud's own tests, newest ansible-core (COVERAGE=yes: with coverage)
	@echo '== units (pytest, ansible-core $(NEWEST_CORE), the SDK releases of tests/unit/requirements.txt)'
	@# Coverage through Python 3.12's sys.monitoring: the same lines counted with a third less CPU (138 -> 92 s here).
	COVERAGE_CORE=sysmon $(NEWEST_BIN)/python -m pytest -q -n $(UNIT_WORKERS) \
		$(if $(filter yes,$(COVERAGE)),--cov=plugins --cov-report=term-missing:skip-covered) tests/unit tests/fakecloud/tests

# Not the tests of the rules written once over the in-memory cloud (engine, DR run, pruning, locks, the safety state
# machine, retries and polls): they call no SDK, and what they prove, units proves; the oldest core's smoke runs the role.
UNITS_IN_MEMORY := test_dr.py test_dr_disk_ids.py test_dr_safety.py test_engine.py test_dr_prune.py test_dr_lock.py test_validators_properties.py \
	test_progress.py test_poller.py test_backoff.py test_dr_groups.py test_dr_groups_safety.py
# Nor the tests that import neither an SDK nor ansible-core (the share claims interleaved, the lease rules, the pagers, the tag
# rules, the fleet filter, the reports): no release of either can change their verdict (test_makefile.py holds them to it).
UNITS_NO_SDK_NO_CORE := module_utils/test_dr_shares_interleaved.py module_utils/test_lease_rules.py module_utils/test_pagers.py \
	module_utils/test_tagging.py module_utils/test_churn_rules.py module_utils/test_left_behind_rules.py \
	filter/test_dr_fleet.py plugin_utils/test_fleet_report.py plugin_utils/test_report_markdown.py module_utils/test_groups.py \
	module_utils/test_aws_prices.py module_utils/test_disk_answers.py
# Nor the emulators' own tests (our moto server's EBS layers, ebs_vault.py and ebs_direct.py): they run none of the collection's
# code, and hold the emulator to botocore's newest model (make units); the collection's own calls through the oldest botocore
# meet the same layers here (test_dr_verify_aws.py, test_ebs_locks.py). About 6 CPU s of the leg (9 alone, with pytest's start).
# test_makefile.py holds them to importing nothing of plugins/.
UNITS_EMULATORS_ONLY := module_utils/test_ebs_direct_emulator.py module_utils/test_ebs_vault_layer.py
# Every test file that imports an SDK or ansible-core, less the three lists above: what the leg ran until issue 63.
UNITS_OLDEST_ALL := $(filter-out $(UNITS_IN_MEMORY:%=tests/unit/plugins/module_utils/%) $(UNITS_NO_SDK_NO_CORE:%=tests/unit/plugins/%) \
	$(UNITS_EMULATORS_ONLY:%=tests/unit/plugins/%),$(sort $(wildcard tests/unit/plugins/*/test_*.py)))
# What the leg proves is that the oldest releases send and answer every request the collection makes and do all that
# ansible-core does for it; each rule those tests hold, make units holds on the newest. So it runs the test functions of
# UNITS_OLDEST_ALL that, together, make all that the whole of it makes, measured, not guessed (tests/utils/
# oldest_selection.py; its hooks, sdk_core_calls/, write down what every process of a run does): each client the
# collection's code makes (its arguments), each SDK operation with each set of parameter names it sends and each outcome
# (answered, or each error class and code), each ansible-core command, plugin resolved, role, module_defaults group,
# argument spec validation (by the kinds of errors found) and core function the collection calls. Chosen cheapest first
# by their durations (`oldest_selection.py choose`) into UNITS_OLDEST_TESTS; tests/utils/units_oldest_covers.json is the
# measure of every test function. test_makefile.py holds the list to cover all of it and the measure to name every file of
# UNITS_OLDEST_ALL; the leg checks that its own run still makes every item (`oldest_selection.py check`). A new test file,
# or a new call in a test left out: record the measure again (`python3 tests/utils/oldest_selection.py record`, five
# minutes on two workers) and choose again.
UNITS_OLDEST_TESTS := tests/utils/units_oldest_tests.txt
# Run whole, as what they prove of the oldest releases is no request: the call budgets count the requests per call at
# every page and batch (a request more or less per call is what an older SDK could change); the others use an SDK's own
# objects outside a request (the installed releases' versions, the models the copy call is held to, the Alibaba SDK's
# protocol object and Tencent's network error). test_makefile.py holds every file that imports an SDK and makes no
# request to this list.
UNITS_OLDEST_ALWAYS := module_utils/test_call_budgets.py module_utils/test_sdk_versions.py module_utils/test_copy_call_parameters.py \
	module_utils/test_tls.py
UNITS_OLDEST_CALLS := build/units-oldest-calls
# The call budgets' runs take 600 disks, not 1,000 (test_call_budgets.py says why). The CBS DR account's state machine,
# should the measure choose it, draws 5 examples: it proves its rules with the newest SDKs (make units); here, that it
# runs. oldest_selection.py record runs the whole set with the same settings.
UNITS_OLDEST_SETTINGS := SNAPCOPY_CBS_VAULT_EXAMPLES=5 SNAPCOPY_BUDGET_DISKS=600
units-oldest: venv-oldest collection-link ## the unit tests that make the oldest ansible-core and SDK releases do all the collection asks of them
	@echo '== units-oldest (pytest, ansible-core $(OLDEST_CORE), the SDK releases of tests/requirements-oldest.txt)'
	rm -rf $(UNITS_OLDEST_CALLS) && mkdir -p $(UNITS_OLDEST_CALLS)
	SNAPCOPY_SDK_CORE_LOG=$(CURDIR)/$(UNITS_OLDEST_CALLS) PYTHONPATH=$(CURDIR)/tests/utils/sdk_core_calls \
		$(UNITS_OLDEST_SETTINGS) $(VENV_OLDEST)/bin/python -m pytest -q -n $(UNIT_WORKERS) -m 'not pinned_sdk' \
		$(UNITS_OLDEST_ALWAYS:%=tests/unit/plugins/%) @$(UNITS_OLDEST_TESTS)
	$(VENV_OLDEST)/bin/python tests/utils/oldest_selection.py check --log $(UNITS_OLDEST_CALLS)

# The unit tests whose threads meet (the engine's and the DR run's pools, the share claims of two runs, the retry
# helpers, the live progress file's writer) run again with a busy process on every core (tests/utils/under_load.py):
# they meet at barriers and count time on the fake clock, so a loaded machine slows them and fails none. The tests
# against moto and fakecloud wait on real HTTP and are left out here (three minutes more, and nothing of theirs counts
# time); make units-under-load ROUNDS=5 UNDER_LOAD=all runs every unit leg's tests under load five times.
UNITS_UNDER_LOAD := module_utils/test_engine.py module_utils/test_dr.py module_utils/test_backoff.py module_utils/test_poller.py \
	module_utils/test_progress.py module_utils/test_dr_shares_interleaved.py plugin_utils/test_live_progress.py
ROUNDS ?= 1
UNDER_LOAD ?= threads
units-under-load: .venv-$(NEWEST_CORE)/.installed collection-link ## the unit tests whose threads meet, with every core kept busy (ROUNDS times)
	@echo '== units-under-load (a busy process on every core; $(ROUNDS) round(s) of $(if $(filter all,$(UNDER_LOAD)),every unit test,the tests whose threads meet))'
	$(NEWEST_BIN)/python tests/utils/under_load.py --rounds $(ROUNDS) -- $(NEWEST_BIN)/python -m pytest -q -p no:cacheprovider \
		$(if $(filter all,$(UNDER_LOAD)),-n $(UNIT_WORKERS) tests/unit tests/fakecloud/tests,$(UNITS_UNDER_LOAD:%=tests/unit/plugins/%))

# The legs that start playbooks and emulators (the docs tests, the integration targets, the AWX job, the rulebook), each
# with a busy process on every core, one after another: what a fresh clone's make test meets beside other work. Their
# tests wait for conditions, under hang guards far above an honest run (pytest.ini), never for a while: green here every
# time. Not a leg of make test (the docs leg alone took 5 minutes under load here): run it when a test waits
# on time. make under-load LEGS='docs-test integration-dr' ROUNDS=2 runs those legs twice each; any leg of make test can
# be named (smoke with CORE=..., release-test, chaos-short). It fails if any round of any leg failed.
.PHONY: under-load
LEGS ?= docs-test integration-modules integration-dr awx-test eda-test
under-load: venv ## the legs that start playbooks (LEGS: docs, integration, AWX, events), each with every core kept busy (ROUNDS times)
	@echo '== under-load (a busy process on every core; $(ROUNDS) round(s) of each of: $(LEGS))'
	@failed=''; for leg in $(LEGS); do \
		$(BIN)/python tests/utils/under_load.py --label $$leg --rounds $(ROUNDS) -- $(MAKE) --no-print-directory $$leg || failed="$$failed $$leg"; \
	done; if [ -n "$$failed" ]; then echo "== under-load: FAILED:$$failed"; exit 1; fi; echo '== under-load: every round of $(LEGS) passed'

# What ansible-test units adds over pytest, proven once, on the tests that use it: its own pytest configuration
# and collection loader (the tests import the collection as ansible_collections.snapcopy.cloud), --strict-markers
# (pinned_sdk), the fixtures of tests/unit/conftest.py (fakecloud, moto's server) and its time limit per test.
# make units runs these and every other test with pytest.
UNITS_ANSIBLE_TEST := tests/unit/plugins/action/test_dr_sync_action.py tests/unit/plugins/module_utils/test_ec2_model.py \
	tests/unit/plugins/module_utils/test_restore_fakecloud.py tests/unit/plugins/module_utils/test_ebs_restore.py
units-ansible-test: venv stage pythons ## ansible-test units on the tests that prove its layout (the rest: make units)
	@echo '== units-ansible-test (ansible-test units, Python 3.11, ansible-core $(OLDEST_CORE))'
	cd $(STAGE) && PATH='$(TEST_PATH)' $(BIN)/ansible-test units --local --python 3.11 --num-workers 2 --color no $(UNITS_ANSIBLE_TEST)

integration_in = PATH='$(TEST_PATH)' $(BIN)/python tests/utils/with_emulators.py --config $(STAGE)/tests/integration/integration_config.yml -- \
	bash -c 'cd $(STAGE) && $(BIN)/ansible-test integration --color no --local $(1)'
integration: venv stage collection-link ## ansible-test integration against moto server and fakecloud: every target
	@echo '== integration (ansible-test, against moto server and fakecloud)'
	$(call integration_in,)

integration-modules: venv stage collection-link ## the integration targets of the copy modules (group/modules)
	@echo '== integration of group/modules (ansible-test, against moto server and fakecloud)'
	$(call integration_in,group/modules/)

integration-dr: venv stage collection-link ## the integration targets of the DR role, its drill and the fleet (group/dr)
	@echo '== integration of group/dr (ansible-test, against moto server and fakecloud)'
	$(call integration_in,group/dr/)

# ansible-test sanity's pep8 rules (its current-ignore.txt and line length), on all the Python, tests/ included: the
# oldest core's list, which the newer ones only lengthen (2.20 ignores E701 and E704 too; the oldest sanity does not).
PEP8_IGNORE := E402,W503,W504,E741,E203
PYTHON_TREES := plugins/ extensions/ tests/
# Every Python file of the collection: the pep8 test of ansible-test sanity is skipped with the cores that pin the same
# pycodestyle (sanity_skips), as this one implies it.
PEP8_FILES := $(PYTHON_TREES) docs/tools/
lint: venv collection-link ## ruff (the formatter's check too), pep8 as sanity has it, pylint, mypy (mypy.ini: strict on module_utils), yamllint, ansible-lint (production), changelog lint
	@echo '== lint (ruff format --check, 120 columns, on all the Python; ruff; pep8 as ansible-test sanity checks it, tests/ too; pylint, mypy on plugins/ (strict on module_utils/, as mypy.ini says); yamllint (plugins/ too); ansible-lint production profile; antsibull-changelog)'
	$(BIN)/ruff format --check $(PYTHON_TREES) || { echo 'make format writes these files as ruff format would'; exit 1; }
	$(BIN)/ruff check plugins/ extensions/
	$(BIN)/python -m pycodestyle --max-line-length 160 --ignore=$(PEP8_IGNORE) $(PEP8_FILES)
	PYTHONPATH=$(COLLECTIONS) $(BIN)/pylint plugins/ extensions/
	$(BIN)/mypy plugins/ extensions/
	$(BIN)/yamllint docs/ playbooks/ roles/ extensions/ plugins/
	$(BIN)/ansible-lint --profile production $(wildcard roles playbooks)
	$(BIN)/antsibull-changelog lint

.PHONY: format
format: venv ## format all the Python as make lint checks it (ruff format, 120 columns; ruff.toml), imports sorted
	$(BIN)/ruff check --select I --fix --quiet $(PYTHON_TREES)
	$(BIN)/ruff format $(PYTHON_TREES)

# plugins/module_utils/clouds/aws/ec2_model.py and ec2_copy_model.py (ebs_snapshot_copy's): the EC2 operations we call,
# cut from the installed botocore's model.
# Rerun after a botocore upgrade; the units fail until then (test_ec2_model.py).
.PHONY: ec2-model
ec2-model: venv ## rewrite plugins/module_utils/clouds/aws/ec2_model.py and ec2_copy_model.py from the installed botocore
	$(BIN)/python tests/utils/trim_ec2_model.py

# ---------------------------------------------------------------- the main job, on local emulators
# The first run seeds the emulators and copies; the second, with everything in place, changes nothing.
DEMO_ONLY ?= ["aws", "ecs", "ens", "cbs"]
demo: venv collection-link ## the main job on the local emulators, then again: nothing changes
	tests/utils/demo.sh '$(BIN)' '$(BUILD)' '$(DEMO_ONLY)'

# Your own playbooks on the emulators (docs/quickstart.md): they stay up, with their addresses and keys in
# build/emulators.json, until Ctrl-C.
emulators: venv collection-link ## the local emulators, up for your own playbooks until Ctrl-C (build/emulators.json)
	@$(BIN)/python tests/utils/with_emulators.py --config $(BUILD)/emulators.json -- $(BIN)/python tests/utils/emulators_up.py \
		$(BUILD)/emulators.json

clean: ## remove build/ and every venv
	rm -rf $(BUILD) $(VENV) $(OTHER_CORE_VENVS:%/.installed=%) $(VENV_OLDEST) $(VENV_AWX) $(VENV_GALAXY) $(VENV_EDA) .pytest_cache .coverage

# ---------------------------------------------------------------- docs, docs-test, release-test
# The docs tools (antsibull-docs, Sphinx, MyST, ansible-builder) are pinned in docs/requirements.txt
# and go into .venv. `make docs` builds the collection's HTML site (reference pages from
# antsibull-docs, plus the user guide) into build/docsite/build/html, without network access.
DOCSITE := $(BUILD)/docsite
CHROMIUM ?= /usr/bin/chromium

.PHONY: docs-venv docs docs-test release-test

$(VENV)/.docs-installed: $(VENV)/.installed docs/requirements.txt
	$(call uv_install,$(VENV),-r docs/requirements.txt)
	touch $@

docs-venv: venv $(VENV)/.docs-installed ## the docs tools into .venv (docs/requirements.txt)

docs: docs-venv collection-link ## the HTML site: module reference and user guide, offline
	@echo '== docs (antsibull-docs: the collection reference and the user guide)'
	rm -rf $(DOCSITE) && mkdir -p $(DOCSITE)
	PATH='$(BIN):$(CLEAN_PATH)' $(BIN)/antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir $(DOCSITE) \
		--project snapcopy.cloud --copyright 'snapcopy.cloud contributors' --title snapcopy.cloud --html-short-title snapcopy.cloud \
		snapcopy.cloud > /dev/null
	@# What sphinx-init asks for, at the versions docs/requirements.txt pins (already there: no download).
	$(call uv_install,$(VENV),-r $(DOCSITE)/requirements.txt -c docs/requirements.txt)
	@# build.sh's two steps, with the user guide and an offline intersphinx inventory added in between.
	cd $(DOCSITE) && mkdir -p rst && chmod og-w rst && PATH='$(BIN):$(CLEAN_PATH)' $(BIN)/antsibull-docs \
		--config-file antsibull-docs.cfg collection --cleanup everything --fail-on-error --use-current --dest-dir rst snapcopy.cloud
	$(BIN)/python docs/tools/build_site.py $(DOCSITE)
	cd $(DOCSITE) && $(BIN)/sphinx-build -M html rst build -c . -W --keep-going -q
	@echo "Site: $(DOCSITE)/build/html/index.html"

# Lint the collection's docs, build the site, open its module pages in headless Chromium (Debian's
# package, installed with apt-get when missing), and run tests/docs: the AWX credential types
# and survey against fakecloud, the execution environment with ansible-builder, the user guide, and every
# command of the README, the quickstart, events.md and awx.md as printed (tests/docs/test_page_commands.py).
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
$(VENV_AWX)/.installed: tests/requirements-awx.txt $(UV_HOME)/.installed
	$(call new_venv,$(VENV_AWX),$$($(PYTHON) tests/utils/job_user_python.py))
	$(call uv_install,$(VENV_AWX),-r tests/requirements-awx.txt)
	touch $@

.PHONY: awx-test
awx-test: venv collection-link $(VENV_AWX)/.installed ## the DR job through ansible-runner as an execution environment runs it
	@echo '== awx-test (ansible-runner as in an execution environment: read-only collection, a user not root, survey answers)'
	SNAPCOPY_AWX_VENV='$(CURDIR)/$(VENV_AWX)' $(BIN)/python -m pytest -q tests/awx

# ---------------------------------------------------------------- eda-test: DR copies driven by events
# ansible-rulebook (PyPI's release, in .venv-eda) runs the shipped rulebook extensions/eda/rulebooks/dr_on_snapshot.yml
# against the emulators on each cloud, from the collection built and installed with ansible-galaxy: snapshots complete,
# copies appear; the rulebook is killed and restarted mid-burst, and every snapshot gets exactly one copy (tests/eda).
$(VENV_EDA)/.installed: tests/requirements-eda.txt $(UV_HOME)/.installed
	$(call new_venv,$(VENV_EDA),$(call core_python,$(NEWEST_CORE)))
	$(call uv_install,$(VENV_EDA),-r tests/requirements-eda.txt)
	$(call run_caches,$(VENV_EDA))
	touch $@

eda-test: venv collection-link $(VENV_EDA)/.installed java ## the rulebook on the emulators, every cloud, killed and restarted mid-burst
	@echo '== eda-test (ansible-rulebook with extensions/eda/rulebooks/dr_on_snapshot.yml on the emulators: each cloud, a kill mid-burst)'
	@if $(JAVA_17); then SNAPCOPY_EDA_VENV='$(CURDIR)/$(VENV_EDA)' $(BIN)/python tests/utils/with_emulators.py -- \
		$(BIN)/python -m pytest -q -p no:cacheprovider tests/eda; \
	else echo 'SKIPPED: make eda-test, for want of Java 17 (openjdk-17-jre-headless)'; fi

# ---------------------------------------------------------------- release: the tarball to upload
# make release builds the tarball into build/release and checks it as it would be uploaded: its files
# (tests/utils/check_tarball.sh: LICENSE, manifests, docs; no caches or test tools) and galaxy-importer
# without containers or network (tests/utils/galaxy_import.py has its settings), which fails on any error
# or warning, a role without README or a module without documentation. make test runs it as a leg.
$(VENV_GALAXY)/.installed: tests/requirements-galaxy.txt $(UV_HOME)/.installed
	$(call new_venv,$(VENV_GALAXY),$(PYTHON))
	$(call uv_install,$(VENV_GALAXY),-r tests/requirements-galaxy.txt)
	touch $@

RELEASE_DIR := $(BUILD)/release
COLLECTION_VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
RELEASE_TARBALL := $(RELEASE_DIR)/snapcopy-cloud-$(COLLECTION_VERSION).tar.gz
.PHONY: release
release: venv $(VENV_GALAXY)/.installed ## the tarball to upload (build/release), its files checked and galaxy-importer passed
	@echo '== release (build the tarball, check its files, galaxy-importer as Galaxy and Automation Hub run it on upload)'
	rm -rf $(RELEASE_DIR) && mkdir -p $(RELEASE_DIR)
	$(BIN)/ansible-galaxy collection build --output-path $(RELEASE_DIR) . > /dev/null
	tests/utils/check_tarball.sh $(RELEASE_TARBALL)
	$(VENV_GALAXY)/bin/python tests/utils/galaxy_import.py $(RELEASE_TARBALL)
	cd $(RELEASE_DIR) && sha256sum $(notdir $(RELEASE_TARBALL)) > SHA256SUMS
	@echo 'To upload, as it is: ansible-galaxy collection publish $(RELEASE_TARBALL) (sha256 in $(RELEASE_DIR)/SHA256SUMS)'

# ---------------------------------------------------------------- make bench: speed and cost, measured
# Prints tables and writes bench-results.json, bench-results.png and bench-results-fleet.png (tests/bench,
# docs/performance.md). About an hour: the fleet lane (part f) takes 13 to 18 minutes, the events (part e,
# ansible-rulebook from .venv-eda, Java 17) about 10, an organisation's inventory (part o: its builds a minute, its
# fleet over 50 accounts the rest) about 27; BENCH_ARGS=--quick tries the bench itself in about four (part e at 20
# snapshots: about 10 more; part o about 3.5); BENCH_ARGS='--parts f' runs the fleet lane alone, '--parts e' the events,
# '--parts o --org-fleet-accounts 1 --fleet-forks 1' the inventory's builds with a token fleet (about 75 s).
BENCH_ARGS ?=
$(VENV)/.bench-installed: $(VENV)/.installed tests/bench/requirements.txt
	$(call uv_install,$(VENV),-r tests/bench/requirements.txt)
	touch $@

.PHONY: bench
# Part a's peer: community.aws's ec2_snapshot_copy (and amazon.aws), as the ansible package of this release ships them,
# for ansible-core 2.17 and newer (their meta/runtime.yml), unpacked from its wheel: installing the package would bring
# its own ansible-core into .venv.
BENCH_PEER_ANSIBLE := 12.3.0
BENCH_PEER := $(BUILD)/bench-peer
$(BENCH_PEER)/.installed-$(BENCH_PEER_ANSIBLE): $(VENV)/.installed tests/bench/unpack_peer.py
	rm -rf $(BENCH_PEER) && $(BIN)/python -m pip download --quiet --no-deps --only-binary=:all: \
		ansible==$(BENCH_PEER_ANSIBLE) -d $(BENCH_PEER)/wheel
	$(BIN)/python tests/bench/unpack_peer.py $(BENCH_PEER)/wheel $(BENCH_PEER)/collections && rm -rf $(BENCH_PEER)/wheel
	touch $@

bench: venv collection-link $(VENV)/.bench-installed $(BENCH_PEER)/.installed-$(BENCH_PEER_ANSIBLE) $(VENV_EDA)/.installed java ## speed and cost, measured (docs/performance.md)
	SNAPCOPY_ZIP_BYTECODE=off SNAPCOPY_PAYLOAD_CACHE=off SNAPCOPY_YAML_CACHE=off \
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
# chaos: 300 disks per cloud, 5 kill rounds, a fleet of 30 scopes of 10 disks, the vault part: copies in a DR account
# (AWS), locked (AWS, ECS), killed 5 times, and the overlap part: two scopes whose disks meet, run at once with the vault on,
# killed 5 times, and the safety part on 60 disks per cloud (about 35 minutes alone on two CPUs, docs/reliability.md).
# chaos-short, for make test: 30 disks, 2 kill rounds, a fleet of 6 scopes of 2 disks (2 to 3 minutes); not the vault and
# overlap parts, whose rules the unit tests hold on moto, fakecloud and the safety state machine (make test's time is kept for them).
CHAOS_TLS = $(BIN)/python tests/utils/with_emulators.py -- $(BIN)/python -m pytest -q -p no:cacheprovider tests/chaos/test_tls.py
.PHONY: chaos chaos-short
chaos: venv collection-link ## 300 disks per cloud under faults, SIGKILL and bad input; a fleet of 30 scopes; the safety contract's moves; a DR account and locks under SIGKILL; two overlapping scopes; TLS; the safety state machine, longer
	@echo '== chaos (300 disks per cloud: faults, SIGKILL, bad input; a fleet of 30 scopes; the safety contract: its moves on 60 disks per cloud, its state machine 5,000 sequences; a DR account and locks under SIGKILL; two scopes at once over the same disks; TLS)'
	$(BIN)/python tests/chaos/run.py --disks 300 --kill-rounds 5 --out $(BUILD)/chaos-figures/full
	$(CHAOS_TLS)
	SNAPCOPY_HYPOTHESIS=search SNAPCOPY_SAFETY_EXAMPLES=5000 $(BIN)/python -m pytest -q -p no:cacheprovider --hypothesis-show-statistics \
		tests/unit/plugins/module_utils/test_dr_safety.py

chaos-short: venv collection-link ## the same with 30 disks per cloud, a fleet of 6 scopes and the safety moves on 6 disks per cloud (make test)
	@echo '== chaos-short (30 disks per cloud: faults, SIGKILL, bad input; a fleet of 6 scopes; the safety contract: its moves on 6 disks per cloud; TLS)'
	$(BIN)/python tests/chaos/run.py --disks 30 --kill-rounds 2 --fleet-scopes 6 --parts load,kill,inputs,fleet,safety --out $(BUILD)/chaos-figures/short
	$(CHAOS_TLS)

# ---------------------------------------------------------------- make mutation: would the unit tests notice?
# A fixed sample (seed 19) of mutants of the engine, the DR run and the retry and poll helpers, each run against
# the unit tests that execute its line, in copies of the tree under a temporary folder (tests/utils/mutation.py,
# docs/reliability.md). About 15 minutes; prints killed / survived / timed out per file and every survivor, and
# fails below 90 % in any file. Not part of make test. MUTATION_ARGS='--files core/polling.py --sample 0' for one file.
MUTATION_ARGS ?=
.PHONY: mutation
mutation: venv collection-link ## mutants of the engine, DR run, retries and polling against the unit tests
	$(BIN)/python tests/utils/mutation.py --json $(BUILD)/mutation.json $(MUTATION_ARGS)
