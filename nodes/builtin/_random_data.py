"""Random data sets for the DebugHelper node, shaped like n8n's (minifaker-based) ones: users,
emails, addresses, credit cards, UUIDs, nanoids, URLs, IPv4/IPv6/MAC addresses, coordinates and
versions. A seed makes the output reproducible.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from typing import Any

FIRST_NAMES = (
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
)
LAST_NAMES = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
)
STREETS = ("Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park")
STREET_SUFFIXES = ("Street", "Avenue", "Road", "Lane", "Drive", "Court", "Boulevard", "Way")
CITIES = (
    "Springfield",
    "Riverside",
    "Franklin",
    "Greenville",
    "Bristol",
    "Clinton",
    "Fairview",
    "Salem",
    "Madison",
    "Georgetown",
    "Arlington",
    "Ashland",
)
STATES = (
    "Alabama",
    "Alaska",
    "Arizona",
    "California",
    "Colorado",
    "Florida",
    "Georgia",
    "Illinois",
    "Nevada",
    "New York",
    "Ohio",
    "Oregon",
    "Texas",
    "Utah",
    "Washington",
)
COUNTRIES = (
    "United States",
    "Canada",
    "Mexico",
    "Germany",
    "France",
    "Spain",
    "Italy",
    "Japan",
    "Brazil",
    "Australia",
    "India",
    "Netherlands",
    "Sweden",
    "Norway",
)
DOMAINS = ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "example.com")
TLDS = ("com", "net", "org", "io", "dev", "info")
WORDS = ("alpha", "bravo", "delta", "echo", "lima", "nova", "orbit", "pixel", "quartz", "sierra")

DATA_TYPES = (
    "address",
    "latLong",
    "creditCard",
    "email",
    "ipv4",
    "ipv6",
    "macAddress",
    "nanoid",
    "url",
    "user",
    "uuid",
    "semver",
)


def _name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def _email(rng: random.Random) -> str:
    first, last = _name(rng)
    return f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _password(rng: random.Random) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(rng.choice(alphabet) for _ in range(12))


def _luhn_number(rng: random.Random, prefix: str, length: int = 16) -> str:
    digits = [int(d) for d in prefix] + [rng.randint(0, 9) for _ in range(length - len(prefix) - 1)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def user(rng: random.Random) -> dict[str, Any]:
    first, last = _name(rng)
    return {
        "uid": _uuid(rng),
        "email": _email(rng),
        "firstname": first,
        "lastname": last,
        "password": _password(rng),
    }


def email(rng: random.Random) -> dict[str, Any]:
    return {"email": _email(rng), "confirmed": rng.random() < 0.5}


def address(rng: random.Random) -> dict[str, Any]:
    first, last = _name(rng)
    street = f"{rng.randint(1, 9999)} {rng.choice(STREETS)} {rng.choice(STREET_SUFFIXES)}"
    return {
        "firstname": first,
        "lastname": last,
        "street": street,
        "city": rng.choice(CITIES),
        "zip": f"{rng.randint(0, 99999):05d}",
        "state": rng.choice(STATES),
        "country": rng.choice(COUNTRIES),
    }


def credit_card(rng: random.Random) -> dict[str, Any]:
    master = rng.random() < 0.5
    first, last = _name(rng)
    return {
        "type": "MasterCard" if master else "Visa",
        "number": _luhn_number(rng, "5" + str(rng.randint(1, 5)) if master else "4"),
        "ccv": f"{rng.randint(0, 999):03d}",
        "exp": f"{rng.randint(1, 12):02d}/{rng.randint(1, 40):02d}",
        "holder_name": f"{first} {last}",
    }


def nanoid(rng: random.Random, alphabet: str, length: int) -> dict[str, Any]:
    return {"nanoId": "".join(rng.choice(alphabet) for _ in range(length))}


GENERATORS: dict[str, Callable[[random.Random], Any]] = {
    "user": user,
    "email": email,
    "address": address,
    "creditCard": credit_card,
    "uuid": lambda rng: {"uuid": _uuid(rng)},
    "url": lambda rng: {
        "url": f"https://www.{rng.choice(WORDS)}{rng.choice(WORDS)}.{rng.choice(TLDS)}"
    },
    "ipv4": lambda rng: {"ip": ".".join(str(rng.randint(0, 255)) for _ in range(4))},
    "ipv6": lambda rng: {"ipv6": ":".join(f"{rng.getrandbits(16):04x}" for _ in range(8))},
    "macAddress": lambda rng: {"mac": ":".join(f"{rng.getrandbits(8):02x}" for _ in range(6))},
    "latLong": lambda rng: {
        "location": f"{rng.uniform(-90, 90):.4f}, {rng.uniform(-180, 180):.4f}"
    },
    "semver": lambda rng: {
        "version": f"{rng.randint(0, 20)}.{rng.randint(0, 20)}.{rng.randint(0, 20)}"
    },
}
