"""The event source snapcopy.cloud.snapshots (plugins/module_utils/events/,
extensions/eda/plugins/event_source/snapshots.py): bad arguments refused before any call; on each cloud, one event per
completed snapshot of a tagged disk, from paged listings whose count of calls does not grow with the disks; the state
file across a restart; throttling and failing calls; and on AWS the EventBridge messages of an SQS queue. Real SDKs over
real HTTP: moto's server and fakecloud."""

from __future__ import annotations

import asyncio
import datetime
import errno
import json
import logging
import os
import runpy
import tempfile

import boto3
import pytest
import yaml

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import PROVIDERS
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError, is_retryable
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import parse_time
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import Backoff, CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils.events import source
from ansible_collections.snapcopy.cloud.plugins.module_utils.events.given import FORGET_AFTER, GivenSnapshots
from ansible_collections.snapcopy.cloud.plugins.module_utils.events.poller import SnapshotPoller
from ansible_collections.snapcopy.cloud.plugins.module_utils.events.settings import new_adapter, source_settings
from ansible_collections.snapcopy.cloud.plugins.module_utils.events.source import run_source
from ansible_collections.snapcopy.cloud.plugins.module_utils.events.sqs import (
    SqsReader,
    parse_ebs_message,
    snapshot_arn,
)
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils import ebs_eventbridge_events as aws_events

# moto keeps one state per process: each AWS test takes a region of its own (AWS_REGIONS), where no other test's disks
# are; each a region the oldest botocore of tests/requirements-oldest.txt knows (moto serves only those).
AWS_REGIONS = iter(
    [
        'eu-north-1',
        'eu-west-3',
        'ap-northeast-3',
        'sa-east-1',
        'me-south-1',
        'af-south-1',
        'ap-southeast-3',
        'eu-south-1',
        'il-central-1',
        'ap-south-2',
        'eu-west-2',
        'eu-central-2',
        'ap-southeast-4',
        'us-east-2',
    ]
)
REGIONS = {'aws': 'eu-north-1', 'ecs': 'cn-hangzhou', 'ens': 'cn-hangzhou-26', 'cbs': 'ap-guangzhou'}
# A value of these tests alone: moto's server is shared by every test of a worker, and other tests tag disks dr=yes
# in some of these regions.
SELECTOR = {'dr': 'events'}
PLUGIN = os.path.join(
    os.path.dirname(__file__), *(['..'] * 4), 'extensions', 'eda', 'plugins', 'event_source', 'snapshots.py'
)


def fast_backoff():
    return Backoff(is_retryable, base_delay=0.01, max_delay=0.05, max_attempts=4)


def connection(provider, url):
    if provider == 'aws':
        return {'access_key': 'AKIAEVENTSOURCE', 'secret_key': 'event-source-secret', 'endpoint_url': url}
    if provider in ('ecs', 'ens'):
        return {
            'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
            'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
            'endpoint_url': url,
        }
    return {
        'secret_id': credentials.TENCENT_SECRET_ID,
        'secret_key': credentials.TENCENT_SECRET_KEY,
        'endpoint_url': url,
    }


class Cloud:
    """One cloud of the emulators, as the tests seed and read it: tagged disks, snapshots that complete, calls
    counted."""

    def __init__(self, provider, fakecloud=None, moto_url=None):
        self.provider = provider
        self.region = next(AWS_REGIONS) if provider == 'aws' else REGIONS[provider]
        self.fakecloud = fakecloud
        self.url = moto_url if provider == 'aws' else fakecloud.url
        if provider == 'aws':
            self.ec2 = boto3.client(
                'ec2',
                region_name=self.region,
                endpoint_url=moto_url,
                aws_access_key_id='AKIAEVENTSOURCE',
                aws_secret_access_key='event-source-secret',
            )
        else:
            fakecloud.admin.configure(timings={provider: {'snapshot_seconds': 30.0}})

    def args(self, **more):
        # Each round of run() is a restart: no replay unless a test asks for one.
        return dict(
            {
                'provider': self.provider,
                'region': self.region,
                'tag_selector': SELECTOR,
                'poll_interval': 0.1,
                'replay_seconds': 0,
            },
            **dict(connection(self.provider, self.url), **more),
        )

    def disks(self, count, tags):
        if self.provider == 'aws':
            return [
                self.ec2.create_volume(
                    AvailabilityZone=self.region + 'a',
                    Size=1,
                    TagSpecifications=[
                        {
                            'ResourceType': 'volume',
                            'Tags': [{'Key': key, 'Value': value} for key, value in tags.items()],
                        }
                    ],
                )['VolumeId']
                for dummy in range(count)
            ]
        return self.fakecloud.admin.seed(
            **{self.provider: {'disks': [{'region': self.region, 'tags': dict(tags)}] * count}}
        )[self.provider]['disks']

    def snapshots(self, disk_ids):
        """A new snapshot of each disk, still being made on fakecloud (finish() completes them); moto completes them at
        once."""
        if self.provider == 'aws':
            return [self.ec2.create_snapshot(VolumeId=disk_id)['SnapshotId'] for disk_id in disk_ids]
        specs = [{'disk_id': disk_id, 'region': self.region, 'status': 'progressing'} for disk_id in disk_ids]
        return self.fakecloud.admin.seed(**{self.provider: {'snapshots': specs}})[self.provider]['snapshots']

    def finish(self):
        if self.provider != 'aws':
            self.fakecloud.admin.advance_clock(60)

    def calls(self):
        """{action: calls} on fakecloud since the last reset (reset now)."""
        counted = self.fakecloud.admin.calls()['calls'].get(self.provider, {})
        self.fakecloud.admin.calls(reset=True)
        return {action: count['calls'] for action, count in counted.items()}


