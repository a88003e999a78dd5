"""Every command of the pages a newcomer follows first (README.md, docs/quickstart.md, docs/events.md, docs/awx.md), run
as printed on the emulators, --check and the reruns included, each held to what the page says it does (issue 47).

The commands are read from the pages (each line of a ``sh`` block, and each command written inline in the text), never
copied here. What a reader would put in, the test puts in, and nothing else: their keys and snapshot ids (the
emulators'), and the endpoint the pages say points the modules at an emulator. Each command is run once, on emulators
that the tests share (moto's server of the module, fakecloud of the session; the quickstart's own emulators are
``make emulators``'s, in test_quickstart.py).

COVERAGE says, for every command, where it runs: here, in another test (which runs it as printed), or nowhere, and
why (it needs Galaxy, a registry, an AWX, root). A command a page gains that COVERAGE does not name fails
test_every_command_of_the_pages_runs_somewhere_or_says_why_not: a new command gets a run, or a reason.
"""

from __future__ import annotations

import json
import os
import re

import boto3
import pytest
import yaml

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.events.settings import source_settings
from ansible_collections.snapcopy.cloud.tests.docs.helpers import (
    REPO,
    Command,
    block_commands,
    clean_environment,
    recap_changed,
    shell,
)
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.conftest import moto_url  # noqa: F401  # pylint: disable=unused-import  # a fixture

PAGES = ('README.md', 'docs/quickstart.md', 'docs/events.md', 'docs/awx.md')
FENCE = re.compile(r'^( *)```(\w*)\n(.*?)^\1```', re.S | re.M)
# The commands a reader may find written inline in the text, by their first word.
COMMAND_WORDS = (
    'ansible',
    'ansible-playbook',
    'ansible-doc',
    'ansible-galaxy',
    'ansible-builder',
    'ansible-rulebook',
    'ansible-runner',
    'make',
    'pip',
    'curl',
    'podman',
)


def read(page):
    with open(os.path.join(REPO, page), encoding='utf-8') as stream:
        return stream.read()


def page_commands(page):
    """Every command of ``page``: its ``sh`` blocks' lines, then the commands written inline."""
    text = read(page)
    commands = []
    for indent, language, body in FENCE.findall(text):
        if language in ('sh', 'bash', 'shell'):
            commands.extend(block_commands(page, '\n'.join(line[len(indent) :] for line in body.splitlines())))
    for span in re.findall(r'`([^`\n]+)`', FENCE.sub('', text)):
        if span.split(' ', 1)[0] in COMMAND_WORDS and ' ' in span:
            commands.append(Command(page, span, ''))
    return commands


def commands_like(page, pattern):
    return [command for command in page_commands(page) if re.fullmatch(pattern, command.text, re.S)]


