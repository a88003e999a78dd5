"""Fixtures of the unit tests, for pytest (make units) and ansible-test units alike: the fakecloud
emulator (fakecloud, fakecloud_clean), moto's server in this process (moto_url), the markers the
tests use, and a time limit per test."""

from __future__ import annotations

import collections
import io
import os
import sys
import threading
import types
import urllib.parse

import pytest
from hypothesis import Phase, settings

from ansible_collections.snapcopy.cloud.tests.fakecloud.pytest_plugin import fakecloud, fakecloud_clean  # noqa: F401  # pylint: disable=unused-import

# Seconds a test may take before pytest-timeout fails it: a hang guard well above the slowest honest test (about 11 s
# alone; a busy two-core machine makes that many times longer), so a hang fails instead of holding the suite and a slow
# machine fails nothing. pytest.ini says the same for make units.
TEST_TIMEOUT = 600

# Hypothesis's 200 ms per example fails sound tests on a busy two-core machine (and under coverage, as
# make mutation runs them); the time limit above is what catches a hang. make test draws the same examples every
# time (derandomize): a red there is the same red on the next run, not a draw that comes and goes. make chaos
# searches with new draws each run (SNAPCOPY_HYPOTHESIS=search), with many more examples; what it finds becomes a
# test of its own.
settings.register_profile('snapcopy', deadline=None, derandomize=True)
settings.register_profile('snapcopy-search', deadline=None)
# make mutation (tests/utils/mutation.py): a failure is all a mutant's run needs, not its smallest example.
settings.register_profile(
    'snapcopy-mutation', deadline=None, derandomize=True, phases=(Phase.explicit, Phase.reuse, Phase.generate)
)
settings.load_profile(
    {'search': 'snapcopy-search', 'mutation': 'snapcopy-mutation'}.get(
        os.environ.get('SNAPCOPY_HYPOTHESIS', ''), 'snapcopy'
    )
)


def _same_draws_in_every_worker():
    """Derandomized runs draw the same examples whatever else a pytest worker ran before them. Hypothesis (6.131 on)
    sometimes draws a constant found in the modules already imported from our tree, so a worker that happened to import
    other test files drew other examples: the safety state machine failed in one make test and passed alone (2026-11-27).
    The searches (SNAPCOPY_HYPOTHESIS=search) keep those constants. Hypothesis names no setting for it: this empties its
    cache of them, and a release without that internal only loses the sameness, never a test."""
    try:
        from hypothesis.internal.conjecture import providers  # pylint: disable=import-outside-toplevel
    except ImportError:  # pragma: no cover
        return
    if hasattr(providers, '_get_local_constants') and hasattr(providers, 'Constants'):
        providers._get_local_constants = providers.Constants  # pylint: disable=protected-access


if os.environ.get('SNAPCOPY_HYPOTHESIS', '') in ('', 'mutation'):
    _same_draws_in_every_worker()

MARKERS = {
    'pinned_sdk': 'holds a file or a request to the exact SDK release of tests/unit/requirements.txt (make units-oldest leaves it out)',
}


# The calls moto's server has answered, by action ('Action' of the query protocols: EC2, STS): what a test of a run's
# cost in calls counts (test_call_budgets.py). Counted as they arrive, retries too; a test clears it first.
MOTO_CALLS: collections.Counter = collections.Counter()


def counting_calls(app):
    """``app`` (a WSGI application), with each request counted in MOTO_CALLS by its action."""

    def serve(environ, start_response):
        body = environ['wsgi.input'].read(int(environ.get('CONTENT_LENGTH') or 0))
        environ['wsgi.input'] = io.BytesIO(body)
        action = (urllib.parse.parse_qs(body.decode('utf-8', 'replace')).get('Action') or ['(other)'])[0]
        MOTO_CALLS[action] += 1
        return app(environ, start_response)

    return serve


@pytest.fixture
def moto_calls():
    """MOTO_CALLS, cleared: the calls moto's server answers from here on, by action."""
    MOTO_CALLS.clear()
    return MOTO_CALLS


def ec2_tags_by_id():
    """moto's EC2 resources read their own tags by a dict look-up rather than by a scan of every tag of the backend.

    moto's TaggedEC2Resource.get_tags asks describe_tags for the tags whose resource id matches its own (an anchored pattern:
    fnmatch.translate), which scans every tag the backend holds; each snapshot of a DescribeSnapshots answer does it, so an
    answer of N snapshots costs N times all the tags: at the thousand disks of test_call_budgets.py, a fifth of the AWS
    runs' CPU time. The same entries in the same order, from the backend's own dict of tags by resource id
    (test_unit_moto_server.py holds the two equal)."""
    # pylint: disable-next=import-outside-toplevel  # moto comes with moto_url
    from moto.ec2.models.core import TaggedEC2Resource
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix  # pylint: disable=import-outside-toplevel

    def get_tags(self):
        tags = self.ec2_backend.tags.get(self.id, {}) if self.id else {}
        resource_type = EC2_PREFIX_TO_RESOURCE.get(get_prefix(self.id), '') if tags else ''
        return [
            {'resource_id': self.id, 'key': key, 'value': value, 'resource_type': resource_type}
            for key, value in list(tags.items())
        ]

    TaggedEC2Resource.get_tags = get_tags