@pytest.fixture(params=sorted(REGIONS))
def cloud(request):
    provider = request.param
    if provider == 'aws':
        # moto's server in this process; each test's region is its own (moto keeps state per process).
        return Cloud(provider, moto_url=request.getfixturevalue('moto_url'))
    return Cloud(provider, fakecloud=request.getfixturevalue('fakecloud_clean'))


def run(args, polls, adapter=None, between=None):
    """The events that ``polls`` rounds of the source put on its queue; ``between(round)`` runs before each round after
    the first (the cloud changes while the source waits). Each round is a start of the source with the same state file
    (a temporary one unless ``args`` name one), as a restart is."""
    queue = asyncio.Queue()

    async def rounds(args):
        settings = source_settings(args)
        made = adapter or new_adapter(settings, CallRetry(fast_backoff()))
        for number in range(polls):
            if number and between is not None:
                between(number)
            await run_source(queue, args, adapter=made, polls=1, backoff=fast_backoff())

    # The temporary state file's folder goes with the run: one left in /tmp for each run piled up on CI's machine.
    with tempfile.TemporaryDirectory(prefix='snapcopy-events-') as folder:
        asyncio.run(
            rounds(args if args.get('state_file') else dict(args, state_file=os.path.join(folder, 'state.json')))
        )
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


def ids_of(events):
    return sorted(event['snapcopy']['snapshot_id'] for event in events)


# ---------------------------------------------------------------------------------------------- arguments
@pytest.mark.parametrize(
    'args, option',
    [
        ({'region': 'r'}, 'provider'),
        ({'provider': 'gcp', 'region': 'r'}, 'provider'),
        ({'provider': 'aws', 'tag_selector': SELECTOR}, 'region'),
        ({'provider': 'aws', 'region': 'us-east-1'}, 'tag_selector'),
        ({'provider': 'aws', 'region': 'us-east-1', 'tag_selector': {'dr': True}}, 'tag_selector'),
        ({'provider': 'aws', 'region': 'us-east-1', 'tag_selector': ['dr']}, 'tag_selector'),
        ({'provider': 'aws', 'region': 'us-east-1', 'tag_selector': {' ': 'events'}}, 'tag_selector'),
        ({'provider': 'aws', 'region': 'us-east-1', 'tag_selector': {5: 'events'}}, 'tag_selector'),
        ({'provider': 'aws', 'region': 'us-east-1', 'tag_selector': '["dr"]'}, 'tag_selector'),
        ({'provider': 'aws', 'region': 'us-east-1', 'tag_selector': SELECTOR, 'poll_interval': 0}, 'poll_interval'),
        (
            {'provider': 'aws', 'region': 'us-east-1', 'tag_selector': SELECTOR, 'poll_interval': 'often'},
            'poll_interval',
        ),
        (
            {'provider': 'ecs', 'region': 'cn-hangzhou', 'tag_selector': SELECTOR, 'queue_url': 'https://sqs/1/q'},
            'queue_url',
        ),
        ({'provider': 'ecs', 'region': 'cn-hangzhou', 'tag_selector': SELECTOR, 'secret_id': 'AKID'}, 'secret_id'),
        (
            {
                'provider': 'aws',
                'region': 'us-east-1',
                'tag_selector': SELECTOR,
                'state_file': '/no/such/folder/state.json',
            },
            'state_file',
        ),
        (
            {'provider': 'aws', 'region': 'us-east-1', 'tag_selector': SELECTOR, 'validate_certs': 'maybe'},
            'validate_certs',
        ),
        (
            {'provider': 'aws', 'region': 'us-east-1', 'tag_selector': SELECTOR, 'role_session_name': 'x'},
            'role_session_name',
        ),
        ({'provider': 'aws', 'region': 'us-east-1', 'tag_selector': SELECTOR, 'replay_seconds': -1}, 'replay_seconds'),
    ],
)
def test_bad_arguments_are_refused_naming_the_argument_before_any_call(args, option):
    with pytest.raises(InputError) as refused:
        asyncio.run(run_source(asyncio.Queue(), args, environ={}))
    assert refused.value.option == option


def test_the_defaults_the_plugins_page_gives_are_the_sources():
    """The event source's page (its DOCUMENTATION, which ansible-doc and the collection's docs show) and the settings
    the source takes when an argument is left out say the same."""
    with open(PLUGIN, encoding='utf-8') as handle:
        text = handle.read()
    documented = yaml.safe_load(text.split('DOCUMENTATION = r"""', 1)[1].split('"""', 1)[0])['options']
    settings = source_settings({'provider': 'aws', 'region': 'us-east-1', 'tag_selector': SELECTOR}, environ={})
    defaults = {name: option['default'] for name, option in documented.items() if 'default' in option}
    assert {'poll_interval', 'include_existing', 'replay_seconds'} <= set(defaults)
    for name, default in defaults.items():
        if hasattr(settings, name):
            assert getattr(settings, name) == default, name


def test_a_refused_secret_is_never_in_the_error():
    secret = 'do-not-show-this-secret'
    with pytest.raises(InputError) as refused:
        source_settings(
            {
                'provider': 'aws',
                'region': 'us-east-1',
                'tag_selector': SELECTOR,
                'secret_key': secret,
                'connect_timeout': secret,
            },
            environ={},
        )
    assert secret not in str(refused.value)


