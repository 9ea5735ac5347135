"""Flow shapes of a handler's request value: loops that end, constants that fold, mappings with
known keys, lambdas and closures run at their calls, ``super().__init__`` chains, methods picked
by input and called."""

from __future__ import annotations

import textwrap
from pathlib import Path

from secreview_ls.config import Config
from secreview_ls.pipeline import analyze_source

_HEAD = """\
import os
from flask import Flask, request
app = Flask(__name__)

@app.route("/x")
def view():
    host = request.args["host"]
"""


def _lines(body: str, *, head: str = _HEAD, select: str = "SR8") -> dict[int, str]:
    """Finding lines (numbered in ``body``) and rule ids of a view's body below ``head``."""
    text = head + textwrap.indent(textwrap.dedent(body), "    ")
    offset = head.count("\n")
    result = analyze_source(text, "/project/app.py", Config(root=Path("/project"), select=(select,)))
    return {f.span.start_line - offset: f.rule_id for f in result.findings}


def test_a_while_loop_whose_test_changes_runs_its_body_and_ends() -> None:
    body = """\
    cmd = "ping"
    count = 0
    while count < 1:
        cmd = cmd + " " + host
        count += 1
    os.system(cmd)
    """
    assert _lines(body) == {6: "SR802"}


def test_a_while_loop_that_never_ends_reaches_nothing_after_it() -> None:
    body = """\
    while True:
        pass
    os.system(host)
    """
    assert _lines(body) == {}


def test_membership_and_length_of_literals_fold() -> None:
    body = """\
    shown = "localhost"
    if "a" in "xyz":
        shown = host
    if len("abc") > 5:
        shown = host
    os.system(shown)
    if "x" not in "abc" and len("ab") == 2:
        os.system(host)
    """
    assert _lines(body) == {8: "SR802"}


def test_len_bound_in_the_function_is_not_the_builtin() -> None:
    body = """\
    len = lambda text: 9
    shown = "localhost"
    if len("abc") > 5:
        shown = host
    os.system(shown)
    """
    assert _lines(body) == {5: "SR802"}


def test_keyword_built_dict_keeps_entries_apart() -> None:
    body = """\
    opts = dict(fixed="localhost", user=host)
    os.system(opts["fixed"])
    os.system(opts["user"])
    """
    assert _lines(body) == {3: "SR802"}


def test_percent_mapping_writes_only_the_named_entries() -> None:
    body = """\
    os.system("ping %(h)s" % {"h": "localhost", "x": host})
    os.system("ping %(x)s" % {"h": "localhost", "x": host})
    os.system("ping %s" % {"h": "localhost", "x": host})
    """
    assert _lines(body) == {2: "SR802", 3: "SR802"}


def test_lambdas_run_at_their_calls() -> None:
    body = """\
    wrap = lambda v: "ping " + v
    fixed = lambda v: "ping localhost"
    run = lambda c: os.system(c)
    os.system(wrap(host))
    os.system(fixed(host))
    run("uptime")
    run(host)
    """
    assert _lines(body) == {4: "SR802", 3: "SR802"}


def test_closures_read_the_enclosing_values_at_the_call() -> None:
    body = """\
    def build():
        return "ping " + host

    def fixed():
        return "ping localhost"

    os.system(build())
    os.system(fixed())
    """
    assert _lines(body) == {7: "SR802"}


def test_super_init_and_explicit_base_init_keep_what_they_store() -> None:
    head = """\
import os
from flask import Flask, request
app = Flask(__name__)

class Base:
    def __init__(self, target):
        self.target = target

class Child(Base):
    def __init__(self, target):
        super().__init__(target)

class Other(Base):
    def __init__(self, target):
        Base.__init__(self, target)

class Fixed(Base):
    def __init__(self, target):
        super().__init__("localhost")
        self.label = target

@app.route("/x")
def view():
    host = request.args["host"]
"""
    body = """\
    os.system(Child(host).target)
    os.system(Other(host).target)
    os.system(Fixed(host).target)
    """
    assert _lines(body, head=head) == {1: "SR802", 2: "SR802"}


