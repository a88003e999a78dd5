"""The bench's results: summaries with targets, the printed table (Markdown), and the plot."""

from __future__ import annotations

import statistics

import drill
import events
import groups
import org
import plan
import vault
from read_budget import read_budget  # tests/utils, on the path from stacks.py
from runs import floor_seconds

PROVIDERS = ('aws', 'ecs', 'ens', 'cbs')
NAMES = {'aws': 'AWS EBS', 'ecs': 'Alibaba ECS', 'ens': 'Alibaba ENS', 'cbs': 'Tencent CBS'}
# The targets of issue 8.
ADHOC_RATIO = 1.3
# Our AWS module whose copy exists, over community.aws's ec2_snapshot_copy (issue 63): at most this, by median wall.
PEER_RATIO = 0.85
WALL_FACTOR, WALL_SLACK_S = 1.2, 10.0
PEAK_RSS_MIB = 150
LOOP_FACTOR = 30


def summarize(records):
    """One entry per (kind, provider, disks): median, min and max wall time of the good runs, and the rest of the
    first."""
    groups = {}
    for record in records:
        groups.setdefault((record['kind'], record['provider'], record['disks']), []).append(record)
    summary = []
    for (kind, provider, disks), group in sorted(
        groups.items(), key=lambda item: (item[0][0], PROVIDERS.index(item[0][1]), item[0][2])
    ):
        good = [record for record in group if record['ok']]
        walls = [record['wall_s'] for record in good]
        entry = {
            'kind': kind,
            'provider': provider,
            'disks': disks,
            'runs': len(group),
            'failed_runs': len(group) - len(good),
            'floor_s': floor_seconds(provider, disks),
            'wall_s': {'median': round(statistics.median(walls), 2), 'min': min(walls), 'max': max(walls)}
            if walls
            else None,
            'peak_rss_mib': max((record['peak_rss_mib'] or 0 for record in good), default=None),
            'module_s': round(statistics.median([record['module_s'] or 0 for record in good]), 1) if good else None,
        }
        if good:
            # The calls of the median run (by wall time); they hardly differ from run to run.
            middle = sorted(good, key=lambda record: record['wall_s'])[(len(good) - 1) // 2]
            entry.update(
                {key: middle[key] for key in ('reads', 'copy_calls', 'copy_calls_refused', 'other_writes', 'calls')}
            )
        summary.append(entry)
    return summary


def role_targets(entry):
    """Targets for a role run at N = 1,000: each as (met, measured, target)."""
    disks = entry['disks']
    wall_limit = WALL_FACTOR * entry['floor_s'] + WALL_SLACK_S
    # The unit tests' budget (tests/utils/read_budget.py), over both regions: 3 per 100 disks a region, and what the
    # cloud's own limits add (EBS's 20 copies in flight: a read a wave).
    reads, reads_target = entry.get('reads'), read_budget(entry['provider'], disks)
    targets = {
        'wall_s': (
            entry['wall_s'] is not None and entry['wall_s']['median'] <= wall_limit,
            entry['wall_s']['median'] if entry['wall_s'] else None,
            round(wall_limit, 1),
        ),
        'peak_rss_mib': (
            entry['peak_rss_mib'] is not None and entry['peak_rss_mib'] <= PEAK_RSS_MIB,
            entry['peak_rss_mib'],
            PEAK_RSS_MIB,
        ),
        'reads': (reads is not None and reads <= reads_target, reads, reads_target),
        'copy_calls': (
            entry.get('copy_calls') is not None and entry['copy_calls'] <= disks,
            entry.get('copy_calls'),
            disks,
        ),
    }
    return targets


def comparisons(summary):
    """Role against loop, per provider and N where both ran: the loop's median over the role's."""
    by_key = {(entry['kind'], entry['provider'], entry['disks']): entry for entry in summary}
    result = []
    for (kind, provider, disks), loop in sorted(
        by_key.items(), key=lambda item: (PROVIDERS.index(item[0][1]), item[0][2])
    ):
        role = by_key.get(('role', provider, disks))
        if kind != 'loop' or role is None or not role['wall_s'] or not loop['wall_s']:
            continue
        factor = loop['wall_s']['median'] / role['wall_s']['median']
        result.append(
            {
                'provider': provider,
                'disks': disks,
                'role_s': role['wall_s']['median'],
                'loop_s': loop['wall_s']['median'],
                'factor': round(factor, 1),
                'met': factor >= LOOP_FACTOR if disks == 100 else None,
            }
        )
    return result


def _mark(met):
    return 'yes' if met else '**no**'


def _peer_lines(peer):
    """Our AWS module, its copy there, against community.aws's ec2_snapshot_copy (which copies again on every run)."""
    if not peer:
        return []
    if 'wall_s' not in peer:
        return ['%s failed: %s' % (peer['module'], '; '.join(peer['problems'][:2])), '']
    wall = peer['wall_s']
    lines = [
        '%s (copies again): median %.2f s (min %.2f, max %.2f), ratio to ping %.2f.'
        % (peer['module'], wall['median'], wall['min'], wall['max'], peer['ratio'])
    ]
    if 'ours_existing_over_peer' in peer:
        met = peer['ours_existing_over_peer'] <= PEER_RATIO
        lines.append(
            'ebs_snapshot_copy, its copy there, over the peer: %.2f by wall, %.2f by CPU. Target: <= %.2f: %s.'
            % (peer['ours_existing_over_peer'], peer['ours_existing_over_peer_cpu'], PEER_RATIO, _mark(met))
        )
    return [*lines, '']


def table(results):
    """The results as Markdown tables (printed by make bench, pasted into docs/performance.md)."""
    lines = []
    adhoc = results.get('adhoc')
    if adhoc:
        ping = adhoc['ping']['wall_s']
        lines += [
            '### a. One ad hoc copy per module against `ansible localhost -m ping`',
            '',
            'ping: median %.2f s (min %.2f, max %.2f, %d runs). Target: ratio <= %.1f.'
            % (ping['median'], ping['min'], ping['max'], ping['runs'], ADHOC_RATIO),
            '',
            '| module | new copy: median (min-max) s | ratio | copy exists: median (min-max) s | ratio | CPU ratio new / exists | met |',
            '|---|---|---|---|---|---|---|',
        ]
        for provider in PROVIDERS:
            entry = adhoc['modules'].get(provider)
            if not entry:
                continue
            cells, met = [], True
            for state in ('new', 'existing'):
                data = entry[state]
                if 'wall_s' not in data:
                    cells += ['failed: %s' % '; '.join(data['problems'][:2]), '-']
                    met = False
                    continue
                wall = data['wall_s']
                cells += ['%.2f (%.2f-%.2f)' % (wall['median'], wall['min'], wall['max']), '%.2f' % data['ratio']]
                met = met and data['ratio'] <= ADHOC_RATIO
            cpu = ' / '.join(
                '%.2f' % entry[state]['cpu_ratio'] if 'cpu_ratio' in entry[state] else '-'
                for state in ('new', 'existing')
            )
            lines.append(
                '| %s | %s | %s | %s | %s | %s | %s |'
                % (entry['module'], cells[0], cells[1], cells[2], cells[3], cpu, _mark(met))
            )
        lines.append('')
        lines += _peer_lines(adhoc.get('peer'))
    summary = results['summary']
    if summary:
        lines += _role_and_loop_tables(summary)
    if results.get('drill'):
        lines += drill.table(results['drill']['summary'])
    if results.get('vault'):
        lines += vault.table(results['vault']['summary'])
    if results.get('groups'):
        lines += groups.table(results['groups']['summary'])
    if results.get('plan'):
        lines += plan.table(results['plan']['summary'])
    if results.get('events'):
        lines += events.table(results['events']['summary'])
    if results.get('fleet'):
        lines += fleet_table(results['fleet'])
    if results.get('org'):
        lines += org.table(results['org'], results.get('fleet', {}).get('runs'))
    return '\n'.join(lines) + '\n'


def _role_and_loop_tables(summary):
    lines = [
        '### b. The role, N tagged disks, one DR region, copies of 5 s, 20 ms a call, limits enforced',
        '',
        '| cloud | N | runs | wall: median (min-max) s | of which dr_sync s | floor s | wall target s | peak RSS MiB | reads '
        '| copy calls (refused) | other writes | API calls by action |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ]
    for entry in summary:
        if entry['kind'] == 'role':
            lines.append(_role_row(entry))
    lines += [
        '',
        'Targets at N = 1,000 (wall <= 1.2 x floor + 10 s; peak RSS <= %d MiB; reads <= 3 per 100 disks per region '
        'and what the cloud\'s limits add, as the unit tests hold them (tests/utils/read_budget.py); one copy call per '
        'disk):' % PEAK_RSS_MIB,
        '',
        '| cloud | wall s (target) | peak RSS MiB (target) | reads (target) | copy calls (target) |',
        '|---|---|---|---|---|',
    ]
    for entry in summary:
        if entry['kind'] == 'role' and entry['disks'] == 1000:
            targets = role_targets(entry)
            lines.append(
                '| %s | %s |'
                % (
                    NAMES[entry['provider']],
                    ' | '.join(
                        '%s (%s) %s' % (measured, target, _mark(met)) for met, measured, target in targets.values()
                    ),
                )
            )
    lines += [
        '',
        '### c. The role against a loop of the single-copy module (one task per disk, each waiting for its copy)',
        '',
        '| cloud | N | role median s | loop median s (runs) | loop peak RSS MiB | loop calls: reads / copy | role is faster by | target (N = 100) |',
        '|---|---|---|---|---|---|---|---|',
    ]
    loops = {(entry['provider'], entry['disks']): entry for entry in summary if entry['kind'] == 'loop'}
    for item in comparisons(summary):
        loop = loops[(item['provider'], item['disks'])]
        lines.append(
            '| %s | %d | %.1f | %.1f (%d) | %s | %s / %s | %.1fx | %s |'
            % (
                NAMES[item['provider']],
                item['disks'],
                item['role_s'],
                item['loop_s'],
                loop['runs'],
                loop['peak_rss_mib'],
                loop.get('reads'),
                loop.get('copy_calls'),
                item['factor'],
                '-' if item['met'] is None else '>= %dx: %s' % (LOOP_FACTOR, _mark(item['met'])),
            )
        )
    lines.append('')
    return lines


def fleet_table(fleet):
    """Part f: one row per fork count (wall, floor, speed-up, CPU, memory), then the API calls per scope of each
    cloud."""
    settings, runs = fleet['settings'], fleet['runs']
    first = runs[0] if runs else {}
    lines = [
        '### f. The fleet: playbooks/dr_fleet.yml over %d scopes of %d tagged disks (%s; %s accounts), copies of %g s, '
        'polled every %g s, %d ms a call, limits enforced per account'
        % (
            settings['scopes'],
            settings['disks'],
            ', '.join(NAMES[provider] for provider in first.get('providers', [])),
            first.get('accounts', '?'),
            settings['copy_seconds'],
            settings['poll_interval_s'],
            settings['latency_ms'],
        ),
        '',
    ]
    if not runs:
        return [*lines, 'No fleet run finished (see the errors).', '']
    floors = {row['forks']: row for row in fleet['floors']}
    lines += [
        '| forks | wall s | speed-up on forks 1 | floor s (bound by) | best speed-up | wall / floor '
        '| CPU s: ansible tree (its controller) + emulators | CPU s per scope | peak memory MiB: PSS sum / RSS sum (processes) '
        '| largest process MiB | load at start (1 min) |',
        '|---|---|---|---|---|---|---|---|---|---|---|',
    ]
    for run in runs:
        row = floors.get(run['forks'])
        wall = '%.1f' % run['wall_s'] + ('' if run['ok'] else ' **failed** (exit %s)' % run['exit_code'])
        lines.append(
            '| %d | %s | %s | %s | %s | %s | %.0f (%.0f) + %.0f | %.2f | %.0f / %.0f (%d) | %.0f | %.2f |'
            % (
                run['forks'],
                wall,
                '%.1fx' % row['speed_up'] if row else '-',
                '%.1f (%s)' % (row['floor_s'], row['bound_by']) if row else '-',
                '%.1fx' % row['best_speed_up'] if row else '-',
                '%.2f' % row['wall_over_floor'] if row else '-',
                run['cpu_s'],
                run['controller_cpu_s'],
                run['emulators_cpu_s'],
                (run['cpu_s'] + run['emulators_cpu_s']) / run['scopes'],
                run['peak_pss_sum_mib'],
                run['peak_rss_sum_mib'],
                run['peak_processes'],
                run['largest_process_rss_mib'],
                run['load_at_start'][0],
            )
        )
    if fleet.get('speed_up_at_10') is not None:
        lines += [
            '',
            'Target: forks 10 at least %gx as fast as forks 1: %.1fx %s.'
            % (fleet['speed_up_target'], fleet['speed_up_at_10'], _mark(fleet['target_met'])),
        ]
    forks_text = ' / '.join(str(run['forks']) for run in runs)
    lines += [
        '',
        'API calls per scope, at forks %s:' % forks_text,
        '',
        '| cloud | scopes | reads | copy calls | of which refused | other writes | STS AssumeRole |',
        '|---|---|---|---|---|---|---|',
    ]
    for provider in PROVIDERS:
        per_run = [run['calls_per_scope'].get(provider) for run in runs]
        if not any(per_run):
            continue
        cells = [
            ' / '.join('%g' % (entry or {}).get(key, 0) for entry in per_run)
            for key in ('reads', 'copy_calls', 'copy_calls_refused', 'other_writes', 'assume_role')
        ]
        lines.append('| %s | %d | %s |' % (NAMES[provider], first['scopes_by_provider'][provider], ' | '.join(cells)))
    lines.append('')
    return lines


def _role_row(entry):
    wall = entry['wall_s']
    wall_text = '%.1f (%.1f-%.1f)' % (wall['median'], wall['min'], wall['max']) if wall else 'failed'
    if entry['failed_runs']:
        wall_text += ', %d failed' % entry['failed_runs']
    actions = ', '.join(
        '%s %d%s' % (action, counts['calls'], ' (%d refused)' % counts['errors'] if counts['errors'] else '')
        for action, counts in sorted((entry.get('calls') or {}).items())
    )
    return '| %s | %d | %d | %s | %s | %.0f | %.1f | %s | %s | %s (%s) | %s | %s |' % (
        NAMES[entry['provider']],
        entry['disks'],
        entry['runs'],
        wall_text,
        entry['module_s'],
        entry['floor_s'],
        WALL_FACTOR * entry['floor_s'] + WALL_SLACK_S,
        entry['peak_rss_mib'],
        entry.get('reads'),
        entry.get('copy_calls'),
        entry.get('copy_calls_refused'),
        entry.get('other_writes'),
        actions,
    )


def plot(results, path):
    """Wall time against N, log-log, one panel per cloud: the role (median, min-max bars), the loop, the floor."""
    import matplotlib  # pylint: disable=import-outside-toplevel  # installed for the bench only

    matplotlib.use('Agg')
    from matplotlib import pyplot  # pylint: disable=import-outside-toplevel
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator  # pylint: disable=import-outside-toplevel

    summary = results['summary']
    sizes = sorted({entry['disks'] for entry in summary})
    walls = [entry['wall_s']['max'] for entry in summary if entry['wall_s']] + [5.0]
    ticks = [tick for tick in (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600) if tick <= 1.5 * max(walls)]
    figure, axes = pyplot.subplots(2, 2, figsize=(12, 9.5), sharex=True, sharey=True)
    styles = (
        ('role', '#1f77b4', 'o', 'the role dr_copy: one dr_sync call for all disks (median; bars: min-max)'),
        ('loop', '#d62728', 's', 'a loop of the single-copy module: one task per disk, each waiting for its copy'),
    )
    for axis, provider in zip(axes.flat, PROVIDERS):
        for kind, colour, marker, label in styles:
            points = [
                entry
                for entry in summary
                if entry['kind'] == kind and entry['provider'] == provider and entry['wall_s']
            ]
            if not points:
                continue
            xs = [entry['disks'] for entry in points]
            ys = [entry['wall_s']['median'] for entry in points]
            errors = [
                [y - entry['wall_s']['min'] for y, entry in zip(ys, points)],
                [entry['wall_s']['max'] - y for y, entry in zip(ys, points)],
            ]
            axis.errorbar(
                xs,
                ys,
                yerr=errors,
                color=colour,
                marker=marker,
                markersize=7,
                linewidth=2.4,
                capsize=4,
                label=label if provider == PROVIDERS[0] else None,
            )
            for x, y in zip(xs, ys):
                axis.annotate(
                    _seconds(y),
                    (x, y),
                    textcoords='offset points',
                    xytext=(7, 7 if kind == 'loop' else -15),
                    fontsize=10,
                    color=colour,
                    fontweight='bold',
                )
        axis.plot(
            sizes,
            [floor_seconds(provider, size) for size in sizes],
            color='#444444',
            linestyle='--',
            linewidth=1.6,
            label='the floor that the cloud\'s limits allow' if provider == PROVIDERS[0] else None,
        )
        for item in results.get('comparisons', []):
            if item['provider'] == provider and item['disks'] == max(
                entry['disks'] for entry in summary if entry['kind'] == 'loop'
            ):
                axis.text(
                    0.03,
                    0.95,
                    'N = %d:\nthe role is %.0fx faster' % (item['disks'], item['factor']),
                    transform=axis.transAxes,
                    ha='left',
                    va='top',
                    fontsize=11,
                    bbox={'boxstyle': 'round', 'facecolor': '#f4f4f4', 'edgecolor': '#999999'},
                )
        axis.set_title('%s  (%s)' % (NAMES[provider], _limit_text(provider)), fontsize=12)
        axis.set_xscale('log')
        axis.set_yscale('log')
        axis.xaxis.set_major_locator(FixedLocator(sizes))
        axis.xaxis.set_minor_locator(NullLocator())
        axis.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda value, position: f'{int(value):,}'))
        axis.yaxis.set_major_locator(FixedLocator(ticks))
        axis.yaxis.set_minor_formatter(NullFormatter())
        axis.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda value, position: _duration(value)))
        axis.set_xlim(min(sizes) / 1.4, max(sizes) * 1.4)
        axis.set_ylim(3, max(walls) * 2)
        axis.grid(True, which='major', alpha=0.35)
    for axis in axes[1]:
        axis.set_xlabel('tagged disks (N)', fontsize=11)
    for axis in axes[:, 0]:
        axis.set_ylabel('time until every copy is done (log scale)', fontsize=11)
    figure.suptitle(
        'make bench: copy the newest snapshot of N disks to a DR region - lower is better\n'
        'copies take 5 s, every API call 20 ms, each cloud\'s limits enforced; %s' % results['machine']['summary'],
        fontsize=13,
    )
    handles, labels = axes.flat[0].get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda index: ('role' not in labels[index], 'loop' not in labels[index]))
    figure.legend(
        [handles[index] for index in order],
        [labels[index] for index in order],
        loc='lower center',
        fontsize=11,
        frameon=False,
    )
    figure.tight_layout(rect=(0, 0.09, 1, 1))
    figure.savefig(path, dpi=110)
    pyplot.close(figure)


