"""The HTML site that `make docs` builds renders in a browser: each module page and the role page,
opened in headless Chromium, show the full options table and the examples, and the user guide is
part of the site.

SNAPCOPY_DOCSITE names the built site (build/docsite/build/html) and SNAPCOPY_CHROMIUM the
browser (Debian's chromium); `make docs-test` sets both. The DOM is taken after the page has
loaded (as `chromium --dump-dom` takes it: tests/docs/browser.py); one page is also rendered to a PNG in
build/docsite/screenshots/ for a look by eye.
"""

from __future__ import annotations

import html.parser
import json
import os
import subprocess

import pytest
import yaml

from ansible_collections.snapcopy.cloud.tests.docs import browser
from ansible_collections.snapcopy.cloud.tests.docs.helpers import REPO, ansible_bin, clean_environment

SITE = os.environ.get('SNAPCOPY_DOCSITE', '')
CHROMIUM = os.environ.get('SNAPCOPY_CHROMIUM', '/usr/bin/chromium')
MODULES = sorted(
    name[:-3]
    for name in os.listdir(os.path.join(REPO, 'plugins', 'modules'))
    if name.endswith('.py') and name != '__init__.py'
)
SCREENSHOTS = os.path.join(REPO, 'build', 'docsite', 'screenshots')

pytestmark = pytest.mark.skipif(not SITE, reason='SNAPCOPY_DOCSITE is not set: run `make docs-test`')


def chromium(tmp_path, *arguments, timeout=300):
    """What ``chromium --headless ... ARGUMENTS`` prints (``--dump-dom``) or writes (``--screenshot=PATH``), from the
    worker's browser (tests/docs/browser.py: a page costs a tab, not a browser's start, and gets what the command line
    gives). ``tmp_path``, the test's folder, held the command line's profile; each page now has a browser context of
    its own."""
    del tmp_path
    # A hang guard: Chromium opens a page in a second or two alone, many times that on a busy two-core machine.
    return browser.chromium(CHROMIUM, arguments, timeout=timeout)


def page_url(relative):
    path = os.path.join(SITE, relative)
    assert os.path.isfile(path), '%s was not built' % path
    return 'file://' + path


class Page(html.parser.HTMLParser):
    """What the tests look at in a rendered DOM: the option names of each options table, the text of
    each section, the page's headings, and its links."""

    def __init__(self):
        super().__init__()
        self.tables = []  # one list of option names per ansible-option-table
        self.sections = {}  # section id -> its text
        self.headings = []
        self.links = []
        self._stack = []  # open elements: (tag, classes, id)
        self._title_depth = None
        self._text_into = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get('class') or '').split()
        self._stack.append((tag, classes, attrs.get('id')))
        if tag == 'table' and 'ansible-option-table' in classes:
            self.tables.append([])
        if 'ansible-option-title' in classes and self.tables:
            self._title_depth = len(self._stack)
        if tag == 'section' and attrs.get('id'):
            self.sections.setdefault(attrs['id'], '')
        if tag in ('h1', 'h2'):
            self.headings.append('')
        if tag == 'a' and attrs.get('href'):
            self.links.append(attrs['href'])

    def handle_endtag(self, tag):
        while self._stack:
            open_tag = self._stack.pop()[0]
            if self._title_depth is not None and len(self._stack) < self._title_depth:
                self._title_depth = None
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._title_depth is not None and self._stack and self._stack[-1][0] == 'strong' and data.strip():
            self.tables[-1].append(data.strip())
        for tag, _classes, element_id in self._stack:
            if tag == 'section' and element_id in self.sections:
                self.sections[element_id] += data
        if any(tag in ('h1', 'h2') for tag, _classes, _id in self._stack) and self.headings:
            self.headings[-1] += data


def option_names(options):
    """Every option's name, its suboptions' too: each has a title cell of its own in the parameters table."""
    names = set()
    for name, spec in options.items():
        names.add(name)
        names |= option_names(spec.get('suboptions') or spec.get('options') or {})
    return names


def render(tmp_path, relative):
    page = Page()
    page.feed(chromium(tmp_path, '--dump-dom', page_url(relative)))
    return page


@pytest.fixture(scope='module')
def module_docs(tmp_path_factory):
    done = subprocess.run(
        [ansible_bin('ansible-doc'), '--json'] + ['snapcopy.cloud.%s' % name for name in MODULES],
        env=clean_environment(tmp_path_factory.mktemp('home')),
        stdout=subprocess.PIPE,
        text=True,
        timeout=120,
        check=True,
    )
    return {name.split('.')[-1]: entry for name, entry in json.loads(done.stdout).items()}


