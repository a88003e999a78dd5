"""What a test makes the oldest SDKs and ansible-core do, written down as it happens (tests/utils/oldest_selection.py reads it).

Installed by this folder's sitecustomize.py in every Python process started with this folder on PYTHONPATH and
SNAPCOPY_SDK_CORE_LOG naming a folder: the pytest workers, and what they start (ansible-playbook, ansible, the modules'
AnsiballZ processes, fakecloud). Nothing is changed in what a call sends or answers: each hook reads its arguments and
calls through. A process writes the items it meets to SNAPCOPY_SDK_CORE_LOG/<pid>.jsonl, each once per test, the test
named by pytest's PYTEST_CURRENT_TEST (which the processes a test starts inherit):

* ("sdk", sdk, service, operation, names): a request the collection's code (plugins/) sends through an SDK, with the
  names of the parameters it sends (nested names joined by dots, list positions as []): botocore's operation and
  api_params, aliyunsdkcore's product, version, action, method and query and body parameters, tencentcloud's service,
  version, action and params. The tests' own clients (seeding moto, reading fakecloud) are not the collection's.
* ("sdk-client", sdk, service, arguments): a client the collection's code makes, by the arguments it gives (names, and
  each one's kind: a flag's value, else its type), botocore's Config options, Tencent's profile settings changed.
* ("core", ...): what ansible-core does for the collection: a command (ansible-playbook and its options), a plugin it
  finds (modules, actions, filters, inventory, callbacks: every plugin a run resolves, the collection's and the builtins
  its role and playbooks use), a role it loads, module_defaults' groups it resolves, an argument spec it validates (by
  validator and the kinds of errors found), and each ansible-core function or method the collection calls (what
  plugins/ imports from ansible, called from plugins/).
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import json
import os
import re
import sys
import threading

LOG_VARIABLE = 'SNAPCOPY_SDK_CORE_LOG'
# Where the collection's code lives, in a test process (build/collections/ansible_collections/snapcopy/cloud -> the
# repo) and in a module's AnsiballZ zip alike.
COLLECTION_CODE = ('ansible_collections/snapcopy/cloud/plugins/',)
SDK_PACKAGES = ('/botocore/', '/boto3/', '/aliyunsdkcore/', '/aliyunsdkecs/', '/aliyunsdkens/', '/tencentcloud/')
# The ansible-core names plugins/ imports (test_makefile.py holds this list to plugins/' imports), each hooked where it
# lives: a class's methods, or a function.
CORE_NAMES = {
    'ansible.module_utils.basic': ('AnsibleModule', 'env_fallback', 'missing_required_lib'),
    'ansible.utils.display': ('Display',),
    'ansible.plugins.action': ('ActionBase',),
    'ansible.utils.vars': ('merge_hash',),
    'ansible.module_utils.parsing.convert_bool': ('boolean',),
    'ansible.plugins.filter.core': ('to_nice_json',),
    'ansible.plugins.inventory': ('BaseInventoryPlugin', 'Cacheable', 'Constructable'),
    'ansible.parsing.mod_args': ('ModuleArgsParser',),
    'ansible.module_utils.common.validation': (
        'check_type_bool',
        'check_type_dict',
        'check_type_float',
        'check_type_int',
        'check_type_list',
    ),
    'ansible.module_utils.common.text.converters': ('to_text',),
    'ansible.errors': ('AnsibleActionFail', 'AnsibleParserError'),
}

_seen: set = set()
# A forked child (ansible's workers) takes a lock of its own: the parent's may have been held by another thread.
_locks = [threading.Lock()]
os.register_at_fork(after_in_child=lambda: _locks.append(threading.Lock()))


def record(*item):
    """Writes ``item`` for the running test, once a process, in the file of the process."""
    test = os.environ.get('PYTEST_CURRENT_TEST', '')
    key = (test, item)
    if key in _seen:
        return
    with _locks[-1]:
        if key in _seen:
            return
        _seen.add(key)
        with open(os.path.join(os.environ[LOG_VARIABLE], '%d.jsonl' % os.getpid()), 'a', encoding='utf-8') as out:
            out.write(json.dumps({'test': test, 'item': item}) + '\n')


def names(value, prefix=''):
    """The parameter names in ``value`` (a request's parameters), nested ones as ``outer.inner``, list items as ``[]``."""
    found = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            name = prefix + re.sub(r'\.\d+(?=\.|$)', '.N', str(key))
            found.add(name)
            found |= names(inner, name + '.')
    elif isinstance(value, (list, tuple)):
        for inner in value:
            found |= names(inner, prefix.rstrip('.') + '[].')
    return found


def _from_collection(frame):
    """Whether the first frame outside the SDKs, from ``frame`` up, is the collection's code."""
    while frame is not None:
        filename = frame.f_code.co_filename.replace(os.sep, '/')
        if not any(package in filename for package in SDK_PACKAGES):
            return any(part in filename for part in COLLECTION_CODE)
        frame = frame.f_back
    return False


# What aliyunsdkcore writes into a request's own query parameters as it signs it: a request the collection sends again
# (a retry of the same request object) carries them, a first send does not. Not the collection's parameters.
ALIYUN_SIGNING = {
    'Action',
    'Format',
    'Version',
    'Timestamp',
    'SignatureMethod',
    'SignatureType',
    'SignatureVersion',
    'SignatureNonce',
    'AccessKeyId',
    'Signature',
    'SecurityToken',
    'BearerToken',
}


def outcome(error):
    """What a call came to: ``ok``, or the error's class and the cloud's code."""
    if error is None:
        return 'ok'
    code = None
    response = getattr(error, 'response', None)
    if isinstance(response, dict):
        code = (response.get('Error') or {}).get('Code')
    for getter in ('get_error_code', 'get_code'):
        if code is None and callable(getattr(error, getter, None)):
            code = getattr(error, getter)()
    return '%s %s' % (type(error).__name__, code) if code else type(error).__name__


def sdk_call(sdk, service, operation, parameters, send):
    """``send()``, the request a hook met; recorded with its outcome when the collection's code (not a test's) made it."""
    if not _from_collection(sys._getframe(2)):  # pylint: disable=protected-access
        return send()
    item = ('sdk', sdk, service, operation, tuple(sorted(parameters)))
    try:
        answer = send()
    except Exception as error:
        record(*item, outcome(error))
        raise
    record(*item, 'ok')
    return answer


def hook_botocore(module):
    call = module.BaseClient._make_api_call

    @functools.wraps(call)
    def _make_api_call(self, operation_name, api_params):
        return sdk_call(
            'botocore',
            self.meta.service_model.service_name,
            operation_name,
            names(api_params),
            lambda: call(self, operation_name, api_params),
        )

    module.BaseClient._make_api_call = _make_api_call


def hook_aliyunsdkcore(module):
    call = module.AcsClient._implementation_of_do_action

    @functools.wraps(call)
    def _implementation_of_do_action(self, request, signer=None):
        query = {key: value for key, value in (request.get_query_params() or {}).items() if key not in ALIYUN_SIGNING}
        sent = {'query.' + name for name in names(query)} | {
            'body.' + name for name in names(request.get_body_params() or {})
        }
        return sdk_call(
            'aliyunsdkcore',
            '%s %s' % (request.get_product(), request.get_version()),
            '%s %s' % (request.get_method(), request.get_action_name()),
            sent,
            lambda: call(self, request, signer),
        )

    module.AcsClient._implementation_of_do_action = _implementation_of_do_action
    hook_aliyun_client(module)


def hook_tencentcloud(module):
    hook_tencent_client(module)
    # call and call_json each send through _call; the collection uses one or the other (and _call, for a raw answer).
    for method in ('_call', 'call', 'call_json'):
        sender = vars(module.AbstractClient)[method]

        def sending(self, action, params, *args, _send=sender, _method=method, **kwargs):
            if getattr(_sending, 'depth', 0):
                return _send(self, action, params, *args, **kwargs)
            _sending.depth = 1
            try:
                return sdk_call(
                    'tencentcloud',
                    '%s %s' % (self._service, self._apiVersion),  # pylint: disable=protected-access
                    action,
                    names(params),
                    lambda: _send(self, action, params, *args, **kwargs),
                )
            finally:
                _sending.depth = 0

        setattr(module.AbstractClient, method, functools.wraps(sender)(sending))


_sending = threading.local()


def given(function, args, kwargs):
    """The names of the arguments a call of ``function`` gave, with the kind of each (a flag's value, else its type)."""
    import inspect  # pylint: disable=import-outside-toplevel

    bound = inspect.signature(function).bind(*args, **kwargs).arguments
    return tuple(
        sorted(
            '%s=%s' % (name, value if isinstance(value, bool) or value is None else type(value).__name__)
            for name, value in bound.items()
            if name != 'self'
        )
    )


def client_made(sdk, service, arguments):
    """A client the collection's code made, by the arguments it gave (its endpoint, timeouts, TLS, proxy ...)."""
    if _from_collection(sys._getframe(2)):  # pylint: disable=protected-access
        record('sdk-client', sdk, service, arguments)


def hook_botocore_session(module):
    create = module.Session.create_client

    @functools.wraps(create)
    def create_client(self, *args, **kwargs):
        arguments = given(create, (self, *args), kwargs)
        config = dict(kwargs).get('config') or (args[9] if len(args) > 9 else None)
        options = tuple(sorted(getattr(config, '_user_provided_options', {}) or {}))
        client_made('botocore', (args or [kwargs.get('service_name')])[0], arguments + options)
        return create(self, *args, **kwargs)

    module.Session.create_client = create_client


def hook_aliyun_client(module):
    make = module.AcsClient.__init__

    @functools.wraps(make)
    def __init__(self, *args, **kwargs):
        credential = kwargs.get('credential')
        client_made(
            'aliyunsdkcore', type(credential).__name__ if credential else '', given(make, (self, *args), kwargs)
        )
        make(self, *args, **kwargs)

    module.AcsClient.__init__ = __init__


def hook_tencent_client(module):
    make = module.AbstractClient.__init__

    @functools.wraps(make)
    def __init__(self, credential, region, profile=None):
        changed = ()
        if profile is not None:
            plain = type(profile)()
            changed = tuple(
                sorted(
                    name
                    for name, value in vars(profile).items()
                    if name != 'httpProfile' and vars(plain).get(name) != value
                )
            )
            http = getattr(profile, 'httpProfile', None)
            if http is not None:
                plain_http = type(http)()
                changed += tuple(
                    sorted(
                        'httpProfile.' + name
                        for name, value in vars(http).items()
                        if vars(plain_http).get(name) != value
                    )
                )
        client_made('tencentcloud', getattr(self, '_service', ''), (type(credential).__name__, *changed))
        make(self, credential, region, profile)

    module.AbstractClient.__init__ = __init__


def _called_from_collection(qualified, function):
    @functools.wraps(function)
    def called(*args, **kwargs):
        caller = sys._getframe(1).f_code.co_filename  # pylint: disable=protected-access
        if any(part in caller for part in COLLECTION_CODE):
            record('core', 'call', qualified)
        return function(*args, **kwargs)

    return called


def hook_core_names(module):
    for name in CORE_NAMES[module.__name__]:
        value = getattr(module, name, None)
        if isinstance(value, type):
            for attribute, member in list(vars(value).items()):
                if isinstance(member, (staticmethod, classmethod)):
                    setattr(
                        value,
                        attribute,
                        type(member)(_called_from_collection('%s.%s' % (name, attribute), member.__func__)),
                    )
                elif callable(member) and not isinstance(member, type):
                    setattr(value, attribute, _called_from_collection('%s.%s' % (name, attribute), member))
        elif callable(value):
            setattr(module, name, _called_from_collection(name, value))


def hook_plugin_loader(module):
    find = module.PluginLoader.find_plugin_with_context

    @functools.wraps(find)
    def find_plugin_with_context(self, name, *args, **kwargs):
        context = find(self, name, *args, **kwargs)
        if getattr(context, 'resolved', False):
            record('core', 'plugin', self.subdir, context.resolved_fqcn)
        return context

    module.PluginLoader.find_plugin_with_context = find_plugin_with_context
    get = module.Jinja2Loader.get_with_context

    @functools.wraps(get)
    def get_with_context(self, name, *args, **kwargs):
        result = get(self, name, *args, **kwargs)
        context = result.plugin_load_context
        if result.object is not None and context is not None and getattr(context, 'resolved', False):
            record('core', 'plugin', self.subdir, context.resolved_fqcn)
        return result

    module.Jinja2Loader.get_with_context = get_with_context


def hook_role(module):
    load = module.Role.load

    @functools.wraps(load)
    def load_role(role_include, *args, **kwargs):
        record('core', 'role', role_include.get_name())
        return load(role_include, *args, **kwargs)

    module.Role.load = staticmethod(load_role)


def hook_module_common(module):
    defaults = module.get_action_args_with_defaults

    @functools.wraps(defaults)
    def get_action_args_with_defaults(action, args, module_defaults, *rest, **kwargs):
        groups = sorted(key for entry in module_defaults or () for key in entry if key.startswith('group/'))
        if groups:
            record('core', 'module_defaults', action, tuple(groups))
        return defaults(action, args, module_defaults, *rest, **kwargs)

    module.get_action_args_with_defaults = get_action_args_with_defaults


def hook_arg_spec(module):
    for validator in (module.ArgumentSpecValidator, module.ModuleArgumentSpecValidator):
        validate = vars(validator)['validate']

        def checked(self, parameters, *args, _validate=validate, _name=validator.__name__, **kwargs):
            result = _validate(self, parameters, *args, **kwargs)
            record('core', 'argspec', _name, tuple(sorted({type(error).__name__ for error in result.errors})))
            return result

        validator.validate = functools.wraps(validate)(checked)


HOOKS = {
    'botocore.client': hook_botocore,
    'botocore.session': hook_botocore_session,
    'aliyunsdkcore.client': hook_aliyunsdkcore,
    'tencentcloud.common.abstract_client': hook_tencentcloud,
    'ansible.plugins.loader': hook_plugin_loader,
    'ansible.playbook.role': hook_role,
    'ansible.executor.module_common': hook_module_common,
    'ansible.module_utils.common.arg_spec': hook_arg_spec,
}
HOOKS.update(dict.fromkeys(CORE_NAMES, hook_core_names))


class _Hooked(importlib.abc.MetaPathFinder):
    """Finds the modules HOOKS names as the other finders do, and hooks each once it has run."""

    def find_spec(self, fullname, path, target=None):
        if fullname not in HOOKS:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, 'find_spec'):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, 'exec_module'):
                spec.loader = _Loader(spec.loader, HOOKS[fullname])
                return spec
            if spec is not None:
                return spec
        return None


