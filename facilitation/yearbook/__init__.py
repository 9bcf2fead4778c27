"""A process's record over the years: what the room concluded, and which rounds are its yearly ones.

* ``/slutsats [nr] TEXT`` records the room's conclusion for a closed round (the latest counts);
  it appears under ``/resultat``, in the round's export and in the workshop report.
* ``/arsomgang [nr] [år]`` marks a closed barometer as the process's round of a year;
  ``/trend [påstående]`` draws every statement's mean and share agreeing over those years
  (matched by the statement's key), per sector where each year's round published the sector.

:mod:`.store` is the port (and its in-memory implementation), :mod:`.trend` the series and
their words, :mod:`.charts` the chart (drawn in a chart worker), :mod:`.chat` the commands and
the annex the conversation, the exports and the report read. No platform or database import.
"""

from facilitation.yearbook import texts as _texts  # noqa: F401  (registers yearbook.* texts)