@pytest.mark.parametrize('module', MODULES)
def test_module_page_shows_options_and_examples(module, module_docs, tmp_path):
    page = render(tmp_path, 'collections/snapcopy/cloud/%s_module.html' % module)
    doc = module_docs[module]
    assert any('snapcopy.cloud.%s module' % module in heading for heading in page.headings), page.headings
    # The parameters table: every option of the module (its doc fragments' included), in a table
    # the browser built, and nothing else in its title cells.
    assert page.tables, 'no options table rendered'
    assert set(page.tables[0]) == option_names(doc['doc']['options']), sorted(
        set(page.tables[0]) ^ option_names(doc['doc']['options'])
    )
    # An option of the module's own and one of a doc fragment that every cloud module takes; the read-only
    # dr_posture_info and dr_drill_finish (which ends a drill) wait for no copy, so wait_timeout is there exactly when
    # the module waits. dr_fleet_summary runs on the controller only: it writes and prints a fleet report, and talks to
    # no cloud.
    if module == 'dr_fleet_summary':
        assert set(page.tables[0]) == {
            'report',
            'report_dir',
            'report_name',
            'report_history',
            'report_files',
            'json',
            'markdown',
            'html',
        }, page.tables[0]
    else:
        assert 'source_region' in page.tables[0] and 'read_timeout' in page.tables[0]
        assert ('wait_timeout' in page.tables[0]) == (module not in ('dr_posture_info', 'dr_drill_finish'))
    # The examples: every task of EXAMPLES, with its module call.
    examples = page.sections.get('examples', '')
    assert 'snapcopy.cloud.%s:' % module in examples
    for task in yaml.safe_load(doc['examples']):
        assert task['name'] in examples, task['name']
    # Then the attributes (check mode, diff mode, platform) and the return values, every top-level one.
    assert len(page.tables) == 3, 'expected the parameters, attributes and return values tables'
    assert {'check_mode', 'diff_mode', 'platform'} == set(page.tables[1])
    assert set(doc['return']) <= set(page.tables[2]), sorted(set(doc['return']) - set(page.tables[2]))


def test_copy_module_page_shows_the_documented_example_values(tmp_path):
    page = render(tmp_path, 'collections/snapcopy/cloud/ebs_snapshot_copy_module.html')
    examples = page.sections['examples']
    assert 'source_snapshot_id: snap-0123456789abcdef0' in examples
    assert 'destination_region: us-west-2' in examples
    assert 'source_snapshot_id' in page.tables[0] and 'destination_outpost_arn' in page.tables[0]


def test_role_page_shows_the_argument_spec(tmp_path):
    page = render(tmp_path, 'collections/snapcopy/cloud/dr_copy_role.html')
    with open(os.path.join(REPO, 'roles', 'dr_copy', 'meta', 'argument_specs.yml'), encoding='utf-8') as stream:
        options = yaml.safe_load(stream)['argument_specs']['main']['options']
    assert page.tables and set(page.tables[0]) == option_names(options)


def test_collection_index_and_guide_are_linked(tmp_path):
    index = render(tmp_path, 'index.html')
    for target in [
        'guide/README.html',
        'guide/quickstart.html',
        'guide/restore.html',
        'guide/awx.html',
        'guide/modules/ebs_snapshot_copy.html',
        'guide/roles/dr_copy.html',
        'collections/index.html',
    ]:
        assert target in index.links, target
    guide = render(tmp_path, 'guide/idempotency.html')
    assert 'How each cloud finds its earlier copies' in ' '.join(guide.headings)
    for cloud in (
        'aws-ebs-ebs-snapshot-copy',
        'alibaba-cloud-ecs-ecs-snapshot-copy',
        'alibaba-cloud-ens-ens-snapshot-copy',
        'tencent-cloud-cbs-cbs-snapshot-copy',
    ):
        assert cloud in guide.sections, cloud
    # A guide page's link to a heading of another page lands on that heading.
    module_page = render(tmp_path, 'guide/modules/ebs_snapshot_copy.html')
    assert '../idempotency.html#aws-ebs-ebs-snapshot-copy' in module_page.links


def test_screenshot_of_a_module_page(tmp_path):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    target = os.path.join(SCREENSHOTS, 'ebs_snapshot_copy_module.png')
    if os.path.exists(target):
        os.remove(target)
    chromium(
        tmp_path,
        '--hide-scrollbars',
        '--window-size=1280,1600',
        '--screenshot=%s' % target,
        page_url('collections/snapcopy/cloud/ebs_snapshot_copy_module.html'),
    )
    with open(target, 'rb') as stream:
        data = stream.read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n' and len(data) > 20000
