-- Facts: one row per accepted, placed source row, each traceable to its file (sha256), sheet and row.
-- Inputs: stg_<dataset> tables of harmonised rows (personal data already dropped or pseudonymised).

--- table fact_msme_count: MSME counts and population per village and year as BPS sent them (dataset msme_village_count)
--- grain: accepted, placed BPS row (one per village and year)
CREATE OR REPLACE TABLE fact_msme_count AS
SELECT village_code, CAST(year AS INTEGER) AS year,
       CAST(msme_micro AS BIGINT) AS msme_micro, CAST(msme_small AS BIGINT) AS msme_small,
       CAST(msme_medium AS BIGINT) AS msme_medium,
       CAST(msme_micro + msme_small + msme_medium AS BIGINT) AS msme_count,
       CAST(population AS BIGINT) AS population,
       village_code_sent, village_name AS village_name_sent, match_method, match_score, gazetteer_version,
       source_file, source_sheet, source_row
FROM stg_msme_village_count;

--- table fact_crime_report: Police reports, one row per report (dataset crime_report)
--- grain: police report
--- column is_against_msme [boolean]: The victim type says the victim was an MSME: it names UMKM, MSME, usaha mikro or kecil, or pelaku usaha
--- caveat: the year is the report year (report_date), not the incident year
--- caveat: victim and suspect names were dropped at ingest; restricted table, see the public schema for shareable counts
CREATE OR REPLACE TABLE fact_crime_report AS
SELECT s.report_number, CAST(s.report_date AS DATE) AS report_date, CAST(s.incident_date AS DATE) AS incident_date,
       CAST(s.year AS INTEGER) AS year, s.crime_type,
       coalesce(c.crime_category, 'other') AS crime_category,
       s.victim_type,
       regexp_matches(lower(coalesce(s.victim_type, '')), '\b(umkm|msme|usaha mikro|usaha kecil|pelaku usaha)\b')
           AS is_against_msme,
       s.case_status, s.loss_amount, s.village_code, s.police_sector,
       s.village_name AS village_name_sent, s.match_method, s.match_score, s.gazetteer_version,
       s.source_file, s.source_sheet, s.source_row
FROM stg_crime_report s
LEFT JOIN dim_crime_category c ON c.crime_type_key = lower(trim(s.crime_type));

--- table fact_program_participation: Businesses in the cooperative agency's programs, one row per business per program (dataset program_participation)
--- grain: business in a program on a date
--- caveat: owner names, NIK, phone and address were dropped or replaced at ingest; business_key is the same for the same NIK in every file
CREATE OR REPLACE TABLE fact_program_participation AS
SELECT business_key, program, sector, CAST(participation_date AS DATE) AS participation_date,
       CAST(year AS INTEGER) AS year, amount, village_code,
       village_name AS village_name_sent, match_method, match_score, gazetteer_version,
       source_file, source_sheet, source_row
FROM stg_program_participation;

--- table fact_village_cooperative: Register of village cooperatives (dataset village_cooperative)
--- grain: cooperative
--- column year [year]: Year the cooperative was established
CREATE OR REPLACE TABLE fact_village_cooperative AS
SELECT cooperative_name, village_code, CAST(established_date AS DATE) AS established_date,
       CAST(year AS INTEGER) AS year, CAST(members AS BIGINT) AS members, legal_number,
       village_name AS village_name_sent, match_method, match_score, gazetteer_version,
       source_file, source_sheet, source_row
FROM stg_village_cooperative;

--- table fact_bhabinkamtibmas_assignment: Which officer was assigned to which village in each year's roster (dataset bhabinkamtibmas_assignment)
--- grain: officer, village, year
--- caveat: a roster cell naming several villages gives one row per village
CREATE OR REPLACE TABLE fact_bhabinkamtibmas_assignment AS
SELECT DISTINCT officer_key, rank, police_sector, CAST(year AS INTEGER) AS year, village_code,
       village_name AS village_name_sent, match_method, match_score, gazetteer_version,
       source_file, source_sheet, source_row
FROM stg_bhabinkamtibmas_assignment;

--- table fact_bhabinkamtibmas_activity: Activities logged by Bhabinkamtibmas officers (dataset bhabinkamtibmas_activity)
--- grain: logged activity
--- column activity_kind: activity_type grouped: visit, counselling, narcotics_prevention, msme_assistance, other
CREATE OR REPLACE TABLE fact_bhabinkamtibmas_activity AS
SELECT s.officer_key, s.activity_type, coalesce(k.activity_kind, 'other') AS activity_kind,
       CAST(s.activity_date AS DATE) AS activity_date, CAST(s.year AS INTEGER) AS year, s.village_code,
       s.village_name AS village_name_sent, s.match_method, s.match_score, s.gazetteer_version,
       s.source_file, s.source_sheet, s.source_row
FROM stg_bhabinkamtibmas_activity s
-- The longest key the type is, or starts with ("SAMBANG DESA" is a sambang).
LEFT JOIN LATERAL (SELECT activity_kind FROM dim_activity_type
                   WHERE lower(trim(s.activity_type)) = activity_type_key
                      OR starts_with(lower(trim(s.activity_type)), activity_type_key || ' ')
                   ORDER BY length(activity_type_key) DESC LIMIT 1) k ON true;
