"""tests/utils/run_legs.py, which make test runs its legs with: lanes side by side, a failure reported and not hiding
the rest."""

from __future__ import annotations

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN_LEGS = os.path.join(ROOT, 'tests', 'utils', 'run_legs.py')

MAKEFILE = '''\
slow-a:
\t@echo "start $$(date +%s.%N)"; sleep 1; echo "a in $(ANSIBLE_TEST_ROOT)"; echo "end $$(date +%s.%N)"
slow-long:
\t@sleep 3
slow-b:
\t@echo "start $$(date +%s.%N)"; sleep 1; echo b; echo "end $$(date +%s.%N)"
broken:
\t@echo "the broken leg's last words"; exit 3
after-broken:
\t@echo after
skipped-setup:
\t@echo "the set-up ran again"
uses-setup: skipped-setup
\t@echo "uses the set-up"
busy:
\t@python3 -c "import time; end = time.process_time() + 1.2; all(iter(lambda: time.process_time() < end, False))"
'''


def run(tmp_path, *legs, flags='', lanes=2, setup=None):
    (tmp_path / 'Makefile').write_text(MAKEFILE)
    result = subprocess.run(
        [
            sys.executable,
            RUN_LEGS,
            '--log-dir',
            str(tmp_path / 'logs'),
            '--build',
            str(tmp_path / 'build'),
            '--make-flags',
            flags,
            '--lanes',
            str(lanes),
            *(['--setup', setup] if setup else []),
            *legs,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    return result


def span(log):
    """When a leg's recipe started and ended, from the times it wrote."""
    times = dict(line.split() for line in log.read_text().splitlines() if line.startswith(('start ', 'end ')))
    return float(times['start']), float(times['end'])


def test_lanes_run_side_by_side_and_every_leg_logs_apart(tmp_path):
    result = run(tmp_path, 'slow-a', 'slow-b')
    assert result.returncode == 0, result.stdout + result.stderr
    (a_start, a_end), (b_start, b_end) = span(tmp_path / 'logs' / 'slow-a.log'), span(tmp_path / 'logs' / 'slow-b.log')
    assert a_start < b_end and b_start < a_end, 'the two lanes ran one after the other'
    assert re.search(r'== slow-a took \d+ s \(CPU \d+ s, lane 1\)', result.stdout), result.stdout
    assert re.search(r'== slow-b took \d+ s \(CPU \d+ s, lane 2\)', result.stdout), result.stdout
    assert 'a in %s' % (tmp_path / 'build' / 'ansible-test-slow-a') in (tmp_path / 'logs' / 'slow-a.log').read_text()
    assert 'b' in (tmp_path / 'logs' / 'slow-b.log').read_text()
    assert '== 2 legs in 2 lanes took' in result.stdout and 'FAILED' not in result.stdout


def test_a_free_lane_takes_the_next_leg(tmp_path):
    # slow-long holds lane 1 for 3 s; lane 2 runs slow-b (1 s), then takes broken and after-broken meanwhile.
    result = run(tmp_path, 'slow-long', 'slow-b', 'broken', 'after-broken', lanes=2)
    assert re.search(r'== broken took \d+ s \(CPU \d+ s, lane 2\)', result.stdout), result.stdout
    assert re.search(r'== after-broken took \d+ s \(CPU \d+ s, lane 2\)', result.stdout), result.stdout
    assert result.stdout.index('== after-broken took') < result.stdout.index('== slow-long took')
    assert '== 4 legs in 2 lanes took' in result.stdout


def test_a_failed_leg_fails_the_run_shows_its_log_and_the_lane_goes_on(tmp_path):
    result = run(tmp_path, 'broken after-broken', lanes=1)
    assert result.returncode == 1
    assert re.search(r'== broken took \d+ s \(CPU \d+ s, lane 1\): FAILED, exit code 2', result.stdout), result.stdout
    assert result.stdout.count("the broken leg's last words") == 2, (
        'its log once when it failed, once in full at the end'
    )
    assert re.search(r'== after-broken took \d+ s \(CPU \d+ s, lane 1\)$', result.stdout, re.MULTILINE), result.stdout
    assert result.stdout.rstrip().endswith('FAILED: broken')


def test_make_flags_reach_every_leg(tmp_path):
    result = run(tmp_path, 'uses-setup', flags='-o skipped-setup')
    assert result.returncode == 0
    log = (tmp_path / 'logs' / 'uses-setup.log').read_text()
    assert 'uses the set-up' in log and 'the set-up ran again' not in log


def table(stdout):
    """{leg: [lane, wall, cpu]} of the table run_legs.py prints at the end, and its line of sums ("all": [wall, cpu, ...])."""
    lines = stdout[stdout.index('== wall and CPU seconds') :].splitlines()[2:]
    return {line.split()[0]: line.split()[1:4] for line in lines if line.startswith('   ')}


def test_the_set_up_runs_first_and_the_table_gives_each_legs_cpu_most_first(tmp_path):
    result = run(tmp_path, 'slow-a', 'busy', setup='skipped-setup', lanes=2)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.index('the set-up ran again') < result.stdout.index('== 2 lanes side by side')
    assert re.search(r'== skipped-setup took \d+ s \(CPU \d+ s\)', result.stdout), result.stdout
    rows = table(result.stdout)
    assert list(rows) == ['skipped-setup', 'busy', 'slow-a', 'all'], result.stdout
    assert rows['skipped-setup'][0] == '-'
    # busy computes for 1.2 s of CPU time; slow-a sleeps.
    assert int(rows['busy'][2]) >= 1 and int(rows['slow-a'][2]) == 0, result.stdout
    assert int(rows['all'][1]) >= int(rows['busy'][2]), result.stdout  # the sums: the wall time, then the CPU time


def test_a_failed_set_up_runs_no_leg(tmp_path):
    result = run(tmp_path, 'slow-a', setup='broken')
    assert result.returncode == 1
    assert re.search(r'== broken took \d+ s \(CPU \d+ s\): FAILED, exit code 2', result.stdout), result.stdout
    assert not (tmp_path / 'logs' / 'slow-a.log').exists() and 'lanes side by side' not in result.stdout
