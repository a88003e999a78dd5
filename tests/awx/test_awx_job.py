"""The DR job the way AWX runs it: ansible-runner in an execution environment (EE).

What an EE built by ansible-builder 3 gives a job, and what this test reproduces:
- the collection installed from its release tarball into a folder the job cannot write to
  (in the image: /usr/share/ansible/collections, owned by root);
- a user that is not root (the image runs as uid 1000), with a HOME of its own (/runner);
- ansible-runner with ansible-core and the cloud SDKs (.venv-awx, tests/requirements-awx.txt);
- the project's one-line dr_copy.yml that imports snapcopy.cloud.dr_copy, from docs/awx.md;
- the private data dir AWX writes for a job: credentials as the Alibaba Cloud credential type
  injects them (env/envvars), the survey's answers and the job template's extra variables
  (env/extravars), --check for a job of type Check (env/cmdline), the localhost inventory.

As root (CI), the jobs run as a throwaway system user made here with useradd; otherwise as the
user running the tests. `make awx-test` runs this folder and sets SNAPCOPY_AWX_VENV.
"""

from __future__ import annotations

import glob
import grp
import json
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import uuid

import pytest
import yaml

from ansible_collections.snapcopy.cloud.tests.docs.helpers import DOCS, REPO, ansible_bin
from ansible_collections.snapcopy.cloud.tests.docs.test_awx_credentials import load, render_injectors
from ansible_collections.snapcopy.cloud.tests.docs.test_awx_survey import answers
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as fake
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.local_server import QuietHandler, serving

SECRET = fake.ALIBABA_ACCESS_KEY_SECRET
JOB_TIMEOUT = 300
INVENTORY = {
    'all': {
        'hosts': {
            'localhost': {'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}'}
        }
    }
}


def project_playbook(name):
    """A project file docs/awx.md tells admins to commit: the YAML block of <name>.yml (its first line names it), which
    imports snapcopy.cloud.<name>. (Another project file, dr_scope.yml, imports it too.)"""
    with open(os.path.join(DOCS, 'awx.md'), encoding='utf-8') as stream:
        blocks = re.findall(r'^```yaml\n(.*?)^```', stream.read(), re.S | re.M)
    found = [
        block
        for block in blocks
        if block.startswith('# %s.yml ' % name)
        and re.search(r'import_playbook: snapcopy\.cloud\.%s$' % name, block, re.M)
    ]
    assert len(found) == 1, 'docs/awx.md shows one project playbook %s.yml that imports snapcopy.cloud.%s' % (
        name,
        name,
    )
    return found[0]


# ---------------------------------------------------------------------------------- the environment
class JobUser:
    """Who the jobs run as: uid, gid, and the arguments that make subprocess switch to them."""

    def __init__(self, uid, gid, name):
        self.uid, self.gid, self.name = uid, gid, name

    @property
    def switch(self):
        if os.geteuid() != 0:
            return {}
        return {'user': self.uid, 'group': self.gid, 'extra_groups': []}

    def own(self, path):
        """Give ``path`` and everything under it to the job's user (a no-op when that is us)."""
        if os.geteuid() != 0:
            return
        for root, dirs, files in os.walk(path):
            for name in [root] + [os.path.join(root, entry) for entry in dirs + files]:
                os.lchown(name, self.uid, self.gid)


@pytest.fixture(scope='module')
def awx_venv():
    venv = os.environ.get('SNAPCOPY_AWX_VENV')
    if not venv or not os.path.exists(os.path.join(venv, 'bin', 'ansible-runner')):
        pytest.fail('SNAPCOPY_AWX_VENV must name the venv of tests/requirements-awx.txt: run `make awx-test`')
    return venv


@pytest.fixture(scope='module')
def workspace():
    """A folder every user can enter (pytest's tmp_path is private to root)."""
    folder = tempfile.mkdtemp(prefix='snapcopy-awx-')
    os.chmod(folder, 0o755)
    yield folder
    for root, dirs, _files in os.walk(folder):  # the read-only collection, when not root
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
    shutil.rmtree(folder)


