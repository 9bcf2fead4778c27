"""One person, one contact: a file contact and the same person registered by invitation are merged.

Identified by platform identity (platform, address, and the Slack workspace where both name
one) under the same signatory. The file's contact remains (the file manages it); the other
row's reminder history and answers move to it, so nothing is sent twice:

* a reminder both rows have (same meeting occurrence and offset) is kept once, and counts as
  sent (with its calendar file) if either was sent;
* a reminder only the other row has moves over, re-keyed to the remaining contact's key, so the
  next plan finds it (:func:`rekeyed`);
* of two answers for the same occurrence the later stays;
* a stop (opt-out) of either stays.

The stores run this inside :meth:`~facilitation.meetings.store.MeetingDirectory.import_config`
(the same transaction), so duplicates made before are merged at the next start.
"""

from __future__ import annotations

from facilitation.meetings.model import Contact


def same_person(a: Contact, b: Contact) -> bool:
    """Whether two contact entries reach the same person (a missing workspace matches any)."""
    if (a.platform, a.address) != (b.platform, b.address):
        return False
    return a.workspace is None or b.workspace is None or a.workspace == b.workspace


def rekeyed(delivery_key: str, contact_key: str) -> str:
    """``delivery_key`` (``meeting:occurrence:contact:offset``) for another contact key.

    Contact keys never hold ``:`` (see ``key_problem``), so the last two fields split cleanly.
    """
    head, _old, offset = delivery_key.rsplit(":", 2)
    return f"{head}:{contact_key}:{offset}"


__all__ = ["rekeyed", "same_person"]
