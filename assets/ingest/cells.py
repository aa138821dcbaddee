"""Cell parsers: one per column kind, each turning a raw cell into (value, error code).

Raw cells come from the workbook reader as Python values: str, float, int, bool, date or datetime.
A parser never guesses: a cell it cannot read is an error, not a wrong value.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from zoneinfo import ZoneInfo

from assets.privacy import scrub

# Error codes shared with the rejection report (frictionless-style names, snake_case).
TYPE_ERROR = "type_error"
INVALID_DATE = "invalid_date"
INVALID_NIK = "invalid_nik"
MISSING_VALUE = "missing_value"
FORMULA_ERROR = "formula_error"
FORMULA_NOT_COMPUTED = "formula_not_computed"

# What a spreadsheet shows in a cell whose formula failed (Excel's error values, and LibreOffice's
# "Err:502" form). Such a cell has no value: it is reported with its text, never read as empty.
FORMULA_ERRORS = re.compile(r"#(?:N/A|REF!|VALUE!|DIV/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA|FIELD!|"
                            r"BLOCKED!|UNKNOWN!|CONNECT!|BUSY!)|Err:\d{3}", re.IGNORECASE)


def is_formula_error(value: object) -> bool:
    return isinstance(value, str) and bool(FORMULA_ERRORS.fullmatch(value.strip()))

NOT_AVAILABLE = {"...", "..", "…", "n/a", "na", "tidak tersedia"}
ZERO_MARKS = {"-", "–", "—"}

EXCEL_EPOCH = dt.date(1899, 12, 30)     # serial 1 = 1900-01-01 (Windows Excel's 1900 date system)
EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)  # serial 0 = 1904-01-01 (the 1904 date system of Excel for Mac)
MONTHS = {
    "januari": 1, "january": 1, "jan": 1, "februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3, "april": 4, "apr": 4, "mei": 5, "may": 5, "juni": 6, "june": 6,
    "jun": 6, "juli": 7, "july": 7, "jul": 7, "agustus": 8, "august": 8, "agu": 8, "agt": 8, "aug": 8,
    "agus": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11, "desember": 12, "december": 12, "des": 12, "dec": 12,
}

Parsed = tuple[object, str | None]


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def raw_text(value: object) -> str:
    """The cell as the clerk would read it, for reports and the raw-value column."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# A NIK or phone number typed into a text cell (a status, a note): the value is read with it masked, and the
# cell is listed as a warning (table._grade), so personal data never reaches a mart in clear.
PERSONAL_DATA_MASKED = "personal_data_masked"


def masked_text(text: str) -> Parsed:
    """`text` with NIK- and phone-shaped numbers masked (privacy.scrub), and PERSONAL_DATA_MASKED if any were."""
    shown = scrub(text)
    return (shown, PERSONAL_DATA_MASKED) if shown != text else (text, None)


def parse_text(value: object) -> Parsed:
    if is_blank(value):
        return None, None
    return masked_text(re.sub(r"\s+", " ", raw_text(value)))


def parse_list(value: object) -> Parsed:
    """Like text, but a line break still separates two items: kept as "; "."""
    if is_blank(value):
        return None, None
    lines = [re.sub(r"\s+", " ", line).strip() for line in raw_text(value).splitlines()]
    return masked_text("; ".join(line for line in lines if line))


# Beyond this a count was not typed as such (and a float no longer holds every whole number).
MAX_WHOLE = 2 ** 53

_GROUPED = re.compile(r"^\d{1,3}([.,]\d{3})+$")


def _parse_number(text: str, integer: bool) -> Parsed:
    """Indonesian (1.234.567,89) or English (1,234,567.89) numbers; a lone 1.234 means 1234 in a count."""
    t = text.replace(" ", "").replace("\u00a0", "")
    negative = t.startswith("-") or (t.startswith("(") and t.endswith(")"))
    t = t.strip("-()+")
    if not re.fullmatch(r"[\d.,]*\d[\d.,]*", t):      # separators alone ("." or ",,") are no number
        return None, TYPE_ERROR
    if _GROUPED.match(t) and (t.count(".") == 0 or t.count(",") == 0):
        # Only one kind of separator, in groups of three: thousands (both conventions).
        number = float(t.replace(".", "").replace(",", ""))
    elif "," in t and "." in t:
        decimal = "," if t.rfind(",") > t.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        whole, _, frac = t.rpartition(decimal)
        if not re.fullmatch(r"\d{1,3}(\%s\d{3})*" % thousands, whole):
            return None, TYPE_ERROR
        number = float(whole.replace(thousands, "") + "." + frac)
    elif t.count(",") == 1 and "." not in t:
        number = float(t.replace(",", "."))       # Indonesian decimal comma
    elif t.count(".") <= 1 and "," not in t:
        number = float(t)
    else:
        return None, TYPE_ERROR
    if negative:
        number = -number
    if integer:
        if not number.is_integer() or abs(number) > MAX_WHOLE:
            return None, TYPE_ERROR
        return int(number), None
    return number, None


