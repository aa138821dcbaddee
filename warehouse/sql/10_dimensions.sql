-- Dimensions. Inputs loaded by assets/publish/build.py: ref_area (every gazetteer version),
-- ref_bridging (BPS <-> Kemendagri), ref_change (derived changes between versions).

--- table dim_village: One row per village in the current Kemendagri decree, with its hierarchy and BPS code
--- grain: village (current decree)
--- column village_type: desa (rural village) or kelurahan (urban village), from the Kemendagri list
--- column bps_code [code]: BPS village code PPKKDDDVVV joined through the official bridging table (lowest when several)
--- column gazetteer_version: Kemendagri list version (decree year) this row comes from
--- column listed_from_year [year]: First year the village is listed, when a later decree added it; NULL when it is in the oldest list held
--- caveat: BPS and Kemendagri codes do not convert by formula; bps_code is only what the bridging table says
CREATE OR REPLACE TABLE dim_village AS
WITH current_area AS (
    SELECT * FROM ref_area WHERE version = (SELECT max(version) FROM ref_area)
), bps AS (
    SELECT kemendagri_code, min(bps_code) AS bps_code
    FROM ref_bridging WHERE level = 'village' GROUP BY kemendagri_code
), first_listed AS (
    -- The first decree listing the village, under its code or a code it was re-coded from; NULL when
    -- it is in the oldest list we hold (it existed before any data we have).
    SELECT coalesce(c.new_code, a.code) AS village_code, min(a.version) AS version
    FROM ref_area a LEFT JOIN ref_change c ON c.change = 'recoded' AND c.code = a.code
    WHERE a.level = 'village' GROUP BY ALL
)
SELECT v.code AS village_code, v.name AS village_name, v.village_type,
       d.code AS district_code, d.name AS district_name,
       r.code AS regency_code, r.name AS regency_name,
       p.code AS province_code, p.name AS province_name,
       bps.bps_code, v.version AS gazetteer_version,
       CASE WHEN f.version > (SELECT min(version) FROM ref_area) AND regexp_matches(f.version, '^\d{4}$')
            THEN CAST(f.version AS INTEGER) END AS listed_from_year
FROM current_area v
JOIN current_area d ON d.code = v.parent_code
JOIN current_area r ON r.code = d.parent_code
JOIN current_area p ON p.code = r.parent_code
LEFT JOIN bps ON bps.kemendagri_code = v.code
LEFT JOIN first_listed f ON f.village_code = v.code
WHERE v.level = 'village'
ORDER BY village_code;

--- table dim_village_change: Changes between two Kemendagri decree versions
--- grain: village change between two versions
--- column from_version: Older decree version
--- column to_version: Newer decree version
--- column old_code [code]: Village code in the older version (NULL when added)
--- column new_code [code]: Village code in the newer version (NULL when retired)
--- column change: added, retired, renamed or recoded (a desa that became a kelurahan gets a new code)
--- column old_name: Name in the older version
--- column new_name: Name in the newer version
CREATE OR REPLACE TABLE dim_village_change AS
SELECT from_version, to_version, nullif(code, '') AS old_code, nullif(new_code, '') AS new_code, change,
       nullif(old_name, '') AS old_name, nullif(new_name, '') AS new_name
FROM ref_change WHERE change <> 'unchanged';

-- Crime types as the police record them, grouped into the categories the marts count. Sensitive
-- categories (victims or suspects identifiable from small counts) are flagged; every public crime count is perturbed (70_public.sql).
--- table dim_crime_category: Crime types as the police write them, grouped into the categories the marts count
--- grain: crime type
--- column crime_type_key: Crime type, lower case, as it appears in the police files
--- column is_sensitive [boolean]: Small counts of it can identify victims and suspects (category other is always treated as sensitive); every public crime count is perturbed
--- caveat: a crime type not listed here is counted in category other
CREATE OR REPLACE TABLE dim_crime_category AS
SELECT * FROM (VALUES
    ('curat', 'property', false), ('curanmor', 'property', false), ('pencurian biasa', 'property', false),
    ('pencurian', 'property', false), ('penggelapan', 'property', false),
    ('pencurian dengan pemberatan', 'property', false), ('pencurian kendaraan bermotor', 'property', false),
    ('theft', 'property', false), ('burglary', 'property', false), ('motorcycle theft', 'property', false),
    ('vehicle theft', 'property', false), ('embezzlement', 'property', false),
    ('curas', 'violent', true), ('penganiayaan', 'violent', true), ('pengeroyokan', 'violent', true),
    ('pembunuhan', 'violent', true), ('kdrt', 'violent', true), ('pencurian dengan kekerasan', 'violent', true),
    ('robbery', 'violent', true), ('assault', 'violent', true), ('murder', 'violent', true),
    ('homicide', 'violent', true), ('domestic violence', 'violent', true),
    ('penipuan', 'fraud', false), ('penipuan online', 'fraud', false), ('fraud', 'fraud', false),
    ('narkotika', 'narcotics', true), ('narkoba', 'narcotics', true), ('penyalahgunaan narkotika', 'narcotics', true),
    ('narcotics', 'narcotics', true), ('drugs', 'narcotics', true),
    ('obat keras berbahaya', 'hard_drugs', true), ('okerbaya', 'hard_drugs', true), ('hard drugs', 'hard_drugs', true)
) AS t(crime_type_key, crime_category, is_sensitive);

--- table dim_program: The cooperative and SME agency's programs
--- grain: program
--- column description: What the program is
CREATE OR REPLACE TABLE dim_program AS
SELECT * FROM (VALUES
    ('KUR', 'kur', 'People''s business credit (Kredit Usaha Rakyat)'),
    ('Sertifikasi Halal', 'halal', 'Halal certification'),
    ('NIB', 'nib', 'Business registration number (Nomor Induk Berusaha)'),
    ('Pelatihan', 'training', 'Training'),
    ('QRIS', 'qris', 'QR code digital payments'),
    ('Koperasi Merah Putih', 'cooperative', 'Village cooperative membership (Koperasi Desa/Kelurahan Merah Putih)')
) AS t(program, program_key, description);

--- table dim_activity_type: Kinds of Bhabinkamtibmas activity in the officers' logs
--- grain: activity type
--- column activity_type_key: Activity type, lower case, as it appears in the logs (or its first words: "sambang desa" is a sambang)
--- column activity_kind: visit, counselling, narcotics_prevention, msme_assistance (anything else: other)
CREATE OR REPLACE TABLE dim_activity_type AS
SELECT * FROM (VALUES
    ('sambang', 'visit'), ('penyuluhan', 'counselling'),
    ('pencegahan narkoba', 'narcotics_prevention'), ('pendampingan umkm', 'msme_assistance'),
    ('visit', 'visit'), ('counselling', 'counselling'), ('counseling', 'counselling'),
    ('drug prevention', 'narcotics_prevention'), ('msme assistance', 'msme_assistance')
) AS t(activity_type_key, activity_kind);