HERE, ELSEWHERE, NOT_RUN = 'here', 'elsewhere', 'not run'
# (page, the command as a regular expression, where it runs, the test that runs it or why nothing does).
COVERAGE = [
    # README.md
    (
        'README.md',
        r'ansible-galaxy collection install snapcopy\.cloud',
        NOT_RUN,
        'installs from Galaxy, which no test reaches; make release-test installs the built tarball the same way',
    ),
    (
        'README.md',
        r'pip install (?!ansible-core$).*',
        NOT_RUN,
        'installs from the package registry: what make venv does, pinned',
    ),
    (
        'README.md',
        r'make demo',
        ELSEWHERE,
        'tests/utils/release_test.sh (make release-test) runs make demo\'s playbook from the installed '
        'tarball; tests/unit/test_demo_pages.py, what make demo prints last',
    ),
    ('README.md', r'make test', NOT_RUN, 'the whole suite, of which this test is a part'),
    ('README.md', r'make units-oldest', NOT_RUN, 'a leg of make test'),
    ('README.md', r'pip install ansible-core', NOT_RUN, 'named in the text, not for a reader to run'),
    (
        'README.md',
        r'\. \.venv/bin/activate|export ANSIBLE_COLLECTIONS_PATH=\$PWD/build/collections',
        ELSEWHERE,
        'tests/docs/test_quickstart.py runs these lines, the quickstart\'s too, before its playbook',
    ),
    (
        'README.md',
        r'ansible localhost -m snapcopy\.cloud\.ebs_snapshot_copy .*',
        HERE,
        'test_readme_one_snapshot_one_copy',
    ),
    ('README.md', r'ansible-doc snapcopy\.cloud\.<module>', HERE, 'test_ansible_doc_of_a_module'),
    # docs/quickstart.md
    (
        'docs/quickstart.md',
        r'ansible-galaxy collection install .*',
        NOT_RUN,
        'Galaxy, a release tarball and GitHub: make release-test installs the built tarball with this command',
    ),
    (
        'docs/quickstart.md',
        r'export (AWS|ALICLOUD|TENCENTCLOUD)_.*',
        HERE,
        'test_quickstart_a_first_copy_check_run_rerun',
    ),
    ('docs/quickstart.md', r'ansible-playbook copy\.yml.*', HERE, 'test_quickstart_a_first_copy_check_run_rerun'),
    (
        'docs/quickstart.md',
        r'ansible-playbook snapcopy\.cloud\.dr_copy --check .*',
        HERE,
        'test_quickstart_the_dr_job_plans_copies_and_reruns',
    ),
    ('docs/quickstart.md', r'ansible-doc snapcopy\.cloud\.ebs_snapshot_copy', HERE, 'test_ansible_doc_of_a_module'),
    (
        'docs/quickstart.md',
        r'make demo',
        ELSEWHERE,
        'tests/utils/release_test.sh (make release-test) runs make demo\'s playbook; '
        'tests/unit/test_demo_pages.py, what make demo prints last',
    ),
    (
        'docs/quickstart.md',
        r'make emulators|\. \.venv/bin/activate|export ANSIBLE_COLLECTIONS_PATH=\$PWD/build/collections'
        r'|ansible-playbook my-dr\.yml .*',
        ELSEWHERE,
        'tests/docs/test_quickstart.py runs make emulators\' command and these lines',
    ),
    # docs/events.md
    (
        'docs/events.md',
        r'pip install .*|ansible-galaxy collection install snapcopy\.cloud',
        NOT_RUN,
        'the package registry and Galaxy; make eda-test installs them pinned, and the collection from its tarball',
    ),
    (
        'docs/events.md',
        r'mkdir -p ~/snapcopy-eda',
        HERE,
        'test_events_the_first_events_run_with_the_pages_files (as printed, in a home of the test\'s, as a user who is '
        'not root)',
    ),
    (
        'docs/events.md',
        r'ansible-rulebook --rulebook snapcopy\.cloud\.dr_on_snapshot -i inventory\.yml --vars scope\.yml',
        HERE,
        'test_events_the_first_events_run_with_the_pages_files (the run its rule starts, with the page\'s files; make eda-test runs '
        'ansible-rulebook itself, which this leg\'s venv has not)',
    ),
    ('docs/events.md', r'ansible-rulebook -v', NOT_RUN, 'a flag named in the text'),
    ('docs/events.md', r'make eda-test', NOT_RUN, 'a leg of make test'),
    # docs/awx.md
    (
        'docs/awx.md',
        r'pip install -r docs/requirements\.txt',
        NOT_RUN,
        'the package registry: what make docs-venv does',
    ),
    (
        'docs/awx.md',
        r'ansible-builder build .*|podman push .*',
        NOT_RUN,
        'needs podman and a registry; tests/docs/test_execution_environment.py runs ansible-builder create on the same file',
    ),
    ('docs/awx.md', r'ansible-builder create.*', ELSEWHERE, 'tests/docs/test_execution_environment.py'),
    (
        'docs/awx.md',
        r'curl .* https://awx\.example\.com/.*',
        NOT_RUN,
        'needs an AWX; tests/docs/test_awx_survey.py holds the file to AWX\'s survey checks',
    ),
    ('docs/awx.md', r'install -d .*|first=\$\(awk .*', NOT_RUN, 'needs root and an AWX execution node\'s awx user'),
    (
        'docs/awx.md',
        r'python3 -m venv ~/snapcopy-runner|~/snapcopy-runner/bin/.*|mkdir -p dr-job/.*|cat > dr-job/.*|chmod 600 .*'
        r'|PATH=~/snapcopy-runner/bin:\$PATH ansible-runner run dr-job -p dr_copy\.yml',
        ELSEWHERE,
        'tests/awx/test_awx_job.py (make awx-test) runs these lines as printed, but for the venv and the installs',
    ),
    ('docs/awx.md', r'ansible-doc snapcopy\.cloud\.dr_sync', HERE, 'test_ansible_doc_of_a_module'),
    ('docs/awx.md', r'make (awx|docs)-test', NOT_RUN, 'legs of make test'),
]


def coverage_of(command):
    return [entry for entry in COVERAGE if entry[0] == command.page and re.fullmatch(entry[1], command.text, re.S)]


