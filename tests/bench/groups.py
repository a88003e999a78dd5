"""Part g of make bench: what consistency groups (dr_copy_consistency_groups, docs/consistency.md) add to a DR run.

For AWS, ECS and CBS: N tagged disks on N/3 instances, three an instance, each instance with one set of its disks made
through the cloud's group API (EBS CreateSnapshots, ECS and CBS CreateSnapshotGroup). The role copies them all (the
first run of a scope), once with each disk on its own and once, on emulators reset and seeded alike, with
dr_copy_consistency_groups: instance. The difference is the groups': wall seconds and API calls by action (the reads of
the sets: ECS lists the region's snapshot groups, CBS reads them by snapshot id, EBS reads nothing more). The goal
(issue 49): within 10 % of the ungrouped run's time and calls.
"""

from __future__ import annotations

import concurrent.futures
import os
import sys
import time

from drill import ROOT, DrillRunner, _median, added_calls, added_medians, by_provider
from stacks import REGIONS, TAG_SELECTOR

sys.path.insert(0, os.path.join(ROOT, 'build', 'collections'))

# pylint: disable=wrong-import-position  # after the path above
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr import EcsAdapter  # noqa: E402
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter  # noqa: E402
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import Disk
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPLETED

DISKS_PER_INSTANCE = 3
GROUPS = {'dr_copy_consistency_groups': 'instance'}
SEED_THREADS = 8


def seed_groups(stack, provider, instances):
    """``instances`` instances with DISKS_PER_INSTANCE tagged disks each and one completed set of them."""
    source = REGIONS[provider][0]
    if provider == 'aws':
        client = stack.client()

        def one(index):
            (instance,) = client.run_instances(
                ImageId='ami-12345678', MinCount=1, MaxCount=1, Placement={'AvailabilityZone': source + 'a'}
            )['Instances']
            for number in range(DISKS_PER_INSTANCE):
                volume = client.create_volume(
                    Size=8,
                    AvailabilityZone=source + 'a',
                    TagSpecifications=[
                        {
                            'ResourceType': 'volume',
                            'Tags': [{'Key': key, 'Value': value} for key, value in TAG_SELECTOR.items()]
                            + [{'Key': 'Name', 'Value': 'bench-%d-%d' % (index, number)}],
                        }
                    ],
                )['VolumeId']
                client.attach_volume(
                    VolumeId=volume, InstanceId=instance['InstanceId'], Device='/dev/sd' + 'fgh'[number]
                )
            client.create_snapshots(
                InstanceSpecification={'InstanceId': instance['InstanceId'], 'ExcludeBootVolume': True},
                Description='bench set',
            )

        with concurrent.futures.ThreadPoolExecutor(SEED_THREADS) as pool:
            list(pool.map(one, range(instances)))
        return
    specs = [
        {
            'region': source,
            'name': 'bench-%d-%d' % (index, number),
            'size': 40,
            'tags': dict(TAG_SELECTOR),
            'instance_id': ('i-bench%05d' if provider == 'ecs' else 'ins-bn%06d') % index,
        }
        for index in range(instances)
        for number in range(DISKS_PER_INSTANCE)
    ]
    ids = stack.admin.seed({provider: {'disks': specs}})[provider]['disks']
    adapter = (EcsAdapter if provider == 'ecs' else CbsAdapter).from_connection(stack.connection(provider))
    disks = [Disk(disk_id, source, instance_id=spec['instance_id']) for disk_id, spec in zip(ids, specs)]
    by_instance = [disks[start : start + DISKS_PER_INSTANCE] for start in range(0, len(disks), DISKS_PER_INSTANCE)]
    with concurrent.futures.ThreadPoolExecutor(SEED_THREADS) as pool:
        list(
            pool.map(
                lambda members: adapter.sets.create_snapshot_set(source, members, None, 'bench set', {}), by_instance
            )
        )
    # Each set's snapshots complete in the stack's snapshot time (its copy time): read until they all have.
    deadline = time.monotonic() + 300
    while not all(
        snapshot.state == COMPLETED for found in adapter.disk_snapshots(source, disks).values() for snapshot in found
    ):
        if time.monotonic() > deadline:
            raise RuntimeError('the seeded sets of %s did not complete in 300 s' % provider)
        time.sleep(1)