def method_names_once():
    """moto's responses find the method of an action among their class's functions (method_names_from_class, which runs
    inspect.getmembers over the class) on every request: a tenth of the AWS runs' CPU time in test_call_budgets.py. A
    class's functions do not change while the tests run: each class's are listed once, and the same list given after."""
    from moto.core import responses  # pylint: disable=import-outside-toplevel  # moto comes with moto_url

    listed = responses.method_names_from_class
    if getattr(listed, 'once', False):
        return
    names = {}

    def method_names_from_class(clazz):
        if clazz not in names:
            names[clazz] = tuple(listed(clazz))
        return list(names[clazz])

    method_names_from_class.once = True
    responses.method_names_from_class = method_names_from_class


def botocore_models_read_once():
    """botocore's JSON files (its models, endpoints.json's 1 MB) decoded once a test process, not once a botocore
    session. Each AwsClient of a test makes a session of its own, and so do the tests' own clients: the decoding was a
    quarter of the AWS tests' CPU time (test_dr_account_aws.py: 57 reads of endpoints.json, 20 of EC2's whole model).
    botocore already gives one decoded file to every client of a session (its loader's cache), so sharing it between
    sessions is what botocore does; the requests and answers are the same. Nothing is done until a test imported
    botocore (the tests that import no SDK stay without it: test_makefile.py)."""
    loaders = sys.modules.get('botocore.loaders')
    if loaders is None or getattr(loaders.JSONFileLoader.load_file, 'once', False):
        return
    read = loaders.JSONFileLoader.load_file
    decoded = {}

    def load_file(self, file_path):
        if file_path not in decoded:
            decoded[file_path] = read(self, file_path)
        return decoded[file_path]

    load_file.once = True
    loaders.JSONFileLoader.load_file = load_file
    one_loader_a_data_path()


def one_loader_a_data_path():
    """One botocore loader for each data path (AWS_DATA_PATH, or none) in a test process, not one a session. A
    session's loader lists botocore's data folders (about 400 services: a listdir and an isdir each) and searches each
    model's versions on disk, then answers the session's clients from its cache; each new session did it all again: a
    session and its EC2 and STS clients took 57 ms of CPU, 35 with one loader (.venv-2.21). The folders do not change
    while the tests run, and a test that sets AWS_DATA_PATH (test_aws.py, test_ec2_model.py, test_dr_scopes.py) gets the
    loader of its own path, as botocore would make it."""
    from botocore import session  # pylint: disable=import-outside-toplevel  # already loaded, as botocore.loaders is

    make = session.create_loader
    if getattr(make, 'once', False):
        return
    made = {}

    def create_loader(search_path_string=None):
        if search_path_string not in made:
            made[search_path_string] = make(search_path_string)
        return made[search_path_string]

    create_loader.once = True
    session.create_loader = create_loader
    services_listed_once()
    one_client_class_a_model()
    sessions_register_handlers_faster()


def services_listed_once():
    """A loader of botocore's own data folders lists the services found there once a test process, not once a loader.
    Each AwsClient makes a loader of its own (clouds/aws/client.py's trimmed_ec2_loader, a Loader made directly, not by
    create_loader above), whose first client listed the 400 service folders again (a listdir and an isdir each, a
    listdir of each service and an isfile of each version): about a sixth of a client's making. Only the loaders of
    the default search path (no AWS_DATA_PATH: botocore's package data and ~/.aws/models, which no test writes) share the
    list; the folders do not change while the tests run. Each loader keeps its own cache of it too, as botocore's."""
    from botocore import loaders  # pylint: disable=import-outside-toplevel  # already loaded by the caller

    listed = loaders.Loader.list_available_services
    if getattr(listed, 'once', False):
        return
    default_paths = (loaders.Loader.CUSTOMER_DATA_PATH, loaders.Loader.BUILTIN_DATA_PATH)
    lists = {}

    def list_available_services(self, type_name):
        # botocore's own file loader, not a subclass of it: another loader may list other files.
        own_file_loader = type(self.file_loader) is loaders.JSONFileLoader  # pylint: disable=unidiomatic-typecheck
        if tuple(self.search_paths) != default_paths or not own_file_loader:
            return listed(self, type_name)
        if type_name not in lists:
            lists[type_name] = listed(self, type_name)
        return list(lists[type_name])

    list_available_services.once = True
    loaders.Loader.list_available_services = list_available_services


