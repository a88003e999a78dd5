"""Issue 62, point 10: errors in a few lines, naming the fix.

- The first run of a consistency group on EBS, over snapshots taken one by one, failed with about 600 characters for
  each disk of the group, the same words each time: said once for the group, naming its disks (through botocore
  against moto's server, as issue 61's tests run it).
- An endpoint where nothing answers: urllib3's text ("HTTPConnectionPool(host=...): Max retries exceeded ... (Caused by
  NewConnectionError(...))") was the message, twice in the task's output; the socket's reason is, and the fix.
"""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.network import connection_reason
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_sets_evidence_aws import (
    ACCOUNT,
    KEYS,
    SOURCE,
    database,
    ec2_with,
    run,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_no_log_external_id import run_module

# Three lines of a terminal 160 characters wide.
THREE_LINES = 480


def test_a_group_without_a_set_fails_once_naming_its_disks(moto_url):
    selector = {'errors62': 'first-group-run'}
    dummy, volumes = database(moto_url, selector)
    client = ec2_with(moto_url, KEYS, SOURCE)
    made = [client.create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId'] for volume in volumes]
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel

    backend = ec2_backends[ACCOUNT][SOURCE]
    for snapshot_id in made:  # in one second, as a busy scheduler's are (issue 61's test)
        backend.snapshots[snapshot_id].start_time = backend.snapshots[made[0]].start_time
    report, group = run(moto_url, selector)
    (failure,) = report['failures']
    named, said = failure.split(': consistency group ', 1)
    assert named.startswith('disks ') and all(volume in named for volume in volumes), failure
    assert said.startswith('%s has no complete set' % group['name']), failure
    assert failure.count('share a start time') == 1 and 'max_snapshot_age_hours' in failure
    # Each disk's own record still says it.
    assert all('has no complete set' in disk['problems'][0] for disk in report['disks'])


@pytest.mark.parametrize(
    'module, arguments, words',
    [
        (
            'ecs_snapshot_copy',
            {
                'alicloud_access_key': 'LTAI5tSnapcopyErrors62',
                'alicloud_secret_key': 'snapcopy-errors-62-secret-0123456789',
                'source_region': 'cn-hangzhou',
                'source_snapshot_id': 's-bp1234567890abcdefg',
                'destination_region': 'cn-beijing',
            },
            'could not connect to 127.0.0.1:9: Connection refused. Check endpoint_url and the network',
        ),
        (
            'cbs_snapshot_copy',
            {
                'secret_id': 'AKIDsnapcopyErrors62',
                'secret_key': 'snapcopy-errors-62-secret-0123456789',
                'source_region': 'ap-guangzhou',
                'source_snapshot_id': 'snap-12345678',
                'destination_regions': ['ap-beijing'],
            },
            'could not connect to the Tencent Cloud endpoint: Connection refused. Check endpoint_url and the network',
        ),
        (
            'ebs_snapshot_copy',
            {
                'access_key': 'AKIASNAPCOPYERRORS62',
                'secret_key': 'snapcopy-errors-62-secret-0123456789',
                'source_region': 'eu-west-1',
                'source_snapshot_id': 'snap-0123456789abcdef0',
                'destination_region': 'eu-west-2',
            },
            'Could not connect to the endpoint URL: "http://127.0.0.1:9/". Check endpoint_url and the network',
        ),
    ],
)
def test_an_endpoint_where_nothing_answers_is_said_in_a_few_words_with_the_fix(module, arguments, words):
    result = run_module(module, dict(arguments, endpoint_url='http://127.0.0.1:9'))
    assert result['failed'] and words in result['msg'], result['msg']
    assert 'HTTPConnectionPool' not in result['msg'] and 'Max retries' not in result['msg']
    assert len(result['msg']) < THREE_LINES and len(result['error']['message']) < THREE_LINES // 2


def test_the_reason_is_the_sockets_own_words():
    urllib3 = (
        "HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: / (Caused by NewConnectionError("
        "'Failed to establish a new connection: [Errno 111] Connection refused'))"
    )
    assert connection_reason(urllib3) == 'Connection refused'
    assert connection_reason("Failed to resolve 'ecs.nowhere' ([Errno -2] Name or service not known)") == (
        'Name or service not known'
    )
    assert connection_reason('x' * 500).endswith('...') and len(connection_reason('x' * 500)) == 160