class _Loader(importlib.abc.Loader):
    def __init__(self, loader, hook):
        self.loader = loader
        self.hook = hook

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        self.hook(module)

    def __getattr__(self, name):
        return getattr(self.loader, name)


def hook_children():
    """A process started with an environment of its own (a test's PYTHONPATH=the collection, say) still records: this
    folder is added to its PYTHONPATH, when it keeps LOG_VARIABLE."""
    import subprocess  # pylint: disable=import-outside-toplevel

    here = os.path.dirname(os.path.abspath(__file__))
    start = subprocess.Popen.__init__

    @functools.wraps(start)
    def __init__(self, *args, **kwargs):
        env = kwargs.get('env')
        if env is not None and env.get(LOG_VARIABLE):
            paths = [path for path in env.get('PYTHONPATH', '').split(os.pathsep) if path]
            if here not in paths:
                kwargs['env'] = dict(env, PYTHONPATH=os.pathsep.join([*paths, here]))
        start(self, *args, **kwargs)

    subprocess.Popen.__init__ = __init__


def install():
    if not os.environ.get(LOG_VARIABLE) or any(isinstance(finder, _Hooked) for finder in sys.meta_path):
        return
    sys.meta_path.insert(0, _Hooked())
    hook_children()
    command = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ''
    if command.startswith('ansible'):
        record('core', 'command', command, tuple(sorted({word for word in sys.argv[1:] if word.startswith('-')})))
