-- Program reach: per village, year and program, the businesses reached as a share of the MSMEs BPS
-- counted there. Rows exist for every program in every province-year a program list covered, so a
-- village no program reached shows 0 (a "dry spot"), not a missing row.

--- table mart_program_reach: Per village, year and program: businesses reached, amounts, and their share of the MSMEs counted
--- grain: village, year, program (province-years covered by a program list)
--- column participants [businesses]: Distinct businesses from the village in the program that year
--- column amount [rupiah]: Credit or grant amounts of those participations
--- column msme_count [units]: MSMEs BPS counted in the village that year (NULL when BPS sent no row)
--- column reach_share [share 0-1]: participants / msme_count
--- column village_participants [businesses]: Distinct businesses from the village in any program that year
--- column is_dry_spot [boolean]: No business from the village took part in any program that year
--- column never_reached [boolean]: No business from the village took part in any program in any year a program list covered
--- caveat: a business in two programs counts once in village_participants and once in each program
--- caveat: reach_share compares program lists with BPS counts: a share above 1 means more participants than MSMEs counted
CREATE OR REPLACE TABLE mart_program_reach AS
WITH grid AS (
    SELECT vy.village_code, vy.year, p.program, p.program_key
    FROM int_village_year vy
    JOIN int_source_coverage c ON c.source = 'program' AND c.province_code = vy.province_code AND c.year = vy.year
    CROSS JOIN dim_program p
), village AS (
    SELECT g.village_code, g.year, coalesce(max(p.program_participants), 0) AS village_participants
    FROM (SELECT DISTINCT village_code, year FROM grid) g
    LEFT JOIN int_program_village_year p USING (village_code, year) GROUP BY ALL
)
SELECT g.village_code, g.year, d.village_name, d.district_code, d.district_name, d.regency_code, d.regency_name,
       d.province_code, g.program, g.program_key,
       coalesce(r.participants, 0) AS participants, coalesce(r.amount, 0) AS amount, m.msme_count,
       round(coalesce(r.participants, 0) / nullif(m.msme_count, 0), 4) AS reach_share,
       v.village_participants, v.village_participants = 0 AS is_dry_spot,
       max(v.village_participants) OVER (PARTITION BY g.village_code) = 0 AS never_reached
FROM grid g
JOIN dim_village d USING (village_code)
JOIN village v USING (village_code, year)
LEFT JOIN int_program_village_year_program r USING (village_code, year, program)
LEFT JOIN int_msme_village_year m USING (village_code, year)
ORDER BY g.village_code, g.year, g.program;
