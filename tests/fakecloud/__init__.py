"""fakecloud: a local HTTP emulator of Alibaba Cloud ECS/ENS and Tencent Cloud CBS/Tag for tests.

Run it with ``PYTHONPATH=tests python -m fakecloud --port 0``; see README.md.
"""

from __future__ import annotations

__version__ = '1.0.0'
