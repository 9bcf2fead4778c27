"""What simulated participants (the local mode's ``:sim N``, demos) propose in a proposal round.

Participant ``i`` proposes entry ``i`` of a fixed list, round and round, so a run is repeatable:
some proposals say the same (merged at once), some look alike (for the facilitator to merge),
and three are refused (only emoji, blank, a word of the word list) to show the refusals.
"""

from __future__ import annotations

from facilitation.content.model import PRINCIPLES

PRINCIPLE_PROPOSALS = (
    "Tillit",
    "Barnets bästa",
    "Lokal förankring",
    "Ömsesidig tillit",
    "Hållbarhet",
    "😀😀😀",
    "Jämlikhet",
    "   ",
    "Delaktighet",
    "Det här är jävla dumt",
)
STATEMENT_PROPOSALS = (
    "Kommunen lyssnar på föreningarna innan den fattar beslut.",
    "Vi får veta i god tid när bidragen ändras.",
    "Överenskommelsen är känd i min organisation.",
    "Kommunen lyssnar på föreningarna innan beslut fattas.",
    "Unga är med och formar dialogen.",
    "👍👍",
    "Dialogmötet leder till förändring.",
    "",
    "Vi kan kritisera kommunen utan att förlora stöd.",
    "Fuck this",
)


def simulated_proposal(catalogue: str, index: int) -> str:
    """What simulated participant ``index`` (from 0) proposes."""
    pool = PRINCIPLE_PROPOSALS if catalogue == PRINCIPLES else STATEMENT_PROPOSALS
    return pool[index % len(pool)]
