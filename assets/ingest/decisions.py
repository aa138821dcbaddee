"""What the reader decided about a file, with the evidence, kept on its per-file record.

Every inference the reader makes (which sheet holds the data, which header is which field, which year the
rows are about and where it came from, the day/month order of a date column, a time zone, the century of a
two-digit year, a formula's value) is one `Decision`: what was decided, the value, the evidence, in Bahasa
Indonesia and English, and whether it is flagged. A decision is flagged when nothing corroborates it or
something speaks against it; a flagged decision is also a warning in `data_quality_rejection`
(`flag_errors`), at the cell that carries it, so the clerk (the agency report) and the steward see it.

The per-file record keeps them as `decisions`: a list of dicts
{"decision", "sheet", "value", "value_id", "evidence", "evidence_id", "flagged", "code", "row", "column",
"header", "field"} (row/column: where the flag points, Excel row number and column letter; 0 / "" for a
decision about the whole sheet). Flagged first when shown (`ordered`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from assets.ingest.errors import CellError
from assets.privacy import scrub

# What was decided (the `decision` key), as the answer names it: (English, Bahasa Indonesia).
KINDS = {
    "sheet": ("Sheet read", "Lembar yang dibaca"),
    "header": ("Header -> field", "Judul kolom -> isian"),
    "period": ("Year", "Tahun"),
    "date_order": ("Date order", "Urutan tanggal"),
    "time_zone": ("Time zone", "Zona waktu"),
    "century": ("Two-digit years", "Tahun dua digit"),
    "formula": ("Formulas", "Rumus"),
}


@dataclass
class Decision:
    decision: str           # a key of KINDS
    sheet: str
    value: str              # what was decided (English) ...
    value_id: str           # ... and in Bahasa Indonesia
    evidence: str           # why (English) ...
    evidence_id: str        # ... and in Bahasa Indonesia
    flagged: bool = False
    code: str = ""          # the warning's code in data_quality_rejection when flagged ("": flagged at its cells)
    row: int = 0            # Excel row the flag points at (0: the sheet as a whole)
    column: str = ""        # Excel column letter ("" : no one column)
    header: str = ""        # the header as written, when about one column
    field: str = ""         # the dataset column concerned, when one
    dataset: str = ""       # the dataset the sheet was read as
    written: str = ""       # the cell the flag points at, as written

    def as_dict(self) -> dict:
        out = asdict(self)
        for key in ("value", "value_id", "evidence", "evidence_id", "header", "written"):
            out[key] = scrub(out[key])
        return out


def ordered(decisions: list[dict]) -> list[dict]:
    """Flagged decisions first, then the others, each group in the order they were taken."""
    return [d for d in decisions if d.get("flagged")] + [d for d in decisions if not d.get("flagged")]


def flag_errors(decisions: list[dict]) -> list[tuple[str, CellError]]:
    """(dataset, warning) for every flagged decision with a code, as rows of data_quality_rejection (one
    flagged without a code is flagged at its cells already, e.g. ambiguous_date_order)."""
    return [(d.get("dataset", ""), CellError(
        sheet=d["sheet"], row=int(d.get("row") or 0), column=d.get("column", ""), header=d.get("header", ""),
        field=d.get("field", ""), value=d.get("written") or d["value"], code=d.get("code") or f"{d['decision']}_unconfirmed",
        expected=d["value"], message=f"{KINDS[d['decision']][0]}: {d['value']}; {d['evidence']}",
        message_id=f"{KINDS[d['decision']][1]}: {d['value_id']}; {d['evidence_id']}", severity="warning",
        expected_id=d["value_id"])) for d in decisions if d.get("flagged") and d.get("code")]


def summary_lines(decisions: list[dict], lang: str = "id") -> list[str]:
    """One line per decision, flagged first ("! " before them), in `lang` ("id" or "en")."""
    out = []
    for d in ordered(decisions):
        label = KINDS.get(d["decision"], (d["decision"], d["decision"]))[0 if lang == "en" else 1]
        value, evidence = (d["value"], d["evidence"]) if lang == "en" else (d["value_id"], d["evidence_id"])
        where = f"{d['sheet']}: " if d.get("sheet") else ""
        out.append(f"{'! ' if d.get('flagged') else ''}{label}: {where}{value} ({evidence})")
    return out
