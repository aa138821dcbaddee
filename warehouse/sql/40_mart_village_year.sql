-- mart_village_year: one row per current village and year, joining the three agencies.
-- A measure is NULL (no data) when its source sent nothing for the village's province that year;
-- it is 0 when the source covered the province and the village had none. MSME and population are
-- NULL where BPS sent no row for the village. Years before a village was first listed (a village
-- added by a later decree) are NULL throughout.

--- table mart_village_year: Per village and year: population, MSMEs, crimes by category, programs, cooperatives, Bhabinkamtibmas officers, and the changes on the year before
--- grain: village, year
--- caveat: NULL means the source sent nothing for the province that year (or BPS sent no row for the village); 0 means it did and the village had none
--- caveat: restricted: small counts of sensitive crimes identify people; share public.mart_village_year instead
--- caveat: crimes count by report year; MSMEs are BPS counts, not the businesses in the program lists
--- column msme_micro [units]: Micro enterprises (BPS)
--- column msme_small [units]: Small enterprises (BPS)
--- column msme_medium [units]: Medium enterprises (BPS)
--- column property_crime_count [reports]: Reports of property crimes (curat, curanmor, theft, embezzlement)
--- column violent_crime_count [reports]: Reports of violent crimes (curas, assault, gang assault, murder, domestic violence)
--- column fraud_crime_count [reports]: Reports of fraud (penipuan)
--- column hard_drugs_crime_count [reports]: Reports of hard drugs (obat keras berbahaya), counted apart from narcotics
--- column other_crime_count [reports]: Reports whose crime type is not in dim_crime_category
--- column crime_against_msme_count [reports]: Reports whose victim was an MSME
--- column crime_per_1000_people [reports per 1,000 persons]: crime_count * 1000 / population
--- column crime_per_100_msme [reports per 100 MSMEs]: crime_count * 100 / msme_count
--- column program_kur_participants [businesses]: Distinct businesses with KUR credit that year
--- column program_kur_amount [rupiah]: KUR credit amounts that year
--- column program_halal_participants [businesses]: Distinct businesses halal-certified that year
--- column program_halal_amount [rupiah]: Amounts recorded for halal certification
--- column program_nib_participants [businesses]: Distinct businesses given a business registration number (NIB) that year
--- column program_nib_amount [rupiah]: Amounts recorded for NIB registration
--- column program_training_participants [businesses]: Distinct businesses trained that year
--- column program_training_amount [rupiah]: Amounts recorded for training
--- column program_qris_participants [businesses]: Distinct businesses onboarded to QRIS payments that year
--- column program_qris_amount [rupiah]: Amounts recorded for QRIS onboarding
--- column program_cooperative_participants [businesses]: Distinct businesses that joined a Koperasi Merah Putih that year
--- column program_cooperative_amount [rupiah]: Amounts recorded for Koperasi Merah Putih membership
--- column program_reach_share [share 0-1]: program_participants / msme_count (businesses reached per MSME counted)
--- column is_program_dry_spot [boolean]: Program lists covered the province that year and no business in the village took part
--- column cooperatives [cooperatives]: Village cooperatives founded by the end of the year
--- column cooperative_members [persons]: Members of those cooperatives as registered
--- column bhabinkamtibmas_own_officers [officers]: Officers assigned to this village and no other that year
--- column msme_count_change [units]: msme_count minus the year before
--- column msme_count_change_pct [percent]: Change of msme_count on the year before, in percent
--- column crime_count_change [reports]: crime_count minus the year before
--- column crime_count_change_pct [percent]: Change of crime_count on the year before, in percent (NULL when the year before was 0)
--- column population_change [persons]: population minus the year before
--- column program_participants_change [businesses]: program_participants minus the year before
CREATE OR REPLACE TABLE mart_village_year AS
WITH covered AS (
    SELECT vy.village_code, vy.year,
           bool_or(c.source = 'crime') AS crime, bool_or(c.source = 'program') AS program,
           bool_or(c.source = 'roster') AS roster, bool_or(c.source = 'activity') AS activity,
           bool_or(c.source = 'cooperative') AS cooperative
    FROM int_village_year vy
    LEFT JOIN int_source_coverage c ON c.province_code = vy.province_code AND c.year = vy.year
    GROUP BY ALL
), program AS (
    SELECT village_code, year,
           CAST(sum(participants) FILTER (WHERE program_key = 'kur') AS BIGINT) AS kur_participants,
           sum(amount) FILTER (WHERE program_key = 'kur') AS kur_amount,
           CAST(sum(participants) FILTER (WHERE program_key = 'halal') AS BIGINT) AS halal_participants,
           sum(amount) FILTER (WHERE program_key = 'halal') AS halal_amount,
           CAST(sum(participants) FILTER (WHERE program_key = 'nib') AS BIGINT) AS nib_participants,
           sum(amount) FILTER (WHERE program_key = 'nib') AS nib_amount,
           CAST(sum(participants) FILTER (WHERE program_key = 'training') AS BIGINT) AS training_participants,
           sum(amount) FILTER (WHERE program_key = 'training') AS training_amount,
           CAST(sum(participants) FILTER (WHERE program_key = 'qris') AS BIGINT) AS qris_participants,
           sum(amount) FILTER (WHERE program_key = 'qris') AS qris_amount,
           CAST(sum(participants) FILTER (WHERE program_key = 'cooperative') AS BIGINT) AS cooperative_participants,
           sum(amount) FILTER (WHERE program_key = 'cooperative') AS cooperative_amount
    FROM int_program_village_year_program GROUP BY ALL
), base AS (
    SELECT v.village_code, k.year, v.village_name, v.district_name, v.regency_name, v.province_code,
           v.district_code, v.regency_code,
           m.population, m.msme_micro, m.msme_small, m.msme_medium, m.msme_count,
           CASE WHEN k.crime THEN coalesce(c.crime_count, 0) END AS crime_count,
           CASE WHEN k.crime THEN coalesce(c.property_crime_count, 0) END AS property_crime_count,
           CASE WHEN k.crime THEN coalesce(c.violent_crime_count, 0) END AS violent_crime_count,
           CASE WHEN k.crime THEN coalesce(c.fraud_crime_count, 0) END AS fraud_crime_count,
           CASE WHEN k.crime THEN coalesce(c.narcotics_crime_count, 0) END AS narcotics_crime_count,
           CASE WHEN k.crime THEN coalesce(c.hard_drugs_crime_count, 0) END AS hard_drugs_crime_count,
           CASE WHEN k.crime THEN coalesce(c.other_crime_count, 0) END AS other_crime_count,
           CASE WHEN k.crime THEN coalesce(c.crime_against_msme_count, 0) END AS crime_against_msme_count,
           CASE WHEN k.program THEN coalesce(p.program_participants, 0) END AS program_participants,
           CASE WHEN k.program THEN coalesce(p.program_amount, 0) END AS program_amount,
           CASE WHEN k.program THEN coalesce(pp.kur_participants, 0) END AS program_kur_participants,
           CASE WHEN k.program THEN coalesce(pp.kur_amount, 0) END AS program_kur_amount,
           CASE WHEN k.program THEN coalesce(pp.halal_participants, 0) END AS program_halal_participants,
           CASE WHEN k.program THEN coalesce(pp.halal_amount, 0) END AS program_halal_amount,
           CASE WHEN k.program THEN coalesce(pp.nib_participants, 0) END AS program_nib_participants,
           CASE WHEN k.program THEN coalesce(pp.nib_amount, 0) END AS program_nib_amount,
           CASE WHEN k.program THEN coalesce(pp.training_participants, 0) END AS program_training_participants,
           CASE WHEN k.program THEN coalesce(pp.training_amount, 0) END AS program_training_amount,
           CASE WHEN k.program THEN coalesce(pp.qris_participants, 0) END AS program_qris_participants,
           CASE WHEN k.program THEN coalesce(pp.qris_amount, 0) END AS program_qris_amount,
           CASE WHEN k.program THEN coalesce(pp.cooperative_participants, 0) END AS program_cooperative_participants,
           CASE WHEN k.program THEN coalesce(pp.cooperative_amount, 0) END AS program_cooperative_amount,
           CASE WHEN k.cooperative THEN coalesce(co.cooperatives, 0) END AS cooperatives,
           CASE WHEN k.cooperative THEN coalesce(co.cooperative_members, 0) END AS cooperative_members,
           CASE WHEN k.roster THEN coalesce(o.officers, 0) END AS bhabinkamtibmas_officers,
           CASE WHEN k.roster THEN coalesce(o.own_officers, 0) END AS bhabinkamtibmas_own_officers,
           CASE WHEN k.activity THEN coalesce(a.activities, 0) END AS bhabinkamtibmas_activities
    FROM dim_village v
    JOIN covered k ON k.village_code = v.village_code
    LEFT JOIN int_msme_village_year m ON m.village_code = v.village_code AND m.year = k.year
    LEFT JOIN int_crime_village_year c ON c.village_code = v.village_code AND c.year = k.year
    LEFT JOIN int_program_village_year p ON p.village_code = v.village_code AND p.year = k.year
    LEFT JOIN program pp ON pp.village_code = v.village_code AND pp.year = k.year
    LEFT JOIN int_cooperative_village_year co ON co.village_code = v.village_code AND co.year = k.year
    LEFT JOIN int_officer_village_year o ON o.village_code = v.village_code AND o.year = k.year
    LEFT JOIN int_activity_village_year a ON a.village_code = v.village_code AND a.year = k.year
), measured AS (
    SELECT *,
           round(crime_count * 1000.0 / nullif(population, 0), 3) AS crime_per_1000_people,
           round(crime_count * 100.0 / nullif(msme_count, 0), 3) AS crime_per_100_msme,
           round(program_participants / nullif(msme_count, 0), 4) AS program_reach_share,
           program_participants = 0 AS is_program_dry_spot
    FROM base
), changes AS (
    -- The year before, when the village has a row for it.
    SELECT m.*,
           m.msme_count - b.msme_count AS msme_count_change,
           round(100.0 * (m.msme_count - b.msme_count) / nullif(b.msme_count, 0), 2) AS msme_count_change_pct,
           m.crime_count - b.crime_count AS crime_count_change,
           round(100.0 * (m.crime_count - b.crime_count) / nullif(b.crime_count, 0), 2) AS crime_count_change_pct,
           m.population - b.population AS population_change,
           m.program_participants - b.program_participants AS program_participants_change
    FROM measured m LEFT JOIN base b ON b.village_code = m.village_code AND b.year = m.year - 1
)
SELECT * FROM (
    SELECT * FROM changes
    UNION ALL BY NAME
    SELECT v.village_code, y.year, v.village_name, v.district_name, v.regency_name, v.province_code,
           v.district_code, v.regency_code
    FROM dim_village v JOIN int_year y ON y.year < v.listed_from_year
) ORDER BY village_code, year;
