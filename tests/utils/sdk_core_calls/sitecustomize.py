"""On PYTHONPATH with SNAPCOPY_SDK_CORE_LOG set: every process records what it makes the SDKs and ansible-core do
(sdk_core_hooks.py)."""

import sdk_core_hooks

sdk_core_hooks.install()
