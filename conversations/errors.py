"""Mistakes a person can make, as values.

A `UserError` carries a message key and the parameters the message needs; the words
themselves live in the templates of `render/` (one per language). Code that meets bad
input raises or returns one of these, and the edge that talks to the person renders it.
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake a person can make: a message key and its parameters (words: templates)."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __repr__(self) -> str:
        return f"UserError({self.key!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, UserError) and other.key == self.key and other.params == self.params
        )

    def __hash__(self) -> int:
        return hash(self.key)
