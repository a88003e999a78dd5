"""The one exception every handler raises to answer with a cloud's error envelope."""

from __future__ import annotations


class CloudError(Exception):
    """A cloud API error: code and message as the cloud sends them.

    ``status`` is the HTTP status Alibaba answers with; Tencent always answers 200 and ignores it.
    """

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__('%s: %s' % (code, message))
        self.code = code
        self.message = message
        self.status = status


def missing(name: str) -> CloudError:
    """Alibaba's answer to a mandatory parameter that was not sent."""
    return CloudError(
        'MissingParameter',
        'The input parameter "%s" that is mandatory for processing this request is not supplied.' % name,
    )


def invalid(name: str, detail: str = '') -> CloudError:
    """Alibaba's generic answer to a malformed parameter."""
    msg = 'The specified parameter "%s" is not valid.' % name
    return CloudError('InvalidParameter', msg + (' ' + detail if detail else ''))


def tc_missing(name: str) -> CloudError:
    """Tencent's answer to a mandatory parameter that was not sent."""
    return CloudError('MissingParameter', 'The request is missing a required parameter `%s`.' % name)


def tc_invalid(name: str, detail: str = '') -> CloudError:
    """Tencent's answer to a parameter value it does not accept."""
    msg = 'The value of parameter `%s` is invalid.' % name
    return CloudError('InvalidParameterValue', msg + (' ' + detail if detail else ''))
