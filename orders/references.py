import secrets

# Crockford's base 32: no I, L, O or U, so a reference read out on the phone is not misheard.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "OF-"
LENGTH = 8


def new_reference() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
