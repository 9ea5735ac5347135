"""A rule's trigger words counted over the chunks of a document from one version to the next:
each version agrees with a whole-file analysis as the chunks holding a word come and go."""

from __future__ import annotations

from pathlib import Path

from secreview_ls.pipeline.incremental.chunks import Chunk, WordCounts

from .test_incremental_regressions import replay

FILLER = "".join(f"\n\ndef helper_{n}(value):\n    return value + {n}\n" for n in range(8))
UNVERIFIED = "\n\ndef fetch_{n}(host):\n    return ssl._create_unverified_context()\n"


def _chunk(text: str) -> Chunk:
    return Chunk(first=1, last=1, text=text, key=text, module=None, base=1)  # type: ignore[arg-type]


def test_counts_follow_the_chunks_that_come_and_go() -> None:
    words = WordCounts()
    a, b, c = _chunk("x = verify_mode\n"), _chunk("y = 1\n"), _chunk("z = verify_mode\n")
    first = [a, b]
    words.follow([], [], first, first)
    assert words.mentions("verify_mode") and not words.mentions("cert_reqs")
    second = [b, c]
    words.follow(first, [a], [c], second)
    assert words.mentions("verify_mode")
    third = [b]
    words.follow(second, [c], [], third)
    assert not words.mentions("verify_mode")
    words.follow(first, [], [], first)  # not the chunks last counted: counted again
    assert words.mentions("verify_mode")


def test_a_trigger_word_in_chunks_that_come_and_go(tmp_path: Path) -> None:
    quiet = "import ssl\n" + FILLER
    one = quiet + UNVERIFIED.format(n=1)
    two = "import ssl\n" + UNVERIFIED.format(n=0) + FILLER + UNVERIFIED.format(n=1)
    moved = "import ssl\n" + UNVERIFIED.format(n=0) + FILLER
    analyzer = replay(tmp_path, quiet, one, two, moved, quiet, moved, "\n" + moved, quiet)
    assert analyzer.stats.mode == "incremental"
    assert "SR309" in {f.rule_id for f in analyzer.analyze(moved).findings}
    assert "SR309" not in {f.rule_id for f in analyzer.analyze(quiet).findings}
