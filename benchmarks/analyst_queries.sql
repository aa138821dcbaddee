-- Five typical analyst queries, run by benchmarks/bench_publish.py against the published file.

-- name: grew_together_2021_2023
-- Which villages grew MSMEs and crime together between 2021 and 2023, and did any program reach them?
SELECT village_code, village_name, district_name, regency_name, msme_from, msme_to, msme_growth_pct,
       crime_from, crime_to, crime_growth_pct, program_reached, programs
FROM mart_growth_without_security
WHERE from_year = 2021 AND to_year = 2023 AND grew_together
ORDER BY crime_to - crime_from DESC;

-- name: regency_trend
-- Growth without security by regency, year on year.
SELECT regency_name, from_year, to_year, villages_grew_together, villages_grew_together_not_reached,
       msme_growth_pct, crime_growth_pct
FROM mart_growth_without_security_regency WHERE to_year = from_year + 1 ORDER BY regency_name, from_year;

-- name: dry_spots_with_crime
-- Villages no program reached in the latest program year, the most crime-affected first.
SELECT r.village_code, r.village_name, r.regency_name, m.msme_count, m.crime_count, m.crime_per_100_msme
FROM (SELECT DISTINCT village_code, village_name, regency_name, year FROM mart_program_reach
      WHERE is_dry_spot AND year = (SELECT max(year) FROM mart_program_reach)) r
JOIN mart_village_year m USING (village_code, year)
ORDER BY m.crime_per_100_msme DESC NULLS LAST LIMIT 50;

-- name: officer_gap_narcotics
-- Villages without their own officer, with narcotics cases and no prevention activity, per regency.
SELECT regency_name, year, count(*) FILTER (WHERE NOT has_own_officer) AS without_own_officer,
       count(*) FILTER (WHERE narcotics_without_prevention) AS narcotics_without_prevention,
       sum(narcotics_crime_count) AS narcotics_cases
FROM mart_bhabinkamtibmas_coverage GROUP BY ALL ORDER BY ALL;

-- name: crime_by_category_month
-- Monthly crime by category across the province from the shareable schema.
SELECT year, month, crime_category, sum(crime_count) AS published_reports,
       count(*) AS published_cells
FROM public.crime_village_month WHERE village_code LIKE '19.%' GROUP BY ALL ORDER BY ALL;
