-- The public schema: what may be shared widely. `main` holds the full (restricted) figures.
--
-- Disclosure control: the cell-key method (assets/publish/cell_key.py has the method and its guarantee).
-- Every police report has a record key 0..R-1 (int_crime_record_key, made with the project's secret key
-- and never published); a cell's key is the sum of its reports' record keys modulo R; the published count
-- is the true count plus the perturbation that public.perturbation_table gives for (count, cell key).
-- Every crime count of every public table is such a cell (a month's category, a month's total, a year's
-- category, a year's total, a year's crimes against MSMEs), so the same reports give the same published
-- count wherever and whenever they are counted; totals are cells of their own, so tables are not additive.
-- Rates and year-on-year changes are computed from the published counts. Nothing is withheld.

CREATE SCHEMA IF NOT EXISTS public;

CREATE OR REPLACE TEMP TABLE int_crime_record AS
SELECT f.village_code, f.year, CAST(month(f.report_date) AS INTEGER) AS month, f.crime_category, f.is_against_msme,
       coalesce(k.record_key, 0) AS record_key
FROM fact_crime_report f LEFT JOIN int_crime_record_key k ON k.report_number = CAST(f.report_number AS VARCHAR);

-- Every cell a public table shows (month NULL: a yearly cell), with its true count and its cell key.
CREATE OR REPLACE TEMP TABLE int_public_cell AS
WITH cells AS (
    SELECT village_code, year, month, crime_category AS measure, count(*) AS crime_count,
           sum(record_key) AS key_sum FROM int_crime_record GROUP BY ALL
    UNION ALL
    SELECT village_code, year, month, 'total', count(*), sum(record_key) FROM int_crime_record GROUP BY ALL
    UNION ALL
    SELECT village_code, year, NULL, crime_category, count(*), sum(record_key) FROM int_crime_record
    GROUP BY village_code, year, crime_category
    UNION ALL
    SELECT village_code, year, NULL, 'total', count(*), sum(record_key) FROM int_crime_record
    GROUP BY village_code, year
    UNION ALL
    SELECT village_code, year, NULL, 'against_msme', count(*), sum(record_key) FROM int_crime_record
    WHERE is_against_msme GROUP BY village_code, year
), keyed AS (
    SELECT c.*, CAST(c.key_sum % d.key_range AS INTEGER) AS cell_key, least(c.crime_count, d.last_row_from) AS row_i
    FROM cells c, ref_disclosure_control d
)
SELECT k.village_code, k.year, k.month, k.measure, k.crime_count, k.cell_key,
       CAST(k.crime_count + p.v AS BIGINT) AS published
FROM keyed k JOIN ref_perturbation_table p ON p.i = k.row_i AND k.cell_key >= p.ckey_from AND k.cell_key < p.ckey_to;

-- Every public table has a restricted twin of the same name and shape in main (full figures), so a query
-- runs on either schema.
--- table crime_village_month: Crime reports per village, month and category, full figures (restricted twin of public.crime_village_month)
--- grain: village, year, month, crime category with at least one report (plus crime_category = 'total' for all categories)
--- column crime_count [reports]: Police reports placed in the village that month
--- caveat: a village, month and category without a row had no reports, where mart_village_year.crime_count is not NULL for that year
--- column is_sensitive [boolean]: The category is sensitive (violent, narcotics, hard_drugs, other); for 'total', whether any of the month's reports is
--- caveat: restricted: share public.crime_village_month instead
CREATE OR REPLACE TABLE crime_village_month AS
SELECT village_code, year, month, crime_category, crime_count, is_sensitive FROM (
    SELECT n.village_code, n.year, CAST(n.month AS INTEGER) AS month, n.crime_category, n.crime_count,
           coalesce(d.is_sensitive, n.crime_category = 'other') AS is_sensitive
    FROM int_crime_village_month n
    LEFT JOIN (SELECT crime_category, bool_or(is_sensitive) AS is_sensitive FROM dim_crime_category GROUP BY ALL) d
      USING (crime_category)
    UNION ALL
    SELECT n.village_code, n.year, CAST(n.month AS INTEGER), 'total', CAST(sum(n.crime_count) AS BIGINT),
           bool_or(coalesce(d.is_sensitive, n.crime_category = 'other'))
    FROM int_crime_village_month n
    LEFT JOIN (SELECT crime_category, bool_or(is_sensitive) AS is_sensitive FROM dim_crime_category GROUP BY ALL) d
      USING (crime_category)
    GROUP BY ALL)