class GroupsRunner(DrillRunner):
    """The groups' runs of one cloud on one stack, logs and reports under ``work``."""

    def measure(self, stack, provider, disks, number):
        label = 'groups-%s-%d-%d' % (provider, disks, number)
        record = {
            'kind': 'groups',
            'provider': provider,
            'disks': disks,
            'run': number,
            'log': os.path.relpath(os.path.join(self.work, 'logs', label + '-with.log'), ROOT),
        }
        runs = {}
        for grouped in (False, True):
            stack.reset(provider)
            seed_groups(stack, provider, disks // DISKS_PER_INSTANCE)
            name = '%s-%s' % (label, 'with' if grouped else 'without')
            stack.forget_calls(provider)
            wall, code, report = self.role(stack, provider, name, False, GROUPS if grouped else None)
            runs[grouped] = {
                'wall_s': round(wall, 2),
                'ok': code == 0 and (report.get('totals') or {}).get('copied') == disks,
                'calls': stack.calls(provider)[0],
                'report': report,
            }
        grouped_disks = [disk for disk in runs[True]['report'].get('disks') or [] if disk.get('consistency_group')]
        record.update(
            {
                'ok': runs[False]['ok'] and runs[True]['ok'] and len(grouped_disks) == disks,
                'groups': len({disk['consistency_group']['name'] for disk in grouped_disks}),
                'wall_without_s': runs[False]['wall_s'],
                'wall_with_s': runs[True]['wall_s'],
                'added_s': round(runs[True]['wall_s'] - runs[False]['wall_s'], 2),
                'calls_without': sum(entry['calls'] for entry in runs[False]['calls'].values()),
                'calls_with': sum(entry['calls'] for entry in runs[True]['calls'].values()),
                'added_calls': added_calls(runs[False]['calls'], runs[True]['calls']),
            }
        )
        return record


def summarize(records):
    """Per cloud: the median of the runs' added seconds and calls, with the share of the ungrouped run's."""

    def extra(done):
        without = _median([record['wall_without_s'] for record in done])
        calls_without = _median([record['calls_without'] for record in done])
        medians = added_medians(done)
        return dict(
            medians,
            groups=done[0]['groups'],
            added_pct=round(100 * medians['added_s'] / without, 1) if without else None,
            added_calls_pct=round(100 * medians['added_calls'] / calls_without, 1) if calls_without else None,
        )

    return by_provider(records, extra)


def table(summary):
    lines = [
        '### g. Consistency groups: the role\'s first run of N disks on N/3 instances, each disk on its own and in groups',
        '',
        '| cloud | N | groups | runs | wall alone (s) | wall grouped (s) | added (s, %) | added API calls (%) | by action |',
        '|---|---|---|---|---|---|---|---|---|',
    ]
    for provider, entry in summary.items():
        if not entry['ok']:
            lines.append('| %s | - | - | %d | failed | - | - | - | - |' % (provider, entry['runs']))
            continue
        actions = ', '.join('%s %+d' % item for item in entry['added_calls_by_action'].items()) or 'none'
        lines.append(
            '| %s | %d | %d | %d | %.1f | %.1f | %+.1f (%+.1f %%) | %+g (%+.1f %%) | %s |'
            % (
                provider,
                entry['disks'],
                entry['groups'],
                entry['runs'],
                entry['wall_without_s'],
                entry['wall_with_s'],
                entry['added_s'],
                entry['added_pct'],
                entry['added_calls'],
                entry['added_calls_pct'],
                actions,
            )
        )
    return [*lines, '']
