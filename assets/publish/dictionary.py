"""The data dictionary: table and column meanings written beside the SQL, completed from the schemas.

In warehouse/sql, lines starting with `---` document the table created below them:

    --- table mart_x: what one row says              (`table *` holds columns shared by many tables)
    --- grain: one row per ...
    --- caveat: what to watch out for                 (any number)
    --- like: other_table                             (columns not described here mean what they mean there)
    --- column name [unit]: meaning

A fact column not described there takes its description and unit from the dataset declared in schemas/
(the same column the agencies' files are parsed into). The build writes the result as DuckDB COMMENTs;
`jembatan dictionary` renders it to docs/data_dictionary.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from schemas import DATASETS

SHARED = "*"
_TABLE = re.compile(r"^---\s*table\s+([\w.*]+)\s*:\s*(.+)$")
_COLUMN = re.compile(r"^---\s*column\s+(\w+)\s*(?:\[([^\]]+)\])?\s*:\s*(.+)$")
_FIELD = re.compile(r"^---\s*(grain|caveat|like)\s*:\s*(.+)$")


@dataclass
class ColumnDoc:
    meaning: str
    unit: str | None = None
    source: str | None = None


@dataclass
class TableDoc:
    description: str
    defined_in: str
    grain: str | None = None
    like: str | None = None       # a table whose column meanings this one shares
    caveats: list[str] = field(default_factory=list)
    columns: dict[str, ColumnDoc] = field(default_factory=dict)


def parse_sql_docs(sql_dir: Path) -> dict[str, TableDoc]:
    docs: dict[str, TableDoc] = {}
    for path in sorted(sql_dir.glob("*.sql")):
        current = None
        for line in path.read_text().splitlines():
            line = line.strip()
            if m := _TABLE.match(line):
                current = docs.setdefault(m[1], TableDoc(m[2].strip(), f"warehouse/sql/{path.name}"))
            elif current is not None and (m := _COLUMN.match(line)):
                current.columns[m[1]] = ColumnDoc(m[3].strip(), m[2])
            elif current is not None and (m := _FIELD.match(line)):
                if m[1] in ("grain", "like"):
                    setattr(current, m[1], m[2].strip())
                else:
                    current.caveats.append(m[2].strip())
    return docs


def _schema_columns() -> dict[str, dict[str, ColumnDoc]]:
    """Per fact table, its columns as the schemas declare them (pseudonyms under their own name)."""
    tables: dict[str, dict[str, ColumnDoc]] = {}
    for dataset in DATASETS.values():
        columns = tables.setdefault(dataset.fact_table, {})
        for column in dataset.columns:
            source = f"{dataset.source}: {dataset.name}.{column.name}"
            if column.pseudonym:
                columns[column.pseudonym] = ColumnDoc(
                    f"Pseudonym (keyed HMAC, key outside the warehouse) of: {column.description}",
                    "pseudonym", source)
            elif not column.personal:
                columns[column.name] = ColumnDoc(column.description, column.unit, source)
    return tables


def column_doc(docs: dict[str, TableDoc], table: str, column: str) -> ColumnDoc | None:
    """Most specific first: the table's own block, the main table a public copy is made of, the shared
    block, then the schema declaration of the dataset behind a fact table."""
    base = table.split(".", 1)[-1]
    for name in (table, base):
        if name in docs and column in docs[name].columns:
            return docs[name].columns[column]
        if name in docs and docs[name].like:
            return column_doc(docs, docs[name].like, column)
    if SHARED in docs and column in docs[SHARED].columns:
        return docs[SHARED].columns[column]
    return _schema_columns().get(base, {}).get(column)


def table_doc(docs: dict[str, TableDoc], table: str) -> TableDoc | None:
    return docs.get(table) or docs.get(table.split(".", 1)[-1])


def published_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(qualified table, column, type) of every published table, main first then public."""
    rows = con.execute("SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
                       "WHERE NOT internal AND schema_name IN ('main', 'public') AND database_name = current_database() "
                       "ORDER BY schema_name, table_name, column_index").fetchall()
    return [(table if schema == "main" else f"{schema}.{table}", column, dtype)
            for schema, table, column, dtype in rows]


