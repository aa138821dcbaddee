-- The public schema: what may be shared widely. `main` holds the full (restricted) figures.
--
-- Suppression rule (threshold t = publication.suppression_threshold, default 4):
--  1. Primary: a count of a sensitive crime category (dim_crime_category.is_sensitive, and `other`) for
--     one village and month between 1 and t is withheld: small counts can identify victims and suspects.
--  2. Secondary: every published total that includes a withheld count is withheld too - the village's
--     monthly total over all categories, its yearly count of that category, its yearly crime total and
--     crimes against MSMEs, and the rates and year-on-year changes computed from them. So no published
--     figure minus other published figures gives back a withheld count.
--  3. Non-sensitive categories (property, fraud) are always published; cells with no report have no row.
-- Which categories are sensitive is data (dim_crime_category.is_sensitive); every category column below
-- is checked, so flagging another category needs no change here.
-- Only village-level tables are public: sums over districts or regencies would reveal the withheld
-- cells they include, so rollups stay restricted.

CREATE SCHEMA IF NOT EXISTS public;

-- Cells with at least one report (a village, month and category without a row had none).
CREATE OR REPLACE TEMP TABLE int_crime_cell AS
SELECT n.village_code, n.year, CAST(n.month AS INTEGER) AS month, n.crime_category, n.crime_count,
       coalesce(d.is_sensitive, n.crime_category = 'other') AS is_sensitive,
       coalesce(d.is_sensitive, n.crime_category = 'other')
           AND n.crime_count BETWEEN 1 AND (SELECT suppression_threshold FROM publication) AS is_primary
FROM int_crime_village_month n
LEFT JOIN (SELECT crime_category, bool_or(is_sensitive) AS is_sensitive FROM dim_crime_category GROUP BY ALL) d
  USING (crime_category);

-- Every public table has a restricted twin of the same name and shape in main (full figures, nothing
-- withheld), so a query runs on either schema.
--- table crime_village_month: Crime reports per village, month and category, full figures (restricted twin of public.crime_village_month)
--- grain: village, year, month, crime category with at least one report (plus crime_category = 'total' for all categories)
--- column crime_count [reports]: Police reports placed in the village that month
--- caveat: a village, month and category without a row had no reports, where mart_village_year.crime_count is not NULL for that year
--- column is_sensitive [boolean]: The category is sensitive (violent, narcotics, hard_drugs, other)
--- column is_suppressed [boolean]: Always false here; in public.crime_village_month, crime_count is withheld
--- column suppression: Always NULL here; in public.crime_village_month, why a count is withheld
--- caveat: restricted: share public.crime_village_month instead
CREATE OR REPLACE TEMP TABLE int_crime_month AS
SELECT village_code, year, month, crime_category, crime_count, is_sensitive, is_primary AS withheld
FROM int_crime_cell
UNION ALL
SELECT village_code, year, month, 'total', CAST(sum(crime_count) AS BIGINT), bool_or(is_sensitive), bool_or(is_primary)
FROM int_crime_cell GROUP BY ALL;

CREATE OR REPLACE TABLE crime_village_month AS
SELECT village_code, year, month, crime_category, crime_count, is_sensitive, false AS is_suppressed,
       NULL::VARCHAR AS suppression
FROM int_crime_month ORDER BY village_code, year, month, crime_category;

--- table public.crime_village_month: Crime reports per village, month and category, with small counts of sensitive categories withheld (shareable)
--- column crime_count [reports]: Police reports; NULL when withheld
--- column is_suppressed [boolean]: crime_count is withheld
--- column suppression: Why: 'small count' (primary: 1 to the threshold) or 'total includes a withheld count' (secondary)
--- caveat: primary suppression: a sensitive category's count for one village and month from 1 to the threshold is withheld
--- caveat: secondary suppression: every published total that includes a withheld count is withheld too (the monthly total here; yearly category counts, crime totals, crimes against MSMEs, rates and changes in public.mart_village_year), so no withheld count can be recovered by subtraction
--- caveat: non-sensitive categories (property, fraud) are always published, and a missing row is a zero; district and regency sums are not public
--- caveat: the threshold is in publication.suppression_threshold (default 4, env JEMBATAN_SUPPRESSION_THRESHOLD)
CREATE OR REPLACE TABLE public.crime_village_month AS
SELECT village_code, year, month, crime_category, CASE WHEN NOT withheld THEN crime_count END AS crime_count,
       is_sensitive, withheld AS is_suppressed,
       CASE WHEN withheld AND crime_category = 'total' THEN 'total includes a withheld count'
            WHEN withheld THEN 'small count' END AS suppression
