"""Block Kit rendering of the Slack port: escaping, long texts split (not cut), keyboards kept."""

from __future__ import annotations

from bot.slack.port import (
    MAX_BLOCKS,
    MAX_MESSAGE_TEXT,
    MAX_TEXT,
    blocks_for,
    escape,
    fallback_text,
    message_texts,
)
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
    assert blocks[-1]["type"] == "actions" and [e["value"] for e in blocks[-1]["elements"]] == [
        "b.1.1.1~x",
        "b.1.1.2~y",
    ]


def test_a_huge_text_becomes_several_messages_each_within_slacks_limits() -> None:
    lines = [f"{n}. {'&<>' * 20} {'å' * 300}" for n in range(1, 200)]  # escaping makes lines longer
    texts = message_texts("\n".join(lines))
    assert len(texts) > 1 and "\n".join(texts).split("\n") == lines
    for text in texts:
        blocks = blocks_for(text, [[Button("ok", "s.1.0~z")]])
        sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
        assert len(blocks) <= MAX_BLOCKS and all(len(section) <= MAX_TEXT for section in sections)
        assert sum(map(len, sections)) <= MAX_MESSAGE_TEXT and "\n".join(sections) == escape(text)
    assert blocks_for("", None)[0]["text"]["text"].strip() == ""
