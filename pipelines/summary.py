"""The short summary a sync prints: read from the published database, so it says what analysts see."""
from __future__ import annotations

from pathlib import Path

import duckdb
from dagster import DagsterEventType

from assets.privacy import scrub
from assets.row_counts import rows_sentence
from assets.storage import exists, read_parquet, storage_root

PER_SOURCE = """
SELECT source, count(*) AS files,
       count(*) FILTER (WHERE status = 'rejected') AS files_rejected,
       -- A file replaced by its corrected version no longer counts (its rows were set aside).
       coalesce(sum(rows_read - rows_skipped) FILTER (WHERE status <> 'superseded'), 0) AS rows_received,
       coalesce(sum(rows_accepted) FILTER (WHERE status <> 'superseded'), 0) AS rows_landed,
       coalesce(sum(rows_rejected) FILTER (WHERE status <> 'superseded'), 0) AS rows_rejected,
       coalesce(sum(rows_unplaced) FILTER (WHERE status <> 'superseded'), 0) AS rows_unplaced,
       coalesce(sum(rows_flagged) FILTER (WHERE status <> 'superseded'), 0) AS rows_flagged
FROM mart_data_quality GROUP BY source ORDER BY source
"""


# What the sync did to the publication: made a new one; ran, but what the marts are made of had not changed;
# found nothing changed and started no run at all.
NEW, UNCHANGED, NO_RUN = "new", "unchanged", "no_run"
PUBLICATION_LINES = {
    NEW: "Published {database} (restricted)",
    UNCHANGED: ("No new publication: what the marts are made of did not change; analysts still see "
                "{database} (restricted)"),
    NO_RUN: ("Nothing changed since the last sync: nothing was read and no new publication was made; analysts "
             "still see {database} (restricted)"),
}


def summary_lines(database: Path | str, new_files: dict[str, int] | None = None,
                  not_received: dict[str, list[dict]] | None = None,
                  new_rows: dict[str, int] | None = None, publication: str = NEW) -> list[str]:
    """The lines `jembatan sync` prints. `not_received`: per agency folder, the entries left out this time
    ({"file", "status", "reason"}: the ingest assets' `not_received` metadata), listed first, where the
    operator looks. new_files and new_rows: per source, the files this sync received and the rows of theirs
    accepted; a sync in which nothing landed says so in one line (`nothing_landed`). `publication`: NEW,
    UNCHANGED or NO_RUN, what the first line says of the publication the figures are read from (KeyError
    for another)."""
    lines = [f"{source:<10}{item['status']:<11}{item['file']}: {item['reason']}"
             for source, items in sorted((not_received or {}).items()) for item in items]
    if lines:
        lines.insert(0, "Not received this time (waiting: read at the next sync; refused: see warehouse/reports/):")
    return lines + _published_lines(Path(database), new_files, new_rows, PUBLICATION_LINES[publication])


def _published_lines(database: Path, new_files: dict[str, int] | None, new_rows: dict[str, int] | None,
                     first_line: str) -> list[str]:
    if not database.exists():
        return [NOTHING_PUBLISHED.format(folder=database.parent)]
    con = duckdb.connect(str(database), read_only=True)
    try:
        lines = [first_line.format(database=database)]
        public = Path(database).parent / "public" / "jembatan_public.duckdb"
        if public.exists():
            lines.append(f"Public figures, to hand out: {public}")
        lines.append(f"{'source':<10}{'files':>7}{'new':>6}{'rows in':>10}{'landed':>9}{'rejected':>10}"
                     f"{'placed %':>10}{'flagged':>9}")
        per_source = [(source, int(files), (new_files or {}).get(source, 0), *(int(n or 0) for n in counts))
                      for source, files, _, *counts in con.execute(PER_SOURCE).fetchall()]
        lines += [_source_line(*row) for row in per_source]
        if per_source:
            total = [sum(column) for column in list(zip(*per_source))[1:]]
            if len(per_source) > 1:
                lines.append(_source_line("total", *total))
            lines.append(rows_sentence(total[2], total[4], total[6]) + " (each cell in data_quality_rejection "
                         f"and the agencies' reports in {storage_root(database.parent) / 'reports'})")
        marts = con.execute("SELECT table_name, estimated_size FROM duckdb_tables() "
                            "WHERE schema_name = 'main' AND (table_name LIKE 'mart_%' OR table_name LIKE 'dim_%' "
                            "OR table_name LIKE 'fact_%') "
                            "ORDER BY table_name").fetchall()
        lines.append("Tables: " + ", ".join(f"{name} ({rows:,})" for name, rows in marts))
        if line := nothing_landed(con, database.parent, new_files or {}, new_rows or {}):
            lines.append(line)
        if not con.execute("SELECT count(*) FROM mart_village_year").fetchone()[0]:
            return lines
        lines.append("MSMEs / crime reports per province and year:")
        for province, cells in con.execute(PER_PROVINCE).fetchall():
            lines += [f"  {province}", f"    {cells}"]
        villages, years = con.execute("SELECT count(DISTINCT village_code), min(year) || '-' || max(year) "
                                      "FROM mart_village_year").fetchone()
        lines.append(f"mart_village_year: {villages} villages, years {years}")
        return lines
    finally:
        con.close()


