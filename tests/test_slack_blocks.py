"""Block Kit rendering of the Slack port: escaping, long texts split (not cut), keyboards kept."""

from __future__ import annotations

from bot.slack.port import MAX_BLOCKS, MAX_TEXT, blocks_for, fallback_text
from facilitation.ports import Button


def test_text_is_escaped_so_it_cannot_mention_or_link() -> None:
    blocks = blocks_for("<!channel> & <https://x.example|klicka>", None)
    assert blocks[0]["text"]["text"] == "&lt;!channel&gt; &amp; &lt;https://x.example|klicka&gt;"
    assert fallback_text("<!here>") == "&lt;!here&gt;"


def test_long_results_are_split_over_sections_without_losing_lines() -> None:
    lines = [f"{n}. Påstående nummer {n} – {'å' * 80}" for n in range(1, 120)]
    blocks = blocks_for("\n".join(lines), [[Button("1", "b.1.1.1~x"), Button("2", "b.1.1.2~y")]])
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) > 1 and all(len(b["text"]["text"]) <= MAX_TEXT for b in sections)
    assert "\n".join(b["text"]["text"] for b in sections).split("\n") == lines
    assert blocks[-1]["type"] == "actions" and [e["value"] for e in blocks[-1]["elements"]] == ["b.1.1.1~x", "b.1.1.2~y"]


def test_a_huge_text_keeps_the_buttons_within_fifty_blocks() -> None:
    blocks = blocks_for("x" * (MAX_TEXT * 60), [[Button("ok", "s.1.0~z")]])
    assert len(blocks) == MAX_BLOCKS and blocks[-1]["type"] == "actions"
    assert blocks_for("", None)[0]["text"]["text"].strip() == ""
