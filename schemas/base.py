"""The declaration every agency dataset is made of.

A dataset is declared once, as a `Dataset` of `Column`s; header matching, cell parsing, validation,
pseudonymisation and place matching are all driven from it.
"""
from __future__ import annotations

from dataclasses import dataclass

# Kinds of cell a column holds; each has one parser in assets/ingest/cells.py.
KINDS = {
    "text",          # free text, whitespace collapsed
    "list",          # text naming several items, one per line or separated by commas, ";", "dan", ...
    "integer",       # counts: Indonesian or English thousands separators, "-" = 0, "..." = not available
    "amount",        # rupiah: "Rp 1.500.000", "1.500.000,00", numbers
    "date",          # Excel dates and serials, 17/08/2023, 17-08-2023, 2023-08-17, 17 Agustus 2023
    "year",          # a four-digit year
    "code",          # a place code kept as text (numbers Excel made of it turned back to digits)
    "nik",           # 16-digit population number, checked, then pseudonymised
    "identifier",    # other ids kept as text (report numbers, NRP)
}

# What happens to personal data at ingest, before anything is stored.
DROP = "drop"                # never stored
PSEUDONYMISE = "pseudonymise"  # replaced by a keyed HMAC (assets/privacy.py)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    aliases: tuple[str, ...]
    description: str
    required: bool = True          # a row without a value here is rejected
    header_required: bool = True   # the file must have this column to be recognised as the dataset
    personal: str | None = None    # DROP or PSEUDONYMISE
    pseudonym: str | None = None   # name of the column that holds the pseudonym
    min_value: float | None = None
    allowed: tuple[str, ...] | None = None
    # Other ways agencies write an allowed value ("Kredit Usaha Rakyat" for KUR) -> that value.
    synonyms: tuple[tuple[str, str], ...] = ()
    unit: str | None = None
    stored: bool = True            # False: read only to check other columns (edits), never stored
    example: str | None = None     # a value as the clerk writes it, for "what was expected" in answers

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r} for {self.name}")


# Kinds of edit: checks over what was read, whatever way it was read (assets/ingest/edits.py, and the
# history edit in assets/harmonise/history_edits.py). A value failing one lands, flagged as a warning.
EDIT_KINDS = {
    "balance_total",     # parts add up to the total column beside them (micro + small + medium = total)
    "subtotal_row",      # a row equal to the sum of the rows under or above it is a subtotal: left out
    "ratio_history",     # a village's value against its own earlier years (Hidiroglou-Berthelot)
    "ratio_column",      # a value orders of magnitude off the median of its column
    "thousands_separator",  # a value that x 1,000 sits among its column (750 among 750,000s)
    "count_domain",      # a count column holding fractions or percentages
    "parts_within_whole",   # the parts cannot exceed the whole (MSMEs counted in a village <= its population)
    "date_order",        # a date breaking the order the rest of its (sorted) column keeps
    "date_sequence",     # a date before the one it follows (an incident after its report)
    "date_period",       # a date outside the file's period (the year it states; after the file came)
    "date_future",       # a date after the file was received
}


@dataclass(frozen=True)
class Edit:
    """One edit declared for a dataset: `kind` (EDIT_KINDS) over `columns`; `against` is the total, the
    whole, or the earlier date a kind compares them with. Its flags carry the code `edit_<kind>`."""
    kind: str
    columns: tuple[str, ...]
    description: str
    against: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in EDIT_KINDS:
            raise ValueError(f"unknown edit kind {self.kind!r}")

    @property
    def code(self) -> str:
        return f"edit_{self.kind}"


