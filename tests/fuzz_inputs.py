"""Inputs for the engine fuzz benchmark (benchmarks/fuzz_engine.py) and property tests.

Every generator takes a ``random.Random`` and returns ``(label, text)``; the label says how
the text was made, so that a failure can be told apart from its neighbours. Kinds:

* ``stdlib``: whole modules of each installed Python's standard library, tests included
  (some are deliberately bad syntax or odd encodings), decoded as the analyzer decodes files;
* ``stdlib-def``: single functions and classes cut out of those modules, some mutated;
* ``mutation``: the rule fixtures and rule examples, truncated, with lines deleted,
  duplicated or swapped, random characters or tokens inserted, indentation changed;
* ``endings``: the same sources with every line ending LF, CRLF or CR (or a mix), with or
  without a byte order mark;
* ``nesting``: every construct nested or chained to a random depth up to a few thousand
  (elif chains, brackets, concatenations, functions, classes, lambdas, comprehensions,
  f-strings, attribute/call/subscript chains, unary operators, ternaries, blocks);
* ``edit``: a document analyzed by the incremental analyzer, then mutated and analyzed again,
  one to three times;
* ``generated``: programs from hypothesmith (grammar- and CST-based), when installed.
"""

from __future__ import annotations

import ast
import glob
import os
import random
import textwrap
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TOKENS = [
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    ",",
    ".",
    "=",
    "==",
    "+",
    "*",
    "**",
    "'",
    '"',
    '"""',
    "'''",
    "#",
    "\\",
    "\n",
    "\t",
    "    ",
    "def ",
    "class ",
    "lambda ",
    "import ",
    "from ",
    "yield ",
    "await ",
    "async ",
    "return ",
    "eval(",
    "exec(",
    "os.system(",
    "subprocess.run(",
    "shell=True",
    "yaml.load(",
    "pickle.loads(",
    "open(",
    "f'{",
    "}'",
    'f"{',
    '}"',
    "request.args",
    "cursor.execute(",
    "%s",
    ".format(",
    "if ",
    "else",
    "elif ",
    "try:",
    "except:",
    "finally:",
    "with ",
    "match ",
    "case ",
    "global ",
    "nonlocal ",
    "del ",
    "@",
    ":=",
    "->",
    "\r",
    "\r\n",
    "\x0c",
    "\x0b",
    "\ufeff",
    "é",
    "😀",
    "\u2028",
    "\x85",
    "0x",
    "1e",
    "1j",
    "_",
    "\\N{DASH}",
    "\\x",
    "\\u12",
    "b'",
    "rb'",
    "u'",
    "t'",
    "...",
    "*args",
    "**kw",
    "not ",
    " is ",
    " in ",
    "print(",
    "\x00",
]
CHARS = "()[]{}:;,.'\"#\\\n\r\t =+-*/%@&|^~<>!?$`" + "abcxyz019_" + "é😀\u2028\x85\x0c\x0b\ufeff\x00\x7f\u200b"


def python_libraries(versions: list[str] | None = None) -> list[Path]:
    """The standard library folder of each installed Python 3.11+ (pyenv's and the running
    one's), or of the given versions ("3.11", "3.13")."""
    found = {Path(p) for p in glob.glob("/root/.pyenv/versions/3.1[1-9]*/lib/python3.*")}
    found |= {Path(os.__file__).parent}
    libraries = sorted(p for p in found if p.is_dir() and p.name >= "python3.11")
    if versions is not None:
        libraries = [p for p in libraries if p.name.removeprefix("python") in versions]
    return libraries


def stdlib_files(versions: list[str] | None = None) -> list[str]:
    """Every ``.py`` file of those libraries, ``site-packages`` left out."""
    paths: list[str] = []
    for library in python_libraries(versions):
        for path in sorted(library.rglob("*.py")):
            if "site-packages" not in path.parts and path.is_file():
                paths.append(str(path))
    return paths


def corpus() -> list[str]:
    """Real Python: the rule fixtures and every rule's vulnerable and safe examples."""
    from secreview_ls.rules import registry

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "fixtures").rglob("*.py"))]
    for rule in registry.all_rules():
        texts += [rule.bad, rule.good]
    return [t for t in texts if t.strip()]


def window(rng: random.Random, text: str) -> str:
    """A run of 1-25 consecutive lines of ``text``: a cheap snippet, often cut mid-block."""
    lines = _lines(text)
    start = rng.randrange(len(lines))
    return "".join(lines[start : start + rng.randint(1, 25)])


def mutate(rng: random.Random, text: str, steps: int | None = None) -> tuple[str, str]:
    """Apply 1-4 random edits; returns the edits' names and the text."""
    names = []
    for _ in range(steps if steps is not None else rng.randint(1, 4)):
        name, text = rng.choice(MUTATIONS)(rng, text)
        names.append(name)
    return "+".join(names), text


