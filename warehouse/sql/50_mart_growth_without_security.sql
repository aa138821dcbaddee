-- The study's paradox: villages where MSMEs grew while crime grew too, between two years.
-- Which two years: every pair (from_year < to_year) for which the police sent crime data for the
-- province in both years. Analysts pick the pair in WHERE (e.g. from_year = 2021 AND to_year = 2023);
-- consecutive pairs give the year-by-year picture.

--- table mart_growth_without_security: Per village and pair of years: did MSMEs and crime both grow, by how much, and did any program reach the village in between
--- grain: village, from_year, to_year (every pair of years with crime data for the province in both)
--- column from_year [year]: First year of the comparison
--- column to_year [year]: Second year of the comparison
--- column msme_from [units]: msme_count in from_year
--- column msme_to [units]: msme_count in to_year
--- column msme_growth_pct [percent]: 100 * (msme_to - msme_from) / msme_from
--- column crime_from [reports]: crime_count in from_year
--- column crime_to [reports]: crime_count in to_year
--- column crime_growth_pct [percent]: 100 * (crime_to - crime_from) / crime_from (NULL when crime_from is 0)
--- column msme_grew [boolean]: msme_to > msme_from (NULL when either is unknown)
--- column crime_grew [boolean]: crime_to > crime_from
--- column grew_together [boolean]: MSMEs and crime both grew: the growth-without-security paradox
--- column program_participants [businesses]: Distinct businesses from the village in any program from from_year to to_year inclusive
--- column program_reached [boolean]: At least one business took part in a program in the period; NULL when no program list covered the province in any year of the period
--- column programs: The programs that reached the village in the period, comma-separated
--- column bhabinkamtibmas_officers_to [officers]: Officers assigned to the village in to_year
--- column has_own_officer_to [boolean]: An officer assigned to this village and no other in to_year (one village, one Bhabinkamtibmas)
--- caveat: restricted (village crime counts); growth from 0 crimes has no percentage but counts as growth
CREATE OR REPLACE TABLE mart_growth_without_security AS
WITH periods AS (
    SELECT a.province_code, a.year AS from_year, b.year AS to_year
    FROM int_source_coverage a JOIN int_source_coverage b
      ON a.source = 'crime' AND b.source = 'crime' AND a.province_code = b.province_code AND a.year < b.year
), program_covered AS (
    SELECT p.province_code, p.from_year, p.to_year
    FROM periods p JOIN int_source_coverage c
      ON c.source = 'program' AND c.province_code = p.province_code AND c.year BETWEEN p.from_year AND p.to_year
    GROUP BY ALL
), reached AS (
    SELECT p.from_year, p.to_year, f.village_code, count(DISTINCT f.business_key) AS program_participants,
           string_agg(DISTINCT f.program, ', ' ORDER BY f.program) AS programs
    FROM periods p JOIN fact_program_participation f
      ON left(f.village_code, 2) = p.province_code AND f.year BETWEEN p.from_year AND p.to_year
    GROUP BY ALL
), pairs AS (
    SELECT p.from_year, p.to_year, a.village_code, a.village_name, a.district_code, a.district_name,
           a.regency_code, a.regency_name, a.province_code,
           a.msme_count AS msme_from, b.msme_count AS msme_to,
           round(100.0 * (b.msme_count - a.msme_count) / nullif(a.msme_count, 0), 2) AS msme_growth_pct,
           a.crime_count AS crime_from, b.crime_count AS crime_to,
           round(100.0 * (b.crime_count - a.crime_count) / nullif(a.crime_count, 0), 2) AS crime_growth_pct,
           b.msme_count > a.msme_count AS msme_grew, b.crime_count > a.crime_count AS crime_grew,
           CASE WHEN pc.province_code IS NOT NULL THEN coalesce(r.program_participants, 0) END AS program_participants,
           CASE WHEN pc.province_code IS NOT NULL THEN coalesce(r.program_participants, 0) > 0 END AS program_reached,
           r.programs,
           b.bhabinkamtibmas_officers AS bhabinkamtibmas_officers_to,
           b.bhabinkamtibmas_own_officers > 0 AS has_own_officer_to
    FROM periods p
    JOIN mart_village_year a ON a.province_code = p.province_code AND a.year = p.from_year
    JOIN mart_village_year b ON b.village_code = a.village_code AND b.year = p.to_year
    LEFT JOIN program_covered pc ON pc.province_code = p.province_code AND pc.from_year = p.from_year
                                AND pc.to_year = p.to_year
    LEFT JOIN reached r ON r.village_code = a.village_code AND r.from_year = p.from_year AND r.to_year = p.to_year
)
SELECT from_year, to_year, village_code, village_name, district_code, district_name, regency_code, regency_name,
       province_code, msme_from, msme_to, msme_growth_pct, crime_from, crime_to, crime_growth_pct,
       msme_grew, crime_grew, msme_grew AND crime_grew AS grew_together,
       program_participants, program_reached, programs, bhabinkamtibmas_officers_to, has_own_officer_to