def test_every_command_of_the_pages_runs_somewhere_or_says_why_not():
    commands = [command for page in PAGES for command in page_commands(page)]
    assert len(commands) > 40
    unnamed = [command for command in commands if len(coverage_of(command)) != 1]
    assert not unnamed, 'commands that COVERAGE names not once: %s' % unnamed
    stale = [entry for entry in COVERAGE if not any(entry in coverage_of(command) for command in commands)]
    assert not stale, 'COVERAGE names commands that no page has: %s' % stale
    for dummy, dummy, how, what in COVERAGE:
        if how == HERE:
            assert callable(globals().get(what.split(' ', 1)[0])), what
        elif how == ELSEWHERE:
            assert os.path.exists(os.path.join(REPO, what.split(' ', 1)[0])), what


# ------------------------------------------------------------------------------------------------ running them
def aws_environment(home, url):
    """A reader's shell on AWS: nothing of the caller's, the venv's commands on PATH, and EC2_URL (docs/credentials.md),
    which points the modules at moto's server (``url``) as a private endpoint would."""
    return clean_environment(home, EC2_URL=url)


def aws_snapshot(url, region='us-east-1', tags=None):
    ec2 = boto3.client(
        'ec2',
        region_name=region,
        endpoint_url=url,
        aws_access_key_id='AKIASNAPCOPYPAGES047',
        aws_secret_access_key='snapcopy-pages-secret',
    )
    volume = ec2.create_volume(
        Size=1,
        AvailabilityZone=region + 'a',
        TagSpecifications=[
            {
                'ResourceType': 'volume',
                'Tags': [{'Key': key, 'Value': value} for key, value in (tags or {'Name': 'pages'}).items()],
            }
        ],
    )
    return ec2.create_snapshot(VolumeId=volume['VolumeId'])['SnapshotId']


READER_AWS = {
    'AKIA...': 'AKIASNAPCOPYPAGES047',
    'AWS_SECRET_ACCESS_KEY=...': 'AWS_SECRET_ACCESS_KEY=snapcopy-pages-secret',
    'LTAI...': credentials.ALIBABA_ACCESS_KEY_ID,
    'ALICLOUD_SECRET_KEY=...': 'ALICLOUD_SECRET_KEY=' + credentials.ALIBABA_ACCESS_KEY_SECRET,
    'AKID...': credentials.TENCENT_SECRET_ID,
    'TENCENTCLOUD_SECRET_KEY=...': 'TENCENTCLOUD_SECRET_KEY=' + credentials.TENCENT_SECRET_KEY,
}


def test_readme_one_snapshot_one_copy(moto_url, tmp_path):  # noqa: F811  # pylint: disable=redefined-outer-name
    """The README's one-line copy, run twice: the copy, then the copy found (changed false, as its last lines
    promise)."""
    (command,) = commands_like('README.md', r'ansible localhost -m snapcopy\.cloud\.ebs_snapshot_copy .*')
    env = dict(
        aws_environment(tmp_path, moto_url),
        AWS_ACCESS_KEY_ID=READER_AWS['AKIA...'],
        AWS_SECRET_ACCESS_KEY='snapcopy-pages-secret',
    )
    source = aws_snapshot(moto_url)
    outputs = shell([command, command], tmp_path, env, {'snap-0123456789abcdef0': source})
    first, again = outputs[0], outputs[1]
    assert re.match(r'localhost \| CHANGED => ', first), first[-2000:]
    assert (
        re.match(r'localhost \| SUCCESS => ', again) and '"changed": false' in again and '"action": "existing"' in again
    ), again[-2000:]


def test_ansible_doc_of_a_module(tmp_path):
    for page, pattern in (
        ('README.md', r'ansible-doc snapcopy\.cloud\.<module>'),
        ('docs/quickstart.md', r'ansible-doc .*'),
        ('docs/awx.md', r'ansible-doc .*'),
    ):
        (command,) = commands_like(page, pattern)
        output = shell([command], tmp_path, clean_environment(tmp_path), {'<module>': 'ens_snapshot_copy'})[0]
        module = command.text.split()[-1].replace('<module>', 'ens_snapshot_copy')
        assert re.search(r'^> MODULE %s\b' % re.escape(module), re.sub(r'\x1b\[[0-9;]*m', '', output), re.M), output[
            :500
        ]