def _parse_numeric(value: object, integer: bool) -> Parsed:
    if is_blank(value):
        return None, None
    if isinstance(value, bool):
        return None, TYPE_ERROR
    if isinstance(value, (int, float)):
        if integer and (not float(value).is_integer() or abs(value) > MAX_WHOLE):
            return None, TYPE_ERROR
        return (int(value) if integer else float(value)), None
    text = str(value).strip().lstrip("'").strip()      # 'Rp 1.500 or '1076: typed with Excel's text mark
    if text.lower() in NOT_AVAILABLE:
        return None, None
    # Accounting formats: "Rp -", "Rp. -", "-" with spaces, an en dash for zero; "Rp 1.500.000,-" (no cents).
    text = re.sub(r"^(rp\.?|idr)\s*", "", text, flags=re.IGNORECASE)
    text = re.sub(r"(?<=[\d\s])[,.]\s*[-\u2013\u2014]+$|^([-\u2013\u2014])\s*[,.]\s*[-\u2013\u2014]+$", r"\1", text).strip()
    if text in ZERO_MARKS:
        return 0, None
    text = re.sub(r"\s*(jiwa|unit|orang)$", "", text, flags=re.IGNORECASE)
    if not integer and (m := IN_WORDS.fullmatch(text)):       # "Rp1,5 juta", "750rb"
        number, error = _parse_number(m["figure"], integer=False)
        return (None, error) if error else (round(number * MULTIPLIERS[m["unit"].lower()], 2), None)
    return _parse_number(text, integer)


# An amount written with its multiplier as a word: 1,5 juta = 1.500.000; 750 rb = 750.000.
MULTIPLIERS = {"ribu": 1e3, "rb": 1e3, "juta": 1e6, "jt": 1e6, "miliar": 1e9, "milyar": 1e9}
IN_WORDS = re.compile(r"(?P<figure>[\d.,]+)\s*(?P<unit>ribu|rb|juta|jt|miliar|milyar)\.?", re.IGNORECASE)


def parse_integer(value: object) -> Parsed:
    return _parse_numeric(value, integer=True)


def parse_amount(value: object) -> Parsed:
    parsed, error = _parse_numeric(value, integer=False)
    if parsed is not None and not error:
        parsed = float(parsed)
    return parsed, error


def _date_or_error(year: int, month: int, day: int) -> Parsed:
    try:
        return dt.date(year, month, day), None
    except ValueError:
        return None, INVALID_DATE


WEEKDAY_PREFIX = re.compile(r"^(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad|monday|tuesday|wednesday|"
                            r"thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun)\.?,? ")
TIME_SUFFIX = re.compile(r",? (?:(?:pukul|pkl\.?|jam|at) )?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?: ?(?:wib|wita|wit|"
                         r"[ap]\.?m\.?))?$")


def _full_year(digits: str) -> int:
    """A two-digit year ("17/8/23") is this century's: agency records are never from the 1900s."""
    return int(digits) + 2000 if len(digits) == 2 else int(digits)


ISO_MOMENT = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2})[t ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
                        r"(?P<zone>z|[+-]\d{2}(?::?\d{2})?)?")
WIB = ZoneInfo("Asia/Jakarta")


def wib_date(moment: re.Match) -> dt.date:
    """The day in WIB (Asia/Jakarta, UTC+7) of an ISO_MOMENT match that carries a zone."""
    zone = moment["zone"].upper()
    if zone != "Z" and len(zone) == 3:
        zone += ":00"
    fraction = re.sub(r"(\.\d{1,6})\d*$", r"\1", moment["time"])
    return dt.datetime.fromisoformat(f"{moment['date']}T{fraction}{zone}").astimezone(WIB).date()


# The dates a datetime64[ns] column holds (1677-09-22 to 2262-04-11): outside, a typo ("3023").
DATE_RANGE = (dt.date(1678, 1, 1), dt.date(2262, 1, 1))