def test_connection_options_take_the_modules_names_aliases_and_environment():
    settings = source_settings(
        {
            'provider': 'aws',
            'region': 'us-east-1',
            'tag_selector': '{"dr": "yes", "tier": null}',
            'aws_access_key_id': 'AKIA1',
            'validate_certs': 'false',
            'read_timeout': '30',
            # What a rulebook passes for another cloud's credentials that are not set: nothing.
            'alicloud_access_key': '',
            'secret_id': None,
        },
        environ={'AWS_SECRET_ACCESS_KEY': 'from-env'},
    )
    assert settings.connection['access_key'] == 'AKIA1' and settings.connection['secret_key'] == 'from-env'
    assert settings.connection['validate_certs'] is False and settings.connection['read_timeout'] == 30
    assert settings.tag_selector == {'dr': 'yes', 'tier': None}
    assert 'from-env' not in repr(settings)


# ---------------------------------------------------------------------------------------------- polling, every cloud
def test_one_event_per_completed_snapshot_of_a_tagged_disk_on_each_cloud(cloud, tmp_path):
    tagged = cloud.disks(3, dict(SELECTOR, team='db'))
    untagged = cloud.disks(1, {'dr': 'no'})
    before = cloud.snapshots(tagged[:1])
    cloud.finish()
    state = str(tmp_path / 'state.json')
    made = {}

    def between(number):
        if number == 1:
            made['new'] = cloud.snapshots(tagged + untagged)
        if number == 3:
            cloud.finish()

    events = run(cloud.args(state_file=state), polls=4, between=between)
    new_of_tagged = made['new'][:3]
    assert ids_of(events) == sorted(new_of_tagged), (
        'a snapshot found at the first start is the schedule\'s; then each completed one once'
    )
    assert before[0] not in ids_of(events)
    for event in events:
        assert set(event['snapcopy']) == {'provider', 'region', 'disk_id', 'snapshot_id', 'completed_at'}
        assert event['snapcopy']['provider'] == cloud.provider and event['snapcopy']['region'] == cloud.region
        assert event['snapcopy']['disk_id'] == tagged[new_of_tagged.index(event['snapcopy']['snapshot_id'])]
    saved = json.loads(open(state, encoding='utf-8').read())
    assert set(saved['given']) >= set(new_of_tagged) | set(before)
    assert not [name for name in os.listdir(tmp_path) if name != 'state.json'], (
        'no temporary file is left beside the state'
    )


def test_a_restart_with_the_state_file_repeats_nothing_and_misses_what_completed_while_down(cloud, tmp_path):
    disks = cloud.disks(2, SELECTOR)
    state = str(tmp_path / 'state.json')
    assert run(cloud.args(state_file=state), polls=1) == []
    first = cloud.snapshots(disks[:1])
    cloud.finish()
    assert ids_of(run(cloud.args(state_file=state), polls=1)) == first
    # Down: a snapshot completes meanwhile.
    second = cloud.snapshots(disks[1:])
    cloud.finish()
    again = run(cloud.args(state_file=state), polls=2)
    assert ids_of(again) == second, 'the restart gives what completed while it was down, and nothing it gave before'


def test_a_restart_gives_again_what_it_gave_lately_which_a_killed_rulebook_may_have_lost(cloud, tmp_path, monkeypatch):
    # The source's clock after a poll is not the poll's: a replay must repeat the event as first given, not that later
    # time.
    monkeypatch.setattr(source, 'now_text', lambda: '2031-01-01T00:00:00Z')
    disks = cloud.disks(2, SELECTOR)
    state = str(tmp_path / 'state.json')
    assert run(cloud.args(state_file=state), polls=1) == []
    first = cloud.snapshots(disks[:1])
    cloud.finish()
    given = run(cloud.args(state_file=state, replay_seconds=600), polls=1)
    assert ids_of(given) == first
    # Killed: was the event acted on? The restart gives it again, once, the same event: its completed_at as first given.
    second = cloud.snapshots(disks[1:])
    cloud.finish()
    again = run(cloud.args(state_file=state, replay_seconds=600), polls=1) + run(cloud.args(state_file=state), polls=2)
    assert ids_of(again) == sorted(first + second)
    (replayed,) = [event for event in again if event['snapcopy']['snapshot_id'] in first]
    assert replayed == given[0]


def made_at(cloud, snapshot_id):
    """When the cloud says ``snapshot_id`` was made, as the source reads it."""
    adapter = new_adapter(source_settings(cloud.args()), CallRetry(fast_backoff()))
    return parse_time(adapter.describe(cloud.region, [snapshot_id])[snapshot_id].created)


def test_a_start_without_a_state_file_gives_what_was_made_in_the_last_replay_seconds(cloud, tmp_path):
    """docs/events.md's AWX step: no state file and a longer replay_seconds. A snapshot that completed while the source
    was down gets its event at the start; older ones are the schedule's. The source's clock is a test clock: no
    timing."""
    made = cloud.snapshots(cloud.disks(1, SELECTOR))
    cloud.finish()
    created = made_at(cloud, made[0])

    def start(seconds_after, replay_seconds, **more):
        now = (created + datetime.timedelta(seconds=seconds_after)).strftime('%Y-%m-%dT%H:%M:%SZ')
        queue = asyncio.Queue()
        asyncio.run(
            run_source(
                queue,
                cloud.args(replay_seconds=replay_seconds, **more),
                polls=1,
                backoff=fast_backoff(),
                clock=lambda: now,
            )
        )
        return [queue.get_nowait() for dummy in range(queue.qsize())], now

    events, now = start(600, 900)
    assert ids_of(events) == made, 'made 10 minutes before a start with replay_seconds 900: given'
    assert events[0]['snapcopy']['completed_at'] == now
    assert start(1200, 900)[0] == [], 'made 20 minutes before: taken as given, the schedule\'s'
    # The edges (each cloud here dates a snapshot to the second, and a start's time is to the second).
    assert ids_of(start(900, 900)[0]) == made, 'made exactly replay_seconds before the start: inside the window'
    assert start(901, 900)[0] == [], 'a second more: outside it'
    assert start(1, 0)[0] == [], 'replay_seconds 0: what has completed at the start is taken as given'
    # A state file not written yet is no earlier state either.
    state = str(tmp_path / 'state.json')
    assert ids_of(start(600, 900, state_file=state)[0]) == made
    assert made[0] in GivenSnapshots(state, cloud.provider, cloud.region)