def test_a_method_picked_by_input_is_reported_only_when_called() -> None:
    body = """\
    class Service:
        def start(self):
            return "started"

    getattr(Service(), host)()
    value = getattr(Service(), host)
    handler = getattr(os, host)
    handler()
    getattr(Service(), "do_" + host)()
    """
    assert _lines(body, select="SR820") == {5: "SR820", 7: "SR820"}


def test_a_token_hashed_from_the_clock_is_insecure_randomness() -> None:
    text = textwrap.dedent(
        """\
        import hashlib, time, uuid
        def login(response):
            session_token = hashlib.sha256(str(time.time()).encode()).hexdigest()
            response.set_cookie("sid", hashlib.sha256(str(id(response)).encode()).hexdigest())
            expires_token = time.time() + 60
            cache_key = hashlib.sha256(str(time.time()).encode()).hexdigest()
            reset_token = str(uuid.uuid1())
            return session_token, expires_token, cache_key, reset_token
        """
    )
    result = analyze_source(text, "/project/app.py", Config(root=Path("/project"), select=("SR304",)))
    assert sorted(f.span.start_line for f in result.findings) == [3, 4, 7]


def test_insert_at_a_constant_index_moves_the_later_elements() -> None:
    body = """\
    items = ["a", host]
    items.insert(0, "b")
    os.system(items[0])
    os.system(items[1])
    os.system(items[2])
    items.insert(-1, "c")
    os.system(items[2])
    os.system(items[3])
    """
    assert _lines(body) == {5: "SR802", 8: "SR802"}


def test_setattr_with_a_constant_name_stores_the_attribute() -> None:
    body = """\
    class Box:
        pass

    box = Box()
    setattr(box, "value", host)
    setattr(box, "label", "fixed")
    os.system(box.value)
    os.system(box.label)
    """
    assert _lines(body) == {7: "SR802"}


def test_starred_unpacking_of_a_known_sequence_keeps_positions() -> None:
    body = """\
    head, *rest, tail = ["a", host, "b", "c"]
    os.system(head)
    os.system(tail)
    os.system(rest[0])
    os.system(rest[1])
    """
    assert _lines(body) == {4: "SR802"}


def test_format_writes_only_the_arguments_its_fields_name() -> None:
    body = """\
    os.system("{0}".format("a", host))
    os.system("{1}".format("a", host))
    os.system("{x}".format(x="a", y=host))
    os.system("{0:{1}}".format("a", host))
    os.system("{}".format(*["a", host]))
    """
    assert _lines(body) == {2: "SR802", 4: "SR802", 5: "SR802"}


def test_named_tuple_fields_are_read_by_name() -> None:
    head = """\
import os
from collections import namedtuple
from typing import NamedTuple
from flask import Flask, request
app = Flask(__name__)
Pair = namedtuple("Pair", ["fixed", "user"])

class Typed(NamedTuple):
    fixed: str
    user: str

@app.route("/x")
def view():
    host = request.args["host"]
"""
    body = """\
    os.system(Pair("a", host).fixed)
    os.system(Pair("a", user=host).user)
    os.system(Typed("a", host).fixed)
    os.system(Typed("a", host).user)
    """
    assert _lines(body, head=head) == {2: "SR802", 4: "SR802"}


def test_membership_in_a_fixed_class_list_is_an_allowlist() -> None:
    head = """\
import os
from flask import Flask, request
app = Flask(__name__)

class Runner:
    ALLOWED = ["uptime", "df"]
    GROWN = ["uptime"]

    def run(self):
        name = request.args["name"]
        if name in self.ALLOWED:
            os.system(name)
        if name in self.GROWN:
            os.system(name)

    def add(self, name):
        self.GROWN.append(name)

@app.route("/x")
def view():
    host = request.args["host"]
"""
    grown_sink = head.splitlines().index("            os.system(name)", 12) + 1  # the second sink
    assert _lines("Runner().run()\n", head=head) == {grown_sink - head.count("\n"): "SR802"}