def parse_date(value: object, epoch: dt.date = EXCEL_EPOCH, month_first: bool | None = False) -> Parsed:
    """`epoch`: the day serial 0 stands for in the workbook's date system (EXCEL_EPOCH_1904 for a
    workbook saved in the 1904 system): a bare serial number is read in the workbook's own system.
    `month_first`: numeric text dates are month/day/year (decided per column, assets/ingest/dates.py);
    None: either, a value read the one way it can be (a column mixing both, where dates.py flags the values
    that read both ways)."""
    date, error = _read_date(value, epoch, month_first)
    if date is not None and not DATE_RANGE[0] <= date < DATE_RANGE[1]:
        return None, INVALID_DATE
    return date, error


def date_text(value: str) -> str:
    """A text date without what adds nothing to the day: a day name before it ("Minggu, 9 Juni 2024"),
    a time after it ("9 Juni 2024, pukul 21.00 WIB", "09/06/2024 21:00"); lower case, single spaces."""
    text = re.sub(r"\s+", " ", str(value).strip().lower())
    return TIME_SUFFIX.sub("", WEEKDAY_PREFIX.sub("", text))


# A date written as three numbers, day or month first ("17/08/2023", "8-17-23"), after date_text.
NUMERIC_DATE = re.compile(r"(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4}|\d{2})")


def _read_date(value: object, epoch: dt.date = EXCEL_EPOCH, month_first: bool | None = False) -> Parsed:
    if is_blank(value):
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, bool):
        return None, INVALID_DATE
    if isinstance(value, (int, float)):
        # An Excel serial day number (1 = 1900-01-01); reject what no agency date can be.
        if not float(value).is_integer() or not 20000 <= value <= 80000:
            return None, INVALID_DATE
        return epoch + dt.timedelta(days=int(value)), None
    text = date_text(value)
    if m := NUMERIC_DATE.fullmatch(text):
        if month_first is None and int(m[2]) > 12 >= int(m[1]):       # readable month-first only
            return _date_or_error(_full_year(m[3]), int(m[1]), int(m[2]))
        day, month = (int(m[2]), int(m[1])) if month_first else (int(m[1]), int(m[2]))
        return _date_or_error(_full_year(m[3]), month, day)
    # ISO 8601 as data tools write a timestamp: 2023-08-17T00:00:00, with seconds' fractions or a zone;
    # a moment with a zone (`Z`, `+00:00`) is the day it was in Indonesia's western time (WIB).
    if m := ISO_MOMENT.fullmatch(text):
        if not m["zone"]:
            return _date_or_error(*map(int, m["date"].split("-")))
        try:
            return wib_date(m), None
        except ValueError:              # no such day or hour
            return None, INVALID_DATE
    if m := re.fullmatch(r"(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})", text):
        return _date_or_error(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})[ \-]([a-z]+)\.?[ \-](\d{4}|\d{2})", text):
        month = MONTHS.get(m[2])
        return _date_or_error(_full_year(m[3]), month, int(m[1])) if month else (None, INVALID_DATE)
    if m := re.fullmatch(r"([a-z]+)\.? (\d{1,2}),? (\d{4})", text):
        month = MONTHS.get(m[1])
        return _date_or_error(int(m[3]), month, int(m[2])) if month else (None, INVALID_DATE)
    if re.fullmatch(r"\d{5}(?:\.0+)?", text):       # a serial number as text ("45000", "45000.0")
        return _read_date(int(float(text)), epoch)
    return None, INVALID_DATE


def parse_year(value: object) -> Parsed:
    if is_blank(value):
        return None, None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year, None
    text = raw_text(value)
    if re.fullmatch(r"\d{4}-\d\d-\d\d( \d\d:\d\d:\d\d)?", text):     # a date (as the Arrow reader writes one)
        date, error = parse_date(text)
        return (None, TYPE_ERROR) if error else parse_year(date)
    m = re.fullmatch(r"(?:tahun\s*)?(\d{4})(?:\.0+)?", text.lower())     # "2023.0": written by a data tool
    if not m or not 1945 <= int(m[1]) <= 2100:
        return None, TYPE_ERROR
    return int(m[1]), None


def parse_code(value: object) -> Parsed:
    """Codes stay text; a number Excel made of a code is written back as its digits."""
    if is_blank(value):
        return None, None
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)), None
        return repr(value), None   # a dotted code eaten into a float: the matcher restores the dots
    return _whole_number_text(re.sub(r"\s+", "", str(value).strip().strip("'"))), None