class Killed(Exception):
    """The source's process ends here (a SIGKILL): nothing after it runs."""


def test_a_restart_with_replay_seconds_0_never_repeats_what_the_rulebook_got_before_a_kill(cloud, tmp_path):
    """The rulebook takes the event off the queue and the source is killed at once: the state file named it before the
    rulebook could see it, so a restart with replay_seconds 0 gives it no second time (under load the file used to be
    written after the put, and a kill between the two repeated it). A barrier, not a race: the kill is the put
    itself."""
    disks = cloud.disks(1, SELECTOR)
    state = str(tmp_path / 'state.json')
    assert run(cloud.args(state_file=state), polls=1) == []
    made = cloud.snapshots(disks)
    cloud.finish()

    class KilledAfterPut(asyncio.Queue):
        got, named = [], set()

        async def put(self, item):
            self.got.append(item)
            self.named = set(
                GivenSnapshots(state, cloud.provider, cloud.region).given
            )  # the file when the rulebook has it
            raise Killed()

    queue = KilledAfterPut()
    with pytest.raises(Killed):
        asyncio.run(run_source(queue, cloud.args(state_file=state), polls=1, backoff=fast_backoff()))
    assert ids_of(queue.got) == made
    assert set(made) <= queue.named, 'the state file names an event before the rulebook can see it'
    assert run(cloud.args(state_file=state), polls=2) == [], (
        'replay_seconds 0: nothing given before the kill comes again'
    )
    # A kill may lose what the rulebook held in memory: that is what replay_seconds gives again.
    assert ids_of(run(cloud.args(state_file=state, replay_seconds=600), polls=1)) == made


def test_a_state_file_that_cannot_be_written_gives_the_events_at_the_next_poll(fakecloud_clean, tmp_path, monkeypatch):
    """The state file is written before the events are put: when it cannot be (a full disk), neither a new event nor a
    replayed one is lost, both come at the next poll."""
    cloud = Cloud('ecs', fakecloud=fakecloud_clean)
    disks = cloud.disks(2, SELECTOR)
    args = cloud.args(state_file=str(tmp_path / 'state.json'))
    assert run(args, polls=1) == []
    replayed = cloud.snapshots(disks[:1])
    cloud.finish()
    assert ids_of(run(args, polls=1)) == replayed
    made = replayed + cloud.snapshots(disks[1:])
    cloud.finish()
    args = dict(args, replay_seconds=600)  # the restart below gives the first snapshot again
    saves = []
    save = GivenSnapshots.save

    def full_disk_once(self):
        saves.append(self)
        if len(saves) == 1:
            raise OSError(errno.ENOSPC, 'No space left on device')
        save(self)

    monkeypatch.setattr(GivenSnapshots, 'save', full_disk_once)

    class Watching(asyncio.Queue):
        async def put(self, item):
            assert len(saves) == 2, 'no event is given before the state file names it'
            await super().put(item)

    queue = Watching()
    asyncio.run(run_source(queue, args, polls=2, backoff=fast_backoff()))
    assert ids_of([queue.get_nowait() for dummy in range(queue.qsize())]) == sorted(made), (
        'given at the next poll, once'
    )
    assert set(made) <= set(GivenSnapshots(args['state_file'], 'ecs', cloud.region).given)


def test_the_state_file_replays_only_its_window_forgets_after_seven_days_and_leaves_no_half_write(tmp_path):
    """The state file's three rules of time and writing, on their edges: a restart gives again only what was given at
    the replay window's start or later; a snapshot no listing shows is forgotten once given more than FORGET_AFTER
    ago, and not a second before; a write that fails leaves the file's folder as it was."""
    now = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.timezone.utc)

    def at(seconds_ago):
        return (now - datetime.timedelta(seconds=seconds_ago)).strftime('%Y-%m-%dT%H:%M:%SZ')

    given = GivenSnapshots(None, 'ecs', 'cn-hangzhou')
    given.add(['snap-old'], at(100))
    given.add(['snap-edge'], at(50))
    given.add(['snap-new'], at(10))
    assert given.given_since(now - datetime.timedelta(seconds=50)) == {'snap-edge', 'snap-new'}
    week = int(FORGET_AFTER.total_seconds())
    given.add(['snap-a-week'], at(week))
    given.add(['snap-a-week-less-a-second'], at(week - 1))
    given.forget_unlisted(['snap-old'], now)
    assert set(given.given) == {'snap-old', 'snap-edge', 'snap-new', 'snap-a-week-less-a-second'}
    # A state file whose rename fails (here its path is a folder): the error goes up, no temporary file stays.
    folder = tmp_path / 'state'
    folder.mkdir()
    stuck = GivenSnapshots(str(folder / 'state.json'), 'ecs', 'cn-hangzhou')
    stuck.add(['snap-new'], at(10))
    (folder / 'state.json').mkdir()
    with pytest.raises(OSError):
        stuck.save()
    assert sorted(path.name for path in folder.iterdir()) == ['state.json']


