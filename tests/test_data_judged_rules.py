"""Rules that judge a call by its data: confidence and severity follow where the value comes from."""

from __future__ import annotations

from secreview_ls.config import Config
from secreview_ls.engine.finding import Level
from secreview_ls.pipeline import analyze_source


def findings(source: str, rule_id: str, path: str = "app/module.py") -> list:
    result = analyze_source(source, path, Config(select=(rule_id,)))
    return [f for f in result.findings if f.rule_id == rule_id]


CACHE = (
    "import pickle\n"
    "class Cache:\n"
    "    def set(self, key, value):\n"
    "        self.store[key] = pickle.dumps(value)\n"
    "    def get(self, key):\n"
    "        return pickle.loads(self.store[key])\n"
    "    def decode(self, blob):\n"
    "        return pickle.loads(blob)\n"
    "    def receive(self, peer):\n"
    "        return pickle.loads(peer.recv(4096))\n"
)


def test_pickle_confidence_follows_the_origin_of_the_bytes() -> None:
    found = {f.span.start_line: f for f in findings(CACHE, "SR402")}
    assert 6 not in found  # reads back what the module pickled itself
    assert (found[8].confidence, found[8].severity) == (Level.LOW, Level.LOW)  # handed in by a caller
    assert found[10].confidence == Level.HIGH  # from a socket


def test_pickle_without_a_writer_in_the_module_stays_medium() -> None:
    (found,) = findings("import pickle\ndef load(path):\n    return pickle.load(open(path, 'rb'))\n", "SR402")
    assert (found.confidence, found.severity) == (Level.MEDIUM, Level.MEDIUM)


def test_marshal_of_own_data_or_bytecode_is_quiet_and_unknown_data_is_medium() -> None:
    own = "import marshal\ndef save(x, f):\n    marshal.dump(x, f)\ndef load(f):\n    return marshal.load(f)\n"
    bytecode = "import marshal, types\ndef code(data):\n    co = marshal.loads(data[16:])\n    assert isinstance(co, types.CodeType)\n"
    unknown = "import marshal\ndef load(data):\n    return marshal.loads(data)\n"
    assert findings(own, "SR403") == [] and findings(bytecode, "SR403") == []
    (found,) = findings(unknown, "SR403")
    assert found.confidence == Level.MEDIUM


def test_mark_safe_confidence_separates_built_html_from_opaque_values() -> None:
    source = (
        "from django.utils.safestring import mark_safe\n"
        "def show(user, value):\n"
        "    a = mark_safe('<b>' + user.name + '</b>')\n"
        "    b = mark_safe(value)\n"
        "    c = mark_safe(user.bio)\n"
    )
    found = {f.span.start_line: f.confidence for f in findings(source, "SR604")}
    assert found == {3: Level.HIGH, 5: Level.LOW}
    # A bare parameter's origin is not visible here: the hardening note, not a default finding.
    assert [f.span.start_line for f in findings(source, "SR607")] == [4]


SETTINGS = 'DEBUG = True\nINSTALLED_APPS = ["django.contrib.auth"]\n'


def test_django_debug_is_judged_by_the_settings_module_it_is_in() -> None:
    (deployed,) = findings(SETTINGS, "SR601", "shop/settings.py")
    (developer,) = findings(SETTINGS, "SR601", "shop/settings/local.py")
    assert deployed.confidence == Level.MEDIUM and deployed.cwe == 489
    assert developer.confidence == Level.LOW
    assert findings(SETTINGS, "SR601", "shop/constants.py") == []
    assert findings("DEBUG = True\n", "shop/settings.py") == []  # no Django settings in it


def test_session_cookie_without_flags_names_the_missing_ones() -> None:
    source = "def view(response, sid):\n    response.set_cookie('sessionid', sid, httponly=True)\n"
    (found,) = findings(source, "SR606")
    assert "`secure=True`" in found.message and "httponly" not in found.message.split("without")[1]


def test_signing_key_placeholder_is_reported_but_a_plain_name_is_not() -> None:
    source = 'SECRET_KEY = "your-secret-key-here"\nPASSWORD = "password"\n'
    assert [f.span.start_line for f in findings(source, "SR751")] == [1]