def _whole_number_text(text: str) -> str:
    """A long number a data tool wrote as a float ("1901041005.0") is its digits; a short one with a
    decimal part ("19.01", "19.1") may be a dotted code Excel ate and is kept for the matcher."""
    return m[1] if (m := re.fullmatch(r"(\d{6,})\.0+", text)) else text


def parse_identifier(value: object) -> Parsed:
    if is_blank(value):
        return None, None
    return _whole_number_text(re.sub(r"\s+", " ", raw_text(value).strip("'"))), None


def nik_problem(text: str) -> str | None:
    """Why a NIK is not plausible, or None. Digits 7-12 are a birth date, day + 40 for women."""
    if not re.fullmatch(r"\d{16}", text):
        return "a NIK has exactly 16 digits"
    day, month = int(text[6:8]), int(text[8:10])
    if day > 40:
        day -= 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return "digits 7-12 of a NIK are a birth date (DDMMYY, day + 40 for women)"
    if text[:2] == "00":
        return "digits 1-6 of a NIK are a registration district code"
    return None


def parse_nik(value: object) -> Parsed:
    if is_blank(value):
        return None, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: a NIK typed there as a number ends in 0, its 16th digit lost.
        # One not ending in 0 was written by a program, and is whole while a double holds it exactly.
        number = float(value)
        if not number.is_integer() or number >= MAX_WHOLE or int(number) % 10 == 0:
            return None, INVALID_NIK
        value = str(int(number))
    text = str(value).strip()
    if m := re.fullmatch(r"(\d{16})\.0+", text):      # written by a data tool as a float ("...463.0")
        if int(m[1]) >= MAX_WHOLE:                   # beyond a double's whole numbers: digits may be lost
            return None, INVALID_NIK
        text = m[1]
    text = re.sub(r"[\s.\-']", "", text)
    if nik_problem(text):
        return None, INVALID_NIK
    return text, None


PARSERS = {
    "text": parse_text,
    "list": parse_list,
    "integer": parse_integer,
    "amount": parse_amount,
    "date": parse_date,
    "year": parse_year,
    "code": parse_code,
    "nik": parse_nik,
    "identifier": parse_identifier,
}

# What each kind expects, for the message to the agency: (English, Bahasa Indonesia).
EXPECTED = {
    "text": ("text", "teks"),
    "list": ("names separated by commas or one per line", "nama dipisah koma atau satu per baris"),
    "integer": ("a whole number such as 1.234 (use - for zero)", "bilangan bulat, misalnya 1.234 (- untuk nol)"),
    "amount": ("a rupiah amount such as Rp 1.500.000", "nilai rupiah, misalnya Rp 1.500.000"),
    "date": ("a real date such as 17/08/2023 or 17 Agustus 2023",
             "tanggal yang benar, misalnya 17/08/2023 atau 17 Agustus 2023"),
    "year": ("a four-digit year", "tahun empat angka"),
    "code": ("a village code", "kode wilayah desa"),
    "nik": ("a 16-digit NIK typed as text (a number loses its last digit)",
            "NIK 16 digit diketik sebagai teks (angka kehilangan digit terakhir)"),
    "identifier": ("an identifier", "nomor identitas"),
}

_SAVED_AS_DECIMAL = re.compile(r"[0-9]{1,3}\.[0-9]{3}")


def expected_whole_number(value: str) -> tuple[str, str]:
    """What a count cell holding `value` (as shown to the clerk) should hold, in words that fit the value:
    (English, Bahasa Indonesia).

    Typed as text, 1.502 is read as 1502; it only fails when the spreadsheet saved it as the number 1.502
    (a point read as the decimal mark), so the example is the clerk's own figure as a whole number ("such
    as 1502"), never another number of the same look. Another fraction (12,5; 1.5) is told to drop its
    decimals; anything else gets EXPECTED["integer"]."""
    text = str(value).strip()
    if _SAVED_AS_DECIMAL.fullmatch(text):
        whole = text.replace(".", "")
        return (f"a whole number such as {whole} (the cell holds the decimal number {text}: if {whole} was meant, "
                f"type {whole}; use - for zero)",
                f"bilangan bulat, misalnya {whole} (sel berisi angka desimal {text}: bila maksudnya {whole}, ketik "
                f"{whole}; - untuk nol)")
    number, error = _parse_number(text, integer=False)
    if error is None and number is not None and not float(number).is_integer():
        return "a whole number, without decimals (use - for zero)", "bilangan bulat, tanpa desimal (- untuk nol)"
    return EXPECTED["integer"]