def plot_fleet(results, path):
    """Part f: wall time against forks, measured, with the floor and the line of perfect scaling from forks 1."""
    import matplotlib  # pylint: disable=import-outside-toplevel  # installed for the bench only

    matplotlib.use('Agg')
    from matplotlib import pyplot  # pylint: disable=import-outside-toplevel
    from matplotlib.ticker import FixedLocator, NullLocator  # pylint: disable=import-outside-toplevel

    fleet = results['fleet']
    rows = fleet['floors']
    forks = [row['forks'] for row in rows]
    base = rows[0]['wall_s']
    figure, axis = pyplot.subplots(figsize=(9, 6))
    axis.plot(
        forks,
        [row['wall_s'] for row in rows],
        color='#1f77b4',
        marker='o',
        markersize=7,
        linewidth=2.4,
        label='measured: playbooks/dr_fleet.yml',
    )
    axis.plot(
        forks,
        [row['floor_s'] for row in rows],
        color='#444444',
        linestyle='--',
        linewidth=1.6,
        label='the floor: max(CPU per scope x scopes / %d cores, ceil(scopes / forks) x a scope\'s wall alone)'
        % fleet['cores'],
    )
    axis.plot(
        forks,
        [base / value for value in forks],
        color='#999999',
        linestyle=':',
        linewidth=1.4,
        label='forks 1 divided by forks (no CPU limit)',
    )
    for row in rows:
        axis.annotate(
            '%s (%.1fx)' % (_seconds(row['wall_s']), row['speed_up']),
            (row['forks'], row['wall_s']),
            textcoords='offset points',
            xytext=(7, 7),
            fontsize=10,
            color='#1f77b4',
            fontweight='bold',
        )
    axis.set_xscale('log')
    axis.set_yscale('log')
    axis.xaxis.set_major_locator(FixedLocator(forks))
    axis.xaxis.set_minor_locator(NullLocator())
    axis.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda value, position: '%d' % value))
    lowest = min([row['floor_s'] for row in rows] + [base / max(forks)])
    axis.yaxis.set_major_locator(
        FixedLocator(
            [tick for tick in (5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600) if lowest / 2 <= tick <= base * 2]
        )
    )
    axis.yaxis.set_minor_locator(NullLocator())
    axis.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda value, position: _duration(value)))
    axis.set_ylim(lowest / 1.5, base * 1.5)
    axis.set_xlabel('--forks', fontsize=11)
    axis.set_ylabel('time until every scope is done (log scale)', fontsize=11)
    axis.grid(True, which='major', alpha=0.35)
    settings = fleet['settings']
    axis.set_title(
        'make bench, the fleet: %d scopes x %d disks, copies of %g s - lower is better\n%s'
        % (settings['scopes'], settings['disks'], settings['copy_seconds'], results['machine']['summary']),
        fontsize=12,
    )
    axis.legend(loc='lower left', fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)


def _duration(seconds):
    if seconds < 60:
        return '%g s' % seconds
    return '%g min' % (seconds / 60.0)


def _module(provider):
    return {
        'aws': 'ebs_snapshot_copy',
        'ecs': 'ecs_snapshot_copy',
        'ens': 'ens_snapshot_copy',
        'cbs': 'cbs_snapshot_copy',
    }[provider]


def _limit_text(provider):
    return {
        'aws': '20 copies in flight per region',
        'ecs': 'CopySnapshot 1,000/min',
        'ens': 'CopySnapshot 1,000/min',
        'cbs': '20 requests/s per action',
    }[provider]


def _seconds(value):
    return '%.0f s' % value if value >= 10 else '%.1f s' % value