def test_quickstart_a_first_copy_check_run_rerun(moto_url, tmp_path):  # noqa: F811  # pylint: disable=redefined-outer-name
    """copy.yml as the page saves it, the exports, then --check --diff, the copy and the rerun, each as its comment
    says: its recap (changed or ok) and the action the playbook shows."""
    text = read('docs/quickstart.md')
    section = text[text.index('## A first copy') : text.index('## The DR job')]
    (playbook,) = re.findall(r'```yaml\n(.*?)```', section, re.S)
    # "with the ID of one of your snapshots"
    source = aws_snapshot(moto_url)
    (tmp_path / 'copy.yml').write_text(playbook.replace('snap-0123456789abcdef0', source))
    exports = commands_like('docs/quickstart.md', r'export (AWS|ALICLOUD|TENCENTCLOUD)_.*')
    runs = commands_like('docs/quickstart.md', r'ansible-playbook copy\.yml.*')
    assert [run.text for run in runs] == [
        'ansible-playbook copy.yml --check --diff',
        'ansible-playbook copy.yml',
        'ansible-playbook copy.yml',
    ]
    outputs = shell(exports + runs, tmp_path, aws_environment(tmp_path, moto_url), READER_AWS)
    for run, output in zip(runs, outputs):
        status, action = re.match(r'(changed|ok): .*\(action: (\w+)\)', run.claim).groups()
        assert (recap_changed(output) > 0) == (status == 'changed'), (run, output[-2000:])
        assert re.search(r'"msg": "%s: ' % action, output), (run, output[-2000:])


def test_quickstart_the_dr_job_plans_copies_and_reruns(moto_url, tmp_path):  # noqa: F811  # pylint: disable=redefined-outer-name
    """The DR job as printed (--check): the report is the plan. As the text goes on: without --check the copies are
    made, and a rerun changes nothing. The report files are where the page says."""
    (command,) = commands_like('docs/quickstart.md', r'ansible-playbook snapcopy\.cloud\.dr_copy --check .*')
    exports = commands_like('docs/quickstart.md', r'export (AWS|ALICLOUD|TENCENTCLOUD)_.*')
    env = aws_environment(tmp_path, moto_url)
    scope = tmp_path / 'dr-reports' / 'dr-report-aws-us-east-1'
    mine = {aws_snapshot(moto_url, tags={'backup': 'dr', 'Name': 'pages-%d' % index}) for index in range(2)}
    real = command._replace(text=command.text.replace(' --check ', ' ', 1))
    totals = []
    for run in (command, real, real):
        output = shell(exports + [run], tmp_path, env, READER_AWS)[0]
        # A check run writes its plan beside the scope's report, never in its place (issue 47).
        report = scope.with_name('dr-plan-aws-us-east-1') if run is command else scope
        assert all(report.with_suffix(suffix).exists() for suffix in ('.json', '.md', '.html'))
        data = json.loads(report.with_suffix('.json').read_text())
        totals.append((recap_changed(output), data['totals']))
    # Other tests' disks in moto's us-east-1 may carry backup=dr too: the counts are the scope's, these two among them.
    plan, (changed, made), (again, rerun) = totals[0][1], totals[1], totals[2]
    assert plan['would_copy'] >= len(mine) and plan['copied'] == 0, plan
    assert changed > 0 and made['copied'] == plan['would_copy'], made
    assert again == 0 and rerun['copied'] == 0 and rerun['existing'] == made['copied'] + made['existing'], rerun


def test_events_page_names_every_variable_of_the_rulebook():
    """snapcopy_endpoint_url was named in a comment of the rulebook only: the page lists every variable it reads."""
    rulebook = read('extensions/eda/rulebooks/dr_on_snapshot.yml')
    variables = set(re.findall(r'\b(snapcopy_\w+)\s*(?:\||\}\})', rulebook))
    assert {'snapcopy_endpoint_url', 'snapcopy_provider', 'snapcopy_session_token'} <= variables
    page = read('docs/events.md')
    table = page[page.index('| variable | what |') :]
    table = table[: table.index('\n\n')]
    named = set(re.findall(r'`(snapcopy_\w+)`', table))
    assert variables == named, 'the rulebook reads %s; the page\'s table names %s' % (sorted(variables), sorted(named))


