"""What an open template costs the editor: the views naming it are found and analyzed.

A generated project of ``VIEWS`` view modules, one in a hundred rendering ``page.html`` with a
request value the template writes with ``|safe``. Each run times ``ProjectIndex.files_naming``
(the walk and the per-file literal cache) and ``analyze_template`` (finding and analyzing the
views, moving their findings to the template). The first run reads every file; the next ones
reuse the cache, as an editor does at each keystroke in the template.

    .venv/bin/python benchmarks/template_side.py [VIEWS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from secreview_ls.pipeline import Config, ProjectIndex, analyze_template

VIEW = """from flask import Flask, render_template, request

app = Flask(__name__)


@app.route("/p{i}")
def page_{i}():
    return render_template({name!r}, title="x", bio=request.args["bio"])


@app.route("/q{i}")
def other_{i}():
    return request.args.get("q", "")[:10]
"""


def main(views: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "app" / "templates").mkdir(parents=True)
        page = root / "app" / "templates" / "page.html"
        page.write_text("<h1>{{ title }}</h1>\n<div>{{ bio|safe }}</div>\n", encoding="utf-8")
        for i in range(views):
            name = "page.html" if i % 100 == 0 else "other.html"
            (root / "app" / f"views_{i}.py").write_text(VIEW.format(i=i, name=name), encoding="utf-8")
        project = ProjectIndex([root])
        config = Config(root=root)
        text = page.read_text(encoding="utf-8")
        for run in range(4):
            started = time.perf_counter()
            naming = project.files_naming(["page.html"])
            walked = time.perf_counter()
            result = analyze_template(text, str(page), config, project=project)
            done = time.perf_counter()
            print(
                f"run {run}: files_naming {1000 * (walked - started):.1f} ms ({len(naming)} of {views} views name it), "
                f"analyze_template {1000 * (done - walked):.1f} ms, {len(result.findings)} finding(s)"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
