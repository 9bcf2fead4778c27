"""Annual dialogue meetings of an Överenskommelse and reminders to the signatories' contacts.

Pure domain (no database, platform or scheduler): meetings recur by an RFC 5545 RRULE in
Europe/Stockholm wall time, reminders are planned and classified (send, catch up, skip), and
texts and calendar files are rendered. Importing the package registers the ``meetings.*`` texts.

The same shape as the workshops: :mod:`.store` is the port (``MeetingStore``: directory, delivery
queue, RSVPs), :mod:`.memory_store` implements it in memory and :mod:`storage.meetings_repository`
on SQL; :mod:`.dispatch` holds the dispatcher's rules and :mod:`.chat` the meeting chat commands,
both working on the port; :mod:`.directory` imports the configuration into it.
"""

import facilitation.meetings.texts  # noqa: F401  (registers meetings.* texts)
from facilitation.meetings.ics import event_uid, meeting_ics
from facilitation.meetings.importing import (
    LIMITS,
    ContactKeys,
    MeetingsConfig,
    MeetingsConfigError,
    address_problem,
    key_problem,
    length_problem,
    parse_meetings,
    parse_span,
    workspace_problem,
)
from facilitation.meetings.invitation import INVITE_LIFETIME, INVITE_PREFIX, Invitation, InvitationError
from facilitation.meetings.messages import (
    RSVP_ACTION,
    contact_gone_text,
    format_when,
    gone_reason_text,
    relative_day,
    reminder_text,
    rsvp_buttons,
    rsvp_label,
    rsvp_saved,
    rsvp_summary,
    unreachable_text,
)
from facilitation.meetings.model import (
    Contact,
    Meeting,
    OrganisationAnswer,
    Rsvp,
    RsvpAnswer,
    RsvpTally,
    Signatory,
)
from facilitation.meetings.recurrence import (
    is_occurrence,
    next_occurrence,
    normalise_rrule,
    occurrences,
    start_matches_rule,
)
from facilitation.meetings.reminders import (
    DEFAULT_LATE_GRACE,
    DEFAULT_MIN_GAP,
    ReminderDue,
    Verdict,
    classify,
    delivery_key,
    due_time,
    plan_reminders,
)
from facilitation.meetings.tz import STOCKHOLM

__all__ = [
    "DEFAULT_LATE_GRACE",
    "DEFAULT_MIN_GAP",
    "INVITE_LIFETIME",
    "INVITE_PREFIX",
    "LIMITS",
    "RSVP_ACTION",
    "STOCKHOLM",
    "Contact",
    "ContactKeys",
    "Invitation",
    "InvitationError",
    "Meeting",
    "MeetingsConfig",
    "MeetingsConfigError",
    "OrganisationAnswer",
    "ReminderDue",
    "Rsvp",
    "RsvpAnswer",
    "RsvpTally",
    "Signatory",
    "Verdict",
    "address_problem",
    "classify",
    "contact_gone_text",
    "delivery_key",
    "due_time",
    "event_uid",
    "format_when",
    "gone_reason_text",
    "is_occurrence",
    "key_problem",
    "length_problem",
    "meeting_ics",
    "next_occurrence",
    "normalise_rrule",
    "occurrences",
    "parse_meetings",
    "parse_span",
    "plan_reminders",
    "relative_day",
    "reminder_text",
    "rsvp_buttons",
    "rsvp_label",
    "rsvp_saved",
    "rsvp_summary",
    "start_matches_rule",
    "unreachable_text",
    "workspace_problem",
]
