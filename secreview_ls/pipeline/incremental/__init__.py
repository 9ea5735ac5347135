"""Incremental analysis of a document that is edited over and over.

A keystroke changes one function, so the work it costs should scale with that
function, not with the file. ``IncrementalAnalyzer(path, config).analyze(text)``
returns exactly what ``analyze_source(text, path, config)`` returns (findings,
suppressed findings in source order, notices — a timeout's included — and the
evidence records as a set), but:

* The document is split into **chunks**: runs of top-level statements (each
  function or class alone, small statements grouped), with the blank and
  comment lines before them. A new version is diffed line by line against the
  last one; only the chunks that overlap the change (plus their neighbours)
  are parsed again, and only if that region parses on its own, which at
  top-level boundaries means the whole module parses into the same statements.
  Unchanged chunks keep their trees; chunks below an inserted line are moved
  by rewriting their nodes' line numbers, when something is about to read them.
  The new text is compared with the last one as text, so only the changed lines
  are split again.
* A top-level class of ``segments.MIN_SPLIT_LINES`` lines or more with two methods or more is
  several chunks (**segments**) sharing its node: a header (decorators, the ``class`` line, the
  statements before the first method), one per method, one per run of other class-body
  statements. An edit inside methods re-parses just them, wrapped in a ``class`` line so they
  parse on their own at their columns; their rules see them with the class's header and
  class-body statements, and rerun when those change or when the set of attribute names the
  class stores changes (a class constant read through ``self``). See ``segments``.
* Code that does not parse (mid-edit) is repaired region by region the way
  ``parse_tolerant`` repairs the whole file, when that provably gives the same
  result: the region's tolerant parse, checked against a parse with a chunk of
  context on each side (or, when the region ends inside a bracket or string,
  against the parse of everything below it; once the text above the unchanged
  chunks below parses, those chunks are taken as they are instead of parsed
  again). One broken region at a time.
* Each chunk has its own module facts (the engine's index), built once. The
  import map is the union of the chunks' imports; every query a chunk makes
  of it (``aliases.get("os")``, ``"eval" in locally_bound``...) is recorded,
  so a changed import invalidates exactly the chunks whose answers changed.
* Per-chunk rules (``Rule.scope == "chunk"``) run on a small module made of the
  chunk and the chunks that bind, at module level, a name the chunk uses (a
  constant, a helper, ``app``) or grow a container of that name (``name.append(x)``,
  ``name[k] = v``: a list filled elsewhere is no constant): rules that look a name up
  at module level see what they would see in the whole file (``local``). Results and evidence are
  cached by the texts of the chunk and of those context chunks and by the
  recorded import answers; when a chunk only moved, they move with it (unless
  a finding's message names a line, ``Finding.message_lines``: then the rules
  run again).
* Whole-module rules (``Rule.scope == "module"``: taint analysis, settings
  found anywhere) run on module facts combined from the chunks' facts
  (``ModuleFacts.combined``: no parse, no walk, indexes merged as queries need
  them), but the rules themselves run on every version. A whole-module rule that declares
  ``Rule.needs_module`` (a test of what a chunk's view holds) runs like a per-chunk rule while
  that test is false on every chunk's view (its results cached and reused the same way), and
  on the whole module as soon as one chunk's view makes it true.
* The first version is analyzed whole (the fastest first result); ``prepare`` then builds the
  chunks, and their per-chunk results are seeded from that analysis (``local.seed_results``: a
  per-chunk rule's findings and evidence on a chunk are the whole run's on its lines) instead
  of running every rule on every chunk. What the whole run cannot tell is found on the
  chunk's view (whether a ``needs_module`` test holds there) or kept conservative (a seeded
  chunk runs again on any change of the import map); ``refine``, called while the document
  waits for an edit, runs the rules on the seeded chunks one at a time and stops as soon as a
  new version comes.
* Every rule runs in the pipeline's one rule loop (``running.run_rules``), in
  the same order and under the same time budget as a whole-file analysis; the
  final steps (taint preference, context, thresholds, suppressions,
  de-duplication, snippet masking, fingerprints) are ``finishing``'s.

Anything this cannot reproduce exactly falls back to ``analyze_source``: NUL
bytes, unpaired surrogates, a file over ``max-file-size``, syntax errors in
several places or beyond repair, a rule that raises (the whole-file analysis
reports it), star imports in several places. A name imported as different modules in
different places means what the whole module's import map makes of it, asked of the whole tree
when a chunk importing it comes or goes. A version that cannot be chunked leaves the cache
for the next one (diffed against the last chunked version); a failure during the
analysis itself drops the cache.
"""

from __future__ import annotations

from .analyzer import IncrementalAnalyzer
from .chunks import RunStats
from .linediff import split_lines_keepends

__all__ = ["IncrementalAnalyzer", "RunStats", "split_lines_keepends"]
