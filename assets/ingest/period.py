"""What a table's title says that its columns do not, looked for in its title rows, else the sheet
name, else the file name: the year it is about (one year only: a title naming several, "2020-2024",
says nothing about a row), and the district it covers ("... di Kecamatan Pasir Nangka", as BPS's
"Kecamatan Dalam Angka" tables say it)."""
from __future__ import annotations

import re

from assets.ingest.cells import raw_text
from assets.ingest.decisions import Decision
from assets.ingest.layout import TableLayout
from assets.ingest.formats.sheet import RawSheet
from assets.ingest.vocabulary import named_value

YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
KECAMATAN = re.compile(r"\bkec(?:amatan|\.)?\s+", re.IGNORECASE)
# Words that end a district's name in a title ("Kecamatan Mendo Dalam Angka", "Kec. Mendo Tahun 2023").
AFTER_DISTRICT = {"tahun", "th", "dalam", "angka", "kabupaten", "kab", "kota", "provinsi", "keadaan", "menurut",
                  "per", "dan", "di", "pada", "bulan", "sd", "s"}


def single_year(text: str) -> int | None:
    years = {int(y) for y in YEAR.findall(text)}
    return years.pop() if len(years) == 1 else None


def single_district(text: str) -> str | None:
    names = set()
    for after in KECAMATAN.split(text.replace("_", " "))[1:]:
        words = []
        for word in re.findall(r"[A-Za-z][A-Za-z'\-]*|\S", after)[:4]:
            if not word[0].isalpha() or word.lower() in AFTER_DISTRICT:
                break
            words.append(word)
        if words:
            names.add(" ".join(words).title())
    return names.pop() if len(names) == 1 else None


def from_title(sheet: RawSheet, layout: TableLayout, file_name: str, read) -> tuple[object, str]:
    """(what `read` finds first in the title rows, sheet name or file name; where, for the report)."""
    for index in range(layout.header_rows[0]):
        text = " ".join(raw_text(v) for v in sheet.rows[index] if raw_text(v))
        if (found := read(text)) is not None:
            return found, f"title row {sheet.excel_row(index)} ('{text[:80]}')"
    if sheet.name and (found := read(sheet.name)) is not None:
        return found, f"sheet name '{sheet.name}'"
    if (found := read(file_name.rsplit(".", 1)[0])) is not None:
        return found, f"file name '{file_name}'"
    return None, ""


def find_period(sheet: RawSheet, layout: TableLayout, file_name: str) -> tuple[int | None, str]:
    """(year, where it was found, for the report)."""
    year, found_in, _ = decide_period(sheet, layout, file_name)
    return year, found_in


# A publication's edition ("Kecamatan Mendo Dalam Angka 2024", "... in Figures 2024", "Statistik Daerah ...
# 2024", a running header): the year it was published, usually the year after its data's.
EDITION = re.compile(r"(?:dalam\s+angka|in\s+figures|statistik\s+daerah(?:\s+kecamatan)?(?:\s+[a-z'\-]+){0,3})"
                     r"\W*(?:tahun\s+)?((?:19|20)\d\d)(?!\d)", re.IGNORECASE)


def _years(text: str) -> tuple[set[int], set[int]]:
    """(years a text names as the data's, edition years it names)."""
    text = text.replace("_", " ")
    editions = {int(m[1]) for m in EDITION.finditer(text)}
    plain = {int(y) for y in YEAR.findall(EDITION.sub(" ", text))}
    return plain, editions


