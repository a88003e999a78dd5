# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What to do with a copy found that differs from what was asked, shared by every copy module and dr_sync."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r'''
options:
  on_mismatch:
    description:
      - What to do when the copy of the source found in a destination differs from what this task asks for,
        in any property the cloud lets the module read back off a copy. These are encryption (C(encrypted) asked
        and the copy not encrypted), the KMS key (a key id or ARN; an alias is not compared), the tags asked for
        (tags the copy has beyond them are fine), the name, the description and the retention days, wherever the
        module has the option and the cloud shows the property. Options the task does not set are not compared.
      - Such a copy is never used silently. The result's entry for the destination says what differs, in C(mismatch)
        (C(snapshot_id) of the copy found and, per option, what was C(asked) and what was C(found)).
      - V(fail) fails the destination, naming what differs, and copies nothing.
      - V(warn) uses the copy found as it is, as if it matched, and warns.
      - V(new_copy) makes a new copy as asked; the one found is left as it is, for the DR role's pruning or for you
        to delete. A copy that matches is preferred to one that differs, so a rerun uses the new copy.
    type: str
    choices: [fail, warn, new_copy]
    default: fail
'''
