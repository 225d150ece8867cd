"""Codes people type from paper or a phone: respondent codes, participant and attendance codes."""

import secrets

# Unambiguous on a phone keyboard and on paper: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 31^10 ≈ 8e14 codes


def new_code(length=CODE_LENGTH):
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalize(text):
    """A typed code as stored: capitals, without spaces or dashes."""
    return "".join(text.split()).replace("-", "").upper()
