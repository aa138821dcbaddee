"""The steward's review queue: the names the matcher could not place, each once, as an Excel workbook with a
dropdown per name; and the decisions read back from it.

Sheet "review": one row per unresolved (area, name): how many rows and which sources and files use it, why
it is unresolved, the top candidates (code, full path, score) and a Decision cell whose dropdown offers
those candidates and "not a village" (a code typed by hand is accepted too). Sheet "choices" (hidden)
holds each row's dropdown options.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from assets.harmonise.aliases import NOT_A_VILLAGE
from assets.harmonise.codes import dotted_code
from assets.harmonise.matcher import Matcher
from assets.harmonise.names import name_key
from assets.inert import inert_workbook

CANDIDATES = 5
HEADERS = ["Item", "Village as written", "District as written", "Regency as written", "Area code", "Area",
           "Rows", "Sources", "Files", "Why", *[f"Candidate {i}" for i in range(1, 4)], "Decision", "Decided by",
           "name_key"]
DECISION_COLUMN = HEADERS.index("Decision") + 1
CODE = re.compile(r"^\s*(\d{2}\.\d{2}\.\d{2}\.\d{4}|\d{10})\b")


def review_queue(unresolved: pd.DataFrame, files: pd.DataFrame, matcher: Matcher) -> pd.DataFrame:
    """unresolved: the place tuples harmonise could not place (dataset, source_file, village_name, ...,
    match_method, match_scope, match_candidates); files: sha256, source, file_name. One row per
    (area, name), most used first, with its candidates [(code, path, score)]."""
    rows = unresolved[unresolved["village_name"].fillna("").str.strip() != ""].copy()
    if rows.empty:
        return pd.DataFrame(columns=["name_key", "scope_code", "written", "district", "regency", "rows", "sources",
                                     "files", "why", "candidates"])
    rows["name_key"] = rows["village_name"].map(name_key)
    rows["scope_code"] = rows["match_scope"].fillna("")
    rows = rows.merge(files.rename(columns={"sha256": "source_file"}), on="source_file", how="left")
    items = []
    for (key, scope), group in rows.groupby(["name_key", "scope_code"], sort=False):
        written = group["village_name"].mode().iloc[0]
        listed = [c.split(" ")[0] for c in "; ".join(group["match_candidates"].dropna()).split("; ") if c]
        scores = dict(matcher.suggestions(written, scope, limit=CANDIDATES))
        codes = list(dict.fromkeys(listed + list(scores)))[:CANDIDATES]
        items.append({
            "name_key": key, "scope_code": scope, "written": written,
            "district": _most_common(group["district_name"]), "regency": _most_common(group["regency_name"]),
            "rows": len(group), "sources": ", ".join(sorted(group["source"].dropna().unique())),
            "files": ", ".join(sorted(group["file_name"].dropna().unique())),
            "why": "several villages fit" if (group["match_method"] == "ambiguous").any() else "no village fits",
            "candidates": [(c, matcher.describe(c), scores.get(c, _similarity(matcher, written, c))) for c in codes],
        })
    return pd.DataFrame(items).sort_values(["rows", "written"], ascending=[False, True]).reset_index(drop=True)


def _most_common(values: pd.Series) -> str:
    values = values.dropna().astype(str)
    values = values[values.str.strip() != ""]
    return values.mode().iloc[0] if len(values) else ""


def _similarity(matcher: Matcher, written: str, code: str) -> float:
    from rapidfuzz.distance import OSA
    key = name_key(written)
    return round(max((1 - OSA.normalized_distance(key, k) for k in matcher.names_of.get(code, {""})),
                     default=0.0), 3)


def option_text(code: str, path: str, score: float) -> str:
    return f"{code} | {path} | {score:.2f}"


def write_workbook(queue: pd.DataFrame, path: Path, matcher: Matcher) -> Path:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "review"
    choices = wb.create_sheet("choices")
    sheet.append(HEADERS)
    for i, item in enumerate(queue.itertuples(), start=1):
        options = [option_text(*c) for c in item.candidates] + [NOT_A_VILLAGE]
        shown = [option_text(*c) for c in item.candidates[:3]]
        sheet.append([i, item.written, item.district, item.regency, item.scope_code,
                      matcher.describe(item.scope_code) if item.scope_code else "(whole country)", item.rows,
                      item.sources, item.files, item.why, *(shown + [""] * (3 - len(shown))), "", "",
                      item.name_key])
        choices.append(options)
        row = i + 1
        validation = DataValidation(type="list", formula1=f"=choices!$A${i}:${_letter(len(options))}${i}",
                                    allow_blank=True, showErrorMessage=False)   # a typed code is welcome too
        validation.add(sheet.cell(row=row, column=DECISION_COLUMN))
        sheet.add_data_validation(validation)
    choices.sheet_state = "hidden"
    sheet.column_dimensions[_letter(len(HEADERS))].hidden = True
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in range(2, len(queue) + 2):
        sheet.cell(row=row, column=DECISION_COLUMN).fill = PatternFill("solid", fgColor="FFF2CC")
    widths = [6, 24, 20, 20, 13, 40, 6, 14, 30, 18, 45, 45, 45, 45, 14]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[_letter(column)].width = width
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{_letter(len(HEADERS) - 1)}{len(queue) + 1}"
    path.parent.mkdir(parents=True, exist_ok=True)
    inert_workbook(wb).save(path)      # a spelling as received never comes back as a live formula
    return path


def _letter(column: int) -> str:
    return openpyxl.utils.get_column_letter(column)


@dataclass
class Decisions:
    accepted: list[dict]     # row, name_key, scope_code, written, village_code, decided_by
    problems: list[str]      # "row 7: '12.34' is not a village code of the current list"


def read_decisions(path: Path, matcher: Matcher) -> Decisions:
    sheet = openpyxl.load_workbook(path, read_only=True, data_only=True)["review"]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows)]
    column = {name: header.index(name) for name in HEADERS if name in header}
    missing = [name for name in ("Decision", "name_key", "Area code", "Village as written") if name not in column]
    if missing:
        raise ValueError(f"{path.name} is not a review queue from `jembatan review export` (missing {missing})")
    accepted, problems = [], []
    for number, row in enumerate(rows, start=2):
        decision = str(row[column["Decision"]] or "").strip()
        if not decision:
            continue
        if decision.lower() == NOT_A_VILLAGE:
            code = NOT_A_VILLAGE
        elif (found := CODE.match(decision)) and (now := matcher.successor.get(dotted_code(found.group(1)))):
            code = now
        else:
            problems.append(f"row {number}: {decision!r} is neither a village code of the reference lists "
                            f"nor '{NOT_A_VILLAGE}'")
            continue
        accepted.append({"row": number, "name_key": str(row[column["name_key"]] or ""),
                         "scope_code": str(row[column["Area code"]] or ""),
                         "written": str(row[column["Village as written"]] or ""), "village_code": code,
                         "decided_by": str(row[column["Decided by"]] or "").strip() if "Decided by" in column
                         else ""})
    return Decisions(accepted, problems)
