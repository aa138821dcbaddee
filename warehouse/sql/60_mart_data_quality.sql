-- mart_data_quality: per received file, what came in, what landed, what was rejected, how places were
-- matched and how fresh it is. Inputs: file_register (one row per received file), data_quality_rejection
-- and `publication` (one row: when this build was made, set by assets/publish/build.py).

--- table mart_data_quality: Per received file: rows read, accepted, rejected, skipped, how places were matched, and freshness
--- grain: received file
--- column source: Inbox folder the file came from (bps, koperasi, polda)
--- column file_name: File name as dropped
--- column datasets: Datasets recognised in the file
--- column status: accepted, partially_accepted (some rows rejected or unplaced, or a sheet like a dataset not read), rejected (no row landed), as the file's agency report says, or superseded (replaced by a corrected file)
--- column superseded_by [sha256]: The corrected file that replaced this one; its rows no longer count (rows_placed 0)
--- column received_at [timestamp UTC]: When the file was received
--- column rows_read [rows]: Data rows read from the file
--- column rows_skipped [rows]: Rows left out as subtotals, footnotes or blank
--- column rows_rejected [rows]: Rows with at least one rejected cell (severity error), or that could not be placed in a village
--- column cells_flagged [cells]: Warnings: cells of optional columns that could not be read (a formula error, an unreadable number or date), whose rows landed with the value missing; and text cells whose NIK or phone number was masked (personal_data_masked)
--- column rows_flagged [rows]: Rows that landed with at least one such warning
--- column rows_accepted [rows]: rows_read - rows_skipped - rows_rejected
--- column rows_unplaced [rows]: Rejected rows whose village could not be matched (unknown or ambiguous village; not a row placed but counted by another file)
--- column rows_placed [rows]: Rows that reached a fact table
--- column matched_by_code [rows]: Placed by a Kemendagri or BPS code
--- column matched_by_name [rows]: Placed by the village name, exact or normalised (spelling variants)
--- column matched_by_fuzzy_name [rows]: Placed by a close spelling within the district
--- column share_matched_by_code [share 0-1]: matched_by_code / rows_placed
--- column share_matched_by_name [share 0-1]: matched_by_name / rows_placed
--- column share_matched_by_fuzzy_name [share 0-1]: matched_by_fuzzy_name / rows_placed
--- column first_year [year]: Earliest year among the file's placed rows
--- column last_year [year]: Latest year among the file's placed rows
--- column latest_record_date [date]: Latest report, participation, activity or founding date among its placed rows (NULL for yearly counts)
--- column days_since_received [days]: Days between receiving the file and this publication
--- column days_since_latest_record [days]: Days between latest_record_date and this publication
CREATE OR REPLACE TABLE mart_data_quality AS
WITH landed AS (
    SELECT source_file, match_method, year, NULL::DATE AS record_date FROM fact_msme_count
    UNION ALL SELECT source_file, match_method, year, report_date FROM fact_crime_report
    UNION ALL SELECT source_file, match_method, year, participation_date FROM fact_program_participation
    UNION ALL SELECT source_file, match_method, year, established_date FROM fact_village_cooperative
    UNION ALL SELECT source_file, match_method, year, NULL::DATE FROM fact_bhabinkamtibmas_assignment
    UNION ALL SELECT source_file, match_method, year, activity_date FROM fact_bhabinkamtibmas_activity
), methods AS (
    SELECT source_file, count(*) AS rows_placed,
           count(*) FILTER (WHERE match_method LIKE '%code%') AS matched_by_code,
           count(*) FILTER (WHERE match_method IN ('name_exact', 'name_normalised')) AS matched_by_name,
           count(*) FILTER (WHERE match_method = 'name_fuzzy') AS matched_by_fuzzy_name,
           min(year) AS first_year, max(year) AS last_year, max(record_date) AS latest_record_date
    FROM landed GROUP BY source_file
), rejected AS (
    SELECT source_file, count(DISTINCT (sheet, "row")) AS rows_rejected,
           count(DISTINCT (sheet, "row")) FILTER (
               WHERE stage = 'harmonise' AND code IN ('unknown_village', 'ambiguous_village')) AS rows_unplaced
    FROM data_quality_rejection WHERE coalesce(severity, 'error') = 'error' GROUP BY source_file
), flagged AS (
    SELECT w.source_file, count(*) AS cells_flagged, count(DISTINCT (w.sheet, w."row")) AS rows_flagged
    FROM data_quality_rejection w
    WHERE w.severity = 'warning' AND NOT EXISTS (
        SELECT 1 FROM data_quality_rejection e WHERE coalesce(e.severity, 'error') = 'error'
          AND e.source_file = w.source_file AND e.sheet = w.sheet AND e."row" = w."row")
    GROUP BY w.source_file
)
SELECT f.source, f.file_name, f.sha256 AS source_file, f.datasets,
       -- The agency report's rule (assets/ingest/report.py), counting rows unplaced as rejected too.
       CASE WHEN f.superseded_by IS NOT NULL THEN 'superseded'
            WHEN f.rows_read - f.rows_skipped - coalesce(r.rows_rejected, 0) <= 0 THEN 'rejected'
            WHEN coalesce(r.rows_rejected, 0) > 0 OR f.status = 'partially_accepted' THEN 'partially_accepted'
            ELSE 'accepted' END AS status,
       f.superseded_by, f.received_at,
       f.rows_read, f.rows_skipped,
       -- A replaced file's rejections (set aside with its rows) are still listed: its counts are its answer's.
       coalesce(r.rows_rejected, 0) AS rows_rejected,
       f.rows_read - f.rows_skipped - coalesce(r.rows_rejected, 0) AS rows_accepted,
       coalesce(r.rows_unplaced, 0) AS rows_unplaced,
       coalesce(w.cells_flagged, 0) AS cells_flagged,
       coalesce(w.rows_flagged, 0) AS rows_flagged,
       coalesce(m.rows_placed, 0) AS rows_placed,
       coalesce(m.matched_by_code, 0) AS matched_by_code,
       coalesce(m.matched_by_name, 0) AS matched_by_name,
       coalesce(m.matched_by_fuzzy_name, 0) AS matched_by_fuzzy_name,
       round(m.matched_by_code / nullif(m.rows_placed, 0), 4) AS share_matched_by_code,
       round(m.matched_by_name / nullif(m.rows_placed, 0), 4) AS share_matched_by_name,
       round(m.matched_by_fuzzy_name / nullif(m.rows_placed, 0), 4) AS share_matched_by_fuzzy_name,
       m.first_year, m.last_year, m.latest_record_date,
       date_diff('day', CAST(f.received_at AS TIMESTAMPTZ), p.published_at) AS days_since_received,
       date_diff('day', CAST(m.latest_record_date AS TIMESTAMPTZ), p.published_at) AS days_since_latest_record
FROM file_register f
CROSS JOIN publication p
LEFT JOIN methods m ON m.source_file = f.sha256
LEFT JOIN rejected r ON r.source_file = f.sha256
LEFT JOIN flagged w ON w.source_file = f.sha256
ORDER BY f.source, f.file_name;
