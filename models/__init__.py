"""Tortoise ORM models of Fremdrift and the queries that are more than one line."""