# The handlers of botocore's 'creating-client-class' events whose changes to a class depend on nothing but the class:
# botocore's and boto3's own (add_generate_presigned_url and the like add methods). A class built with any other handler
# is built anew every time, as botocore does.
SDK_HANDLER_PACKAGES = ('botocore', 'boto3')


def one_client_class_a_model():
    """botocore builds a client's class (one method with its docstring a model's operation: 830 for EC2's whole model)
    at every create_client; the tests' own EC2 clients (moto's seeding, the checks of what a run did) built EC2's again
    for each session, 36 ms of CPU each (.venv-2.21). Here a class is built once for each service model and the same
    class given to the next client of that model, when these are the same:

    - the model: the very dict botocore's loader decoded (botocore_models_read_once gives one dict a file, so the
      next session's model is that dict; the cache holds it, so its id is never another's), and its operation names,
      so a model changed in place gets a class of its own. A model decoded anew (the trimmed EC2 model of AwsClient,
      a model of an AWS_DATA_PATH) is another dict: its own class, as before;
    - the handlers of the class's event ('creating-client-class.<service id>') on the session, each botocore's or
      boto3's own (SDK_HANDLER_PACKAGES); the collection registers none (its one handler is on a client's own events,
      organization.py, after its class is built), nor do the tests (theirs are on clients' events too).

    What a class holds besides is its methods' names and operations (the model's), the other session's ServiceModel
    in the methods' lazy docstrings (the same dict: the same text), and its event emitter, which a docstring tells only
    docs events when it is rendered. A client's calls use its own service model, endpoint and events, made for it as
    before: only the class is shared."""
    from botocore import client  # pylint: disable=import-outside-toplevel  # already loaded by the caller

    build = client.ClientCreator._create_client_class  # pylint: disable=protected-access
    if getattr(build, 'once', False):
        return
    classes = {}

    def create_client_class(self, service_name, service_model):
        description = getattr(service_model, '_service_description', None)
        handlers = class_event_handlers(self._event_emitter, service_model)  # pylint: disable=protected-access
        if description is None or handlers is None:
            return build(self, service_name, service_model)
        key = (id(description), service_name, tuple(service_model.operation_names), handlers)
        if key not in classes:
            classes[key] = (description, build(self, service_name, service_model))
        return classes[key][1]

    create_client_class.once = True
    client.ClientCreator._create_client_class = create_client_class  # pylint: disable=protected-access


def class_event_handlers(events, service_model):
    """The handlers of ``service_model``'s 'creating-client-class' event on ``events`` (a session's emitter), or None
    when one is not botocore's or boto3's own, or when this botocore keeps them where this does not look."""
    emitter = getattr(events, '_emitter', None)  # botocore's EventAliaser around its HierarchicalEmitter
    trie = getattr(emitter, '_handlers', None)
    if trie is None or not hasattr(trie, 'prefix_search'):
        return None
    # The event name as botocore emits it: the aliaser changes no 'creating-client-class' name of a service id.
    handlers = tuple(trie.prefix_search('creating-client-class.%s' % service_model.service_id.hyphenize()))
    if not all(
        isinstance(handler, types.FunctionType)
        and (handler.__module__ or '').split('.')[0] in SDK_HANDLER_PACKAGES
        and handler.__qualname__ == handler.__name__  # a module's own function, not a closure holding other state
        for handler in handlers
    ):
        return None
    return handlers


def sessions_register_handlers_faster():
    """A botocore session registers botocore's 130 built-in handlers; for each, botocore reads the handler's signature
    (inspect.getfullargspec, to refuse a handler without **kwargs) and works out the event's aliased name: 17 ms of CPU a
    session, and each AwsClient makes one or two. Here both answers are kept for the next session: a function's
    signature is that of its code (the key holds the code and any __signature__ it was given), and the aliased name
    of an event depends only on botocore's table of aliases (shared only by the emitters that use botocore's own
    table, as a session's does)."""
    from botocore import hooks  # pylint: disable=import-outside-toplevel  # already loaded by the caller

    read = hooks.accepts_kwargs
    if getattr(read, 'once', False):
        return
    answers = {}

    def accepts_kwargs(func):
        function = getattr(func, '__func__', func)  # a bound method has its function's **kwargs
        if not isinstance(function, types.FunctionType):
            return read(func)
        key = (function, function.__code__, function.__dict__.get('__signature__'))
        if key not in answers:
            answers[key] = read(func)
        return answers[key]

    accepts_kwargs.once = True
    hooks.accepts_kwargs = accepts_kwargs

    start = hooks.EventAliaser.__init__
    aliased_names: dict = {}

    def __init__(self, event_emitter, event_aliases=None):  # pylint: disable=invalid-name  # the method it replaces
        start(self, event_emitter, event_aliases)
        if self._event_aliases is hooks.EVENT_ALIASES:  # pylint: disable=protected-access
            self._alias_name_cache = aliased_names  # pylint: disable=protected-access

    hooks.EventAliaser.__init__ = __init__


