"""Inventory service: HTTP endpoints, written safely."""

import os
import subprocess

import requests
import yaml
from flask import Flask, abort, redirect, request, send_from_directory

from . import db

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["INVENTORY_SECRET_KEY"]

PRINTERS = {"front-desk", "warehouse"}
SAFE_REDIRECTS = {"/", "/items", "/account"}


@app.route("/items")
def list_items():
    category = request.args.get("category", "all")
    return {"items": db.items_in_category(category)}


@app.route("/items/<int:item_id>/label")
def print_label(item_id):
    printer = request.args["printer"]
    if printer not in PRINTERS:
        abort(400)
    subprocess.run(["lpr", "-P", printer, f"labels/{item_id}.pdf"], check=True)
    return {"status": "queued"}


@app.route("/import", methods=["POST"])
def import_items():
    document = yaml.safe_load(request.data)
    for row in document["items"]:
        db.add_item(row["name"], row["category"])
    return {"imported": len(document["items"])}


@app.route("/supplier-status")
def supplier_status():
    response = requests.get("https://supplier.example.com/status", timeout=5)
    return response.json()


@app.route("/login/done")
def after_login():
    target = request.args.get("next", "/")
    if target not in SAFE_REDIRECTS:
        target = "/"
    return redirect(target)


@app.route("/exports/<name>")
def download_export(name):
    return send_from_directory("/srv/exports", name)


if __name__ == "__main__":
    app.run(host="127.0.0.1", debug=False)
