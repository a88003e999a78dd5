# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A DR run's leases on its source snapshots, and the shares with the DR account that they hold.

One vocabulary, in the code, the docs (docs/safety.md, docs/vault.md) and the tag keys (core.tagging):

- a *lease* (lease.Lease) is one run's tag on a source snapshot: until when that run may be under way, for which DR
  regions. It is live until that time (by the cloud's clock, core.cloud_clock), then taken for over. Its tag key is a
  kind's prefix and the run's id; its time a stamp (core.cloud_clock.stamp). Three kinds:

  ================ ====================================== ==============================================================
  kind             tag key                                keeps
  ================ ====================================== ==============================================================
  copy lease       ``snapcopy:copy-lease:<run>/<region>`` two runs from copying one source into one region at once
  share lease      ``snapcopy:share-claim:<run>``         a share with the DR account from being taken back under a copy
  release tag      ``snapcopy:share-release:<run>``       a run from copying on a share another run is taking back
  ================ ====================================== ==============================================================

  The release tag is a lease too (a run id, until when). The share lease's key keeps the word of the release that made
  it (claim): a run of the last release reads only that key, and must see this release's leases; a second key beside it
  would cost a tag on clouds that cap them (ECS: 20 a snapshot), so the key stays
  (changelogs/fragments/48-one-lease-name.yml);
- a run's *lease terms* (lease.LeaseTerms): its id, DR regions, how long a lease it writes holds, its clock; each book
  is made of the run's calls and its terms;
- a *book* of leases of one kind, which takes, checks (fresh) and releases them: copies.CopyLeases,
  shares.ShareLeases; combined.CopyAndShareLeases holds both, for the copy engine, whose interface is
  engine.leases.Leases (what it takes: engine.leases.CopyLease, a source for one destination);
- the calls on the sources' tags (source_tags.SourceTagCalls) and on the shares (shares.ShareCalls) are the
  adapters'; shares.SharesHeldByLeases is the part of an adapter (AWS, ECS) that finds and releases its run's shares
  through its ShareLeases.

"Lock" is the cloud's snapshot lock alone (dr.locks); a scope's one run at a time on a controller is its turn
(plugin_utils/_scope_turn.py).
"""