def quiet(handler):
    """werkzeug's request handler ``handler`` without its line per request: a log record that pytest's capture formats
    and keeps, for each of the thousands of calls a test module makes (a tenth of the AWS runs' CPU time)."""

    class QuietHandler(handler):
        def log_request(self, *args, **kwargs):
            pass

    return QuietHandler


# plugin_utils/_scope_turn.py's TURNS_DIR_VARIABLE (test_scope_turn.py holds them equal): named here, since importing it
# would import ansible-core into the tests that run without it (UNITS_NO_SDK_NO_CORE).
SCOPE_TURNS_DIR_VARIABLE = 'SNAPCOPY_LOCK_DIR'


@pytest.fixture(autouse=True)
def scope_turns_dir(tmp_path_factory, monkeypatch):
    """dr_sync's action takes a turn per scope on the controller: in every test, in a folder of the test's own, not in
    the home of the user running them, where the tests that run the action for one scope on two pytest workers at
    once would wait on each other (test_report_text.py's and another's, on CI)."""
    folder = tmp_path_factory.mktemp('scope-locks')
    monkeypatch.setenv(SCOPE_TURNS_DIR_VARIABLE, str(folder))
    return folder


@pytest.fixture(scope='module')
def moto_url():
    """moto's server in this process (real HTTP on a loopback port), so that a test can also read moto's
    backends directly. moto keeps its state per process: each test uses accounts and regions of its own."""
    # As with_emulators.py starts moto's server: without the default AMIs, whose loading makes the first EC2 call slow.
    os.environ.setdefault('MOTO_EC2_LOAD_DEFAULT_AMIS', 'false')
    # pylint: disable-next=import-outside-toplevel  # only the AWS tests pay for it
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server  # pylint: disable=import-outside-toplevel

    # What moto lacks of EBS (snapshot locks, copies across accounts), as the suites' moto server has it.
    from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files.ebs_vault import (  # pylint: disable=import-outside-toplevel
        request_handler,
        with_ebs_vault,
    )

    # The EBS direct APIs and each snapshot's block data (ebs_direct.py), outside ebs_vault's layer: it sees every snapshot.
    from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files.ebs_direct import (  # pylint: disable=import-outside-toplevel
        with_ebs_direct,
    )

    # Organizations' accounts as AWS answers them since Status was retired (organizations_state.py).
    from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import (  # pylint: disable=import-outside-toplevel
        organizations_state,
    )

    # Data Lifecycle Manager's policies (ebs_dlm.py), which moto's server does not serve.
    from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files.ebs_dlm import (  # pylint: disable=import-outside-toplevel
        with_ebs_dlm,
    )

    ec2_tags_by_id()
    method_names_once()
    botocore_models_read_once()
    server = make_server(
        '127.0.0.1',
        0,
        counting_calls(
            organizations_state.with_organizations_state(
                with_ebs_dlm(with_ebs_direct(with_ebs_vault(DomainDispatcherApplication(create_backend_app))))
            )
        ),
        threaded=True,
        request_handler=quiet(request_handler()),
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % server.server_port
    server.shutdown()
    thread.join()


def pytest_collection_finish(session):  # pylint: disable=unused-argument  # pytest's hook
    # The test files are imported now: those of the AWS tests import botocore.
    botocore_models_read_once()


@pytest.hookimpl(tryfirst=True)  # before pytest-timeout's own pytest_configure reads the setting
def pytest_configure(config):
    # ansible-test units runs pytest with its own configuration file, without pytest.ini's timeout.
    if (
        config.pluginmanager.hasplugin('timeout')
        and config.getoption('timeout', None) is None
        and not os.environ.get('PYTEST_TIMEOUT')
        and not config.getini('timeout')
    ):
        config.option.timeout = TEST_TIMEOUT
    # ansible-test units runs pytest with its own configuration and --strict-markers: the markers are declared here.
    for name, text in MARKERS.items():
        config.addinivalue_line('markers', '%s: %s' % (name, text))
