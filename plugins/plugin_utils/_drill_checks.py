# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The user's checks on a drill's held disks (dr_sync's restore_test_host, dr_drill_finish), written into the run's
report files: the drill's ``validation``, each held test's result of the checks and its ``seconds_to_validated`` (to a
usable disk, to attach it, and the checks: the time a restore takes until the data are known good), what became of the
disks, and a failure when the checks failed, which the protection model counts as every failure of the run."""

from __future__ import annotations

from typing import Any

from ansible.plugins.filter.core import to_nice_json

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.drill import set_results
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import ScopeProtection
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.report import summary_line
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._files import file_mode, report_paths, write_file
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import dr_report_html
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import dr_report_markdown
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._run_reports import FINISHED, read_report

PASSED, FAILED = 'passed', 'failed'


def checks_failure(validation: dict[str, Any], instance_id: str | None) -> str:
    """The run's failure when the user's checks failed, in words."""
    return 'restore test checks on %s failed%s: %s' % (
        instance_id or 'the drill host',
        ' at %r' % validation['failed_task'] if validation.get('failed_task') else '',
        validation.get('message') or 'no reason given',
    )


def with_checks(report: dict[str, Any], finish: dict[str, Any]) -> dict[str, Any]:
    """``report`` (a finished run's, whose drill held disks) with the checks and the disks of ``finish``
    (dr_drill_finish's result)."""
    restore = report['restore']
    instance_id = (restore.get('validation') or {}).get('instance_id')
    validation = dict(finish['validation'], instance_id=instance_id)
    outcomes = {record['test_disk_id']: record for record in finish.get('test_disks') or []}
    for test in restore.get('tests') or []:
        if not test.get('held'):
            continue
        test['validation'] = validation['state']
        if test.get('test_disk_id') in outcomes:
            outcome = outcomes[test['test_disk_id']]
            test['test_disk'] = {key: outcome[key] for key in ('action', 'error') if key in outcome}
        parts = (test.get('seconds_to_usable'), test.get('seconds_to_attached'), validation.get('seconds'))
        test['seconds_to_validated'] = None if None in parts else round(sum(parts), 1)
        if validation['state'] == FAILED:
            # The disk came up, but the user's checks say its data are not good: the test failed, on every surface
            # (the page, the Markdown, the text, the fleet's counts), and no disk was known good, so no time to one.
            test['result'] = FAILED
            test['seconds_to_validated'] = None
            test['error'] = {'message': 'your checks of its data failed'}
    restore['validation'] = validation
    restore['held'] = [test for test in restore.get('tests') or [] if test.get('held')]
    if validation['state'] == FAILED:
        tests = restore.get('tests') or []
        totals = restore.setdefault('totals', {})
        totals.update((name, sum(1 for test in tests if test.get('result') == name)) for name in (PASSED, FAILED))
        restore['sets'] = set_results(tests)
    restore.setdefault('totals', {})['validated'] = len(restore['held']) if validation['state'] == PASSED else 0
    new_failures = list(finish.get('failures') or [])
    if validation['state'] == FAILED:
        new_failures.insert(0, checks_failure(validation, instance_id))
    report['failures'] = list(report.get('failures') or []) + new_failures
    if report.get('protection') is not None:
        report['protection']['failures'] = int(report['protection'].get('failures') or 0) + len(new_failures)
        protection = ScopeProtection.from_data(report['protection'])
        report['protection'] = protection.as_data()
        report['msg'] = summary_line(report['totals'], restore, bool(report.get('check_mode')), protection)
    return report


def record_checks(
    report_dir: str, report_name: str, finish: dict[str, Any], check_mode: bool = False
) -> dict[str, str] | None:
    """Write ``finish``'s checks into the report of its run at ``report_dir``/``report_name``: the paths written, or None
    when the files there are not that run's finished report (another run's since, a plan) or in check mode."""
    if check_mode:
        return None
    paths = report_paths(report_dir, report_name)
    report = read_report(paths['json'])
    if (
        not report
        or report.get('run_state') != FINISHED
        or (report.get('restore') or {}).get('run_id') != finish.get('run_id')
    ):
        return None
    report = with_checks(report, finish)
    mode = file_mode()
    write_file(paths['json'], to_nice_json(report) + '\n', mode)
    write_file(paths['markdown'], dr_report_markdown(report), mode)
    write_file(paths['html'], dr_report_html(report, paths), mode)
    return paths
