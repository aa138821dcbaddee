-- Intermediate layer: per village and year aggregates of each fact, shared by the marts. TEMP tables:
-- they live only while the build runs and are not published.

-- Years any agency sent data for (cooperative founding years alone do not add a year).
CREATE OR REPLACE TEMP TABLE int_year AS
SELECT DISTINCT year FROM (
    SELECT year FROM fact_msme_count UNION ALL SELECT year FROM fact_crime_report
    UNION ALL SELECT year FROM fact_program_participation
    UNION ALL SELECT year FROM fact_bhabinkamtibmas_assignment
    UNION ALL SELECT year FROM fact_bhabinkamtibmas_activity)
WHERE year IS NOT NULL;

-- Which source sent anything for a province and year: there, a village without rows counts 0, elsewhere NULL.
CREATE OR REPLACE TEMP TABLE int_source_coverage AS
SELECT DISTINCT 'crime' AS source, left(village_code, 2) AS province_code, year FROM fact_crime_report
UNION ALL SELECT DISTINCT 'program', left(village_code, 2), year FROM fact_program_participation
UNION ALL SELECT DISTINCT 'roster', left(village_code, 2), year FROM fact_bhabinkamtibmas_assignment
UNION ALL SELECT DISTINCT 'activity', left(village_code, 2), year FROM fact_bhabinkamtibmas_activity
-- A cooperative register is a stock: once received for a province it covers every year.
UNION ALL SELECT DISTINCT 'cooperative', left(c.village_code, 2), y.year FROM fact_village_cooperative c, int_year y;

-- Every village and year it is listed in (a village added by a later decree has no rows before it).
CREATE OR REPLACE TEMP TABLE int_village_year AS
SELECT v.village_code, y.year, v.province_code
FROM dim_village v JOIN int_year y ON y.year >= coalesce(v.listed_from_year, 0);

CREATE OR REPLACE TEMP TABLE int_msme_village_year AS
SELECT village_code, year, CAST(sum(population) AS BIGINT) AS population,
       CAST(sum(msme_micro) AS BIGINT) AS msme_micro, CAST(sum(msme_small) AS BIGINT) AS msme_small,
       CAST(sum(msme_medium) AS BIGINT) AS msme_medium, CAST(sum(msme_count) AS BIGINT) AS msme_count
FROM fact_msme_count GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE int_crime_village_month AS
SELECT village_code, year, month(report_date) AS month, crime_category, count(*) AS crime_count
FROM fact_crime_report GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE int_crime_village_year AS
SELECT village_code, year, count(*) AS crime_count,
       count(*) FILTER (WHERE crime_category = 'property') AS property_crime_count,
       count(*) FILTER (WHERE crime_category = 'violent') AS violent_crime_count,
       count(*) FILTER (WHERE crime_category = 'fraud') AS fraud_crime_count,
       count(*) FILTER (WHERE crime_category = 'narcotics') AS narcotics_crime_count,
       count(*) FILTER (WHERE crime_category = 'hard_drugs') AS hard_drugs_crime_count,
       count(*) FILTER (WHERE crime_category = 'other') AS other_crime_count,
       count(*) FILTER (WHERE is_against_msme) AS crime_against_msme_count
FROM fact_crime_report GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE int_program_village_year_program AS
SELECT f.village_code, f.year, p.program, p.program_key, count(DISTINCT f.business_key) AS participants,
       sum(coalesce(f.amount, 0)) AS amount
FROM fact_program_participation f JOIN dim_program p USING (program) GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE int_program_village_year AS
SELECT f.village_code, f.year, count(DISTINCT f.business_key) AS program_participants,
       sum(coalesce(f.amount, 0)) AS program_amount
FROM fact_program_participation f GROUP BY ALL;

-- An officer is a village's own when that year's roster gives them no other village.
CREATE OR REPLACE TEMP TABLE int_officer_village_year AS
WITH load AS (
    SELECT officer_key, year, count(DISTINCT village_code) AS villages
    FROM fact_bhabinkamtibmas_assignment GROUP BY ALL
)
SELECT a.village_code, a.year, count(DISTINCT a.officer_key) AS officers,
       count(DISTINCT a.officer_key) FILTER (WHERE l.villages = 1) AS own_officers,
       max(l.villages) AS max_villages_per_officer
FROM fact_bhabinkamtibmas_assignment a JOIN load l USING (officer_key, year) GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE int_activity_village_year AS
SELECT village_code, year, count(*) AS activities,
       count(*) FILTER (WHERE activity_kind = 'visit') AS visits,
       count(*) FILTER (WHERE activity_kind = 'counselling') AS counselling,
       count(*) FILTER (WHERE activity_kind = 'narcotics_prevention') AS narcotics_prevention,
       count(*) FILTER (WHERE activity_kind = 'msme_assistance') AS msme_assistance,
       count(DISTINCT officer_key) AS active_officers
FROM fact_bhabinkamtibmas_activity GROUP BY ALL;

-- Cooperatives standing at the end of each year (founded that year or before).
CREATE OR REPLACE TEMP TABLE int_cooperative_village_year AS
SELECT vy.village_code, vy.year, count(*) AS cooperatives, CAST(sum(c.members) AS BIGINT) AS cooperative_members
FROM int_village_year vy JOIN fact_village_cooperative c
  ON c.village_code = vy.village_code AND c.year <= vy.year
GROUP BY ALL;
