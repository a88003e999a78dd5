"""The chaos suite: the DR role under faults and under SIGKILL, and a corpus of bad input.

Each part gets emulators of its own (moto's server, fakecloud, and the fault proxy in front of
moto), started here with tests/utils/with_emulators.py's helpers, so that the parts run side by side:

  python tests/chaos/run.py --disks 300 --kill-rounds 5

Parts (``--parts``, all by default):

* ``load``: the role (playbooks/dr_copy.yml) on N tagged disks per cloud, with throttling (30 % of
  calls, each cloud's own code), server errors (5 %), answers lost after a mutating call was
  carried out (5 %) and answers slower than the client's timeout (2 %). A run that fails is run
  again, up to --max-runs; then the emulator's state must hold exactly one DR copy of each
  disk's newest snapshot per DR region, and at most one fresh snapshot per stale disk.
* ``kill``: the same role, killed with SIGKILL (its whole process group) at random points, at
  random times or after a random number of mutating calls, --kill-rounds times per cloud, with a
  few disks getting a newer snapshot between rounds; then run to completion: 0 duplicates, 0 missing.
* ``inputs``: the bad-input corpus (tests/chaos/corpus.py): every case fails, names the option or
  the cloud's error code, shows no traceback, and no mutating call reaches any cloud.
* ``safety``: the safety contract's moves for real (tests/chaos/safety.py): archive copies made with the copy
  modules, people's copies of DR copies with every tag, DR runs pruning to one copy per disk and region under
  faults and SIGKILLs; no foreign copy deleted, no disk left without the restorable copy it had.
* ``vault``: the role with its copies in a separate DR account (AWS, CBS) and locked (AWS, ECS), killed at random
  points, then run to completion: one copy per disk and DR region, each the DR account's (AWS, CBS) and locked (AWS,
  ECS), no share, staged copy or bridge disk left, a rerun that changes nothing, and pruning that sends no delete for a
  locked copy (tests/chaos/vault.py).
* ``overlap``: two scopes of one source region whose selectors meet (one takes every tagged disk into two DR regions,
  the other half of them into one of those and a third), run at the same time with the vault on (a DR account on AWS,
  ECS and CBS; locks on AWS and ECS), one run or both killed at random points, then run to completion: no source left
  shared, no two DR copies of one snapshot in a region, every copy the reports call locked locked when read back, no
  bridge disk, staged copy or copy in the disks' account left, none missing (tests/chaos/overlap.py).
* ``fleet``: playbooks/dr_fleet.yml over --fleet-scopes scopes (the four clouds, several accounts
  reached by their roles, DR regions shared within an account; tests/chaos/fleet.py), under the
  faults of ``load`` and SIGKILLs of the whole run; then run to completion: in every scope 0
  duplicates and 0 missing, no stray copy, and a fleet report that lists every scope.

The figures go to --out (figures.json) and, as a Markdown table, to stdout. Exit status 1 when
any check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, 'tests', 'utils'))

import clouds  # pylint: disable=wrong-import-position
import corpus  # pylint: disable=wrong-import-position
import fleet  # pylint: disable=wrong-import-position
import overlap  # pylint: disable=wrong-import-position
import safety  # pylint: disable=wrong-import-position
import vault  # pylint: disable=wrong-import-position
import with_emulators  # pylint: disable=wrong-import-position
from proxy import AwsFaults, ProxyServer  # pylint: disable=wrong-import-position

PLAYBOOK = os.path.join(REPO, 'playbooks', 'dr_copy.yml')
# The role on several clouds in one ansible-playbook, one inventory host per cloud (Suite.start_roles).
ROLES_PLAYBOOK = os.path.join(HERE, 'roles.yml')
FAULTS = {'throttle': 0.30, 'server_error': 0.05, 'lost_answer': 0.05, 'slow': 0.02}
# The client's timeout under faults, and how late a slow answer is (fakecloud: before the call is carried out).
CLIENT_TIMEOUT = 2
SLOW_MS = 3500
# fakecloud's snapshot and copy times during the runs: copies are in flight while the role waits.
TIMINGS = {'snapshot_seconds': 1.0, 'copy_seconds': 1.5}
PROCESS_GONE_TIMEOUT = 10
# How often a kill loop looks at its run (Suite.kill_at).
KILL_POLL_SECONDS = 0.05
# The standings of a report's copy that count it as a DR copy (dr/report.py STANDINGS): each must be one the cloud
# holds.
CLAIMED_STANDINGS = ('within_rpo', 'over_rpo', 'in_flight')


def ansible_environment(work):
    """The environment of every ansible-playbook run: no credentials, no proxies, nothing but 127.0.0.1."""
    drop = ('AWS_', 'EC2_', 'ALICLOUD_', 'ALIBABA_CLOUD_', 'TENCENTCLOUD_', 'SNAPCOPY_TEST_')
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(drop) and key.lower() not in ('http_proxy', 'https_proxy', 'all_proxy', 'no_proxy')
    }
    env.update(
        {
            # Only tests/chaos/ansible.cfg's settings (the controller's poll interval), whatever the current folder.
            'ANSIBLE_CONFIG': os.path.join(HERE, 'ansible.cfg'),
            'ANSIBLE_COLLECTIONS_PATH': os.path.join(REPO, 'build', 'collections'),
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_LOCALHOST_WARNING': 'false',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
            'ANSIBLE_LOCAL_TEMP': os.path.join(work, 'tmp'),
            'ANSIBLE_REMOTE_TEMP': os.path.join(work, 'tmp'),
            # What killed controllers and modules leave (dr_sync's progress file, a module's unpacked payload) stays in
            # the output folder, not in the machine's /tmp, where every chaos run left hundreds.
            'TMPDIR': os.path.join(work, 'tmp'),
            # No instance metadata look-up (169.254.169.254) and no AWS files of this machine's user.
            'AWS_EC2_METADATA_DISABLED': 'true',
            'AWS_CONFIG_FILE': os.devnull,
            'AWS_SHARED_CREDENTIALS_FILE': os.devnull,
        }
    )
    return env


class Emulators:
    """One part's emulators: moto's server behind the fault proxy, fakecloud, and the clouds on them."""

    def __init__(self, names, log):
        self.processes = []
        try:
            moto, self.moto_url = with_emulators.start_moto(log)
            self.processes.append(moto)
            fakecloud, self.fakecloud_url = with_emulators.start_fakecloud(log)
            self.processes.append(fakecloud)
        except BaseException:
            with_emulators.stop(self.processes)
            raise
        self.proxy = ProxyServer(self.moto_url, faults=AwsFaults()).start()
        self.admin = clouds.AdminClient(self.fakecloud_url, timeout=120)
        self.aws_access_key, self.aws_secret_key = with_emulators.AWS_ACCESS_KEY, with_emulators.AWS_SECRET_KEY
        self.targets = {}
        # The fakecloud targets poll one ledger: one read serves them all (clouds.CallLedger).
        ledger = clouds.CallLedger(self.admin)
        for name in names:
            if name == 'aws':
                self.targets[name] = clouds.AwsTarget(
                    self.moto_url, self.proxy, self.aws_access_key, self.aws_secret_key
                )
            else:
                self.targets[name] = clouds.FakeCloudTarget(name, self.fakecloud_url, ledger)

    def stop(self):
        self.proxy.stop()
        with_emulators.stop(self.processes)

    def reset(self):
        self.admin.reset()
        self.admin.configure(timings={cloud: dict(TIMINGS) for cloud in ('ecs', 'ens', 'cbs')})
        if 'aws' in self.targets:
            self.targets['aws'].reset()
        self.proxy.faults.configure({})

    def faults_on(self, seed, failing_copies=0.0):
        """The load part's faults; ``failing_copies``: the share of fakecloud's copies that end failed."""
        rules = []
        for target in self.targets.values():
            if target.name != 'aws':
                rules += target.fault_rules(
                    FAULTS['throttle'], FAULTS['server_error'], FAULTS['slow'], SLOW_MS, FAULTS['lost_answer']
                )
        failing = {name: {'regions': [], 'rate': failing_copies} for name in self.targets if name != 'aws'}
        self.admin.faults({'seed': seed, 'rules': rules, 'failing_copies': failing})
        self.proxy.faults.configure(
            {
                'seed': seed,
                'throttle_rate': FAULTS['throttle'],
                'error_rate': FAULTS['server_error'] / (1 - FAULTS['throttle']),
                'lost_answer_rate': FAULTS['lost_answer'],
                'slow_rate': FAULTS['slow'],
                'slow_seconds': SLOW_MS / 1000.0,
            }
        )

    def faults_off(self):
        self.admin.faults({})
        self.proxy.faults.configure({})

    def keep_ledgers(self, folder, part):
        """The call ledgers of a part, for a look afterwards (which call made which copy)."""
        for name, ledger in (('fakecloud', self.admin.calls()), ('aws-proxy', self.proxy.faults.report())):
            with open(os.path.join(folder, '%s-calls-%s.json' % (name, part)), 'w', encoding='utf-8') as stream:
                json.dump(ledger, stream, indent=1)


class Suite:  # pylint: disable=too-many-public-methods  # the steps the parts share
    """What the parts share: the options, the output folder, the figures and the problems found."""

    def __init__(self, args):
        self.args = args
        self.work = os.path.abspath(args.out)
        # The last run's leftovers (its killed controllers' files) go: the folder holds one run's.
        shutil.rmtree(os.path.join(self.work, 'tmp'), ignore_errors=True)
        os.makedirs(os.path.join(self.work, 'tmp'))
        os.makedirs(os.path.join(self.work, 'logs'), exist_ok=True)
        self.env = ansible_environment(self.work)
        self.figures = {
            'disks': args.disks,
            'kill_rounds': args.kill_rounds,
            'seed': args.seed,
            'faults': FAULTS,
            'client_timeout_seconds': CLIENT_TIMEOUT,
            'slow_answer_ms': SLOW_MS,
        }
        self.problems = []
        self.lock = threading.Lock()

    # ------------------------------------------------------------------ the parts, each on emulators of its own
    def run_part(self, part):
        started = time.monotonic()
        with open(os.path.join(self.work, 'logs', 'emulators-%s.log' % part), 'ab') as log:
            emulators = Emulators(self.args.clouds, log)
            try:
                emulators.reset()
                getattr(self, part)(emulators)
                emulators.keep_ledgers(os.path.join(self.work, 'logs'), part)
            except Exception as error:  # pylint: disable=broad-exception-caught  # reported; the other parts go on
                self.problem('all', part, 'the suite itself failed: %r' % error)
            finally:
                emulators.stop()
        with self.lock:
            self.figures.setdefault('seconds', {})[part] = round(time.monotonic() - started, 1)
        print('== chaos %s took %.0f s' % (part, time.monotonic() - started), flush=True)

    # ------------------------------------------------------------------ running the role
    def role_vars(self, target, label, client_timeout=None):
        # Every run ends with a restore drill (one disk per DR region), under the same faults and kills.
        variables = {
            'dr_copy_provider': target.provider,
            'dr_copy_source_region': target.source_region,
            'dr_copy_dr_regions': target.dr_regions,
            'dr_copy_tag_selector': clouds.TAG_SELECTOR,
            'dr_copy_wait': True,
            'dr_copy_wait_timeout': 1800,
            'dr_copy_poll_interval': 1,
            'dr_copy_report_dir': os.path.join(self.work, 'reports', label, target.name),
            'dr_copy_connection': target.connection(client_timeout),
            'dr_copy_restore_test': True,
        }
        if target.rpo_hours:
            variables['dr_copy_max_snapshot_age_hours'] = target.rpo_hours
        if target.name in ('aws', 'ecs', 'cbs'):
            variables['dr_copy_tags'] = {'purpose': 'chaos'}
        return variables

    def start_role(self, target, label, run, variables, controller=None):
        """Start the role's playbook with ``variables``; ``controller`` names the controller it runs on: runs of one
        scope on one controller wait for each other (dr_sync's scope lock), so runs meant to overlap each name their
        own, as two controllers would (each its own SNAPCOPY_LOCK_DIR), and only the clouds' leases keep them apart."""
        env = self.env
        if controller is not None:
            env = dict(env, SNAPCOPY_LOCK_DIR=os.path.join(self.work, 'controllers', controller))
        vars_file = os.path.join(self.work, 'logs', '%s-%s-%d.vars.json' % (label, target.name, run))
        with open(vars_file, 'w', encoding='utf-8') as stream:
            json.dump(variables, stream)
        log = open(
            os.path.join(self.work, 'logs', '%s-%s-%d.log' % (label, target.name, run)),
            'w',  # noqa: SIM115  # pylint: disable=consider-using-with
            encoding='utf-8',
        )
        process = subprocess.Popen(  # pylint: disable=consider-using-with  # waited for, or killed, by the caller
            [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), PLAYBOOK, '-e', '@' + vars_file],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return process, log

    def start_roles(self, targets, label, runs, variables, controller=None):
        """The role on each of ``targets`` in one ansible-playbook (tests/chaos/roles.yml, one inventory host per cloud
        holding its run's variables): the runs start_role would start one by one, for one playbook start (about 0.7
        CPU s each) instead of one a cloud. ``runs``, ``variables``: {cloud: its run's number, its variables}.
        Answers (process, log, outcomes file): the chaos_outcomes callback writes each host's outcome there, which
        says whether that cloud's run failed."""
        name = '%s-%s-%s' % (
            label,
            '+'.join(target.name for target in targets),
            '+'.join(str(runs[t.name]) for t in targets),
        )
        command, env, outcomes_file = self.hosts_playbook(
            ROLES_PLAYBOOK, name, {t.name: variables[t.name] for t in targets}
        )
        if controller is not None:
            env['SNAPCOPY_LOCK_DIR'] = os.path.join(self.work, 'controllers', controller)
        log = open(  # noqa: SIM115  # pylint: disable=consider-using-with  # closed by the caller
            os.path.join(self.work, 'logs', name + '.log'), 'w', encoding='utf-8'
        )
        process = subprocess.Popen(  # pylint: disable=consider-using-with  # waited for by the caller
            command,
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return process, log, outcomes_file

    def hosts_playbook(self, playbook, name, variables):
        """(command, environment, outcomes file) of ``playbook`` over one local host per cloud (``variables``: {cloud:
        its host's variables}), all side by side: the inventory written as logs/<name>.inventory.json, the
        chaos_outcomes callback on, writing each host's outcome to logs/<name>.outcomes.json (host_codes reads it)."""
        inventory = os.path.join(self.work, 'logs', name + '.inventory.json')
        hosts = {
            host: dict(values, ansible_connection='local', ansible_python_interpreter=sys.executable)
            for host, values in variables.items()
        }
        with open(inventory, 'w', encoding='utf-8') as stream:
            json.dump({'all': {'hosts': hosts}}, stream)
        outcomes_file = os.path.join(self.work, 'logs', name + '.outcomes.json')
        if os.path.exists(outcomes_file):
            os.remove(outcomes_file)
        command = [
            os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
            playbook,
            '-i',
            inventory,
            '-f',
            str(len(hosts)),
        ]
        return command, corpus.outcomes_environment(self.env, outcomes_file), outcomes_file

    @staticmethod
    def host_codes(outcomes_file, names):
        """{cloud: 0 when its host's run ended without a failure, else 1}, from the chaos_outcomes callback's file
        (no file, or no outcome for a host: 1)."""
        try:
            with open(outcomes_file, encoding='utf-8') as stream:
                outcomes = json.load(stream)
        except (OSError, ValueError):
            outcomes = {}
        return {
            name: 0
            if name in outcomes and not outcomes[name].get('failed') and not outcomes[name].get('unreachable')
            else 1
            for name in names
        }

    def read_report(self, variables, target):
        path = os.path.join(
            variables['dr_copy_report_dir'], 'dr-report-%s-%s.json' % (target.provider, target.source_region)
        )
        try:
            with open(path, encoding='utf-8') as stream:
                return json.load(stream)
        except (OSError, ValueError):
            return {}

    def run_to_completion(self, target, label, variables, first_run=1):
        """Run the role until a run succeeds, at most --max-runs times. Answers the runs' records."""
        runs = []
        for run in range(first_run, first_run + self.args.max_runs):
            report_dir = variables['dr_copy_report_dir']
            clouds.clear_report_files(report_dir)
            started = time.monotonic()
            process, log = self.start_role(target, label, run, variables)
            code = process.wait()
            log.close()
            runs.append(self.run_record(target, variables, run, code, started))
            if code == 0:
                break
        return runs

    def run_record(self, target, variables, run, code, started):
        """A run's record: its exit status, time and what its report says, and the copies it claims that the cloud
        does not hold."""
        report = self.read_report(variables, target)
        return {
            'run': run,
            'rc': code,
            'seconds': round(time.monotonic() - started, 1),
            'api_retries': report.get('api_retries'),
            'totals': report.get('totals'),
            'restore': (report.get('restore') or {}).get('totals'),
            'failures': (report.get('failures') or [])[:5],
            'reported_not_there': self.reported_not_there(target, report, variables),
        }

    def runs_to_completion(self, targets, label, variables, first_runs):
        """run_to_completion on each of ``targets``, their runs in one ansible-playbook a round (start_roles); a
        round runs again only the clouds whose run failed, at most --max-runs rounds. ``variables``, ``first_runs``:
        {cloud: its variables, its first run's number}. Answers {cloud: its runs' records}."""
        records = {target.name: [] for target in targets}
        pending = list(targets)
        for round_number in range(self.args.max_runs):
            for target in pending:
                clouds.clear_report_files(variables[target.name]['dr_copy_report_dir'])
            started = time.monotonic()
            numbers = {target.name: first_runs[target.name] + round_number for target in pending}
            process, log, outcomes_file = self.start_roles(pending, label, numbers, variables)
            process.wait()
            log.close()
            codes = self.host_codes(outcomes_file, [target.name for target in pending])
            for target in pending:
                records[target.name].append(
                    self.run_record(target, variables[target.name], numbers[target.name], codes[target.name], started)
                )
            pending = [target for target in pending if codes[target.name]]
            if not pending:
                break
        return records

    @staticmethod
    def reported_not_there(target, report, variables):
        """The copies ``report`` counts as DR copies (completed or in flight) that the cloud does not hold, read from
        the emulator's own state as the run ends; None with a DR account, whose copies the disks' account does not
        list."""
        if variables.get('dr_copy_dr_account'):
            return None
        claimed = {
            copy['snapshot_id']
            for disk in report.get('disks') or []
            for copy in disk.get('copies') or []
            if copy.get('standing') in CLAIMED_STANDINGS
        }
        return len(claimed - target.dr_snapshot_ids()) if claimed else 0

    # ------------------------------------------------------------------ part 1: faults under load
    def load(self, emulators):
        for target in emulators.targets.values():
            target.seed(self.args.disks)
        emulators.faults_on(self.args.seed)
        emulators.admin.calls(reset=True)
        emulators.proxy.faults.reset_ledger()
        results = {}

        def one(target):
            variables = self.role_vars(target, 'load', CLIENT_TIMEOUT)
            started = time.monotonic()
            runs = self.run_to_completion(target, 'load', variables)
            figures = target.tally()
            figures.update(
                runs=len(runs),
                converged=runs[-1]['rc'] == 0,
                seconds=round(time.monotonic() - started, 1),
                reported_not_there=sum(record['reported_not_there'] or 0 for record in runs),
                restore_passed=(runs[-1]['restore'] or {}).get('passed'),
                stale_disks=len(target.stale),
                calls=target.calls(),
                run_log=runs,
                throttle_code=clouds.THROTTLE_CODES[target.name],
                slow_answers=True,
            )
            results[target.name] = figures
            self.check(target.name, 'load', figures, expect_fresh=len(target.stale))

        self.each_target(emulators, one)
        emulators.faults_off()
        self.figures['load'] = results

    # ------------------------------------------------------------------ part 2: interruption
    def kill(self, emulators):
        for target in emulators.targets.values():
            target.seed(self.args.disks)
        results = {}

        def one(target):
            rng = random.Random('%s-%s' % (self.args.seed, target.name))
            variables = self.role_vars(target, 'kill')
            rounds, attempts, run = [], 0, 0
            # How long the module works in a run, to pick kill times in: a guess that grows with the disks,
            # narrowed to what a run took whenever one ends before its kill.
            longest = 2.0 + self.args.disks / 30.0
            while len(rounds) < self.args.kill_rounds and attempts < 3 * self.args.kill_rounds:
                attempts += 1
                run += 1
                if run > 1:
                    # Give the next run work to do: a newer snapshot of a third of the disks.
                    target.add_newest(rng.sample(target.disks, max(1, len(target.disks) // 3)))
                before = target.calls()
                pending = target.tally()['missing']
                mode = 'mutations' if len(rounds) % 2 else 'time'
                point = rng.randint(1, max(1, pending)) if mode == 'mutations' else round(rng.uniform(0.0, longest), 2)
                process, log = self.start_role(target, 'kill', run, variables)
                killed, working = self.kill_at(process, target, mode, point, before)
                log.close()
                if not killed:
                    # The run ended first: kill times from now on fall within what it took.
                    longest = max(0.2, 0.9 * working)
                    continue
                rounds.append(
                    {
                        'mode': mode,
                        'point': point,
                        'seconds_into_the_module': round(working, 1),
                        'calls_before_kill': target.calls()['calls'] - before['calls'],
                        'mutations_before_kill': target.calls()['mutations'] - before['mutations'],
                        'group_gone': self.group_gone(process.pid),
                    }
                )
            runs = self.run_to_completion(target, 'kill', variables, first_run=run + 1)
            figures = target.tally()
            figures.update(
                kills=len(rounds),
                rounds=rounds,
                runs_after_kills=len(runs),
                converged=runs[-1]['rc'] == 0,
                restore_passed=(runs[-1]['restore'] or {}).get('passed'),
                run_log=runs,
                reported_not_there=sum(record['reported_not_there'] or 0 for record in runs),
            )
            results[target.name] = figures
            self.check(target.name, 'kill', figures)
            if len(rounds) < self.args.kill_rounds:
                self.problem(
                    target.name,
                    'kill',
                    'only %d of %d runs could be killed before they ended' % (len(rounds), self.args.kill_rounds),
                )
            for record in rounds:
                if not record['group_gone']:
                    self.problem(target.name, 'kill', 'a process of a killed run outlived the SIGKILL of its group')

        self.each_target(emulators, one)
        self.figures['kill'] = results

    @staticmethod
    def kill_at(process, target, mode, point, before):
        """SIGKILL the run's process group ``point`` seconds after its first API call, or after ``point``
        mutating calls. Answers (whether it was killed, the seconds the module had been working).

        The calls are read every KILL_POLL_SECONDS, each read no older than that (a read of fakecloud's ledger
        serves every cloud's loop: clouds.CallLedger); in the time mode, only until the first call is seen."""
        working_since = None
        while process.poll() is None:
            if mode != 'time' or working_since is None:
                calls = target.calls(not_before=time.monotonic() - KILL_POLL_SECONDS)
                if working_since is None and calls['calls'] > before['calls']:
                    working_since = time.monotonic()
            if mode == 'time':
                due = working_since is not None and time.monotonic() - working_since >= point
            else:
                due = calls['mutations'] - before['mutations'] >= point
            if due:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return True, time.monotonic() - (working_since or time.monotonic())
            time.sleep(KILL_POLL_SECONDS)
        return False, time.monotonic() - (working_since or time.monotonic())

    @staticmethod
    def group_gone(pgid):
        deadline = time.monotonic() + PROCESS_GONE_TIMEOUT
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.1)
        return False

    # ------------------------------------------------------------------ part 3: bad input
    def inputs(self, emulators):
        results = corpus.run(self, emulators)
        self.figures['inputs'] = results
        for failure in results['failures']:
            self.problem(failure['cloud'], 'inputs', '%s: %s' % (failure['id'], failure['why']))
        if results['mutations']:
            self.problem('all', 'inputs', 'mutating calls reached the clouds: %s' % results['mutations'])

    # ------------------------------------------------------------------ part 4: a fleet of scopes
    def fleet(self, emulators):
        self.figures['fleet'] = fleet.run(self, emulators, CLIENT_TIMEOUT)

    # ------------------------------------------------------------------ part 5: the safety contract, for real
    def safety(self, emulators):
        self.figures['safety'] = safety.run(self, emulators, self.args.kill_rounds, CLIENT_TIMEOUT)

    # ------------------------------------------------------------------ part 6: copies in a DR account, locked
    def vault(self, emulators):
        self.figures['vault'] = vault.run(self, emulators, self.args.kill_rounds)

    # ------------------------------------------------------------------ part 7: two scopes whose disks meet, at once
    def overlap(self, emulators):
        self.figures['overlap'] = overlap.run(self, emulators, self.args.kill_rounds)

    # ------------------------------------------------------------------ checks and figures
    def each_target(self, emulators, work):
        threads = [
            threading.Thread(target=self.guarded, args=(work, target), name=target.name)
            for target in emulators.targets.values()
        ]
        for thread in threads:
            thread.start()
            if not self.args.parallel:
                thread.join()
        for thread in threads:
            thread.join()

    def on_each(self, work, targets, part):
        """``work(target)`` for every one of ``targets`` at once, each guarded: a failure is a problem, the others go
        on."""
        threads = [
            threading.Thread(target=self.guarded, args=(work, target), name='%s-%s' % (part, target.name))
            for target in targets
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def guarded(self, work, target):
        try:
            work(target)
        except Exception as error:  # pylint: disable=broad-exception-caught  # reported as a problem, the others go on
            self.problem(target.name, work.__name__, 'the suite itself failed: %r' % error)

    def problem(self, cloud, part, text):
        with self.lock:
            self.problems.append('%s/%s: %s' % (cloud, part, text))

    def check(self, cloud, part, figures, expect_fresh=None):
        if not figures['converged']:
            self.problem(cloud, part, 'no run succeeded in %d runs (see %s/logs)' % (self.args.max_runs, self.work))
        for key in (
            'duplicates',
            'missing',
            'fresh_duplicates',
            'unaccounted',
            'test_disks_left',
            'reported_not_there',
        ):
            if figures.get(key):
                self.problem(cloud, part, '%s %s' % (figures[key], key.replace('_', ' ')))
        if expect_fresh is not None and figures['fresh_snapshots'] != expect_fresh:
            self.problem(
                cloud, part, '%d fresh snapshots for %d stale disks' % (figures['fresh_snapshots'], expect_fresh)
            )


def markdown(figures):
    """The figures as Markdown tables (the same as in docs/reliability.md)."""
    lines = []
    if 'load' in figures:
        lines += [
            'Faults under load: %d tagged disks per cloud, 2 DR regions; throttling %d %%, 5xx %d %%, lost answers %d %% '
            'of mutating calls, answers slower than the client timeout %d %%.'
            % (
                figures['disks'],
                100 * FAULTS['throttle'],
                100 * FAULTS['server_error'],
                100 * FAULTS['lost_answer'],
                100 * FAULTS['slow'],
            ),
            '',
            '| cloud | throttle code | runs | copies | duplicates | missing | reported, not there | fresh snapshots (stale disks) | '
            'restore tests passed | test disks left | calls | faults answered | answers lost | seconds |',
            '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
        ]
        for name, row in figures['load'].items():
            lines.append(
                '| %s | %s | %d | %d | %d | %d | %d | %d (%d) | %s | %d | %d | %d | %d | %s |'
                % (
                    name,
                    row['throttle_code'],
                    row['runs'],
                    row['copies'],
                    row['duplicates'],
                    row['missing'],
                    row['reported_not_there'],
                    row['fresh_snapshots'],
                    row['stale_disks'],
                    row.get('restore_passed', '-'),
                    row.get('test_disks_left', 0),
                    row['calls']['calls'],
                    row['calls']['errors'],
                    row['calls']['lost_answers'],
                    row['seconds'],
                )
            )
        lines.append('')
    if 'kill' in figures:
        lines += [
            'Interruption: SIGKILL of the whole process group of ansible-playbook, at a random time after the module\'s '
            'first API call or after a random number of mutating calls; then runs to completion.',
            '',
            '| cloud | kills | kill points | runs to complete | copies | duplicates | missing | restore tests passed | '
            'test disks left |',
            '|---|---|---|---|---|---|---|---|---|',
        ]
        for name, row in figures['kill'].items():
            points = ', '.join(
                '%s s' % record['seconds_into_the_module']
                if record['mode'] == 'time'
                else '%d mutating calls' % record['mutations_before_kill']
                for record in row['rounds']
            )
            lines.append(
                '| %s | %d | %s | %d | %d | %d | %d | %s | %d |'
                % (
                    name,
                    row['kills'],
                    points,
                    row['runs_after_kills'],
                    row['copies'],
                    row['duplicates'],
                    row['missing'],
                    row.get('restore_passed', '-'),
                    row.get('test_disks_left', 0),
                )
            )
        lines.append('')
    if 'inputs' in figures:
        inputs = figures['inputs']
        lines += [
            'Bad input: %d cases (%s), %d failed as they should, mutating calls: %d.'
            % (
                inputs['cases'],
                ', '.join('%s %d' % item for item in sorted(inputs['by_target'].items())),
                inputs['passed'],
                sum(inputs['mutations'].values()),
            ),
            '',
        ]
    if 'fleet' in figures:
        lines.append(fleet.markdown(figures['fleet']))
    if 'safety' in figures:
        lines.append(safety.markdown(figures['safety']))
    if 'vault' in figures:
        lines.append(vault.markdown(figures['vault']))
    if 'overlap' in figures:
        lines.append(overlap.markdown(figures['overlap']))
    return '\n'.join(lines)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--disks', type=int, default=300)
    parser.add_argument('--kill-rounds', type=int, default=5)
    parser.add_argument('--max-runs', type=int, default=6)
    parser.add_argument('--clouds', default='aws,ecs,ens,cbs', type=lambda text: text.split(','))
    parser.add_argument(
        '--parts', default='load,kill,inputs,fleet,safety,vault,overlap', type=lambda text: text.split(',')
    )
    parser.add_argument(
        '--fleet-scopes', type=int, default=len(fleet.SCOPES), help='scopes of the fleet part (the first N)'
    )
    parser.add_argument(
        '--fleet-disks', type=int, default=0, help='tagged disks per scope (default: --disks / 30, at least 2)'
    )
    parser.add_argument('--fleet-forks', type=int, default=10, help='ansible-playbook --forks of the fleet runs')
    parser.add_argument('--seed', type=int, default=9)
    parser.add_argument('--out', default=os.path.join(REPO, 'build', 'chaos'))
    parser.add_argument('--serial', dest='parallel', action='store_false', help='one part, and one cloud, at a time')
    args = parser.parse_args(argv)
    suite = Suite(args)
    started = time.monotonic()
    # A TERM (make interrupted) must still stop the emulators: make it an exit, which runs the finally blocks.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    threads = [threading.Thread(target=suite.run_part, args=(part,), name=part) for part in args.parts]
    for thread in threads:
        thread.start()
        if not args.parallel:
            thread.join()
    for thread in threads:
        thread.join()
    suite.figures['seconds']['total'] = round(time.monotonic() - started, 1)
    suite.figures['problems'] = suite.problems
    with open(os.path.join(suite.work, 'figures.json'), 'w', encoding='utf-8') as stream:
        json.dump(suite.figures, stream, indent=2, sort_keys=True)
    print(markdown(suite.figures))
    for text in suite.problems:
        print('PROBLEM: ' + text)
    print(
        'chaos: %s in %.0f s (figures: %s)'
        % (
            'FAILED' if suite.problems else 'passed',
            time.monotonic() - started,
            os.path.join(suite.work, 'figures.json'),
        )
    )
    return 1 if suite.problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
