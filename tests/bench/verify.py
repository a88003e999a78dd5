"""Part r of make bench: the time verifying a DR copy takes (dr_sync's verify, docs/verify.md), at each sample size.

moto's server behind tests/bench/aws_proxy.py, which holds every request LATENCY_MS (the other parts' latency), with
the suites' EBS direct layer, whose blocks are made when read (SHAKE-256): one volume of VOLUME_GIB GiB whose every
block is written, its snapshot, and its DR copy (a run without verify). Then a run of dr_sync's rules (DrRun, through
botocore, the run's 16 workers) verifies the copy with each sample size, the copy's mark taken off before each, and one
with ``full``; the wall seconds of each run and its EBS direct calls. A run without verify on the same state is the
floor; what a run with verify takes more is the verification's. Per block read, and so per TiB, it is bound by the
requests' latency over the workers: the figure at LATENCY_MS scales with EBS's own latency (docs/verify.md).
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request

from drill import ROOT
from stacks import REGIONS

sys.path.insert(0, os.path.join(ROOT, 'build', 'collections'))

# pylint: disable=wrong-import-position  # after the path above
import botocore  # noqa: E402

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient  # noqa: E402
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter  # noqa: E402
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import VERIFIED_TAG  # noqa: E402
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.run import DrRun  # noqa: E402
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.verify import BLOCK_BYTES, BLOCKS_PER_PAGE  # noqa: E402
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import dr_settings  # noqa: E402

SELECTOR = {'bench-verify': 'yes'}
TIB_BLOCKS = 2**40 // BLOCK_BYTES


def seed(stack, gib):
    """A tagged volume of ``gib`` GiB, every block written (through the EBS direct layer's hook), and its snapshot."""
    client = stack.client()
    source = REGIONS['aws'][0]
    volume = client.create_volume(
        Size=gib,
        AvailabilityZone=source + 'a',
        TagSpecifications=[{'ResourceType': 'volume', 'Tags': [{'Key': 'bench-verify', 'Value': 'yes'}]}],
    )['VolumeId']
    request = urllib.request.Request(
        stack.moto_url + '/snapcopy-test/ebs-direct',
        data=json.dumps({'write': {'volume_id': volume, 'start': 0, 'stop': gib * 2048}}).encode(),
        headers={'Content-Type': 'application/json'},
        method='POST',
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310  # the local emulator
        answer.read()
    client.create_snapshot(VolumeId=volume, Description='bench')
    return volume


def dr_run(stack, verify):
    """One DrRun of the scope with ``verify`` (None: off): (wall seconds, its report)."""
    connection = stack.connection('aws')
    adapter = EbsAdapter(AwsClient(connection, botocore_module=botocore))
    options = {
        'provider': 'aws',
        'source_region': REGIONS['aws'][0],
        'dr_regions': [REGIONS['aws'][1]],
        'tag_selector': SELECTOR,
        'prune': False,
        'wait': True,
        'wait_timeout': 600,
        'poll_interval': 1,
        'verify': verify,
    }
    started = time.monotonic()
    report = DrRun(adapter, dr_settings(options)).run()
    return time.monotonic() - started, report


def unmark(stack, copy_id):
    """The copy's mark taken off, straight in moto: the next run verifies it again."""
    import botocore.session  # pylint: disable=import-outside-toplevel

    connection = stack.connection('aws')
    session = botocore.session.Session()
    session.set_credentials(connection['access_key'], connection['secret_key'])
    client = session.create_client('ec2', region_name=REGIONS['aws'][1], endpoint_url=stack.moto_url)
    client.delete_tags(Resources=[copy_id], Tags=[{'Key': VERIFIED_TAG}])


def verify_runs(bench, samples, gib):
    """The runs of part r on a stack of its own: a record per sample size."""
    stack = bench.stack('aws', copy_seconds=1)
    seed(stack, gib)
    dummy, first = dr_run(stack, None)
    (copy_id,) = [copy['snapshot_id'] for disk in first['disks'] for copy in disk['copies']]
    floor, dummy = dr_run(stack, None)
    # A listing is a page after another (each page's token is the next's): its time per page, apart from the reads.
    adapter = EbsAdapter(AwsClient(stack.connection('aws'), botocore_module=botocore))
    started = time.monotonic()
    listed = adapter.blocks.snapshot_blocks(REGIONS['aws'][1], copy_id)
    pages = -(-len(listed) // BLOCKS_PER_PAGE)
    list_seconds = (time.monotonic() - started) / pages
    records = []
    for sample in samples:
        unmark(stack, copy_id)
        seconds, report = dr_run(stack, sample)
        (record,) = [copy['verification'] for disk in report['disks'] for copy in disk['copies']]
        if record['action'] != 'verified':
            raise RuntimeError('the bench copy was not verified: %s' % record)
        reads = record['get_calls']
        verifying = max(seconds - floor, 0.0)
        records.append(
            {
                'sample': sample,
                'blocks': record['blocks'],
                'list_calls': record['list_calls'],
                'get_calls': reads,
                'bytes_read': record['bytes_read'],
                'seconds': round(seconds, 2),
                'floor_seconds': round(floor, 2),
                'verify_seconds': round(verifying, 2),
                'ms_per_block_read': round(1000 * verifying / reads, 2) if reads else None,
                'ms_per_list_page': round(1000 * list_seconds, 1),
            }
        )
        bench.progress('part r: verify=%s, %d blocks read in %.1f s' % (sample, reads, verifying))
    return records


def per_tib(records):
    """Each sample size's seconds on a copy of a fully written TiB: both sides listed (210 pages a side, one after
    another, at the page time measured) and the sample read on both at the time per block read measured with full
    (the most reads: the steadiest rate)."""
    full = next((record for record in records if record['sample'] == 'full'), None)
    rate = (full or records[-1])['ms_per_block_read'] or 0
    pages = 2 * -(-TIB_BLOCKS // BLOCKS_PER_PAGE)
    return {
        str(record['sample']): round(
            (
                pages * record['ms_per_list_page']
                + (2 * TIB_BLOCKS if record['sample'] == 'full' else 2 * int(record['sample'])) * rate
            )
            / 1000,
            1,
        )
        for record in records
    }
