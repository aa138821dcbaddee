-- Dimensions. Inputs loaded by assets/publish/build.py: ref_area (every gazetteer version),
-- ref_bridging (BPS <-> Kemendagri), ref_change (derived changes between versions).

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

CREATE OR REPLACE TABLE dim_village_change AS
SELECT from_version, to_version, nullif(code, '') AS old_code, nullif(new_code, '') AS new_code, change,
       nullif(old_name, '') AS old_name, nullif(new_name, '') AS new_name
FROM ref_change WHERE change <> 'unchanged';

-- Crime types as the police record them, grouped into the categories the marts count.
CREATE OR REPLACE TABLE dim_crime_category AS
SELECT * FROM (VALUES
    ('curat', 'property'), ('curanmor', 'property'), ('pencurian biasa', 'property'),
    ('pencurian', 'property'), ('penggelapan', 'property'),
    ('curas', 'violent'), ('penganiayaan', 'violent'), ('pengeroyokan', 'violent'),
    ('pembunuhan', 'violent'), ('kdrt', 'violent'),
    ('penipuan', 'fraud'),
    ('narkotika', 'narcotics'), ('narkoba', 'narcotics'),
    ('obat keras berbahaya', 'hard_drugs'), ('okerbaya', 'hard_drugs')
) AS t(crime_type_key, crime_category);

CREATE OR REPLACE TABLE dim_program AS
SELECT * FROM (VALUES
    ('KUR', 'People''s business credit (Kredit Usaha Rakyat)'),
    ('Sertifikasi Halal', 'Halal certification'),
    ('NIB', 'Business registration number (Nomor Induk Berusaha)'),
    ('Pelatihan', 'Training'),
    ('QRIS', 'QR code digital payments'),
    ('Koperasi Merah Putih', 'Village cooperative membership (Koperasi Desa/Kelurahan Merah Putih)')
) AS t(program, description);