def test_include_existing_gives_the_snapshots_found_at_a_fresh_start(cloud):
    disks = cloud.disks(2, SELECTOR)
    made = cloud.snapshots(disks)
    cloud.finish()
    assert ids_of(run(cloud.args(include_existing=True), polls=2)) == sorted(made)


@pytest.mark.parametrize('provider', ['ecs', 'ens', 'cbs'])
def test_a_poll_reads_two_paged_listings_whatever_the_number_of_disks(provider, fakecloud_clean):
    cloud = Cloud(provider, fakecloud=fakecloud_clean)
    few = cloud.disks(2, SELECTOR)
    cloud.snapshots(few)
    cloud.finish()
    cloud.calls()
    assert run(cloud.args(), polls=1) == []
    with_few = cloud.calls()
    many = cloud.disks(40, SELECTOR)
    made = cloud.snapshots(
        many * 4
    )  # 160 snapshots: more than one page of snapshots on every cloud (ENS 50, ECS and CBS 100)
    cloud.finish()
    cloud.calls()
    events = run(cloud.args(include_existing=True), polls=1)
    with_many = cloud.calls()
    assert set(made) <= set(ids_of(events)) and len(events) == len(made) + 2
    snapshot_listing = {'ecs': 'DescribeSnapshots', 'ens': 'DescribeSnapshots', 'cbs': 'DescribeSnapshots'}[provider]
    assert with_few[snapshot_listing] == 1 and with_many[snapshot_listing] >= 2, 'one listing, paged'
    assert sum(with_many.values()) <= sum(with_few.values()) + 3, 'never a call per disk: %s, then %s' % (
        with_few,
        with_many,
    )


def test_a_poll_on_aws_reads_the_completed_snapshots_in_one_listing(moto_url, monkeypatch):
    """moto answers a listing in one page whatever MaxResults says: the token pages are the adapters' (test_pagers.py);
    here, that a poll sends one disk listing and one snapshot listing, never a call per disk."""
    cloud = Cloud('aws', moto_url=moto_url)
    disks = cloud.disks(12, SELECTOR)
    made = cloud.snapshots(disks * 2)
    adapter = (
        PROVIDERS['aws'].load_adapter().from_connection(connection('aws', moto_url), retry=CallRetry(fast_backoff()))
    )
    sent = []
    original = adapter.client.call

    def counted(region, action, **kwargs):
        sent.append(action)
        return original(region, action, **kwargs)

    monkeypatch.setattr(adapter.client, 'call', counted)
    events = run(cloud.args(include_existing=True), polls=1, adapter=adapter)
    assert ids_of(events) == sorted(made)
    assert sent == ['DescribeVolumes', 'DescribeSnapshots']


# ---------------------------------------------------------------------------------------------- failing calls
def test_throttled_listings_are_retried_and_a_failing_cloud_never_ends_the_source(fakecloud_clean, caplog, tmp_path):
    cloud = Cloud('ecs', fakecloud=fakecloud_clean)
    disks = cloud.disks(2, SELECTOR)
    assert run(cloud.args(), polls=1) == []
    made = cloud.snapshots(disks)
    cloud.finish()
    # Throttled twice: the call is sent again with the backoff and the poll gets through.
    fakecloud_clean.admin.faults(
        rules=[{'cloud': 'ecs', 'action': 'DescribeSnapshots', 'throttle_rate': 1.0, 'count': 2}]
    )
    events = run(cloud.args(include_existing=True), polls=1)
    assert ids_of(events) == sorted(made)
    # Failing on every try: each poll fails, logged with the cloud's code and request id, and the source goes on; once
    # the cloud answers again, what completed meanwhile is given.
    state = str(tmp_path / 'state.json')
    assert run(cloud.args(state_file=state), polls=1) == []
    fakecloud_clean.admin.faults(
        rules=[{'cloud': 'ecs', 'action': 'DescribeDisks', 'error_rate': 1.0, 'error_code': 'ServiceUnavailable'}]
    )
    more = cloud.snapshots(disks[:1])
    cloud.finish()

    def between(number):
        if number == 2:
            fakecloud_clean.admin.faults({})

    with caplog.at_level(logging.WARNING, logger='snapcopy.cloud.snapshots'):
        after = run(cloud.args(state_file=state), polls=3, between=between)
    failures = [
        record.getMessage()
        for record in caplog.records
        if record.name == 'snapcopy.cloud.snapshots' and 'ServiceUnavailable' in record.getMessage()
    ]
    assert len(failures) == 2 and 'DescribeDisks' in failures[0] and 'request' in failures[0].lower(), failures
    assert credentials.ALIBABA_ACCESS_KEY_SECRET not in caplog.text
    assert ids_of(after) == more


def rulebook_run(args, monkeypatch, polls=3):
    """The source as ansible-rulebook runs it (no polls, no backoff given), ended by the test after ``polls`` polls:
    (the events on its queue, the waits it asked for). Its waits take no time."""
    polled, waits = [], []
    poll = SnapshotPoller.poll

    def counted_poll(poller):
        polled.append(1)
        if len(polled) > polls:
            raise RuntimeError('the test ends here: the source never ends on its own')
        return poll(poller)

    async def sleep(seconds):
        waits.append(seconds)

    monkeypatch.setattr(SnapshotPoller, 'poll', counted_poll)
    monkeypatch.setattr(source.asyncio, 'sleep', sleep)
    queue = asyncio.Queue()
    with pytest.raises(RuntimeError, match='the test ends here'):
        asyncio.run(run_source(queue, args))
    return [queue.get_nowait() for dummy in range(queue.qsize())], waits


