"""Inventory storage on SQLite, with parameterized queries."""

import sqlite3

DATABASE = "inventory.db"


def connect():
    return sqlite3.connect(DATABASE)


def items_in_category(category):
    query = "SELECT name, category FROM items WHERE category = ?"
    with connect() as connection:
        cursor = connection.cursor()
        cursor.execute(query, (category,))
        return cursor.fetchall()


def add_item(name, category):
    with connect() as connection:
        connection.execute("INSERT INTO items (name, category) VALUES (?, ?)", (name, category))