def decide_period(sheet: RawSheet, layout: TableLayout, file_name: str) -> tuple[int | None, str, Decision | None]:
    """(year, where it was found, the decision with its evidence) for a table without a year column.

    The title rows' year (a row naming one year; a range names none), unless they name different years or
    only a publication's edition year ("Dalam Angka 2024" is not the data's year); then the sheet name or
    file name settles it when it names one of them (not an edition), else no year is taken and the decision
    is flagged. A title year that the sheet or file name contradicts is taken, flagged."""
    titled, editions, edition_row = [], set(), 0
    for index in range(layout.header_rows[0]):
        text = " ".join(raw_text(v) for v in sheet.rows[index] if raw_text(v))
        plain, edition = _years(text)
        editions |= edition
        edition_row = edition_row or (sheet.excel_row(index) if edition else 0)
        if len(plain) == 1:
            titled.append((plain.pop(), f"title row {sheet.excel_row(index)} ('{text[:80]}')"))
    names = []
    for kind, text in (("sheet name", sheet.name), ("file name", file_name.rsplit(".", 1)[0])):
        plain, edition = _years(text or "")
        editions |= edition
        if len(plain) == 1:
            names.append((plain.pop(), f"{kind} '{sheet.name if kind == 'sheet name' else file_name}'"))
    years = sorted({y for y, _ in titled})
    base = dict(sheet=sheet.name, dataset=layout.dataset.name)
    shown_editions = ", ".join(map(str, sorted(editions)))
    if len(years) == 1:
        year, found_in = titled[0]
        against = [(y, where) for y, where in names if y != year]
        evidence = f"named in the {found_in}"
        if editions:
            evidence += f"; the edition year {shown_editions} is the publication's, not the data's"
        if against:
            evidence += "; but the " + ", ".join(f"{where} names {y}" for y, where in against)
        return year, found_in, _decision(year, evidence, bool(against), base, row=_row(found_in))
    settled = [(y, where) for y, where in names if not years or y in years]
    if len({y for y, _ in settled}) == 1:
        year, found_in = settled[0]
        evidence = f"named in the {found_in}"
        if years:
            evidence += f" (the title rows name {', '.join(map(str, years))})"
        if editions:
            evidence += f"; the edition year {shown_editions} is the publication's, not the data's"
        return year, found_in, _decision(year, evidence, False, base)
    if not (years or editions or names):
        return None, "", None
    named = [f"the title rows name {', '.join(f'{y} ({where})' for y, where in titled)}"] if years else []
    named += [f"the {where} names {y}" for y, where in names]
    if editions and not years:
        named.append(f"only the edition year {shown_editions} is named (the publication's year; its data is usually "
                     f"of {min(editions) - 1}, but nothing here says so)")
    return None, "", _decision(None, "; ".join(named) + "; add a Tahun (year) column or name one year in the title",
                               True, base, row=_row(titled[0][1]) if titled else edition_row)


def _row(found_in: str) -> int:
    m = re.match(r"title row (\d+)", found_in)
    return int(m[1]) if m else 0


def _decision(year: int | None, evidence: str, flagged: bool, base: dict, row: int = 0) -> Decision:
    value = f"{year}" if year else "not taken: undecided"
    value_id = f"{year}" if year else "tidak diambil: tidak dapat ditentukan"
    return Decision("period", value=value, value_id=value_id, evidence=evidence, evidence_id=_evidence_id(evidence),
                    flagged=flagged, code="period_unconfirmed" if flagged else "", row=row, field="year", **base)


def _evidence_id(evidence: str) -> str:
    """The period evidence in Bahasa Indonesia (its few fixed phrases; quoted titles and names as written)."""
    for en, id_ in (("only the edition year", "hanya tahun terbitan"), ("named in the ", "disebut di "), ("title row", "baris judul"), ("sheet name", "nama lembar"),
                    ("file name", "nama berkas"), ("the title rows name", "baris judul menyebut"),
                    ("the edition year", "tahun terbitan"), ("is the publication's, not the data's",
                                                             "adalah tahun publikasi, bukan tahun data"),
                    ("; but the ", "; tetapi "), (" names ", " menyebut "),
                    ("is named (the publication's year; its data is usually of",
                     "yang disebut (tahun publikasi; datanya biasanya tahun"),
                    ("but nothing here says so)", "tetapi tidak ada yang memastikannya)"),
                    ("add a Tahun (year) column or name one year in the title",
                     "tambahkan kolom Tahun atau sebut satu tahun di judul")):
        evidence = evidence.replace(en, id_)
    return evidence


def find_district(sheet: RawSheet, layout: TableLayout, file_name: str) -> tuple[str | None, str]:
    """(district name, where it was found, for the report)."""
    return from_title(sheet, layout, file_name, single_district)


def named_in_title(sheet, closest, file_name: str) -> dict[str, tuple[str, str]] | None:
    """For a sheet lacking only columns of a fixed vocabulary (the program): the value its title, sheet
    name or file name names for each ({column: (value, where)}), or None when one is not named."""
    missing = [closest.dataset.column(name) for name in closest.missing_required]
    if not missing or any(not column.allowed for column in missing):
        return None
    named = {}
    for column in missing:
        value, found_in = from_title(sheet, closest, file_name, lambda text, c=column: named_value(c, text))
        if value is None:
            return None
        named[column.name] = (value, found_in)
    return named
