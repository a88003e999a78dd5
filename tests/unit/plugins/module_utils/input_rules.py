"""What the tests of input rules share: whether a rule takes a value, as a yes or no that a test can assert."""

from __future__ import annotations

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError


def accepted(check, *args, **kwargs):
    """True when ``check(*args, **kwargs)`` takes the value, False when it refuses it with an InputError (anything else
    raised is a bug of the rule and fails the test)."""
    try:
        check(*args, **kwargs)
    except InputError:
        return False
    return True