def test_run_as_the_rulebook_runs_it_the_source_waits_between_polls_and_retries_with_the_collections_backoff(
    fakecloud_clean, monkeypatch, caplog
):
    """Between polls the source waits its poll interval, never polling the cloud in a tight loop; a throttled listing
    is sent again with the collection's own backoff; its first line names the provider, the region and the tag
    selector, keys sorted."""
    cloud = Cloud('ecs', fakecloud=fakecloud_clean)
    selector = {'dr': 'events', 'app': 'db'}
    made = cloud.snapshots(cloud.disks(1, selector))
    cloud.finish()
    fakecloud_clean.admin.faults(
        rules=[{'cloud': 'ecs', 'action': 'DescribeSnapshots', 'throttle_rate': 1.0, 'count': 1}]
    )
    args = cloud.args(tag_selector=selector, include_existing=True, poll_interval=30)
    with caplog.at_level(logging.INFO, logger='snapcopy.cloud.snapshots'):
        events, waits = rulebook_run(args, monkeypatch)
    assert waits == [30, 30, 30], waits
    assert ids_of(events) == sorted(made)
    ours = [record for record in caplog.records if record.name == 'snapcopy.cloud.snapshots']
    assert not [record for record in ours if record.levelno >= logging.WARNING], caplog.text  # the throttle retried
    assert ours[0].getMessage() == (
        'snapcopy.cloud.snapshots: ecs %s, tag selector {"app": "db", "dr": "events"}, polling every 30 s'
        % cloud.region
    ), ours[0].getMessage()


def test_a_fresh_start_gives_what_was_made_lately_once_over_many_polls(fakecloud_clean, monkeypatch, caplog, tmp_path):
    """Without an earlier state, the first poll gives the snapshots made in the last replay_seconds and says so; the
    polls after it do not give them again."""
    cloud = Cloud('ecs', fakecloud=fakecloud_clean)
    made = cloud.snapshots(cloud.disks(2, SELECTOR))
    cloud.finish()
    args = cloud.args(state_file=str(tmp_path / 'state.json'), replay_seconds=3600, poll_interval=30)
    with caplog.at_level(logging.INFO, logger='snapcopy.cloud.snapshots'):
        events, waits = rulebook_run(args, monkeypatch)
    assert ids_of(events) == sorted(made) and waits == [30, 30, 30]
    assert any(
        'no earlier state' in record.getMessage() and ', 2 made in the last 3600 s' in record.getMessage()
        for record in caplog.records
    ), caplog.text


# ---------------------------------------------------------------------------------------------- AWS: EventBridge to SQS
def ebs_event(snapshot_id, region, kind=aws_events.CREATE_SNAPSHOT, arn_form=aws_events.ACCOUNT_FIELD_FORM):
    """The message EventBridge puts on the queue: AWS's example event ``kind`` (ebs_eventbridge_events.py) for the
    snapshot."""
    return aws_events.example(kind, [snapshot_id], region, arn_form=arn_form)


@pytest.fixture
def sqs_cloud(moto_url):
    cloud = Cloud('aws', moto_url=moto_url)
    cloud.sqs = boto3.client(
        'sqs',
        region_name=cloud.region,
        endpoint_url=moto_url,
        aws_access_key_id='AKIAEVENTSOURCE',
        aws_secret_access_key='event-source-secret',
    )
    return cloud


def messages_left(cloud, queue_url):
    attributes = cloud.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=['All'])['Attributes']
    return int(attributes['ApproximateNumberOfMessages']) + int(attributes['ApproximateNumberOfMessagesNotVisible'])


def test_sqs_messages_of_completed_snapshots_of_tagged_disks_become_events_and_are_deleted_after(sqs_cloud, tmp_path):
    cloud = sqs_cloud
    queue_url = cloud.sqs.create_queue(QueueName='snapcopy-events-1')['QueueUrl']
    tagged, untagged = cloud.disks(1, SELECTOR)[0], cloud.disks(1, {'dr': 'no'})[0]
    mine, other = cloud.snapshots([tagged, untagged])
    bodies = [
        ebs_event(mine, cloud.region),
        ebs_event(other, cloud.region),
        ebs_event(mine, cloud.region, aws_events.COPY_SNAPSHOT_FAILED),
        ebs_event(mine, 'us-east-1'),
        'not json',
        json.dumps({'detail-type': 'Something else'}),
    ]
    for body in bodies:
        cloud.sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    state = str(tmp_path / 'state.json')
    events = run(cloud.args(queue_url=queue_url, poll_interval=1, state_file=state), polls=2)
    assert events == [
        {
            'snapcopy': {
                'provider': 'aws',
                'region': cloud.region,
                'disk_id': tagged,
                'snapshot_id': mine,
                'completed_at': '2026-11-25T10:00:00Z',
            }
        }
    ]
    assert messages_left(cloud, queue_url) == 0, (
        'every message read is deleted, those that name no snapshot of ours too'
    )
    # EventBridge and SQS deliver at least once: the same event again gives nothing new after a restart.
    cloud.sqs.send_message(QueueUrl=queue_url, MessageBody=bodies[0])
    assert run(cloud.args(queue_url=queue_url, poll_interval=1, state_file=state), polls=1) == []
    assert messages_left(cloud, queue_url) == 0