FROM pairs
ORDER BY from_year, to_year, village_code;

-- The same rolled up to districts and regencies, from the village rows (one piece of logic, two levels).
--- table mart_growth_without_security_district: mart_growth_without_security rolled up to districts
--- grain: district, from_year, to_year
--- like: mart_growth_without_security
--- column villages [villages]: Villages in the district listed in both years
--- column villages_known [villages]: Villages with MSME and crime counts in both years
--- column villages_grew_together [villages]: Villages where MSMEs and crime both grew
--- column villages_grew_together_reached [villages]: Of those, villages a program reached in the period
--- column villages_grew_together_not_reached [villages]: Of those, villages no program reached in the period
--- column share_grew_together [share 0-1]: villages_grew_together / villages_known
--- column msme_from [units]: MSMEs in from_year, over villages_known
--- column msme_to [units]: MSMEs in to_year, over villages_known
--- column msme_growth_pct [percent]: Growth of the summed MSMEs
--- column crime_from [reports]: Crime reports in from_year, over villages_known
--- column crime_to [reports]: Crime reports in to_year, over villages_known
--- column crime_growth_pct [percent]: Growth of the summed crime reports
--- column grew_together [boolean]: The district's MSMEs and crime both grew
--- caveat: restricted (small-area crime sums)
--- table mart_growth_without_security_regency: mart_growth_without_security rolled up to regencies
--- grain: regency, from_year, to_year
--- like: mart_growth_without_security_district
--- caveat: restricted (small-area crime sums)
CREATE OR REPLACE MACRO growth_rollup(area_code, area_name) AS TABLE
SELECT from_year, to_year, province_code,
       count(*) AS villages,
       count(grew_together) AS villages_known,
       count(*) FILTER (WHERE grew_together) AS villages_grew_together,
       count(*) FILTER (WHERE grew_together AND program_reached) AS villages_grew_together_reached,
       count(*) FILTER (WHERE grew_together AND NOT program_reached) AS villages_grew_together_not_reached,
       round(count(*) FILTER (WHERE grew_together) / nullif(count(grew_together), 0), 4) AS share_grew_together,
       CAST(sum(msme_from) FILTER (WHERE grew_together IS NOT NULL) AS BIGINT) AS msme_from,
       CAST(sum(msme_to) FILTER (WHERE grew_together IS NOT NULL) AS BIGINT) AS msme_to,
       CAST(sum(crime_from) FILTER (WHERE grew_together IS NOT NULL) AS BIGINT) AS crime_from,
       CAST(sum(crime_to) FILTER (WHERE grew_together IS NOT NULL) AS BIGINT) AS crime_to,
       area_code AS area_code, area_name AS area_name
FROM mart_growth_without_security GROUP BY ALL;

CREATE OR REPLACE TABLE mart_growth_without_security_district AS
SELECT from_year, to_year, area_code AS district_code, area_name AS district_name, r.regency_code, r.regency_name,
       g.province_code, villages, villages_known, villages_grew_together, villages_grew_together_reached,
       villages_grew_together_not_reached, share_grew_together, msme_from, msme_to,
       round(100.0 * (msme_to - msme_from) / nullif(msme_from, 0), 2) AS msme_growth_pct,
       crime_from, crime_to, round(100.0 * (crime_to - crime_from) / nullif(crime_from, 0), 2) AS crime_growth_pct,
       msme_to > msme_from AND crime_to > crime_from AS grew_together
FROM growth_rollup(district_code, district_name) g
JOIN (SELECT DISTINCT district_code, regency_code, regency_name FROM dim_village) r ON r.district_code = g.area_code
ORDER BY from_year, to_year, district_code;

CREATE OR REPLACE TABLE mart_growth_without_security_regency AS
SELECT from_year, to_year, area_code AS regency_code, area_name AS regency_name, province_code,
       villages, villages_known, villages_grew_together, villages_grew_together_reached,
       villages_grew_together_not_reached, share_grew_together, msme_from, msme_to,
       round(100.0 * (msme_to - msme_from) / nullif(msme_from, 0), 2) AS msme_growth_pct,
       crime_from, crime_to, round(100.0 * (crime_to - crime_from) / nullif(crime_from, 0), 2) AS crime_growth_pct,
       msme_to > msme_from AND crime_to > crime_from AS grew_together
FROM growth_rollup(regency_code, regency_name)
ORDER BY from_year, to_year, regency_code;

DROP MACRO TABLE growth_rollup;
