"""The workshop report (``/rapport``, ``dialogbot report``): one PDF of a whole workshop for the
steering group.

:mod:`.content` decides what goes in (every closed round as it was published, participants per
sector under the disclosure rule); :mod:`.pdf` draws it (in a chart worker); :mod:`.command` is
the chat command. Importing the package registers the ``report.*`` texts. No platform or
database import here.
"""

from facilitation.report import texts as _texts  # noqa: F401  (registers report.* texts)
