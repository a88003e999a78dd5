"""Part v of make bench: what a DR account (AWS, CBS; dr_copy_dr_account) and locks (AWS, ECS; dr_copy_lock) add to a DR
run.

For AWS, ECS and CBS: N tagged disks are seeded and the role copies them all (the first run of a scope), once as it is
and once, on emulators reset and seeded alike, with the vault: on AWS the copies made by a DR account (the source shared
with it, the share removed once the copy is complete) and locked in governance mode, on ECS locked in compliance mode,
on CBS made by a DR account through a bridge disk (the staged copy shared, a disk and a snapshot of it made by the DR
account, then the disk, the share and the staged copy removed). The difference is the vault's: wall seconds and API
calls by action. A second run of each, with every copy in place and locked, shows what the vault costs a run that has
nothing to do.
"""

from __future__ import annotations

import os

from drill import ROOT, DrillRunner, _median, added_calls, added_medians, by_provider

VAULT = {
    'aws': {
        'dr_copy_dr_account': {'role_arn': 'arn:aws:iam::999988887777:role/snapcopy-vault'},
        'dr_copy_lock': {'mode': 'governance', 'duration_days': 1},
    },
    'ecs': {'dr_copy_lock': {'mode': 'compliance', 'duration_days': 1, 'cool_off_hours': 1}},
    'cbs': {
        'dr_copy_dr_account': {'role_arn': 'qcs::cam::uin/200012345678:roleName/snapcopy-dr'}
    },  # fakecloud's DR role
}


class VaultRunner(DrillRunner):
    """The vault's runs of one cloud on one stack, logs and reports under ``work``."""

    def measure(self, stack, provider, disks, number):
        label = 'vault-%s-%d-%d' % (provider, disks, number)
        record = {
            'kind': 'vault',
            'provider': provider,
            'disks': disks,
            'run': number,
            'log': os.path.relpath(os.path.join(self.work, 'logs', label + '-with.log'), ROOT),
        }
        runs = {}
        for with_vault in (False, True):
            stack.reset(provider)
            stack.seed(provider, disks)
            name = '%s-%s' % (label, 'with' if with_vault else 'without')
            stack.forget_calls(provider)
            wall, code, report = self.role(stack, provider, name, False, VAULT[provider] if with_vault else None)
            calls = stack.calls(provider)[0]
            stack.forget_calls(provider)
            rerun_wall, rerun_code, rerun_report = self.role(
                stack, provider, name + '-rerun', False, VAULT[provider] if with_vault else None
            )
            runs[with_vault] = {
                'wall_s': round(wall, 2),
                'ok': code == 0 and rerun_code == 0 and not rerun_report.get('changed'),
                'calls': calls,
                'report': report,
                'rerun_wall_s': round(rerun_wall, 2),
                'rerun_calls': stack.calls(provider)[0],
            }
        locked = (runs[True]['report'].get('totals') or {}).get('locked')
        shares = runs[True]['report'].get('dr_account') or {}
        record.update(
            {
                'ok': runs[False]['ok']
                and runs[True]['ok']
                and (locked == disks if 'dr_copy_lock' in VAULT[provider] else True),
                'locked': locked,
                'shares_released': len(shares.get('released') or []),
                'shares_held': len(shares.get('held') or []),
                'wall_without_s': runs[False]['wall_s'],
                'wall_with_s': runs[True]['wall_s'],
                'added_s': round(runs[True]['wall_s'] - runs[False]['wall_s'], 2),
                'added_calls': added_calls(runs[False]['calls'], runs[True]['calls']),
                'rerun_added_s': round(runs[True]['rerun_wall_s'] - runs[False]['rerun_wall_s'], 2),
                'rerun_added_calls': added_calls(runs[False]['rerun_calls'], runs[True]['rerun_calls']),
            }
        )
        return record


def summarize(records):
    """Per cloud: the median of the runs' added seconds and calls, first runs' and reruns'."""
    return by_provider(
        records,
        lambda done: dict(
            added_medians(done),
            rerun_added_s=_median([record['rerun_added_s'] for record in done]),
            rerun_added_calls_by_action=done[0]['rerun_added_calls'],
        ),
    )


def table(summary):
    lines = [
        '### v. The vault: the role\'s first run at N disks, without and with a DR account (AWS, CBS) and locks (AWS, ECS)',
        '',
        '| cloud | N | runs | wall without (s) | wall with (s) | added (s) | added API calls | by action | rerun: added (s), by action |',
        '|---|---|---|---|---|---|---|---|---|',
    ]
    for provider, entry in summary.items():
        if not entry['ok']:
            lines.append('| %s | - | %d | failed | - | - | - | - | - |' % (provider, entry['runs']))
            continue
        actions = ', '.join('%s %+d' % item for item in entry['added_calls_by_action'].items())
        rerun = ', '.join('%s %+d' % item for item in entry['rerun_added_calls_by_action'].items()) or 'none'
        lines.append(
            '| %s | %d | %d | %.1f | %.1f | %+.1f | %+g | %s | %+.1f, %s |'
            % (
                provider,
                entry['disks'],
                entry['runs'],
                entry['wall_without_s'],
                entry['wall_with_s'],
                entry['added_s'],
                entry['added_calls'],
                actions,
                entry['rerun_added_s'],
                rerun,
            )
        )
    return [*lines, '']