def _truncate(rng: random.Random, text: str) -> tuple[str, str]:
    return "truncate", text[: rng.randint(0, len(text))]


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


def _delete_lines(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    a = rng.randrange(len(lines))
    del lines[a : a + rng.choice((1, 1, 2, 5))]
    return "delete-lines", "".join(lines)


def _duplicate_lines(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    a = rng.randrange(len(lines))
    b = min(len(lines), a + rng.choice((1, 1, 3, 10)))
    at = rng.randint(0, len(lines))
    return "duplicate-lines", "".join(lines[:at] + lines[a:b] + lines[at:])


def _swap_lines(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "swap-lines", "".join(lines)


def _insert_chars(rng: random.Random, text: str) -> tuple[str, str]:
    for _ in range(rng.randint(1, 8)):
        at = rng.randint(0, len(text))
        text = text[:at] + rng.choice(CHARS) + text[at:]
    return "insert-chars", text


def _insert_bytes(rng: random.Random, text: str) -> tuple[str, str]:
    """Random bytes read the way an editor might: UTF-8 with replacement, or Latin-1."""
    noise = bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
    chunk = noise.decode("utf-8", "replace") if rng.random() < 0.5 else noise.decode("latin-1")
    at = rng.randint(0, len(text))
    return "insert-bytes", text[:at] + chunk + text[at:]


def _insert_token(rng: random.Random, text: str) -> tuple[str, str]:
    at = rng.randint(0, len(text))
    return "insert-token", text[:at] + rng.choice(TOKENS) + text[at:]


def _delete_span(rng: random.Random, text: str) -> tuple[str, str]:
    a = rng.randint(0, len(text))
    return "delete-span", text[:a] + text[min(len(text), a + rng.randint(1, 40)) :]


def _reindent(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    i = rng.randrange(len(lines))
    lines[i] = rng.choice(("", " ", "  ", "\t", "    ", "        ", " \t")) + lines[i].lstrip(" \t")
    return "reindent", "".join(lines)


def _surrogate(rng: random.Random, text: str) -> tuple[str, str]:
    at = rng.randint(0, len(text))
    return "surrogate", text[:at] + rng.choice(("\ud800", "\udfff", "\udc80")) + text[at:]


MUTATIONS: list[Callable[[random.Random, str], tuple[str, str]]] = [
    _truncate, _delete_lines, _duplicate_lines, _swap_lines, _insert_chars, _insert_bytes, _insert_token,
    _insert_token, _delete_span, _reindent, _surrogate,
]  # fmt: skip


def line_endings(rng: random.Random, text: str) -> tuple[str, str]:
    """``text`` with LF, CRLF, CR or mixed line endings, maybe a BOM, maybe no final newline."""
    lines = text.splitlines()
    style = rng.choice(("lf", "crlf", "cr", "mixed"))
    if style == "mixed":
        out = "".join(line + rng.choice(("\n", "\r\n", "\r")) for line in lines)
    else:
        out = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}[style].join(lines)
        if rng.random() < 0.7:
            out += {"lf": "\n", "crlf": "\r\n", "cr": "\r"}[style]
    bom = rng.random() < 0.4
    return f"{style}{'+bom' if bom else ''}", ("\ufeff" if bom else "") + out


def _deep_depth(rng: random.Random) -> int:
    """Log-uniform from 1 to 3000: most shallow, some past what the interpreter parses."""
    return max(1, round(3000 ** rng.random()))


def _indented(depth: int, header: Callable[[int], str], body: str = "eval(x)") -> str:
    depth = min(depth, 99)  # the tokenizer allows 100 indentation levels
    return "".join("    " * i + header(i) + "\n" for i in range(depth)) + "    " * depth + body + "\n"


NESTING: dict[str, Callable[[int], str]] = {
    "elif": lambda d: (
        "def f(x):\n    if x == 0:\n        eval(x)\n"
        + "".join(f"    elif x == {i}:\n        os.system(x)\n" for i in range(1, d))
    ),
    "elif-module": lambda d: "if x == 0:\n    eval(x)\n" + "".join(f"elif x == {i}:\n    pass\n" for i in range(1, d)),
    "else-if": lambda d: _indented(d, lambda i: f"if x{i}:\n" + "    " * (i + 1) + "pass\n" + "    " * i + "else:"),
    "brackets": lambda d: (
        "y = "
        + "".join(random.Random(d).choice("([{") for _ in range(min(d, 199)))
        + "x"
        + "".join(
            {"(": ")", "[": "]", "{": "}"}[c]
            for c in reversed("".join(random.Random(d).choice("([{") for _ in range(min(d, 199))))
        )
        + "\neval(y)\n"
    ),
    "parens": lambda d: "eval(" + "(" * min(d, 198) + "request.args['q']" + ")" * min(d, 198) + ")\n",
    "concat": lambda d: (
        "def f(cursor, q):\n    cursor.execute('SELECT * FROM t WHERE a = ' + "
        + " + ".join(["q", "' OR a = '"] * (d // 2 + 1))
        + ")\n"
    ),
    "implicit-concat": lambda d: "cursor.execute(\n" + "\n".join(f"    'select {i}'" for i in range(d)) + "\n)\n",
    "percent": lambda d: "q = " + " % ".join(["'%s'"] * d) + "\nos.system(q)\n",
    "fstring-concat": lambda d: "q = " + " + ".join(f"f'{{a{i}}}'" for i in range(d)) + "\nos.system(q)\n",
    "fstring-nest": lambda d: "q = " + "f'{" * min(d, 4) + "x" + "}'" * min(d, 4) + "\nos.system(q)\n",
    "fstring-nest-312": lambda d: "q = " + 'f"{' * min(d, 150) + "x" + '}"' * min(d, 150) + "\nos.system(q)\n",
    "functions": lambda d: "import os\n" + _indented(d, lambda i: f"def f{i}(x{i}):", "os.system(x0)"),
    "classes": lambda d: _indented(
        d, lambda i: f"class C{i}:", "def m(self, x):\n" + "    " * (min(d, 99) + 1) + "eval(x)"
    ),
    "lambdas": lambda d: "f = " + "lambda x: " * d + "eval(x)\n",
    "comprehensions": lambda d: "y = " + "[x for x in " * min(d, 199) + "z" + "]" * min(d, 199) + "\neval(y)\n",
    "generators": lambda d: (
        "y = " + "".join(f"(x{i} for x{i} in " for i in range(min(d, 199))) + "z" + ")" * min(d, 199) + "\n"
    ),
    "dicts": lambda d: "y = " + "{'k': " * min(d, 199) + "request.args" + "}" * min(d, 199) + "\neval(y)\n",
    "attributes": lambda d: "y = request" + ".args" * d + "\neval(y)\n",
    "calls": lambda d: "y = f" + "(x)" * d + "\neval(y)\n",
    "subscripts": lambda d: "y = request.args" + "['k']" * d + "\neval(y)\n",
    "not": lambda d: "y = " + "not " * d + "x\neval(y)\n",
    "unary": lambda d: "y = " + "".join(random.Random(d).choice("-+~") for _ in range(d)) + "x\neval(y)\n",
    "ternary": lambda d: "y = " + " if c else ".join(["request.args['q']"] * d) + "\neval(y)\n",
    "boolean": lambda d: "y = " + " or ".join(["x", "request.args['q']"] * (d // 2 + 1)) + "\neval(y)\n",
    "compare": lambda d: "y = " + " < ".join(["x"] * (d + 1)) + "\neval(y)\n",
    "power": lambda d: "y = " + " ** ".join(["x"] * (d + 1)) + "\neval(y)\n",
    "assign-chain": lambda d: (
        "a0 = request.args['q']\n" + "".join(f"a{i} = a{i - 1}\n" for i in range(1, d)) + f"os.system(a{d - 1})\n"
    ),
    "walrus": lambda d: "y = " + "(x := " * min(d, 198) + "request.args['q']" + ")" * min(d, 198) + "\neval(x)\n",
    "with": lambda d: _indented(min(d, 20), lambda i: f"with open(p{i}) as f{i}:"),
    "for": lambda d: _indented(min(d, 20), lambda i: f"for x{i} in y{i}:"),
    "try": lambda d: (
        _indented(min(d, 20), lambda i: "try:").rstrip("\n")
        + "\n"
        + "".join("    " * i + "except Exception:\n" + "    " * (i + 1) + "pass\n" for i in reversed(range(min(d, 20))))
    ),
    "decorators": lambda d: "".join(f"@d{i}(x)\n" for i in range(d)) + "def f(x):\n    eval(x)\n",
    "await": lambda d: (
        "async def g(x):\n    y = "
        + "await " * min(d, 1)
        + "(" * min(d, 198)
        + "x"
        + ")" * min(d, 198)
        + "\n    eval(y)\n"
    ),
    "match": lambda d: "match x:\n" + "".join(f"    case {i}:\n        eval(x)\n" for i in range(d)),
    "statements": lambda d: "import os\n" + "".join(f"os.system(v{i})\n" for i in range(d)),
    "star-args": lambda d: "f(" + ", ".join(["*x", "**y"] * (d // 2 + 1)) + ")\n",
}


def nesting(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(sorted(NESTING))
    depth = _deep_depth(rng)
    text = NESTING[name](depth)
    if rng.random() < 0.2:
        how, text = mutate(rng, text, 1)
        return f"{name}:{depth}:{how}", text
    return f"{name}:{depth}", text


def definitions(text: str) -> list[str]:
    """The source of every function and class in ``text`` (dedented), outermost first."""
    from secreview_ls.engine.source import parse_quietly

    try:
        tree = parse_quietly(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    lines = text.splitlines(keepends=True)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            found.append(textwrap.dedent("".join(lines[first - 1 : node.end_lineno])))
    return found
