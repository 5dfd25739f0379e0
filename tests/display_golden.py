"""Random values of every kind, and the text the browser must show for each (the display
golden case of tests/write_golden.py, checked by js/test/golden.test.js).

The expected texts are computed here from the Python values, independently of the JS code:
zoned times in their zone with the offset, durations as days and a clock, fractions of a
second in groups of three digits, floats by their shortest digits (in a tooltip), line breaks
and bidi controls marked, nested values with their children's types.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import random
import zoneinfo

import pandas as pd

ZONES = ["Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]


def _fraction(nanos: int, digits: int) -> str:
    text = str(nanos).rjust(9, "0")[:digits]
    while text.endswith("000"):
        text = text[:-3]
    return f".{text}" if text else ""


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def timestamp_text(ts: pd.Timestamp, digits: int) -> str:
    base = f"{ts.year:04d}-{ts.month:02d}-{ts.day:02d} {_clock(ts.hour * 3600 + ts.minute * 60 + ts.second)}"
    text = base + _fraction(ts.microsecond * 1000 + ts.nanosecond, digits)
    if ts.tzinfo is None:
        return text
    off = int(ts.utcoffset().total_seconds())
    sign = "-" if off < 0 else "+"
    a = abs(off)
    secs = f":{a % 60:02d}" if a % 60 else ""
    return f"{text}{sign}{a // 3600:02d}:{a // 60 % 60:02d}{secs}"


def duration_text(td: pd.Timedelta) -> str:
    ns = td.value
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    secs, frac = divmod(ns, 10**9)
    days, rest = divmod(secs, 86400)
    day = f"{days} day{'' if days == 1 else 's'} " if days else ""
    return f"{sign}{day}{_clock(rest)}{_fraction(frac, 9)}"


def js_number_text(v: float) -> str:
    """ECMAScript's Number::toString: the shortest digits, exponent past 1e21 and below 1e-6."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == 0:
        return "0"
    sign = "-" if v < 0 else ""
    d = decimal.Decimal(repr(abs(v)))
    digits = "".join(map(str, d.as_tuple().digits)).rstrip("0") or "0"
    n = d.adjusted() + 1  # position of the decimal point after the first digit
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    exp = n - 1
    mant = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mant}e{'+' if exp > 0 else '-'}{abs(exp)}"


def line_text(s: str) -> str:
    s = s.replace("\r\n", " ↵ ").replace("\r", " ↵ ").replace("\n", " ↵ ")
    return "".join(
        f"⟨U+{ord(c):X}⟩" if 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 else c
        for c in s
    )


def rows(n: int = 120, seed: int = 7) -> tuple[list[dict], list[dict]]:
    """(rows to stream, expected {column: (cell text, tooltip)} per row)."""
    rnd = random.Random(seed)
    out, expected = [], []
    pieces = ["a", "é", "漢", "\n", "\r\n", "\u202e", "\u2067", "<b>", " ", "שלום", "9"]
    for i in range(n):
        zone = zoneinfo.ZoneInfo(ZONES[i % len(ZONES)]) if i % len(ZONES) == 0 else None
        ns = rnd.randrange(-(2**61), 2**61)
        naive = pd.Timestamp(ns, unit="ns")
        zoned = {
            f"z{k}": pd.Timestamp(rnd.randrange(-(2**61), 2**61), unit="ns", tz="UTC").tz_convert(
                zoneinfo.ZoneInfo(name)
            )
            for k, name in enumerate(ZONES)
        }
        us = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=rnd.randrange(-(2**55), 2**55))
        td = pd.Timedelta(rnd.randrange(-(2**60), 2**60), unit="ns")
        f = rnd.choice(
            [
                rnd.uniform(-1e6, 1e6),
                rnd.random() * 10 ** rnd.randint(-30, 30),
                0.1,
                -0.0,
                1e21,
                123456789.125,
            ]
        )
        f = rnd.choice([f, f, f, float("nan"), float("inf"), float("-inf")])
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 6)))
        dec = decimal.Decimal(rnd.randrange(-(10**20), 10**20)).scaleb(-rnd.randint(0, 8))
        row = {
            "id": i,
            "naive_ns": naive,
            **zoned,
            "us": us,
            "dur": td,
            "f": f,
            "s": text,
            "dec": dec,
            "big": rnd.randrange(-(2**63), 2**63),
            "flag": rnd.random() < 0.5,
            "when": dt.time(
                rnd.randrange(24), rnd.randrange(60), rnd.randrange(60), rnd.randrange(10**6)
            ),
            "list": [rnd.randrange(-(2**40), 2**40) for _ in range(rnd.randint(0, 3))],
            "pair": {"n": rnd.randrange(100), "s": rnd.choice(["x", 'y"z'])},
        }
        if zone is not None:  # now and then a missing value
            row["f"] = None
            row["s"] = None
        out.append(row)
        w = row["when"]
        expected.append(
            {
                "naive_ns": timestamp_text(naive, 9),
                **{k: timestamp_text(v, 9) for k, v in zoned.items()},
                "us": timestamp_text(pd.Timestamp(us), 6),
                "dur": duration_text(td),
                "f": None if row["f"] is None else ("NaN" if math.isnan(f) else None),
                "f_title": None
                if row["f"] is None
                else js_number_text(f).replace("Infinity", "inf"),
                "s": None if row["s"] is None else line_text(text),
                "s_title": row["s"],
                "dec": str(dec),
                "big": str(row["big"]),
                "flag": "true" if row["flag"] else "false",
                "when": f"{_clock(w.hour * 3600 + w.minute * 60 + w.second)}{_fraction(w.microsecond * 1000, 6)}",
                "list": "[" + ", ".join(str(x) for x in row["list"]) + "]",
                "pair": "{" + f'"n": {row["pair"]["n"]}, "s": {json.dumps(row["pair"]["s"])}' + "}",
            }
        )
    return out, expected
