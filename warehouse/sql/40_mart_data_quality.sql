-- mart_data_quality: per received file, what came in, what landed, what was rejected and how places
-- were matched. Inputs: file_register (one row per received file) and data_quality_rejection.

CREATE OR REPLACE TABLE mart_data_quality AS
WITH landed AS (
    SELECT source_file, match_method FROM fact_msme_count
    UNION ALL SELECT source_file, match_method FROM fact_crime_report
    UNION ALL SELECT source_file, match_method FROM fact_program_participation
    UNION ALL SELECT source_file, match_method FROM fact_village_cooperative
    UNION ALL SELECT source_file, match_method FROM fact_bhabinkamtibmas_assignment
    UNION ALL SELECT source_file, match_method FROM fact_bhabinkamtibmas_activity
), methods AS (
    SELECT source_file, count(*) AS rows_placed,
           count(*) FILTER (WHERE match_method LIKE '%code%') AS matched_by_code,
           count(*) FILTER (WHERE match_method IN ('name_exact', 'name_normalised')) AS matched_by_name,
           count(*) FILTER (WHERE match_method = 'name_fuzzy') AS matched_by_fuzzy_name
    FROM landed GROUP BY source_file
), rejected AS (
    SELECT source_file, count(DISTINCT (sheet, "row")) AS rows_rejected,
           count(DISTINCT (sheet, "row")) FILTER (WHERE stage = 'harmonise') AS rows_unplaced
    FROM data_quality_rejection GROUP BY source_file
)
SELECT f.source, f.file_name, f.sha256 AS source_file, f.datasets, f.status, f.received_at,
       f.rows_read, f.rows_skipped,
       coalesce(r.rows_rejected, 0) AS rows_rejected,
       f.rows_read - f.rows_skipped - coalesce(r.rows_rejected, 0) AS rows_accepted,
       coalesce(r.rows_unplaced, 0) AS rows_unplaced,
       coalesce(m.matched_by_code, 0) AS matched_by_code,
       coalesce(m.matched_by_name, 0) AS matched_by_name,
       coalesce(m.matched_by_fuzzy_name, 0) AS matched_by_fuzzy_name
FROM file_register f
LEFT JOIN methods m ON m.source_file = f.sha256
LEFT JOIN rejected r ON r.source_file = f.sha256
ORDER BY f.source, f.file_name;
