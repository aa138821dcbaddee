"""Find the table in a sheet made by people: title rows, a header maybe over two merged rows, a row of
column numbers, subtotal rows and footnotes; and recognise which dataset the header belongs to."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from assets.ingest.cells import is_blank, raw_text
from assets.ingest.formats.sheet import RawSheet
from schemas.base import Dataset

HEADER_SCAN_ROWS = 30
FUZZY_HEADER_SCORE = 90

SUBTOTAL = re.compile(r"^(jumlah|total|sub\s*total|grand\s*total|jml)\b", re.IGNORECASE)
# Footnotes, and what a printed page adds under a table: page numbers, the place and date of signing
# ("Sungailiat, 20 Desember 2024"), the signatory's title, name in brackets and NIP; a police signatory's
# post ("KASAT RESKRIM POLRES BANGKA", Kanit, Kasi, Kabag), rank and name ("AKP BUDI SANTOSO, S.H.") and NRP.
POLICE_RANKS = "akbp|akp|kompol|kombes|iptu|ipda|aiptu|aipda|bripka|brigpol|brigadir|briptu|bripda"
NOTE = re.compile(r"^(sumber|source|catatan|keterangan|ket\.|note|\*|halaman|hal\.|page\b|dicetak|printed|"
                  r"mengetahui|tertanda|ttd|kepala dinas|kepala badan|kapolres|kapolsek|kapolda|nip\b|nrp\b|"
                  rf"kasat\b|kanit\b|kasi\b|kabag\b|kasubbag\b|(?:{POLICE_RANKS})\.? [a-z]|\(|"
                  r"[a-z .'-]+, \d{1,2} [a-z]+ \d{4}$)", re.IGNORECASE)
COLUMN_NUMBER = re.compile(r"^\(\d{1,2}\)$")
# One cell of a row of column numbers however it is written: 1, "1", "(1)", "[1]", "1)", "1.".
COLUMN_NUMBER_CELL = re.compile(r"^[(\[]?(\d{1,2})[)\].]?$")
# Under a header merged over sub-columns: the sub-column holding the whole (JUMLAH PENDUDUK / TOTAL) ...
TOTAL_SUBHEADER = re.compile(r"^(?:total|jumlah|jml|jlh|sub ?total|all|semua|(?:(?:total|jumlah|jml) )?"
                             r"(?:l p|lk pr|l dan p|lk dan pr|laki laki (?:dan )?perempuan|pria (?:dan )?wanita))$",
                             re.IGNORECASE)      # matched on normalise_header's text: "L+P" is "l p"
# ... and sub-columns that are parts of it, which add up to it where no total is given.
PART_SUBHEADER = re.compile(r"^(?:laki ?-? ?laki|lk|l|pria|male|men|perempuan|pr|p|wanita|female|women)$",
                            re.IGNORECASE)
# A cell that may make its row something else than data; classify_row decides.
SUSPECT = re.compile(f"{SUBTOTAL.pattern}|{NOTE.pattern}|{COLUMN_NUMBER.pattern}", re.IGNORECASE)


@functools.lru_cache(maxsize=1 << 16)
def normalise_header(text: str) -> str:
    """Lower case, each run of other than a-z and 0-9 one space, trimmed ("Desa/Kel." -> "desa kel").
    Kept per text: the same headers come back in every sheet of every file."""
    text = _NOT_WORD.sub(" ", text.lower())
    return _SPACES.sub(" ", text).strip()


_NOT_WORD, _SPACES = re.compile(r"[^0-9a-z]+"), re.compile(r"\s+")


@dataclass
class TableLayout:
    dataset: Dataset
    header_rows: tuple[int, ...]          # row indexes within the sheet grid
    columns: dict[int, str]               # sheet column index -> dataset column name
    headers: dict[int, str]               # sheet column index -> header text as written
    unrecognised_headers: list[str] = field(default_factory=list)
    loose: list[int] = field(default_factory=list)   # columns whose header names its field only loosely
    # A measure given only in parts (JUMLAH PENDUDUK over LAKI-LAKI / PEREMPUAN, no total): column ->
    # the other columns whose values are added to it.
    parts: dict[int, list[int]] = field(default_factory=dict)
    # A total read beside its parts (TOTAL beside LAKI-LAKI / PEREMPUAN): total column -> the part columns it
    # must equal the sum of (a row where it does not is flagged).
    totals: dict[int, list[int]] = field(default_factory=dict)
    # Columns headed the same as an earlier one (two "Usaha Mikro" columns, one of them hidden): column read
    # -> the others naming its field. Where they disagree, the cell is flagged (which is right is not said).
    same_field: dict[int, list[int]] = field(default_factory=dict)
    # How each sub-column under a merged header was read, for the report ("F 'JUMLAH PENDUDUK / TOTAL'").
    subcolumns: list[str] = field(default_factory=list)
    # Columns whose header names a field plus a word making it another measure ("Jumlah Penduduk Miskin"
    # is not the population): column -> (the field it was not read as, the qualifier as written).
    declined: dict[int, tuple[str, str]] = field(default_factory=dict)
    # A wide table: a measure over one sub-column per year (MIKRO over 2021 2022 2023): field -> year ->
    # column. `columns` holds the first year's column of each; `per_year` gives each year's layout.
    wide: dict[str, dict[int, int]] = field(default_factory=dict)

    def per_year(self) -> list[tuple["TableLayout", int | None]]:
        """One layout per year of a wide table (its measures read from that year's columns), with the
        year; the layout itself (and None) for a table with one row per place and period."""
        if not self.wide:
            return [(self, None)]
        years = sorted({year for by_year in self.wide.values() for year in by_year})
        base = {c: name for c, name in self.columns.items()
                if name not in self.wide and c not in self.beside_years}
        out = []
        for year in years:
            columns = base | {by_year[year]: name for name, by_year in self.wide.items() if year in by_year}
            headers = {c: self.headers[c] for c in base} | {
                by_year[year]: f"{self.wide_headers[name]} / {year}" for name, by_year in self.wide.items()
                if year in by_year}
            out.append((TableLayout(self.dataset, self.header_rows, columns, headers, self.unrecognised_headers,
                                    [c for c in self.loose if c in columns]), year))
        return out

    @property
    def beside_years(self) -> dict[int, str]:
        """Measures in a column of their own beside years laid out as columns (one population beside
        Mikro 2021 2022 ...): which year they hold is not said, so they are not read (column -> header)."""
        if not self.wide:
            return {}
        return {c: self.headers[c] for c, name in self.columns.items()
                if name not in self.wide and _is_measure(self.dataset.column(name))}

    @property
    def wide_headers(self) -> dict[str, str]:
        return {name: self.headers[c].rsplit(" / ", 1)[0] for c, name in self.columns.items() if name in self.wide}

    @property
    def data_start(self) -> int:
        return self.header_rows[-1] + 1

    @property
    def missing_required(self) -> list[str]:
        """Header-required columns the table lacks. A wide table (a measure per year) may hold only some of
        the dataset's measures: the others are not asked for (they stay missing, NULL)."""
        found = set(self.columns.values())
        return [c.name for c in self.dataset.columns if c.header_required and c.name not in found
                and not (self.wide and _is_measure(c))]

    @property
    def score(self) -> int:
        """Columns read; a wide table's year columns each count, and sub-columns read under a merged header
        count once more (the header is two rows: read as one, its second row would be taken for data)."""
        return (len(self.columns) + sum(len(by_year) - 1 for by_year in self.wide.values())
                + bool(self.subcolumns))


# Short forms clerks write, read as the words they stand for (in headers and aliases alike).
ABBREVIATIONS = {"tgl": "tanggal", "tang": "tanggal", "jml": "jumlah", "jlh": "jumlah", "kel": "kelurahan",
                 "kec": "kecamatan", "kab": "kabupaten", "ds": "desa", "no": "nomor", "nmr": "nomor",
                 "nom": "nomor", "thn": "tahun", "ket": "keterangan"}
# A unit in brackets after a header ("Populasi (jiwa)", "Plafon (Rp)"): the header without it is looked up too.
UNIT = re.compile(r"\((?:rp\.?|idr|rupiah|orang|jiwa|persons?|people|unit|units|usaha|buah|%|persen|ha|km2?)\)\s*$",
                  re.IGNORECASE)


@functools.lru_cache(maxsize=1 << 16)
def header_words(text: str) -> tuple[str, ...]:
    return tuple(ABBREVIATIONS.get(w, w) for w in normalise_header(text).split())


@dataclass
class AliasIndex:
    """A dataset's header variants, looked up by their words in order, and by the set of them (a clerk
    writes "Kelurahan/Desa" as often as "Desa/Kelurahan")."""
    exact: dict[tuple[str, ...], str]
    any_order: dict[tuple[str, ...], str]
    phrases: dict[str, list[tuple[tuple[str, ...], str]]]   # first word -> aliases of 2 words or more
    measures: set[str] = field(default_factory=set)         # columns holding counts or amounts
    # the aliases of `exact` as texts, in its order, for the fuzzy match (one C loop over them all)
    texts: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    # matched_header's answers by candidates: a producer's headers and titles repeat from file to file
    answers: dict[tuple[str, ...], tuple[str | None, bool]] = field(default_factory=dict)


MAX_REMEMBERED_HEADERS = 100_000        # answers an index keeps (a few MB); forgotten all at once past it


_ALIAS_INDEXES: dict[str, tuple[Dataset, AliasIndex]] = {}


def _alias_index(dataset: Dataset) -> AliasIndex:
    """The dataset's AliasIndex, made once per process (a dataset's columns are declared once, in schemas/)."""
    known = _ALIAS_INDEXES.get(dataset.name)
    if known is not None and known[0] is dataset:
        return known[1]
    index = AliasIndex({}, {}, {}, {c.name for c in dataset.columns if _is_measure(c)})
    for column in dataset.columns:
        for alias in (column.name.replace("_", " "), *column.aliases):
            words = header_words(alias)
            index.exact.setdefault(words, column.name)
            index.any_order.setdefault(tuple(sorted(set(words))), column.name)
            if len(words) >= 2:
                index.phrases.setdefault(words[0], []).append((words, column.name))
    index.texts, index.names = [" ".join(words) for words in index.exact], list(index.exact.values())
    _ALIAS_INDEXES[dataset.name] = (dataset, index)
    return index


def match_header(candidates: list[str], aliases: AliasIndex) -> str | None:
    return matched_header(candidates, aliases)[0]


def matched_header(candidates: list[str], aliases: AliasIndex) -> tuple[str | None, bool]:
    """(the dataset column a header names, whether only loosely): its words as an alias's (in order, in
    any order, with a bracketed unit left out); else, loosely, the header containing aliases of two words
    or more as phrases, all of one column, which no other word of it names ("Tanggal Kejadian Perkara";
    not "Usaha Mikro dan Kecil"), then a close fuzzy match. Each distinct list of candidates is worked
    out once per index (AliasIndex.answers)."""
    key = tuple(candidates)
    if (known := aliases.answers.get(key)) is None:
        if len(aliases.answers) >= MAX_REMEMBERED_HEADERS:
            aliases.answers.clear()
        known = aliases.answers[key] = _matched_header(candidates, aliases)
    return known


def _matched_header(candidates: list[str], aliases: AliasIndex) -> tuple[str | None, bool]:
    texts = [t for c in candidates if c for t in dict.fromkeys((c, UNIT.sub("", c)))]
    variants = [words for t in texts if (words := header_words(t))]
    for words in variants:
        if words in aliases.exact:
            return aliases.exact[words], False
    for words in variants:
        if (bag := tuple(sorted(set(words)))) in aliases.any_order:
            return aliases.any_order[bag], False
    for words in variants:
        if named := _named_by_phrase(words, aliases):
            return named, True
    for words in variants:
        text = " ".join(words)
        if len(text) < 5:
            continue
        # the first alias with the highest ratio, if it reaches the score (as max() over them would give)
        if best := process.extractOne(text, aliases.texts, scorer=fuzz.ratio, score_cutoff=FUZZY_HEADER_SCORE):
            return aliases.names[best[2]], True
    return None, False


# Words that make a header naming a field another measure: the poor, households, shares, rates, growth,
# averages, one sex (a part of the population). Matched on header_words; "%" and "per 1000" on the text.
QUALIFIERS = {"miskin", "kk", "keluarga", "rumah", "persentase", "persen", "prosentase", "proporsi",
              "pertumbuhan", "laju", "rasio", "kepadatan", "rata", "rerata", "indeks", "perubahan", "kenaikan",
              "penurunan", "selisih", "laki", "perempuan", "pria", "wanita", "poor", "households", "household",
              "share", "percent", "percentage", "growth", "rate", "ratio", "density", "average", "mean",
              "index", "change", "male", "female", "men", "women"}
PER_UNIT = re.compile(r"%|\bper\s*(?:10+|1[.,]000|100[.,]000|seribu|sejuta|km)\b", re.IGNORECASE)


def qualifier(texts: list[str], name: str, aliases: AliasIndex) -> str:
    """The word in a header that makes it another measure than the count or amount `name` its other words
    name ("Miskin" in "Jumlah Penduduk Miskin", "%" in "Mikro (%)"); "" when none (or `name` is no measure). A word one of the field's own
    aliases uses ("Jumlah KK" as a households field) is no qualifier for it."""
    if name not in aliases.measures:
        return ""
    own = {w for words, n in aliases.exact.items() if n == name for w in words}
    for text in texts:
        if not text:
            continue
        if (m := PER_UNIT.search(text)) and not any(PER_UNIT.search(" ".join(w)) for w, n in aliases.exact.items()
                                                     if n == name):
            return m[0]
        for word in header_words(text):
            if word in QUALIFIERS and word not in own:
                return next((w for w in re.findall(r"[\w-]+", text) if header_words(w)[:1] == (word,)), word)
    return ""


def _named_by_phrase(words: tuple[str, ...], aliases: AliasIndex) -> str | None:
    names, covered = set(), set()
    for i, word in enumerate(words):
        for alias, name in aliases.phrases.get(word, ()):
            if len(alias) < len(words) and words[i:i + len(alias)] == alias:
                names.add(name)
                covered.update(range(i, i + len(alias)))
    if not names:           # a one-word alias inside a header names nothing ("Kode Pos", "Penduduk Miskin")
        return None
    # The other words may not name another column on their own ("Usaha Mikro dan Kecil").
    names |= {aliases.exact[(w,)] for i, w in enumerate(words) if i not in covered and (w,) in aliases.exact}
    return names.pop() if len(names) == 1 else None


def _cell(rows: list[list[object]], r: int, c: int) -> str:
    if r >= len(rows) or c >= len(rows[r]):
        return ""
    return raw_text(rows[r][c])


def _header_candidates(rows: list[list[object]], r: int, two_rows: bool) -> dict[int, list[str]]:
    width = max((len(rows[i]) for i in range(r, min(r + 2, len(rows)))), default=0)
    out = {}
    for c in range(width):
        top = _cell(rows, r, c)
        if not two_rows:
            if top:
                out[c] = [top]
            continue
        bottom = _cell(rows, r + 1, c)
        if not top and bottom:
            # A top cell merged across several columns keeps its text in the leftmost one.
            left = c - 1
            while left >= 0 and not _cell(rows, r, left) and _cell(rows, r + 1, left):
                left -= 1
            top = _cell(rows, r, left) if left >= 0 else ""
        if top or bottom:
            out[c] = [bottom, f"{top} {bottom}".strip(), top]
    return out


def _parents(rows, r: int, candidates: dict[int, list[str]]) -> dict[int, str]:
    """Column -> the header over it when it spans several sub-columns (two header rows, the top cell
    merged or left empty across them): only columns in such a group of two or more."""
    parent = {c: cands[2] for c, cands in candidates.items() if cands[0] and cands[2]}
    groups: dict[tuple[int, str], list[int]] = {}
    start = None
    for c in sorted(parent):
        if _cell(rows, r, c):           # a filled top cell starts a group
            start = c
        if start is not None and parent[c] == parent[start]:
            groups.setdefault((start, parent[c]), []).append(c)
    return {c: top for (_, top), cs in groups.items() if len(cs) >= 2 for c in cs}


YEAR_HEADER = re.compile(r"^(?:tahun )?((?:19|20)\d\d)$")


def _header_year(text: str) -> int | None:
    m = YEAR_HEADER.match(normalise_header(text))
    return int(m[1]) if m else None


def _is_measure(column) -> bool:
    return column.kind in ("integer", "amount") and column.name != "row_number"


def _title_measures(rows, r: int, dataset: Dataset) -> set[str]:
    """The measures the title rows above row `r` name, by any of their headers' words as a phrase (one-word
    ones too: a title naming "Mikro, Kecil dan Menengah" names three, so no single one)."""
    words = tuple(w for row in rows[:r] for v in row if (t := raw_text(v)) for w in header_words(t))
    named = set()
    for column in dataset.columns:
        if not _is_measure(column) or not column.stored:     # a total read only to check its parts
            continue
        for alias in (column.name.replace("_", " "), *column.aliases):
            phrase = header_words(alias)
            if phrase and any(words[i:i + len(phrase)] == phrase for i in range(len(words) - len(phrase) + 1)):
                named.add(column.name)
    return named


def _years_alone(rows, r: int, found: dict[int, list[str]], dataset: Dataset) -> tuple[str, dict[int, int]] | None:
    """A one-row header of years (Desa | 2021 | 2022 | 2023) under a title naming exactly one measure
    ("Jumlah Penduduk menurut Desa", "Jumlah Usaha Mikro ..."): (that measure, year -> column). A title
    naming no measure, or several, does not say what the years hold: None, and they are not read."""
    by_year = {}
    for c, cands in found.items():
        if (year := _header_year(cands[0])) is not None and year not in by_year:
            by_year[year] = c
    if len(by_year) < 2:
        return None
    named = _title_measures(rows, r, dataset)
    return (named.pop(), by_year) if len(named) == 1 else None


def _read_subcolumns(group: list[int], candidates: dict[int, list[str]], aliases: AliasIndex):
    """Sub-columns under one merged header that name nothing on their own: the measure the header names
    is read from the total sub-column, else as the sum of parts (men + women), else not at all.
    Returns (column for the measure or None, extra part columns, the measure's name or None)."""
    top = candidates[group[0]][2]
    name, _ = matched_header([top], aliases)
    if not name:
        return None, [], None
    totals = [c for c in group if TOTAL_SUBHEADER.match(normalise_header(candidates[c][0]))]
    if len(totals) == 1:
        return totals[0], [], name
    if not totals and len(group) >= 2 and all(PART_SUBHEADER.match(normalise_header(candidates[c][0]))
                                              for c in group):
        return group[0], group[1:], name
    return None, [], name


def _layout_at(rows, r: int, two_rows: bool, dataset: Dataset, aliases: AliasIndex) -> TableLayout:
    columns, headers, unrecognised, loose = {}, {}, [], []
    parts, subcolumns, totals, same_field, declined = {}, [], {}, {}, {}
    found = _header_candidates(rows, r, two_rows)
    parents = _parents(rows, r, found) if two_rows else {}
    # Sub-columns naming nothing on their own read through their parent (_read_subcolumns).
    plain = {c for c in parents if matched_header([found[c][0]], aliases)[0]}
    chosen, skipped, wide = {}, set(), {}
    if not two_rows and (alone := _years_alone(rows, r, found, dataset)):
        name, by_year = alone          # the title names the measure the year columns hold
        wide[name] = by_year
        first = min(by_year.values())
        chosen[first] = name
        skipped |= set(by_year.values()) - {first}
        label = dataset.column(name).aliases[0] if dataset.column(name).aliases else name
        found = {c: cands if c not in by_year.values() else [cands[0], f"{label} {cands[0]}", label]
                 for c, cands in found.items()}
    for top in dict.fromkeys(parents.values()):
        group = [c for c, t in parents.items() if t == top and c not in plain]
        if not group:
            continue
        years = [_header_year(found[c][0]) for c in group]
        if None not in years and len(set(years)) == len(years):    # MIKRO over 2021 2022 2023: a wide table
            name, _ = matched_header([top], aliases)
            if name and name not in wide and name not in chosen.values():
                wide[name] = dict(zip(years, group))
                chosen[group[0]] = name
                skipped |= set(group[1:])
                continue
        column, extra, name = _read_subcolumns(group, found, aliases)
        if name and column is not None and name not in chosen.values():
            chosen[column] = name
            parts[column] = extra
            summed = [c for c in group if c != column and PART_SUBHEADER.match(normalise_header(found[c][0]))]
            if not extra and len(summed) >= 2:
                totals[column] = summed
        skipped |= {c for c in group if c != column and c not in extra}
        for c in group:
            how = (f"read as {name}" if c == column and not extra else
                   f"added into {name}" if c == column or c in extra else "not read")
            subcolumns.append(f"'{top} / {found[c][0]}' {how}")
    wide_columns = {c for by_year in wide.values() for c in by_year.values()}
    for c, candidates in found.items():
        if c in chosen or c in skipped:
            if c in chosen:
                columns[c], headers[c] = chosen[c], f"{candidates[2]} / {candidates[0]}"
            elif c not in wide_columns:
                unrecognised.append(f"{candidates[2]} / {candidates[0]}")
            continue
        if any(c in extra for extra in parts.values()):
            continue
        # A sub-column names a field by itself (MIKRO under JUMLAH USAHA), never through its parent alone.
        name, loosely = matched_header(candidates[:1] if c in parents else candidates, aliases)
        label = next((x for x in candidates[1:2] + candidates if x), "")
        if name and (word := qualifier(candidates[:1] if c in parents else candidates, name, aliases)):
            declined[c] = (name, word)      # another measure: not read as the field
            headers[c] = label
            unrecognised.append(label)
            continue
        if name and name not in columns.values():
            columns[c] = name
            headers[c] = label
            if loosely:
                loose.append(c)
        elif name and not loosely:          # a second column headed the same: read beside the first
            first = next(k for k, v in columns.items() if v == name)
            same_field.setdefault(first, []).append(c)
            headers[c] = label
        elif not name:
            unrecognised.append(label)
    header_rows = (r, r + 1) if two_rows else (r,)
    if wide and any(name in columns.values() for name in (dataset.year_column,)):
        wide = {}           # a year column beside years laid out as columns: not a wide table we can read
    return TableLayout(dataset, header_rows, columns, headers, unrecognised, loose,
                       parts={c: extra for c, extra in parts.items() if extra}, subcolumns=subcolumns, wide=wide,
                       totals=totals, same_field=same_field, declined=declined)


def _looks_like_data(row: list[object]) -> bool:
    """A row holding numbers, unless they are all years (a header row of years: 2021 2022 2023)."""
    numbers = [v for v in row if isinstance(v, (int, float)) and not isinstance(v, bool) and not is_blank(v)]
    return bool(numbers) and not (len(numbers) >= 2 and all(float(v).is_integer() and 1900 <= v <= 2100
                                                            for v in numbers))


def locate_table(sheet: RawSheet, dataset: Dataset) -> TableLayout | None:
    """The header row (or pair of rows) that names most of the dataset's columns."""
    aliases = _alias_index(dataset)
    best = None
    for r in range(min(HEADER_SCAN_ROWS, len(sheet.rows))):
        if sum(not is_blank(v) for v in sheet.rows[r]) < 2:
            continue
        options = [_layout_at(sheet.rows, r, False, dataset, aliases)]
        if r + 1 < len(sheet.rows) and not _looks_like_data(sheet.rows[r + 1]):
            options.append(_layout_at(sheet.rows, r, True, dataset, aliases))
        for layout in options:
            if best is None or layout.score > best.score:
                best = layout
    return best if best and best.score >= 2 else None


def recognise(sheet: RawSheet, datasets: list[Dataset]) -> tuple[TableLayout | None, TableLayout | None]:
    """(layout of the dataset this sheet holds, or None; the closest layout, for the report)."""
    layouts = [layout for d in datasets if (layout := locate_table(sheet, d))]
    complete = [layout for layout in layouts if not layout.missing_required]
    if complete:
        return max(complete, key=lambda layout: layout.score), None
    closest = max(layouts, key=lambda layout: (layout.score - 3 * len(layout.missing_required)), default=None)
    return None, closest


def _numbered_columns(texts: list[str]) -> bool:
    """A row of column numbers written as plain numbers or text: 1 2 3 ... (or (1) (2), from any start),
    each one more than the last."""
    numbers = [int(m[1]) if (m := COLUMN_NUMBER_CELL.match(t)) else None for t in texts]
    return len(numbers) >= 3 and None not in numbers and all(b == a + 1 for a, b in zip(numbers, numbers[1:]))


def classify_row(row: list[object], layout: TableLayout) -> str:
    """'data', or why the row is skipped: blank, column_numbers, subtotal, note, header_repeat."""
    cells = [v for v in row if not is_blank(v)]
    if not cells:
        return "blank"
    texts = [raw_text(v) for v in cells]
    if all(COLUMN_NUMBER.match(t) for t in texts) and len(texts) >= 2 or _numbered_columns(texts):
        return "column_numbers"
    if len(cells) <= 2 and isinstance(cells[0], str) and NOTE.match(texts[0]):
        return "note"
    for c, name in layout.columns.items():
        if c < len(row) and isinstance(row[c], str) and SUBTOTAL.match(row[c].strip()):
            if layout.dataset.column(name).kind == "text" or name == "row_number":
                return "subtotal"
    if isinstance(cells[0], str) and SUBTOTAL.match(texts[0]):
        return "subtotal"
    header_cells = {normalise_header(h) for h in layout.headers.values()}
    if sum(normalise_header(t) in header_cells for t in texts) >= max(2, len(texts) // 2):
        return "header_repeat"
    return "data"