@dataclass(frozen=True)
class Dataset:
    """One kind of table an agency sends.

    Place columns use fixed names so harmonisation works on any dataset: `village_code`,
    `village_name`, `village_list` (several villages in one cell), `district_name`, `regency_name`,
    `police_sector`.
    """
    name: str
    source: str                       # inbox sub-folder: bps, koperasi, polda
    description: str
    columns: tuple[Column, ...]
    year_column: str                  # a `year` column, or a `date` column whose year is taken
    unique_key: tuple[str, ...] = ()  # cross-row rule: at most one accepted row per key
    one_row_per_village_year: bool = False  # cross-row rule checked once villages are matched
    # Without a unique key, the columns telling one row from another when a later file is compared with an
    # earlier one (a correction replaces the file it corrects: assets/ingest/supersede.py); a personal
    # column by its keyed pseudonym. None: the places the rows name.
    row_identity: tuple[str, ...] = ()
    fact_table: str = ""
    title_id: str = ""                # what the agency calls it, in Bahasa Indonesia (template, reports)
    edits: tuple[Edit, ...] = ()      # checks over what was read (Edit); a failing value lands flagged

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def __post_init__(self) -> None:
        names = {c.name for c in self.columns}
        for edit in self.edits:
            if unknown := {*edit.columns, *([edit.against] if edit.against else [])} - names:
                raise ValueError(f"{self.name}: edit {edit.code} names unknown columns {sorted(unknown)}")

    @property
    def place_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.name in PLACE_COLUMNS)

    def stored_columns_raw(self) -> tuple[str, ...]:
        """Every declared column, personal ones included: the shape of a freshly parsed table."""
        return tuple(c.name for c in self.columns)

    @property
    def stored_columns(self) -> tuple[str, ...]:
        """Columns that survive ingest (personal ones dropped or replaced by their pseudonym)."""
        names = []
        for c in self.columns:
            if c.personal == DROP or not c.stored:
                continue
            names.append(c.pseudonym if c.personal == PSEUDONYMISE else c.name)
        return tuple(names)


PLACE_COLUMNS = ("village_code", "village_name", "village_list", "district_name", "regency_name",
                 "police_sector")


# Header variants shared by every dataset that names a place.
VILLAGE_NAME = ("Desa/Kelurahan", "Desa / Kelurahan", "Kelurahan/Desa", "Desa/Kel", "Kel/Desa", "Desa",
                "Kelurahan", "Nama Desa", "Nama Desa/Kelurahan", "Nama Kelurahan", "Desa/Kel TKP", "Desa TKP",
                "Lokasi Desa", "Village", "Village Name")
DISTRICT_NAME = ("Kecamatan", "Kec.", "Kec", "Nama Kecamatan", "District", "Subdistrict")
REGENCY_NAME = ("Kabupaten/Kota", "Kabupaten / Kota", "Kab/Kota", "Kabupaten", "Kota", "Regency", "Regency/City")
VILLAGE_CODE = ("Kode Wilayah", "Kode Desa", "Kode Desa/Kelurahan", "Kode Kelurahan", "Kode", "Kode BPS",
                "Kode Kemendagri", "Village Code")
POLICE_SECTOR = ("Polsek", "Polsek Jajaran", "Police Sector")


def village_column(required: bool = True) -> Column:
    return Column("village_name", "text", VILLAGE_NAME, "Village (desa or kelurahan) as written by the agency",
                  required=required)


def district_column(required: bool = False, header_required: bool = True) -> Column:
    return Column("district_name", "text", DISTRICT_NAME, "District (kecamatan) as written by the agency",
                  required=required, header_required=header_required)


def regency_column(required: bool = False, header_required: bool = False) -> Column:
    return Column("regency_name", "text", REGENCY_NAME, "Regency or city as written by the agency",
                  required=required, header_required=header_required)


def village_code_column(required: bool = False, header_required: bool = True) -> Column:
    return Column("village_code", "code", VILLAGE_CODE,
                  "Village code as sent: Kemendagri (dotted or not) or BPS", required=required,
                  header_required=header_required)


def police_sector_column(required: bool = False, header_required: bool = False) -> Column:
    return Column("police_sector", "text", POLICE_SECTOR, "Police sector (Polsek), which covers one district",
                  required=required, header_required=header_required)


ROW_NUMBER = Column("row_number", "integer", ("No", "No.", "Nomor Urut", "No Urut"),
                    "Running number in the agency's sheet", required=False, header_required=False)