FROM int_crime_month ORDER BY village_code, year, month, crime_category;

--- table public.mart_village_year: mart_village_year with every crime figure that includes a withheld monthly count set to NULL (shareable)
--- grain: village, year
--- column suppressed_columns: The crime columns withheld in this row, comma-separated (NULL when none)
--- caveat: a NULL crime figure means either no data (as in mart_village_year) or withheld (named in suppressed_columns)
--- caveat: sums over villages of a withheld column are not the true totals; use the restricted tables for rollups
CREATE OR REPLACE TABLE public.mart_village_year AS
WITH withheld AS (
    SELECT village_code, year,
           bool_or(is_primary) AS any_cell,
           bool_or(is_primary AND crime_category = 'property') AS property,
           bool_or(is_primary AND crime_category = 'violent') AS violent,
           bool_or(is_primary AND crime_category = 'fraud') AS fraud,
           bool_or(is_primary AND crime_category = 'narcotics') AS narcotics,
           bool_or(is_primary AND crime_category = 'hard_drugs') AS hard_drugs,
           bool_or(is_primary AND crime_category = 'other') AS other
    FROM int_crime_cell GROUP BY ALL
), flags AS (
    SELECT m.village_code, m.year, coalesce(w.any_cell, false) AS any_cell,
           coalesce(w.any_cell, false) OR coalesce(p.any_cell, false) AS change_withheld,
           coalesce(w.property, false) AS property,
           coalesce(w.violent, false) AS violent,
           coalesce(w.fraud, false) AS fraud,
           coalesce(w.narcotics, false) AS narcotics,
           coalesce(w.hard_drugs, false) AS hard_drugs,
           coalesce(w.other, false) AS other
    FROM mart_village_year m
    LEFT JOIN withheld w USING (village_code, year)
    LEFT JOIN withheld p ON p.village_code = m.village_code AND p.year = m.year - 1
)
SELECT m.* REPLACE (
           CASE WHEN NOT f.any_cell THEN m.crime_count END AS crime_count,
           CASE WHEN NOT f.property THEN m.property_crime_count END AS property_crime_count,
           CASE WHEN NOT f.violent THEN m.violent_crime_count END AS violent_crime_count,
           CASE WHEN NOT f.fraud THEN m.fraud_crime_count END AS fraud_crime_count,
           CASE WHEN NOT f.narcotics THEN m.narcotics_crime_count END AS narcotics_crime_count,
           CASE WHEN NOT f.hard_drugs THEN m.hard_drugs_crime_count END AS hard_drugs_crime_count,
           CASE WHEN NOT f.other THEN m.other_crime_count END AS other_crime_count,
           CASE WHEN NOT f.any_cell THEN m.crime_against_msme_count END AS crime_against_msme_count,
           CASE WHEN NOT f.any_cell THEN m.crime_per_1000_people END AS crime_per_1000_people,
           CASE WHEN NOT f.any_cell THEN m.crime_per_100_msme END AS crime_per_100_msme,
           CASE WHEN NOT f.change_withheld THEN m.crime_count_change END AS crime_count_change,
           CASE WHEN NOT f.change_withheld THEN m.crime_count_change_pct END AS crime_count_change_pct,
           nullif(concat_ws(', ',
           CASE WHEN f.any_cell THEN 'crime_count, crime_against_msme_count, crime_per_1000_people, crime_per_100_msme' END,
           CASE WHEN f.property THEN 'property_crime_count' END,
           CASE WHEN f.violent THEN 'violent_crime_count' END,
           CASE WHEN f.fraud THEN 'fraud_crime_count' END,
           CASE WHEN f.narcotics THEN 'narcotics_crime_count' END,
           CASE WHEN f.hard_drugs THEN 'hard_drugs_crime_count' END,
           CASE WHEN f.other THEN 'other_crime_count' END,
           CASE WHEN f.change_withheld THEN 'crime_count_change, crime_count_change_pct' END), '')
           AS suppressed_columns)
FROM mart_village_year m JOIN flags f USING (village_code, year)
ORDER BY village_code, year;

--- table public.dim_village: Copy of dim_village (shareable)
CREATE OR REPLACE TABLE public.dim_village AS SELECT * FROM dim_village;
--- table public.mart_program_reach: Copy of mart_program_reach (no crime figures; shareable)
CREATE OR REPLACE TABLE public.mart_program_reach AS SELECT * FROM mart_program_reach;
