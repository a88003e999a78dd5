# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DR run's phases, in the order sequence.PHASES lists them and dr.run.DrRun runs them: read (disks, snapshots),
fresh snapshots, copies, marks, the listing of the DR copies (found copies marked), copy tags, locks, the DR account's
shares, verification, the restore drill, pruning; then the report. Each takes frozen input and answers a frozen
PhaseResult (context.py); no phase writes into another's result, and only the report puts them together."""
