"""docs/awx/execution-environment.yml: `ansible-builder create` turns it into a build context
without errors (no container engine needed), and the builder's own introspection, run on this
collection as the image build runs it, finds the cloud SDKs the modules import."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.snapcopy.cloud.tests.docs.helpers import COLLECTIONS, DOCS, REPO, ansible_bin
from ansible_collections.snapcopy.cloud.tests.unit.test_makefile import make_variable

DEFINITION = os.path.join(DOCS, 'awx', 'execution-environment.yml')


@pytest.fixture(scope='module')
def context(tmp_path_factory):
    builder = ansible_bin('ansible-builder')
    if not builder:
        pytest.fail('ansible-builder is not installed: pip install -r docs/requirements.txt')
    folder = tmp_path_factory.mktemp('ee') / 'context'
    done = subprocess.run(
        [builder, 'create', '-f', DEFINITION, '-c', str(folder), '--output-filename', 'Containerfile', '-v', '2'],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    assert 'Complete! The build context can be found at' in done.stdout
    return folder


def test_definition_is_version_3_and_installs_this_collection():
    with open(DEFINITION, encoding='utf-8') as stream:
        definition = yaml.safe_load(stream)
    assert definition['version'] == 3
    with open(
        os.path.join(os.path.dirname(DEFINITION), definition['dependencies']['galaxy']), encoding='utf-8'
    ) as stream:
        requirements = yaml.safe_load(stream)
    assert [item['name'] for item in requirements['collections']] == ['snapcopy.cloud']
    with open(os.path.join(REPO, 'meta', 'runtime.yml'), encoding='utf-8') as stream:
        requires = yaml.safe_load(stream)['requires_ansible']
    assert requires == '>=2.18.0'
    # The image runs a core upstream still maintains: the newest of the matrix that runs on Python 3.11 (the Makefile's
    # PYTHON_3_11_CORES; 2.18, the oldest, ends in November 2026), the Python of tests/awx's jobs.
    core = make_variable('PYTHON_3_11_CORES')[-1]
    assert core != make_variable('CORES')[0]
    major, minor = core.split('.')
    assert definition['dependencies']['ansible_core']['package_pip'] == 'ansible-core>=%s.0,<%s.%d' % (
        core,
        major,
        int(minor) + 1,
    )
    assert definition['dependencies']['python_interpreter']['python_path'] == '/usr/bin/python3.11'


def test_create_writes_a_build_context(context):
    containerfile = (context / 'Containerfile').read_text(encoding='utf-8')
    assert 'ARG EE_BASE_IMAGE="registry.access.redhat.com/ubi9/ubi:latest"' in containerfile
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile
    assert 'ansible-galaxy collection install' in containerfile
    assert 'introspect.py introspect' in containerfile
    assert (
        'import boto3, aliyunsdkcore, aliyunsdkecs, aliyunsdkens, tencentcloud.cbs, tencentcloud.tag' in containerfile
    )
    assert (
        yaml.safe_load((context / '_build' / 'requirements.yml').read_text(encoding='utf-8'))['collections'][0]['name']
        == 'snapcopy.cloud'
    )
    assert (context / '_build' / 'scripts' / 'introspect.py').is_file()


def test_introspection_finds_the_collections_sdks(context, tmp_path):
    """What the image's builder stage does with the installed collection (here: the repo, linked in
    build/collections)."""
    pip, bindep = tmp_path / 'requirements.txt', tmp_path / 'bindep.txt'
    done = subprocess.run(
        [
            sys.executable,
            str(context / '_build' / 'scripts' / 'introspect.py'),
            'introspect',
            COLLECTIONS,
            '--user-bindep',
            str(context / '_build' / 'bindep.txt'),
            '--write-pip',
            str(pip),
            '--write-bindep',
            str(bindep),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    wanted = [
        line.split('#')[0].strip()
        for line in (pip.read_text(encoding='utf-8')).splitlines()
        if 'snapcopy.cloud' in line
    ]
    names = {requirement.split('>')[0].split('=')[0] for requirement in wanted}
    assert names == {
        'boto3',
        'botocore',
        'aliyun-python-sdk-core',
        'aliyun-python-sdk-ecs',
        'aliyun-python-sdk-ens',
        'tencentcloud-sdk-python-common',
        'tencentcloud-sdk-python-cbs',
        'tencentcloud-sdk-python-tag',
    }
    assert 'git-core [platform:rpm]' in bindep.read_text(encoding='utf-8')
