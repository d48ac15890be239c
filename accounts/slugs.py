"""Web addresses and file names from names people typed, in plain ASCII without losing letters.

Django's `slugify` drops every letter it cannot fold to ASCII ("Ærø" → "r"). Here the Danish
letters come first, spelled the way Danes write them without æ, ø and å (ae, oe, aa: "Mørch" →
"moerch", "Ålund" → "aalund"), then anyascii transliterates the rest of Unicode ("Łódź" →
"lodz", "北京" → "beijing"), and only then does `slugify` keep letters, digits and hyphens.
"""

from anyascii import anyascii
from django.utils.text import slugify

# Danish first: a general transliterator writes Ø as O and Å as A, which Danes read as other names.
DANISH = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "oe", "Ø": "Oe", "å": "aa", "Å": "Aa"})


def ascii_slug(value: str) -> str:
    """A lower-case slug for `value` with every letter transliterated, never dropped."""
    return slugify(anyascii(str(value).translate(DANISH)))