def test_the_sqs_reader_lists_the_tagged_disks_again_at_most_once_a_poll_interval(sqs_cloud, monkeypatch):
    """Each batch of messages is matched against the tagged disks, which are listed again only once a poll interval
    has passed (on the reader's clock): a busy queue costs no DescribeVolumes a batch."""
    cloud = sqs_cloud
    queue_url = cloud.sqs.create_queue(QueueName='snapcopy-events-disks')['QueueUrl']
    (tagged,) = cloud.disks(1, SELECTOR)
    settings = source_settings(cloud.args(queue_url=queue_url, poll_interval=30))
    adapter = new_adapter(settings, CallRetry(fast_backoff()))
    listings = []
    find_disks = adapter.find_disks
    monkeypatch.setattr(adapter, 'find_disks', lambda *args: listings.append(1) or find_disks(*args))
    now = [1000.0]
    reader = SqsReader(settings, adapter, given=GivenSnapshots(None, 'aws', cloud.region), monotonic=lambda: now[0])
    for at in (1000.0, 1029.0, 1030.0, 1059.0, 1060.0):
        now[0] = at
        assert reader.tagged_disks() == {tagged}
    assert len(listings) == 3, listings  # at 1000, 1030 and 1060


def snapshot_volume(cloud, snapshot_id):
    return cloud.ec2.describe_snapshots(SnapshotIds=[snapshot_id])['Snapshots'][0]['VolumeId']


def test_an_sqs_message_is_not_deleted_until_its_event_is_on_the_queue(sqs_cloud, tmp_path):
    cloud = sqs_cloud
    queue_url = cloud.sqs.create_queue(QueueName='snapcopy-events-2')['QueueUrl']
    snapshot_id = cloud.snapshots(cloud.disks(1, SELECTOR))[0]
    cloud.sqs.send_message(QueueUrl=queue_url, MessageBody=ebs_event(snapshot_id, cloud.region))

    class Refusing(asyncio.Queue):
        async def put(self, item):
            raise RuntimeError('the rulebook went away')

    args = cloud.args(queue_url=queue_url, poll_interval=1, state_file=str(tmp_path / 'state.json'))

    async def killed():
        await run_source(Refusing(), args, polls=1, backoff=fast_backoff())

    with pytest.raises(RuntimeError):
        asyncio.run(killed())
    assert messages_left(cloud, queue_url) == 1, (
        'the message stays in SQS: it comes again once its visibility timeout ends'
    )
    # The state file named it before the put (a restart with replay_seconds 0 repeats nothing the rulebook may have
    # had): a restart with replay_seconds gives it again, counted from when it was given, not from its endTime a day
    # before.
    assert snapshot_id in GivenSnapshots(args['state_file'], 'aws', cloud.region)
    assert run(dict(args, replay_seconds=600), polls=1) == [
        {
            'snapcopy': {
                'provider': 'aws',
                'region': cloud.region,
                'disk_id': snapshot_volume(cloud, snapshot_id),
                'snapshot_id': snapshot_id,
                'completed_at': '2026-11-25T10:00:00Z',
            }
        }
    ]


@pytest.mark.parametrize(
    'kind', [aws_events.CREATE_SNAPSHOT, aws_events.COPY_SNAPSHOT], ids=['createSnapshot', 'copySnapshot']
)
@pytest.mark.parametrize('arn_form', [None, aws_events.ACCOUNT_FIELD_FORM, aws_events.REGION_FIELD_FORM])
def test_ebs_events_name_their_snapshot_in_either_arn_form_aws_writes(kind, arn_form):
    """AWS's createSnapshot and copySnapshot examples, as the guide writes them (None) and with their ARNs in either
    form."""
    body = aws_events.example(kind, ['snap-0abc'], 'eu-north-1', time='2026-11-25T10:00:00Z', arn_form=arn_form)
    parsed = parse_ebs_message({'ReceiptHandle': 'r', 'MessageId': 'm', 'Body': body}, 'eu-north-1')
    assert parsed.snapshots == {'snap-0abc': '2026-11-25T10:00:00Z'} and parsed.problem is None


def test_a_multi_volume_event_names_each_completed_snapshot_of_its_set():
    body = aws_events.example(
        aws_events.CREATE_SNAPSHOTS, ['snap-0aaa', 'snap-0bbb'], 'eu-north-1', time='2026-11-25T10:00:00Z'
    )
    assert json.loads(body)['detail-type'] == 'EBS Multi-Volume Snapshots Completion Status'
    parsed = parse_ebs_message({'Body': body}, 'eu-north-1')
    assert (
        parsed.snapshots == {'snap-0aaa': '2026-11-25T10:00:00Z', 'snap-0bbb': '2026-11-25T10:00:00Z'}
        and parsed.problem is None
    )


@pytest.mark.parametrize(
    'kind',
    [aws_events.CREATE_SNAPSHOTS_FAILED, aws_events.COPY_SNAPSHOT_FAILED],
    ids=['createSnapshots', 'copySnapshot'],
)
def test_a_failed_ebs_event_names_no_snapshot_and_is_no_problem(kind):
    parsed = parse_ebs_message(
        {'Body': aws_events.example(kind, ['snap-0aaa', 'snap-0bbb'], 'eu-north-1')}, 'eu-north-1'
    )
    assert parsed.snapshots == {} and parsed.problem is None