@pytest.fixture(scope='module')
def job_user(workspace):
    if os.geteuid() != 0:
        yield JobUser(os.getuid(), os.getgid(), pwd.getpwuid(os.getuid()).pw_name)
        return
    name = 'snapcopy-awx-%s' % uuid.uuid4().hex[:8]
    subprocess.run(
        [
            'useradd',
            '--system',
            '--user-group',
            '--no-create-home',
            '--home-dir',
            os.path.join(workspace, 'home'),
            '--shell',
            '/usr/sbin/nologin',
            name,
        ],
        check=True,
    )
    try:
        entry = pwd.getpwnam(name)
        yield JobUser(entry.pw_uid, entry.pw_gid, name)
    finally:
        subprocess.run(['userdel', name], check=True)


@pytest.fixture(scope='module')
def home(workspace, job_user):
    folder = os.path.join(workspace, 'home')
    os.makedirs(folder, mode=0o700)
    job_user.own(folder)
    return folder


@pytest.fixture(scope='module')
def collections(workspace, job_user):
    """The release tarball installed as in an EE image: owned by root (when we are root), read-only."""
    dist = os.path.join(workspace, 'dist')
    subprocess.run(
        [ansible_bin('ansible-galaxy'), 'collection', 'build', '--force', '--output-path', dist, REPO],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (tarball,) = glob.glob(os.path.join(dist, 'snapcopy-cloud-*.tar.gz'))
    folder = os.path.join(workspace, 'collections')
    subprocess.run(
        [ansible_bin('ansible-galaxy'), 'collection', 'install', '--force', '-p', folder, tarball],
        check=True,
        stdout=subprocess.DEVNULL,
        env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=folder),
    )
    for root, dirs, files in os.walk(folder, topdown=False):
        for name in files + dirs:
            path = os.path.join(root, name)
            mode = os.lstat(path).st_mode
            os.chmod(path, (mode & 0o7777) & ~0o222 | 0o444 | (0o111 if mode & 0o111 else 0))
    os.chmod(folder, 0o555)
    installed = os.path.join(folder, 'ansible_collections', 'snapcopy', 'cloud')
    probe = subprocess.run(
        ['touch', os.path.join(installed, 'playbooks', 'probe')],
        **job_user.switch,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    assert probe.returncode != 0 and 'Permission denied' in probe.stdout, (
        'the job user must not be able to write the collection'
    )
    if os.geteuid() == 0:
        assert os.stat(installed).st_uid == 0 and job_user.uid != 0
    return folder


class Job:
    """One finished ansible-runner job: its status, stdout, events and the stats AWX keeps as artifacts."""

    def __init__(self, private_data_dir, ident, returncode, output):
        self.artifacts = os.path.join(private_data_dir, 'artifacts', ident)
        self.returncode, self.output = returncode, output
        self.status = self.read('status')
        self.stdout = self.read('stdout')
        self.events = []
        for path in glob.glob(os.path.join(self.artifacts, 'job_events', '*.json')):
            with open(path, encoding='utf-8') as stream:
                self.events.append(json.load(stream))
        self.events.sort(key=lambda event: event['counter'])

    def read(self, name):
        with open(os.path.join(self.artifacts, name), encoding='utf-8') as stream:
            return stream.read()

    @property
    def artifact_data(self):
        stats = [event for event in self.events if event['event'] == 'playbook_on_stats']
        assert len(stats) == 1, [event['event'] for event in self.events]
        return stats[0]['event_data']['artifact_data']

    def task_events(self, task):
        return [
            (event['counter'], event['event'])
            for event in self.events
            if event.get('event_data', {}).get('task') == task
        ]

    def files_with_text(self, text):
        """Every job event, stdout and stderr file of the job that holds ``text``."""
        paths = glob.glob(os.path.join(self.artifacts, 'job_events', '*.json')) + [
            os.path.join(self.artifacts, name)
            for name in ('stdout', 'stderr')
            if os.path.exists(os.path.join(self.artifacts, name))
        ]
        hits = []
        for path in paths:
            with open(path, encoding='utf-8') as stream:
                if text in stream.read():
                    hits.append(path)
        return hits


def runner_environment(awx_venv, home, collections):
    """The environment ansible-runner starts with in the execution environment: its venv, the user's home, the
    collection installed read-only."""
    return {
        'PATH': os.path.join(awx_venv, 'bin') + ':/usr/bin:/bin',
        'HOME': home,
        'LANG': 'C.UTF-8',
        'ANSIBLE_COLLECTIONS_PATH': collections,
        'ANSIBLE_NOCOLOR': '1',
    }


@pytest.fixture
def run_job(awx_venv, workspace, job_user, home, collections):
    """Run a project playbook (dr_copy.yml, dr_alert.yml) as AWX would, with these extra variables."""

    def run(name, extravars, check=False, extra_env=None, playbook='dr_copy'):
        private_data_dir = os.path.join(workspace, 'jobs', name)
        files = {
            'project/%s.yml' % playbook: project_playbook(playbook),
            'inventory/hosts.yml': yaml.safe_dump(INVENTORY),
            'env/extravars': json.dumps(extravars),
            # The credential's injectors, and what AWX's "Extra Environment Variables" setting adds.
            'env/envvars': json.dumps(
                dict(
                    render_injectors(
                        load('alicloud'), {'access_key': fake.ALIBABA_ACCESS_KEY_ID, 'secret_key': SECRET}
                    ),
                    **(extra_env or {}),
                )
            ),
        }
        if check:
            files['env/cmdline'] = '--check'
        for relative, content in files.items():
            path = os.path.join(private_data_dir, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w', encoding='utf-8') as stream:
                stream.write(content)
        os.chmod(os.path.join(workspace, 'jobs'), 0o755)
        job_user.own(private_data_dir)
        env = runner_environment(awx_venv, home, collections)
        done = subprocess.run(
            [
                os.path.join(awx_venv, 'bin', 'ansible-runner'),
                'run',
                private_data_dir,
                '--ident',
                name,
                '-p',
                '%s.yml' % playbook,
            ],
            env=env,
            cwd=private_data_dir,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=JOB_TIMEOUT,
            check=False,
            **job_user.switch,
        )
        return Job(private_data_dir, name, done.returncode, done.stdout)

    return run


def survey_answers(fakecloud_url, **given):
    """What AWX sends: the survey's answers as it types them (text as text), plus the job template's extra variables."""
    extravars = answers(
        dr_copy_provider='ecs',
        dr_copy_source_region='cn-hangzhou',
        dr_copy_dr_regions='cn-shanghai, cn-beijing',
        **given,
    )
    assert extravars['dr_copy_tag_selector'] == 'backup=dr' and extravars['dr_copy_wait'] == 'false'
    extravars['dr_copy_connection'] = {'endpoint_url': fakecloud_url}
    return extravars


def seed_disks(cloud, tagged=3, without_snapshot=0):
    return cloud.admin.seed(
        ecs={
            'disks': [{'region': 'cn-hangzhou', 'tags': {'backup': 'dr'}, 'snapshots': 2}] * tagged
            + [{'region': 'cn-hangzhou', 'tags': {'backup': 'dr'}, 'snapshots': 0}] * without_snapshot
            + [{'region': 'cn-hangzhou', 'tags': {'backup': 'no'}, 'snapshots': 1}]
        }
    )


def report_paths(folder, what='report'):
    """The scope's report files; a check job's are its plan's (``what`` 'plan': dr-plan-<scope>)."""
    return {
        'json': os.path.join(folder, 'dr-%s-ecs-cn-hangzhou.json' % what),
        'markdown': os.path.join(folder, 'dr-%s-ecs-cn-hangzhou.md' % what),
        'html': os.path.join(folder, 'dr-%s-ecs-cn-hangzhou.html' % what),
    }


def read_json(path):
    with open(path, encoding='utf-8') as stream:
        return json.load(stream)


def assert_no_secret(job, report_folder, what='report'):
    assert SECRET not in job.output
    assert not job.files_with_text(SECRET), 'the access key secret is in the job\'s artifacts'
    for path in report_paths(report_folder, what).values():
        with open(path, encoding='utf-8') as stream:
            assert SECRET not in stream.read(), path


# ---------------------------------------------------------------------------------- the jobs
def test_check_job_plans_and_publishes_the_plan(run_job, fakecloud_clean, home, job_user):
    seed_disks(fakecloud_clean)
    job = run_job('check', survey_answers(fakecloud_clean.url), check=True)
    assert job.returncode == 0 and job.status == 'successful', job.stdout[-4000:]
    assert fakecloud_clean.admin.calls()['total_mutations'] == 0

    # A check run writes a plan, never the scope's report and page (issue 47).
    paths = report_paths(os.path.join(home, 'dr-reports'), 'plan')
    assert not os.path.exists(report_paths(os.path.join(home, 'dr-reports'))['json'])
    report = read_json(paths['json'])
    assert report['check_mode'] is True and report['totals']['would_copy'] == 6
    assert os.stat(paths['json']).st_uid == job_user.uid
    assert 'Report files: %s, %s, %s' % (paths['json'], paths['markdown'], paths['html']) in job.stdout

    run = job.artifact_data['dr_copy_runs']['ecs-cn-hangzhou']
    assert run['check_mode'] is True
    assert run['provider'] == 'ecs' and run['source_region'] == 'cn-hangzhou'
    assert run['dr_regions'] == ['cn-shanghai', 'cn-beijing']
    assert run['totals']['would_copy'] == 6 and run['totals']['disks'] == 3
    assert run['failure_count'] == 0 and run['failures'] == []
    assert run['report_files'] == paths
    assert run['generated_at'] == report['generated_at']
    # Issue 64: the plan's totals, the JSON plan's own figures; Alibaba's copy transfer has no price: not complete.
    plan = report['plan']
    # ECS's transfer has no price in the collection: once is not known, null, never 0.
    assert plan['cost']['once'] == 0 and plan['cost']['unpriced']
    assert run['plan'] == {
        'monthly': plan['cost']['monthly'],
        'once': None,
        'complete': False,
        'monthly_complete': True,
        'once_complete': False,
        'full': plan['full'],
        'preflight': len(plan['preflight']),
    }
    assert plan['full'] == 6 and plan['cost']['monthly'] > 0 and not plan['cost']['complete']
    assert_no_secret(job, os.path.join(home, 'dr-reports'), 'plan')


def test_run_job_copies_writes_the_reports_in_home_and_publishes_the_totals(run_job, fakecloud_clean, home):
    seed_disks(fakecloud_clean)
    job = run_job('run', survey_answers(fakecloud_clean.url, dr_copy_prune='true'))
    assert job.returncode == 0 and job.status == 'successful', job.stdout[-4000:]
    paths = report_paths(os.path.join(home, 'dr-reports'))
    report = read_json(paths['json'])
    assert report['check_mode'] is False and report['totals']['copied'] == 6
    with open(paths['markdown'], encoding='utf-8') as stream:
        assert stream.read().startswith('# DR copy report: ecs cn-hangzhou')
    run = job.artifact_data['dr_copy_runs']['ecs-cn-hangzhou']
    assert run['check_mode'] is False and run['totals'] == report['totals']
    assert run['failure_count'] == 0
    assert_no_secret(job, os.path.join(home, 'dr-reports'))


def test_failing_job_writes_its_report_and_stats_before_it_fails(run_job, fakecloud_clean, workspace, job_user):
    """Also: SNAPCOPY_DR_REPORT_DIR (set in AWX's Extra Environment Variables) moves the reports, here to a folder
    that stands for a volume mounted into the execution environment, made as docs/awx.md says: the job's group may
    write it, nobody else may."""
    mounted = os.path.join(workspace, 'mounted-reports')
    with open(os.path.join(DOCS, 'awx.md'), encoding='utf-8') as handle:
        guide = handle.read()
    command = 'install -d -m 2770 -o root -g awx /var/lib/dr-reports'
    assert command in guide
    if os.geteuid() == 0:
        subprocess.run(
            command.replace('-g awx', '-g %s' % grp.getgrgid(job_user.gid).gr_name)
            .replace('/var/lib/dr-reports', mounted)
            .split(),
            check=True,
        )
    else:  # the job runs as this user: its own group's folder
        os.makedirs(mounted)
        os.chmod(mounted, 0o2770)
    assert os.stat(mounted).st_mode & 0o7777 == 0o2770
    seed_disks(fakecloud_clean, tagged=2, without_snapshot=1)
    job = run_job('failing', survey_answers(fakecloud_clean.url), extra_env={'SNAPCOPY_DR_REPORT_DIR': mounted})
    assert job.returncode != 0 and job.status == 'failed', job.stdout[-4000:]
    report = read_json(report_paths(mounted)['json'])
    assert report['totals']['without_dr_copy'] == 1 and len(report['failures']) == 1
    run = job.artifact_data['dr_copy_runs']['ecs-cn-hangzhou']
    assert run['failure_count'] == 1 and run['failures'] == report['failures']
    assert 'no completed snapshot' in run['failures'][0]
    assert run['report_files'] == report_paths(mounted)
    # The order: the report (dr_sync's task writes it, with report_dir), then the stats, then the failure.
    written = job.task_events('Copy the newest snapshot of each tagged disk to the DR regions')
    published = job.task_events('Publish the run\'s summary as stats')
    failed = job.task_events('Fail when a disk ended without a DR copy, or anything else failed')
    assert (
        written[-1][1] == 'runner_on_ok' and published[-1][1] == 'runner_on_ok' and failed[-1][1] == 'runner_on_failed'
    )
    assert written[-1][0] < published[-1][0] < failed[-1][0]
    assert 'see the report %s' % report_paths(mounted)['markdown'] in job.stdout
    assert all(os.stat(path).st_gid == job_user.gid for path in report_paths(mounted).values())
    assert_no_secret(job, mounted)


class Webhook(QuietHandler):
    """A chat's incoming webhook: keeps each JSON body posted to it."""

    posted: list = []

    def do_POST(self):  # pylint: disable=invalid-name  # http.server's name
        self.posted.append(json.loads(self.rfile.read(int(self.headers.get('Content-Length') or 0))))
        self.answer(200, 'text/plain', b'ok')


@pytest.fixture
def webhook():
    Webhook.posted = []
    with serving(Webhook) as url:
        yield url + '/hooks/dr', Webhook.posted


def test_workflow_alert_node_reports_the_failures_from_the_dr_jobs_stats(run_job, fakecloud_clean, webhook):
    """The workflow of docs/awx.md: the DR job fails, and its on-failure node (dr_alert.yml) gets the DR job's
    artifacts as extra variables, as AWX passes them, and posts the failures to the chat webhook."""
    url, posted = webhook
    seed_disks(fakecloud_clean, tagged=1, without_snapshot=1)
    dr_job = run_job('workflow-dr', survey_answers(fakecloud_clean.url))
    assert dr_job.status == 'failed', dr_job.stdout[-4000:]
    run = dr_job.artifact_data['dr_copy_runs']['ecs-cn-hangzhou']

    alert = run_job('workflow-alert', dict(dr_job.artifact_data, dr_alert_webhook_url=url), playbook='dr_alert')
    assert alert.returncode == 0 and alert.status == 'successful', alert.stdout[-4000:]
    assert len(posted) == 1, posted
    text = posted[0]['text']
    assert text.startswith('DR copy: 1 of 1 run(s) left disks without a DR copy.')
    assert 'ecs cn-hangzhou -> cn-shanghai, cn-beijing' in text and run['report_files']['markdown'] in text
    assert run['failures'][0] in text and 'no completed snapshot' in text
    assert url not in alert.stdout, 'the webhook URL (its secret) is in the output'

    # A DR job that failed before its report has no stats: the alert says so.
    no_stats = run_job('workflow-alert-no-stats', {'dr_alert_webhook_url': url}, playbook='dr_alert')
    assert no_stats.status == 'successful', no_stats.stdout[-4000:]
    assert posted[1]['text'].startswith('DR copy: the DR job failed before its report')


def test_the_test_environment_is_the_documented_execution_environment():
    """ansible-runner and ansible-core of .venv-awx are versions docs/awx/execution-environment.yml would install."""
    from packaging.requirements import Requirement  # pylint: disable=import-outside-toplevel

    with open(os.path.join(DOCS, 'awx', 'execution-environment.yml'), encoding='utf-8') as stream:
        dependencies = yaml.safe_load(stream)['dependencies']
    with open(os.path.join(REPO, 'tests', 'requirements-awx.txt'), encoding='utf-8') as stream:
        pins = dict(line.split('==') for line in stream.read().splitlines() if line and not line.startswith('#'))
    for name in ('ansible_core', 'ansible_runner'):
        wanted = Requirement(dependencies[name]['package_pip'])
        assert wanted.specifier.contains(pins[wanted.name]), (wanted, pins[wanted.name])


def test_the_guides_ansible_runner_recipe_runs_the_job_as_it_says(
    awx_venv, workspace, job_user, home, collections, fakecloud_clean
):
    """docs/awx.md's copy-paste recipe, run line for line as the job's user in a shell, but for its first three lines
    (the venv and the installs: here .venv-awx and the collection from the release tarball), and with the emulator's
    keys for the placeholders and its address added to the extra variables."""
    with open(os.path.join(DOCS, 'awx.md'), encoding='utf-8') as handle:
        guide = handle.read()
    section = guide[guide.index('## 11. The same job with ansible-runner') :]
    (recipe,) = re.findall(r'^```sh\n(.*?)^```', section[: section.index('\n## ', 10)], re.S | re.M)
    lines = recipe.splitlines()
    assert lines[0].startswith('python3 -m venv ~/snapcopy-runner') and 'pip install ansible-runner' in lines[1]
    assert lines[2].startswith('~/snapcopy-runner/bin/ansible-galaxy collection install snapcopy.cloud')
    script = (
        '\n'.join(lines[3:])
        .replace('your-access-key-id', fake.ALIBABA_ACCESS_KEY_ID)
        .replace('your-access-key-secret', SECRET)
    )
    script = script.replace('~/snapcopy-runner', awx_venv)
    # The emulator's address: a job template's extra variable, outside the recipe.
    script = script.replace(
        'dr_copy_tag_selector: backup=dr\n',
        'dr_copy_tag_selector: backup=dr\ndr_copy_connection: {endpoint_url: %s}\n' % fakecloud_clean.url,
    )
    seed_disks(fakecloud_clean, tagged=2)
    folder = os.path.join(workspace, 'recipe')
    os.makedirs(folder)
    job_user.own(folder)
    env = {
        'PATH': '/usr/bin:/bin',
        'HOME': home,
        'LANG': 'C.UTF-8',
        'ANSIBLE_COLLECTIONS_PATH': collections,
        'ANSIBLE_NOCOLOR': '1',
    }
    done = subprocess.run(
        ['bash', '-euc', script],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=JOB_TIMEOUT,
        check=False,
        **job_user.switch,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert 'Copy the newest snapshot of each tagged disk to the DR regions' in done.stdout
    report = read_json(os.path.join(home, 'dr-reports', 'dr-report-ecs-cn-hangzhou.json'))
    assert report['dr_regions'] == ['cn-shanghai', 'cn-beijing'] and report['totals']['copied'] == 4
    (ident,) = os.listdir(os.path.join(folder, 'dr-job', 'artifacts'))
    job = Job(os.path.join(folder, 'dr-job'), ident, done.returncode, done.stdout)
    assert (
        job.status == 'successful'
        and job.artifact_data['dr_copy_runs']['ecs-cn-hangzhou']['totals'] == report['totals']
    )
    assert not job.files_with_text(SECRET) and SECRET not in done.stdout


# ---------------------------------------------------------------------------------- the inventory source
# What an AWX inventory update does with a source "Sourced from a Project": ansible-inventory --list --export on the
# project's file, through ansible-runner, with the credential's injected environment; AWX's inventory import then takes
# the groups, their variables and the hosts' variables from that JSON.
INVENTORY_UPDATE = '''
import json, os, sys
import ansible_runner
private_data_dir, source, output = sys.argv[1:4]
with open(os.path.join(private_data_dir, 'env', 'envvars'), encoding='utf-8') as stream:
    envvars = json.load(stream)
out, err, rc = ansible_runner.run_command(
    executable_cmd='ansible-inventory',
    cmdline_args=['-i', source, '--playbook-dir', os.path.dirname(source), '--list', '--export', '--output', output],
    private_data_dir=private_data_dir, envvars=envvars, runner_mode='subprocess', quiet=True, timeout=120,
)
print(json.dumps({'rc': rc, 'stdout': out, 'stderr': err}))
'''


def project_file(name):
    """A file docs/awx.md tells admins to commit to the project: the YAML block whose first line names it."""
    with open(os.path.join(DOCS, 'awx.md'), encoding='utf-8') as stream:
        blocks = re.findall(r'^( *)```yaml\n(.*?)^\1```', stream.read(), re.S | re.M)
    found = [
        re.sub(r'^' + indent, '', block, flags=re.M)
        for indent, block in blocks
        if block.lstrip().startswith('# %s ' % name)
    ]
    assert len(found) == 1, 'docs/awx.md shows one project file %s' % name
    return found[0]


def legacy_value(node):
    """A value of ansible-inventory's JSON as the script inventory reads it back when AWX hands the imported inventory to a
    job: a string that came from outside the playbook is written {"__ansible_unsafe": text} (ansible-core's legacy
    inventory profile)."""
    return node['__ansible_unsafe'] if set(node) == {'__ansible_unsafe'} else node


def test_the_organisation_is_an_inventory_source_as_awx_updates_one(
    awx_venv, workspace, job_user, home, collections, fakecloud_clean
):
    created = fakecloud_clean.admin.seed(
        resource_directory={
            'folders': [{'name': 'prod'}, {'name': 'sandbox'}],
            'generate': [
                {'count': 3, 'prefix': 'app', 'folders': ['prod']},
                {'count': 1, 'prefix': 'try', 'folders': ['sandbox']},
            ],
        }
    )['resource_directory']
    private_data_dir = os.path.join(workspace, 'inventory-update')
    source = os.path.join(private_data_dir, 'project', 'alibaba.dr_scopes.yml')
    os.makedirs(os.path.dirname(source))
    os.makedirs(os.path.join(private_data_dir, 'env'))
    # The docs' file as it is, and the emulator's address (an AWX of the real cloud needs none).
    with open(source, 'w', encoding='utf-8') as stream:
        stream.write(project_file('alibaba.dr_scopes.yml') + 'connection: {endpoint_url: "%s"}\n' % fakecloud_clean.url)
    with open(os.path.join(private_data_dir, 'env', 'envvars'), 'w', encoding='utf-8') as stream:
        json.dump(
            render_injectors(load('alicloud'), {'access_key': fake.ALIBABA_ACCESS_KEY_ID, 'secret_key': SECRET}), stream
        )
    job_user.own(private_data_dir)
    output = os.path.join(private_data_dir, 'inventory.json')
    done = subprocess.run(
        [os.path.join(awx_venv, 'bin', 'python'), '-c', INVENTORY_UPDATE, private_data_dir, source, output],
        env=runner_environment(awx_venv, home, collections),
        cwd=private_data_dir,
        capture_output=True,
        text=True,
        timeout=JOB_TIMEOUT,
        check=False,
        **job_user.switch,
    )
    update = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else {}
    assert update.get('rc') == 0, done.stdout + done.stderr
    assert SECRET not in done.stdout + done.stderr
    with open(output, encoding='utf-8') as stream:
        imported = json.load(stream, object_hook=legacy_value)
    apps = created['accounts'][:3]
    # The management account is a member of its directory too: its own disks are a scope.
    kept = [*apps, fake.ALIBABA_ACCOUNT_ID]
    assert set(imported['ecs']['hosts']) == {'ecs-%s-cn-hangzhou' % account for account in kept}
    assert 'ecs' in imported['dr_scopes']['children']
    host = imported['_meta']['hostvars']['ecs-%s-cn-hangzhou' % apps[0]]
    assert host['dr_copy_connection'] == {'alicloud_assume_role_arn': 'acs:ram::%s:role/snapcopy-dr' % apps[0]}
    assert host['dr_copy_dr_regions'] == ['cn-shanghai'] and host['dr_copy_tag_selector'] == {'backup': 'dr'}
    (record,) = imported['dr_scopes']['vars'].values()
    left = {row['account']: row['left_out'] for row in record['accounts'] if row['left_out']}
    assert left == {created['accounts'][3]: 'excluded: in unit sandbox'}
    assert SECRET not in json.dumps(imported)
