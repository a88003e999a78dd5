# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DR run's phases, in the order dr.run.DrRun sequences them: read (disks, snapshots), fresh snapshots, copies,
marks and locks, the DR account's shares, the restore drill, pruning, the report. Each takes frozen input and answers a
frozen result per disk; no phase writes into another's result, and only the report puts them together."""