def test_events_the_first_events_run_with_the_pages_files(fakecloud_clean, tmp_path, monkeypatch):
    """The run the rule starts for the first event (ansible-rulebook's run_playbook: ansible-playbook with the page's
    inventory, the rule's extra_vars and ansible_eda), with the page's scope.yml and inventory.yml as printed, but for
    the emulator's endpoint (the page's commented line). The page's inventory lacked ansible_python_interpreter: Ansible
    then ran the modules with the system's python3, which has no SDK, and the first event's run failed. Its state file
    and reports were in /var/lib/eda, which the page never said to make and a user who is not root cannot (issue 62):
    the page's folder, made by the page's mkdir in the user's home, is where the source's state file is accepted and
    the run writes its reports."""
    (command,) = commands_like('docs/events.md', r'ansible-rulebook --rulebook .*')
    (make_folder,) = commands_like('docs/events.md', r'mkdir -p .*')
    text = read('docs/events.md')
    blocks = {block.split('\n', 1)[0]: block for block in re.findall(r'```yaml\n(.*?)```', text, re.S)}
    scope = yaml.safe_load(next(block for block in blocks.values() if block.startswith('snapcopy_provider:')))
    inventory_text = next(block for block in blocks.values() if block.startswith('all:\n  hosts:\n    localhost:'))
    assert '# dr_copy_connection: {endpoint_url: ' in inventory_text
    inventory_text = re.sub(
        r'# (dr_copy_connection: \{endpoint_url: )[^}]+\}', r'\1%s}' % fakecloud_clean.url, inventory_text
    )
    inventory = yaml.safe_load(inventory_text)
    (tmp_path / 'inventory.yml').write_text(yaml.safe_dump(inventory))
    # The source's own check of its state file (the event source runs it at its start), in the test's home: refused
    # before the page's mkdir, accepted after it.
    monkeypatch.setenv('HOME', str(tmp_path))
    state_file = {
        'provider': scope['snapcopy_provider'],
        'region': scope['snapcopy_region'],
        'tag_selector': scope['snapcopy_tag_selector'],
        'state_file': scope['snapcopy_state_file'],
    }
    with pytest.raises(InputError, match='folder that does not exist'):
        source_settings(state_file, environ={})
    env = clean_environment(
        tmp_path,
        ALICLOUD_ACCESS_KEY=credentials.ALIBABA_ACCESS_KEY_ID,
        ALICLOUD_SECRET_KEY=credentials.ALIBABA_ACCESS_KEY_SECRET,
    )
    shell([make_folder], tmp_path, env)
    assert source_settings(state_file, environ={}).state_file.startswith(str(tmp_path) + os.sep)
    disk = fakecloud_clean.admin.seed(
        ecs={'disks': [{'region': scope['snapcopy_region'], 'tags': scope['snapcopy_tag_selector'], 'snapshots': 1}]}
    )
    disk_id, snapshot_id = disk['ecs']['disks'][0], disk['ecs']['snapshots'][0]
    # What the rule's action passes: its extra_vars (rendered with the scope's variables) and the event.
    rulebook = yaml.safe_load(read('extensions/eda/rulebooks/dr_on_snapshot.yml'))
    action = rulebook[0]['rules'][0]['action']['run_playbook']
    extra = {
        name: scope[re.fullmatch(r'\{\{ (\w+) \}\}', value).group(1)] for name, value in action['extra_vars'].items()
    }
    extra['ansible_eda'] = {
        'ruleset': rulebook[0]['name'],
        'rule': rulebook[0]['rules'][0]['name'],
        'event': {
            'snapcopy': {
                'provider': scope['snapcopy_provider'],
                'region': scope['snapcopy_region'],
                'disk_id': disk_id,
                'snapshot_id': snapshot_id,
                'completed_at': '2026-11-26T00:00:00Z',
            }
        },
    }
    (tmp_path / 'event.json').write_text(json.dumps(extra))
    assert command.text.split()[:3] == ['ansible-rulebook', '--rulebook', action['name']]
    # The credentials from the environment, as the page says (env, above); the rulebook's Python first on PATH.
    run = command._replace(text='ansible-playbook %s -i inventory.yml -e @event.json' % action['name'])
    output = shell([run], tmp_path, env)[0]
    assert recap_changed(output) > 0, output[-3000:]
    reports = os.path.expanduser(inventory['all']['hosts']['localhost']['dr_copy_report_dir'])
    assert reports.startswith(str(tmp_path) + os.sep), reports
    assert any(name.endswith('.json') for name in os.listdir(reports)), os.listdir(reports)
    copies = fakecloud_clean.admin.state(
        cloud='ecs', region=inventory['all']['hosts']['localhost']['dr_copy_dr_regions'][0]
    )['ecs']
    assert [snapshot['source_snapshot_id'] for region in copies.values() for snapshot in region['snapshots']] == [
        snapshot_id
    ]
