"""Uppföljning av åtaganden (``/uppfoljning``): how well each commitment of the agreement was met.

At the annual dialogue meeting each participant rates every commitment (åtagande) of the
process file on a scale from "Inte alls" to "Helt och hållet", or "Vet inte". A round of this
kind runs on the barometer's machinery (single answers on a scale, the sector split and the
disclosure rule of :func:`facilitation.barometer.metrics.sector_stats`) with its own labels, and
its results are grouped by principle and by the party that made the commitment and compared
with the follow-ups of earlier years (:mod:`.results`).

* :mod:`.rules` — the round rules the service applies (light: no charts);
* :mod:`.records` — the port that keeps each round's commitments (party, principles) as they
  were asked, and finds the follow-ups of a process; :class:`.records.MemoryFollowupRecords`
  for domain tests, :mod:`storage.followup_records` on SQL;
* :mod:`.grouping` — the grouping by principle and party, from published figures only;
* :mod:`.results`, :mod:`.charts`, :mod:`.flow`, :mod:`.kind`, :mod:`.texts`.
"""

from facilitation.followup import texts as _texts  # noqa: F401  (registers followup.* texts)