ORDER BY village_code, year, month, crime_category;

--- table public.crime_village_month: Crime reports per village, month and category, perturbed by the cell-key method (shareable)
--- column crime_count [reports]: Police reports, perturbed: the true count plus the perturbation public.perturbation_table gives for its cell key; never 1 to 4
--- column is_sensitive [boolean]: The category is sensitive (violent, narcotics, hard_drugs, other); always false for 'total'
--- caveat: every count is perturbed (cell-key method, parameters in public.disclosure_control, p-table in public.perturbation_table): a true count from 1 to 4 is published as 0 or 5, larger counts move by at most 2, and the noise has mean 0
--- caveat: the same reports give the same published count in every table and every release; the month's 'total' is perturbed on its own, so it need not equal the sum of its categories
--- caveat: a missing row is a published 0 (0 to 5 reports); district and regency sums are not published
CREATE OR REPLACE TABLE public.crime_village_month AS
SELECT c.village_code, c.year, c.month, c.measure AS crime_category, c.published AS crime_count,
       c.measure <> 'total' AND coalesce(d.is_sensitive, c.measure = 'other') AS is_sensitive
FROM int_public_cell c
LEFT JOIN (SELECT crime_category, bool_or(is_sensitive) AS is_sensitive FROM dim_crime_category GROUP BY ALL) d
  ON d.crime_category = c.measure
WHERE c.month IS NOT NULL AND c.published > 0
ORDER BY village_code, year, month, crime_category;

--- table public.mart_village_year: mart_village_year with every crime figure perturbed by the cell-key method (shareable)
--- grain: village, year
--- caveat: crime_count, the six category counts and crime_against_msme_count are each perturbed as a cell of their own (see public.crime_village_month); they are not additive
--- caveat: crime_per_1000_people, crime_per_100_msme, crime_count_change and crime_count_change_pct are computed from the published crime_count
--- caveat: a NULL crime figure means no data (as in mart_village_year); sums over villages are not the true totals, use the restricted tables for rollups
CREATE OR REPLACE TABLE public.mart_village_year AS
WITH yearly AS (
    SELECT village_code, year,
           max(published) FILTER (WHERE measure = 'total') AS crime_count,
           max(published) FILTER (WHERE measure = 'property') AS property,
           max(published) FILTER (WHERE measure = 'violent') AS violent,
           max(published) FILTER (WHERE measure = 'fraud') AS fraud,
           max(published) FILTER (WHERE measure = 'narcotics') AS narcotics,
           max(published) FILTER (WHERE measure = 'hard_drugs') AS hard_drugs,
           max(published) FILTER (WHERE measure = 'other') AS other,
           max(published) FILTER (WHERE measure = 'against_msme') AS against_msme
    FROM int_public_cell WHERE month IS NULL GROUP BY ALL
), counts AS (
    -- NULL (no data) stays NULL; a covered year without a cell had no report: 0.
    SELECT m.village_code, m.year,
           CASE WHEN m.crime_count IS NOT NULL THEN coalesce(y.crime_count, 0) END AS crime_count,
           CASE WHEN m.property_crime_count IS NOT NULL THEN coalesce(y.property, 0) END AS property,
           CASE WHEN m.violent_crime_count IS NOT NULL THEN coalesce(y.violent, 0) END AS violent,
           CASE WHEN m.fraud_crime_count IS NOT NULL THEN coalesce(y.fraud, 0) END AS fraud,
           CASE WHEN m.narcotics_crime_count IS NOT NULL THEN coalesce(y.narcotics, 0) END AS narcotics,
           CASE WHEN m.hard_drugs_crime_count IS NOT NULL THEN coalesce(y.hard_drugs, 0) END AS hard_drugs,
           CASE WHEN m.other_crime_count IS NOT NULL THEN coalesce(y.other, 0) END AS other,
           CASE WHEN m.crime_against_msme_count IS NOT NULL THEN coalesce(y.against_msme, 0) END AS against_msme
    FROM mart_village_year m LEFT JOIN yearly y USING (village_code, year)
)
SELECT m.* REPLACE (
           c.crime_count AS crime_count,
           c.property AS property_crime_count,
           c.violent AS violent_crime_count,
           c.fraud AS fraud_crime_count,
           c.narcotics AS narcotics_crime_count,
           c.hard_drugs AS hard_drugs_crime_count,
           c.other AS other_crime_count,
           c.against_msme AS crime_against_msme_count,
           round(c.crime_count * 1000.0 / nullif(m.population, 0), 3) AS crime_per_1000_people,
           round(c.crime_count * 100.0 / nullif(m.msme_count, 0), 3) AS crime_per_100_msme,
           c.crime_count - b.crime_count AS crime_count_change,
           round(100.0 * (c.crime_count - b.crime_count) / nullif(b.crime_count, 0), 2) AS crime_count_change_pct)
