# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network timeouts, the same for every cloud's client (module_utils/core/network.py)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r'''
options:
  connect_timeout:
    description:
      - Seconds to wait for the connection to the cloud's endpoint to open.
    type: int
    default: 10
  read_timeout:
    description:
      - Seconds to wait for an answer to one API request. A request without an answer in time is
        retried within O(wait_timeout). A copy request that may have been carried out is never simply
        sent again; the module waits as long again and looks the destination up first (on Alibaba Cloud
        ECS it resends the same ClientToken, which cannot make a second copy).
      - The alias O(request_timeout) is the name of this option in the Tencent Cloud module of version 0.1.0.
    type: int
    default: 60
    aliases: [request_timeout]
'''
