"""Cutting long texts for a platform's limit: at line ends, a too-long line at a space, nothing lost."""

from __future__ import annotations

from bot.textsplit import split_text, utf16_length


def test_a_text_that_fits_is_one_piece_and_a_longer_one_is_cut_between_lines() -> None:
    assert split_text("a\nb", 10) == ["a\nb"]
    lines = [f"rad {n:02d} " + "x" * 20 for n in range(40)]
    pieces = split_text("\n".join(lines), 100)
    assert all(len(piece) <= 100 for piece in pieces)
    assert "\n".join(pieces).split("\n") == lines  # only the newline at each cut is spent


def test_a_line_longer_than_the_limit_is_cut_at_a_space_and_blank_pieces_are_left_out() -> None:
    words = " ".join(f"ord{n}" for n in range(100))
    pieces = split_text(words + "\n\n\n", 50)
    assert all(len(piece) <= 50 for piece in pieces) and all(piece.strip() for piece in pieces)
    assert " ".join(pieces).split() == words.split()
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]  # no space: a hard cut


def test_emoji_count_twice_in_utf16() -> None:
    assert utf16_length("å👍") == 3
    pieces = split_text("👍" * 10, 6, utf16_length)
    assert pieces == ["👍" * 3] * 3 + ["👍"]
