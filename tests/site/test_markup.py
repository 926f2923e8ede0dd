"""One escape for the whole site (raftsite/markup.py): what the renderer, the layers and the
controls' panels write into SVG and HTML."""

from __future__ import annotations

from raftsite.markup import esc, fmt, trunc, wrap


def test_escape_is_safe_in_text_and_in_either_kind_of_attribute():
    text = '<S1 & "S2"> it\'s'
    out = esc(text)
    assert "<" not in out and ">" not in out and '"' not in out and "'" not in out
    assert out == "&lt;S1 &amp; &quot;S2&quot;&gt; it&#x27;s"
    assert esc(42) == "42"


def test_numbers_have_one_decimal_and_no_negative_zero():
    assert [fmt(x) for x in (0, -0.04, 1.25, -3.0, 12.349)] == ["0.0", "0.0", "1.2", "-3.0", "12.3"]


def test_wrap_breaks_between_words_and_trunc_marks_the_cut():
    assert wrap("a bb ccc dddd", 6) == ["a bb", "ccc", "dddd"]
    assert wrap("averyveryverylongword x", 5) == ["averyveryverylongword", "x"]
    assert trunc("abcdef", 4) == "abc\u2026" and trunc("abc", 4) == "abc"
