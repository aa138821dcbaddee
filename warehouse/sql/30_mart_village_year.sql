-- mart_village_year: one row per current village and year, joining the three agencies.
-- A measure is NULL (no data) when its source sent nothing for the village's province that year;
-- it is 0 when the source covered the province and the village had none. MSME and population are
-- NULL where BPS sent no row for the village. Years before a village was first listed (a village
-- added by a later decree) are NULL throughout.

CREATE OR REPLACE TABLE mart_village_year AS
WITH years AS (
    SELECT DISTINCT year FROM (
        SELECT year FROM fact_msme_count UNION ALL SELECT year FROM fact_crime_report
        UNION ALL SELECT year FROM fact_program_participation
        UNION ALL SELECT year FROM fact_bhabinkamtibmas_assignment
        UNION ALL SELECT year FROM fact_bhabinkamtibmas_activity)
    WHERE year IS NOT NULL
), coverage AS (
    SELECT DISTINCT 'crime' AS source, left(village_code, 2) AS province_code, year FROM fact_crime_report
    UNION ALL SELECT DISTINCT 'program', left(village_code, 2), year FROM fact_program_participation
    UNION ALL SELECT DISTINCT 'roster', left(village_code, 2), year FROM fact_bhabinkamtibmas_assignment
    UNION ALL SELECT DISTINCT 'activity', left(village_code, 2), year FROM fact_bhabinkamtibmas_activity
), msme AS (
    SELECT village_code, year, sum(population) AS population, sum(msme_micro) AS msme_micro,
           sum(msme_small) AS msme_small, sum(msme_medium) AS msme_medium, sum(msme_count) AS msme_count
    FROM fact_msme_count GROUP BY ALL
), crime AS (
    SELECT village_code, year, count(*) AS crime_count,
           count(*) FILTER (WHERE crime_category = 'narcotics') AS narcotics_crime_count,
           count(*) FILTER (WHERE is_against_msme) AS crime_against_msme_count
    FROM fact_crime_report GROUP BY ALL
), program AS (
    SELECT village_code, year, count(DISTINCT business_key) AS program_participants,
           sum(coalesce(amount, 0)) AS program_amount
    FROM fact_program_participation GROUP BY ALL
), officer AS (
    SELECT village_code, year, count(DISTINCT officer_key) AS bhabinkamtibmas_officers
    FROM fact_bhabinkamtibmas_assignment GROUP BY ALL
), activity AS (
    SELECT village_code, year, count(*) AS bhabinkamtibmas_activities
    FROM fact_bhabinkamtibmas_activity GROUP BY ALL
)
SELECT * FROM (
SELECT v.village_code, y.year, v.village_name, v.district_name, v.regency_name, v.province_code,
       m.population, m.msme_micro, m.msme_small, m.msme_medium, m.msme_count,
       CASE WHEN cc.year IS NOT NULL THEN coalesce(c.crime_count, 0) END AS crime_count,
       CASE WHEN cc.year IS NOT NULL THEN coalesce(c.narcotics_crime_count, 0) END AS narcotics_crime_count,
       CASE WHEN cc.year IS NOT NULL THEN coalesce(c.crime_against_msme_count, 0) END AS crime_against_msme_count,
       CASE WHEN pc.year IS NOT NULL THEN coalesce(p.program_participants, 0) END AS program_participants,
       CASE WHEN pc.year IS NOT NULL THEN coalesce(p.program_amount, 0) END AS program_amount,
       CASE WHEN oc.year IS NOT NULL THEN coalesce(o.bhabinkamtibmas_officers, 0) END AS bhabinkamtibmas_officers,
       CASE WHEN ac.year IS NOT NULL THEN coalesce(a.bhabinkamtibmas_activities, 0) END AS bhabinkamtibmas_activities
FROM dim_village v
JOIN years y ON y.year >= coalesce(v.listed_from_year, 0)
LEFT JOIN msme m ON m.village_code = v.village_code AND m.year = y.year
LEFT JOIN crime c ON c.village_code = v.village_code AND c.year = y.year
LEFT JOIN program p ON p.village_code = v.village_code AND p.year = y.year
LEFT JOIN officer o ON o.village_code = v.village_code AND o.year = y.year
LEFT JOIN activity a ON a.village_code = v.village_code AND a.year = y.year
LEFT JOIN coverage cc ON cc.source = 'crime' AND cc.province_code = v.province_code AND cc.year = y.year
LEFT JOIN coverage pc ON pc.source = 'program' AND pc.province_code = v.province_code AND pc.year = y.year
LEFT JOIN coverage oc ON oc.source = 'roster' AND oc.province_code = v.province_code AND oc.year = y.year
LEFT JOIN coverage ac ON ac.source = 'activity' AND ac.province_code = v.province_code AND ac.year = y.year
UNION ALL BY NAME
SELECT v.village_code, y.year, v.village_name, v.district_name, v.regency_name, v.province_code
FROM dim_village v JOIN years y ON y.year < v.listed_from_year
) ORDER BY village_code, year;
