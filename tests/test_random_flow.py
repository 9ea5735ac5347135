"""How SR304 follows a `random` value to the use that needs it to be secret."""

from __future__ import annotations

from secreview_ls.config import Config
from secreview_ls.engine.finding import Level
from secreview_ls.pipeline import analyze_source


def _findings(text: str):
    return [
        f for f in analyze_source("import random\n" + text, "app/views.py", Config()).findings if f.rule_id == "SR304"
    ]


def test_value_followed_through_two_assignments_into_a_cookie() -> None:
    text = (
        "def login(response):\n"
        "    n = random.getrandbits(64)\n"
        "    text = hex(n)\n"
        "    response.set_cookie('remember', text)\n"
    )
    [finding] = _findings(text)
    assert finding.span.start_line == 3
    assert "cookie" in finding.message and finding.confidence == Level.HIGH


def test_equality_with_request_data_is_reported_but_ordering_is_not() -> None:
    equal = "def check(request):\n    n = random.randint(0, 9)\n    return n == request.GET['n']\n"
    ordered = "def check(request):\n    n = random.randint(0, 9)\n    return n < request.GET['n']\n"
    assert len(_findings(equal)) == 1
    assert not _findings(ordered)


def test_every_random_distribution_counts() -> None:
    text = "def issue(user):\n    user.api_token = str(random.normalvariate(0, 1))\n"
    assert len(_findings(text)) == 1


def test_salt_is_a_low_note_and_a_boundary_is_quiet() -> None:
    [salt] = _findings("def store():\n    salt = random.getrandbits(32)\n    return salt\n")
    assert (salt.severity, salt.confidence) == (Level.LOW, Level.LOW)
    assert not _findings("def make_boundary():\n    token = random.randrange(2**63)\n    return '==%d==' % token\n")


def test_value_that_never_reaches_a_secret_use_is_quiet() -> None:
    text = "def roll(request):\n    n = random.randint(1, 6)\n    label = str(n)\n    return {'die': label}\n"
    assert not _findings(text)