def _source_line(source: str, files: int, new: int, received: int, landed: int, rejected: int, unplaced: int,
                 flagged: int) -> str:
    placed_share = landed / (landed + unplaced) * 100 if landed + unplaced else 100.0
    return (f"{source:<10}{files:>7}{new:>6}{received:>10}{landed:>9}{rejected:>10}"
            f"{placed_share:>9.1f}%{flagged:>9}")


# Each province by its name in the official list (its code when the list names none).
PER_PROVINCE = """
SELECT coalesce(any_value(d.province_name), m.province_code) || ' (' || m.province_code || ')',
       string_agg(m.year || ': ' || coalesce(format('{:,}', m.msme), '-') || ' / ' ||
                  coalesce(format('{:,}', m.crimes), '-'), '   ' ORDER BY m.year)
FROM (SELECT province_code, year, sum(msme_count) AS msme, sum(crime_count) AS crimes
      FROM mart_village_year GROUP BY ALL) m
LEFT JOIN (SELECT province_code, any_value(province_name) AS province_name FROM dim_village GROUP BY ALL) d
     USING (province_code)
GROUP BY m.province_code ORDER BY m.province_code
"""


NOTHING_PUBLISHED = ("Nothing published: the inbox holds no official village list yet (put the Kemendagri lists "
                     "in inbox/reference/) and no agency file; {folder} is unchanged.")


def nothing_landed(con: duckdb.DuckDBPyConnection, warehouse: Path, new_files: dict[str, int],
                   new_rows: dict[str, int]) -> str | None:
    """One line when no row landed: none in the whole publication (every mart published empty), or none
    from this sync's new files (the marts keep the earlier files' rows); None when rows landed."""
    files, refused, landed = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE status = 'rejected'), coalesce(sum(rows_accepted), 0) "
        "FROM mart_data_quality").fetchone()
    reports = storage_root(warehouse) / "reports"
    if not landed:
        received = f"{files} file(s) received, {refused} refused; their reports are in {reports}" if files \
            else "no agency file received yet"
        return f"Nothing landed: no row has reached the marts yet, every mart is published empty ({received})."
    new = sum(new_files.values())
    if new and not sum(new_rows.values()):
        return (f"Nothing landed from this sync's {new} new file(s): see their reports in {reports}; "
                "the marts keep the rows of the files received before.")
    return None


def duplicate_lines(paths) -> list[str]:
    """One line per file received under more than one name (`paths`: assets.paths.Paths): the same content
    counted once, under its first name. Read from the received files' manifests (warehouse/work)."""
    lines = [f"{manifest.get('source', ''):<10}{scrub(other)} = {scrub(manifest['file_name'])}"
             for manifest in sorted(paths.work.manifests(), key=lambda m: (m.get("source", ""), m["file_name"]))
             for other in manifest.get("also_received_as", [])]
    if lines:
        lines.insert(0, f"Duplicates (the same content under another name, counted once): {len(lines)}")
    return lines


def check_lines(events) -> list[str]:
    """One line per asset check that did not pass in the run (`events`: its DagsterEvents), with its
    severity and description; none when every check passed."""

    failed = [event.event_specific_data for event in events
              if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION and not event.event_specific_data.passed]
    lines = [f"  {e.asset_key.to_user_string()}.{e.check_name} ({e.severity.value.lower()})"
             + (f": {scrub(e.description)}" if e.description else "") for e in failed]
    if lines:
        lines.insert(0, f"Checks that did not pass: {len(lines)} (see each in the Dagster UI)")
    return lines


def next_step_lines(paths) -> list[str]:
    """What to do after a sync (`paths`: assets.paths.Paths): the names waiting in the steward's review queue
    and the command that exports them, the analyst report, the Dagster UI and the agencies' portal."""
    from assets.harmonise.review import queue_size      # deferred: pandas and the matcher, only after a sync
    lines = ["Next:"]
    unresolved = paths.placed_store / "unresolved.parquet"
    names, rows = queue_size(read_parquet(unresolved)) if exists(unresolved) else (0, 0)
    if names:
        lines.append(f"  review queue: {names} village names the matcher could not place ({rows} rows) wait "
                     "for the steward: .venv/bin/jembatan review export")
    else:
        lines.append("  review queue: empty (every village name was placed or decided)")
    report = paths.reports / "analyst_report.html"
    if exists(report):
        lines.append(f"  analyst report: {report}")
    lines.append("  Dagster UI (runs, checks, each file's partition): make ui")
    lines.append("  agencies' portal (uploads, answers, templates): make portal")
    return lines
