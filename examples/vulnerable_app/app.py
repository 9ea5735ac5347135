"""Inventory service: HTTP endpoints."""

import subprocess

import requests
import yaml
from flask import Flask, redirect, request, send_file

from . import db

app = Flask(__name__)
app.config["SECRET_KEY"] = "s3cr3t-k3y-f0r-pr0d"


@app.route("/items")
def list_items():
    category = request.args.get("category", "all")
    return {"items": db.items_in_category(category)}


@app.route("/items/<item_id>/label")
def print_label(item_id):
    printer = request.args["printer"]
    command = f"lpr -P {printer} labels/{item_id}.pdf"
    subprocess.run(command, shell=True, check=True)
    return {"status": "queued"}


@app.route("/import", methods=["POST"])
def import_items():
    document = yaml.load(request.data)
    for row in document["items"]:
        db.add_item(row["name"], row["category"])
    return {"imported": len(document["items"])}


@app.route("/supplier-status")
def supplier_status():
    response = requests.get("https://supplier.example.com/status", verify=False, timeout=5)
    return response.json()


@app.route("/login/done")
def after_login():
    return redirect(request.args.get("next", "/"))


@app.route("/exports/<name>")
def download_export(name):
    return send_file("/srv/exports/" + name)


if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
