-- dim_date: every day of every year the facts cover (built after the facts, which set the range).

--- table dim_date: One row per day of every year the facts cover
--- grain: day
--- column date [date]: The day
--- column quarter [1-4]: Calendar quarter
--- column month_name: Month name in Bahasa Indonesia (Januari ... Desember)
--- column iso_week [1-53]: ISO week number
--- column day_of_week [1-7]: ISO day of week, 1 Monday ... 7 Sunday
CREATE OR REPLACE TABLE dim_date AS
SELECT CAST(d AS DATE) AS date, year(d) AS year, quarter(d) AS quarter, month(d) AS month,
       ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober',
        'November', 'Desember'][month(d)] AS month_name,
       weekofyear(d) AS iso_week, isodow(d) AS day_of_week
FROM (SELECT make_date(min(year), 1, 1) AS first_day, make_date(max(year) + 1, 1, 1) AS after_last
      FROM (SELECT year FROM fact_msme_count UNION ALL SELECT year FROM fact_crime_report
            UNION ALL SELECT year FROM fact_program_participation UNION ALL SELECT year FROM fact_village_cooperative
            UNION ALL SELECT year FROM fact_bhabinkamtibmas_assignment
            UNION ALL SELECT year FROM fact_bhabinkamtibmas_activity)) bounds,
     range(bounds.first_day, bounds.after_last, INTERVAL 1 DAY) t(d)
ORDER BY date;
