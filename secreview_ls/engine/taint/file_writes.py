"""Sources that write their text into a file-like argument (``traceback.print_exc(file=buffer)``)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ..facts import ModuleFacts
from ..finding import FlowStep
from .state import Env
from .values import add_to_rest, with_step

if TYPE_CHECKING:
    from .interpreter import Interpreter


def written_to_file(interpreter: Interpreter, facts: ModuleFacts, node: ast.Call, name: str, env: Env) -> None:
    """``traceback.print_exc(file=buffer)``: the buffer now holds the source's text."""
    target = next((kw.value for kw in node.keywords if kw.arg == "file"), None)
    if target is None or facts.qualname(target) is not None:
        return  # no file, or a module's stream (``sys.stderr``): the program's own output
    value = interpreter.source_val(node, name)
    text = f"written to `{interpreter.texts.text(target)}`"
    value = with_step(value, FlowStep(interpreter.texts.span(node), text, interpreter.step_path))
    interpreter.update(target, env, lambda base: add_to_rest(base, value))