FROM mart_village_year m JOIN counts c USING (village_code, year)
LEFT JOIN counts b ON b.village_code = m.village_code AND b.year = m.year - 1
ORDER BY village_code, year;

--- table perturbation_table: The p-table of the cell-key method (warehouse/ptable/ptable_<version>.csv): for a true count i and a cell key, the published count
--- grain: true count i, published count j
--- column i [reports]: True count of a cell; the last i serves every count from it up (published = count + v)
--- column j [reports]: Published count for a cell of i reports (for the last i: i + v)
--- column p [share 0-1]: Probability of j for a cell of i reports (the share of cell keys ckey_from to ckey_to)
--- column v [reports]: Perturbation added: j - i
--- column ckey_from: First cell key (0 to key_range - 1) given this j
--- column ckey_to: First cell key after them (exclusive)
CREATE OR REPLACE TABLE perturbation_table AS SELECT * FROM ref_perturbation_table ORDER BY i, j;
--- table public.perturbation_table: Copy of perturbation_table (shareable: it is what a reader needs to read the public counts)
CREATE OR REPLACE TABLE public.perturbation_table AS SELECT * FROM perturbation_table ORDER BY i, j;

--- table disclosure_control: How the public crime counts were protected: the method and its parameters (not its key)
--- grain: publication
--- column method: The method, in words
--- column ptable_version: Version of the p-table file (warehouse/ptable/ptable_<version>.csv)
--- column key_range [keys]: R: record keys and cell keys are integers 0 to R - 1; a cell key is the sum of its reports' record keys modulo R
--- column threshold [reports]: No published count is from 1 to this; such true counts are published as 0 or threshold + 1
--- column max_perturbation [reports]: D: the largest change of a count above threshold + 1
--- column variance [reports squared]: V: the variance of the change of counts from last_row_from up
--- column last_row_from [reports]: The last row of the p-table serves every count from this up
--- column perturbed: Which published figures are perturbed (and which withheld)
--- column additive [boolean]: Whether published totals equal the sum of their parts (false: each is perturbed on its own)
CREATE OR REPLACE TABLE disclosure_control AS SELECT * FROM ref_disclosure_control;
--- table public.disclosure_control: Copy of disclosure_control (shareable)
CREATE OR REPLACE TABLE public.disclosure_control AS SELECT * FROM disclosure_control;

--- table public.dim_village: Copy of dim_village (shareable)
CREATE OR REPLACE TABLE public.dim_village AS SELECT * FROM dim_village;
--- table public.mart_program_reach: Copy of mart_program_reach (no crime figures; shareable)
CREATE OR REPLACE TABLE public.mart_program_reach AS SELECT * FROM mart_program_reach;
