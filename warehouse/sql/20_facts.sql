-- Facts: one row per accepted, placed source row, each traceable to its file (sha256), sheet and row.
-- Inputs: stg_<dataset> tables of harmonised rows (personal data already dropped or pseudonymised).

CREATE OR REPLACE TABLE fact_msme_count AS
SELECT village_code, CAST(year AS INTEGER) AS year,
       CAST(msme_micro AS BIGINT) AS msme_micro, CAST(msme_small AS BIGINT) AS msme_small,
       CAST(msme_medium AS BIGINT) AS msme_medium,
       CAST(msme_micro + msme_small + msme_medium AS BIGINT) AS msme_count,
       CAST(population AS BIGINT) AS population,
       village_code_sent, village_name AS village_name_sent, match_method, match_score, gazetteer_version,
       source_file, source_sheet, source_row
FROM stg_msme_village_count;

CREATE OR REPLACE TABLE fact_crime_report AS
SELECT s.report_number, CAST(s.report_date AS DATE) AS report_date, CAST(s.incident_date AS DATE) AS incident_date,
       CAST(s.year AS INTEGER) AS year, s.crime_type,
       coalesce(c.crime_category, 'other') AS crime_category,
       s.victim_type, lower(trim(coalesce(s.victim_type, ''))) IN ('umkm', 'usaha mikro', 'msme') AS is_against_msme,
       s.case_status, s.loss_amount, s.village_code, s.police_sector,
       s.village_name AS village_name_sent, s.match_method, s.match_score, s.gazetteer_version,
       s.source_file, s.source_sheet, s.source_row
FROM stg_crime_report s
LEFT JOIN dim_crime_category c ON c.crime_type_key = lower(trim(s.crime_type));

CREATE OR REPLACE TABLE fact_program_participation AS
SELECT business_key, program, sector, CAST(participation_date AS DATE) AS participation_date,
       CAST(year AS INTEGER) AS year, amount, village_code,
       village_name AS village_name_sent, match_method, match_score, gazetteer_version,
       source_file, source_sheet, source_row
FROM stg_program_participation;

CREATE OR REPLACE TABLE fact_village_cooperative AS
SELECT cooperative_name, village_code, CAST(established_date AS DATE) AS established_date,
       CAST(year AS INTEGER) AS year, CAST(members AS BIGINT) AS members, legal_number,
       village_name AS village_name_sent, match_method, match_score, gazetteer_version,
       source_file, source_sheet, source_row
FROM stg_village_cooperative;

CREATE OR REPLACE TABLE fact_bhabinkamtibmas_assignment AS
SELECT DISTINCT officer_key, rank, police_sector, CAST(year AS INTEGER) AS year, village_code,
       village_name AS village_name_sent, match_method, match_score, gazetteer_version,
       source_file, source_sheet, source_row
FROM stg_bhabinkamtibmas_assignment;

CREATE OR REPLACE TABLE fact_bhabinkamtibmas_activity AS
SELECT officer_key, activity_type, CAST(activity_date AS DATE) AS activity_date, CAST(year AS INTEGER) AS year,
       village_code, village_name AS village_name_sent, match_method, match_score, gazetteer_version,
       source_file, source_sheet, source_row
FROM stg_bhabinkamtibmas_activity;
