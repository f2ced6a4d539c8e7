"""People's names as caller look-up compares them.

An agent types a caller's name the way they heard it: any case, often without accents, the
first name or the surname first. `fold` writes a text without case and accents ("Émile" ->
"emile"); `name_keys` gives a full name's two look-up keys, the folded name as written and
the folded name from its last word (the surname in most of the desk's clients):
"Carol Ann Customer" -> ("carol ann customer", "customer carol ann"). A prefix of either finds
the person, through an index on each (a range on a plain column: the same on SQLite and
PostgreSQL, whatever the database's own idea of case).
"""

import unicodedata

KEY_LENGTH = 200


def fold(text: str) -> str:
    """`text` lower-cased (casefold), accents removed, runs of white space made one space."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def name_keys(full_name: str) -> tuple[str, str]:
    """The two look-up keys of `full_name`: as written, and from the last word on."""
    words = fold(full_name).split(" ")
    if words == [""]:
        return "", ""
    as_written = " ".join(words)[:KEY_LENGTH]
    surname_first = " ".join(words[-1:] + words[:-1])[:KEY_LENGTH]
    return as_written, surname_first


def prefix_range(prefix: str) -> tuple[str, str]:
    """The half-open range [low, high) of the texts that start with `prefix` (non-empty), in
    code-point order: what an index range scan reads for a prefix match."""
    last = prefix[-1]
    return prefix, prefix[:-1] + chr(ord(last) + 1)