def undocumented(con: duckdb.DuckDBPyConnection, docs: dict[str, TableDoc]) -> list[str]:
    missing = {t for t, _, _ in published_columns(con) if table_doc(docs, t) is None}
    missing |= {f"{t}.{c}" for t, c, _ in published_columns(con) if column_doc(docs, t, c) is None}
    return sorted(missing)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(table: str) -> str:
    return ".".join(f'"{part}"' for part in table.split("."))


def apply_comments(con: duckdb.DuckDBPyConnection, docs: dict[str, TableDoc]) -> None:
    columns = published_columns(con)
    statements = []
    for table in dict.fromkeys(t for t, _, _ in columns):
        if doc := table_doc(docs, table):
            text = " ".join([f"{doc.description}.", *(f"Caveat: {c}." for c in doc.caveats)])
            statements.append(f"COMMENT ON TABLE {_identifier(table)} IS {_quote(text)}")
    for table, column, _ in columns:
        if doc := column_doc(docs, table, column):
            text = doc.meaning + (f" [{doc.unit}]" if doc.unit else "")
            statements.append(f'COMMENT ON COLUMN {_identifier(table)}."{column}" IS {_quote(text)}')
    # One transaction: a commit per comment costs seconds.
    con.execute("BEGIN TRANSACTION; " + "; ".join(statements) + "; COMMIT")


def render_markdown(con: duckdb.DuckDBPyConnection, docs: dict[str, TableDoc]) -> str:
    lines = ["# Data dictionary", "",
             "Generated by `jembatan dictionary` from the `---` documentation in `warehouse/sql/*.sql` and the",
             "dataset declarations in `schemas/`; the same text is in the published database as table and",
             "column COMMENTs (`SELECT * FROM duckdb_columns()`). Do not edit by hand.", "",
             "`main` holds the full figures (restricted); `public` holds what may be shared widely, every crime",
             "count perturbed by the cell-key method (see `public.disclosure_control`). The public",
             "tables are also published on their own, under the same names without `public.`, in",
             "`warehouse/public/jembatan_public.duckdb` and `warehouse/public/parquet/current/`: hand those out.", ""]
    by_table: dict[str, list[tuple[str, str]]] = {}
    for table, column, dtype in published_columns(con):
        by_table.setdefault(table, []).append((column, dtype))
    for table, columns in by_table.items():
        doc = table_doc(docs, table) or TableDoc("(undocumented)", "")
        lines += [f"## `{table}`", "", f"{doc.description}. Defined in `{doc.defined_in}`.", ""]
        if doc.grain:
            lines += [f"One row per: {doc.grain}.", ""]
        lines += [f"- Caveat: {c}." for c in doc.caveats] + ([""] if doc.caveats else [])
        lines += ["| column | type | unit | meaning | source |", "|---|---|---|---|---|"]
        for column, dtype in columns:
            c = column_doc(docs, table, column) or ColumnDoc("(undocumented)")
            lines.append(f"| `{column}` | {dtype} | {c.unit or ''} | {c.meaning} | {c.source or ''} |")
        lines.append("")
    return "\n".join(lines + edits_markdown())


def edits_markdown() -> list[str]:
    """The edits each dataset declares (schemas/, `Dataset.edits`): what a flag's code in
    data_quality_rejection checked."""
    lines = ["## Edits over what was read", "",
             "Checks each dataset declares in `schemas/`, run on every file whatever way its values were read "
             "(`assets/ingest/edits.py`; the history edit after placement, `assets/harmonise/history_edits.py`). "
             "A value failing one lands as written, flagged in `data_quality_rejection` with `severity = "
             "'warning'` and the edit's code; a subtotal row is left out (a skipped row of the file's report).", "",
             "| dataset | code | columns | against | what it checks |", "|---|---|---|---|---|"]
    for dataset in DATASETS.values():
        for edit in dataset.edits:
            lines.append(f"| `{dataset.name}` | `{edit.code}` | {', '.join(f'`{c}`' for c in edit.columns)} | "
                         f"{f'`{edit.against}`' if edit.against else ''} | {edit.description} |")
    return [*lines, ""]
