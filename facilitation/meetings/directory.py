"""Filling the meetings directory from the configuration files, keeping the forgotten forgotten."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from facilitation.meetings.importing import MeetingsConfig
from facilitation.meetings.model import Contact
from facilitation.meetings.store import MeetingDirectory
from facilitation.pseudonym import Pseudonymizer

log = logging.getLogger(__name__)


def tombstones(pseudonymizer: Pseudonymizer) -> Callable[[Contact], str]:
    """The tombstone a forgotten contact leaves (never their participant key, which keys votes)."""
    return lambda contact: pseudonymizer.contact_tombstone(contact.platform, contact.address)


async def import_meetings(
    store: MeetingDirectory, configs: Iterable[MeetingsConfig], pseudonymizer: Pseudonymizer
) -> None:
    """Import each process's configuration; contacts who asked to be forgotten stay forgotten."""
    for config in configs:
        result = await store.import_config(config, tombstone_of=tombstones(pseudonymizer))
        log.info(
            "reminders: imported %s: %d signatories, %d contacts, %d meetings (%d contacts deactivated)",
            result.process_key,
            result.signatories,
            result.contacts,
            result.meetings,
            result.deactivated,
        )
        if result.skipped_forgotten:
            log.warning(
                "reminders: %s: %d contact(s) in the configuration asked to be forgotten and were not "
                "re-created; remove them from the file",
                result.process_key,
                result.skipped_forgotten,
            )