@pytest.mark.parametrize(
    'arn, region',
    [
        (
            'arn:aws:ec2:us-west-2::snapshot/snap-01234567',
            'us-west-2',
        ),  # the region field (createSnapshot, copySnapshot)
        ('arn:aws:ec2::us-east-1:snapshot/snap-01234567', 'us-east-1'),  # the account field (the multi-volume event)
        (
            'arn:aws:ec2:eu-west-1:123456789012:snapshot/snap-01234567',
            'eu-west-1',
        ),  # an ARN as IAM writes it: an account of digits
        ('arn:aws-cn:ec2::cn-north-1:snapshot/snap-01234567', 'cn-north-1'),  # another partition
        ('arn:aws:ec2:::snapshot/snap-01234567', 'ap-south-2'),  # no region in the ARN: the event's
    ],
)
def test_a_snapshot_arn_gives_its_region_from_whichever_field_holds_it(arn, region):
    assert snapshot_arn(arn, 'ap-south-2') == (region, 'snap-01234567')


@pytest.mark.parametrize(
    'arn',
    [
        'snap-01234567',
        'arn:aws:ec2:us-east-1::volume/vol-01234567',
        'arn:aws:s3:::snapshot/snap-01234567',
        'arn:aws:ec2:us-east-1::snapshot/snap-XYZ',
        None,
        7,
    ],
)
def test_what_is_not_a_snapshot_arn_is_refused(arn):
    assert snapshot_arn(arn, 'us-east-1') is None


def test_the_push_path_gives_the_events_of_each_shape_aws_documents(sqs_cloud, tmp_path):
    """Each of AWS's example events, on a real SQS queue (moto), for snapshots of tagged disks: one event per snapshot,
    the multi-volume set's snapshots each, every message deleted after."""
    cloud = sqs_cloud
    queue_url = cloud.sqs.create_queue(QueueName='snapcopy-events-shapes')['QueueUrl']
    single, copied, first, second = cloud.snapshots(cloud.disks(4, SELECTOR))
    bodies = [
        ebs_event(single, cloud.region, aws_events.CREATE_SNAPSHOT, arn_form=None),
        ebs_event(copied, cloud.region, aws_events.COPY_SNAPSHOT),
        aws_events.example(aws_events.CREATE_SNAPSHOTS, [first, second], cloud.region),
    ]
    for body in bodies:
        cloud.sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    events = run(cloud.args(queue_url=queue_url, poll_interval=1, state_file=str(tmp_path / 'state.json')), polls=2)
    assert ids_of(events) == sorted([single, copied, first, second])
    assert {event['snapcopy']['completed_at'] for event in events} == {'2026-11-25T10:00:00Z'}
    assert messages_left(cloud, queue_url) == 0


def test_a_message_the_source_cannot_read_is_deleted_with_a_warning_saying_what_it_was(sqs_cloud, tmp_path, caplog):
    cloud = sqs_cloud
    queue_url = cloud.sqs.create_queue(QueueName='snapcopy-events-unread')['QueueUrl']
    snapshot_id = cloud.snapshots(cloud.disks(1, SELECTOR))[0]
    bad_arn = ebs_event(snapshot_id, cloud.region).replace(':snapshot/', ':snapshots/')
    bodies = {
        'not json': 'a note, not json',
        'another event': json.dumps({'source': 'aws.s3', 'detail-type': 'Object Created', 'detail': {}}),
        'a bad ARN': bad_arn,
        'another region': ebs_event(snapshot_id, 'us-east-1'),
    }
    sent = {
        cloud.sqs.send_message(QueueUrl=queue_url, MessageBody=body)['MessageId']: what for what, body in bodies.items()
    }
    with caplog.at_level(logging.WARNING, logger='snapcopy.cloud.snapshots'):
        events = run(cloud.args(queue_url=queue_url, poll_interval=1, state_file=str(tmp_path / 'state.json')), polls=2)
    assert events == []
    warned = {
        message_id: record.getMessage()
        for record in caplog.records
        for message_id in sent
        if message_id in record.getMessage()
    }
    assert set(warned) == set(sent), 'a warning for each message that gives no event: %s' % warned
    by_what = {sent[message_id]: text for message_id, text in warned.items()}
    assert 'a note, not json' in by_what['not json'] and 'deleted' in by_what['not json']
    assert 'aws.s3' in by_what['another event'] and 'Object Created' in by_what['another event']
    assert ':snapshots/' in by_what['a bad ARN']
    assert 'us-east-1' in by_what['another region'] and snapshot_id in by_what['another region']
    assert messages_left(cloud, queue_url) == 0


# ---------------------------------------------------------------------------------------------- the plugin file
def test_the_plugin_file_runs_as_ansible_rulebook_runs_it(fakecloud_clean, tmp_path):
    """ansible-rulebook runs the file by its path (runpy): its main takes (queue, args) and imports the collection from
    the collections folder it is in."""
    cloud = Cloud('ens', fakecloud=fakecloud_clean)
    disks = cloud.disks(1, SELECTOR)
    linked = os.path.join(
        os.environ.get('ANSIBLE_COLLECTIONS_PATH', 'build/collections').split(':')[0],
        'ansible_collections',
        'snapcopy',
        'cloud',
        'extensions',
        'eda',
        'plugins',
        'event_source',
        'snapshots.py',
    )
    module = runpy.run_path(linked if os.path.exists(linked) else PLUGIN)
    assert 'DOCUMENTATION' in module and 'EXAMPLES' in module
    queue = asyncio.Queue()
    state = str(tmp_path / 'state.json')

    async def one_poll():
        await asyncio.wait_for(module['main'](queue, cloud.args(state_file=state, poll_interval=0.5)), timeout=1.2)

    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(one_poll())  # the source runs for ever: stopped from outside, as ansible-rulebook stops it
    assert queue.empty() and json.loads(open(state, encoding='utf-8').read())['given'] == {}
    assert disks
