"""Columns with a fixed vocabulary (the agency's programs): the value a cell or a title names, however
it is written. A cell naming one allowed value, by itself, by a synonym or inside longer text ("KUR BRI",
"Pelatihan Digital Marketing"), reads as that value; one naming none or two stays as written, and is
rejected by the vocabulary check with the allowed values listed."""
from __future__ import annotations

from functools import lru_cache

from assets.ingest.layout import header_words
from schemas.base import Column


@lru_cache(maxsize=None)
def _phrases(column: Column) -> tuple[tuple[tuple[str, ...], str], ...]:
    written = [(value, value) for value in column.allowed or ()] + list(column.synonyms)
    return tuple((header_words(text), value) for text, value in written)


def named_value(column: Column, text: object) -> str | None:
    """The one allowed value `text` names, or None."""
    words = header_words(str(text))
    found = {value for phrase, value in _phrases(column)
             if any(words[i:i + len(phrase)] == phrase for i in range(len(words) - len(phrase) + 1))}
    return found.pop() if len(found) == 1 else None


def canonical(column: Column, text: object) -> object:
    """The allowed value a cell names, else the cell as written."""
    if text is None or not column.allowed or text in column.allowed:
        return text
    return named_value(column, text) or text
