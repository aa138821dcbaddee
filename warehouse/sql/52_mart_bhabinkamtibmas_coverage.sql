-- Bhabinkamtibmas coverage: per village and year, the officers assigned, whether the village has its
-- own (Perkap 7/2021 art. 15(1): one village, one Bhabinkamtibmas), what they logged, and the narcotics
-- cases beside it (the Satnarkoba / Satbinmas gap the Tuban study found).

--- table mart_bhabinkamtibmas_coverage: Per village and year: officers assigned, the village's own officer, activities by kind, narcotics cases beside them
--- grain: village, year (years with a roster or an activity log for the province)
--- column officers [officers]: Distinct officers the roster assigns to the village (NULL: no roster for the province that year)
--- column own_officers [officers]: Officers assigned to this village and no other
--- column has_officer [boolean]: At least one officer assigned
--- column has_own_officer [boolean]: The one-village-one-Bhabinkamtibmas rule is met
--- column max_villages_per_officer [villages]: The most villages any officer assigned here covers
--- column activities [activities]: Activities logged in the village (NULL: no log for the province that year)
--- column visits [activities]: Sambang (door-to-door visits)
--- column counselling [activities]: Penyuluhan (counselling)
--- column narcotics_prevention [activities]: Pencegahan Narkoba (narcotics prevention)
--- column msme_assistance [activities]: Pendampingan UMKM (MSME assistance)
--- column active_officers [officers]: Distinct officers who logged an activity in the village
--- column hard_drugs_crime_count [reports]: Reports of hard drugs (obat keras berbahaya)
--- column narcotics_without_prevention [boolean]: Narcotics cases reported and no narcotics prevention activity logged (NULL: no activity log for the province that year)
--- caveat: restricted (village narcotics counts)
CREATE OR REPLACE TABLE mart_bhabinkamtibmas_coverage AS
SELECT m.village_code, m.year, m.village_name, m.district_code, m.district_name, m.regency_code, m.regency_name,
       m.province_code,
       m.bhabinkamtibmas_officers AS officers, m.bhabinkamtibmas_own_officers AS own_officers,
       m.bhabinkamtibmas_officers > 0 AS has_officer, m.bhabinkamtibmas_own_officers > 0 AS has_own_officer,
       o.max_villages_per_officer,
       m.bhabinkamtibmas_activities AS activities,
       CASE WHEN m.bhabinkamtibmas_activities IS NOT NULL THEN coalesce(a.visits, 0) END AS visits,
       CASE WHEN m.bhabinkamtibmas_activities IS NOT NULL THEN coalesce(a.counselling, 0) END AS counselling,
       CASE WHEN m.bhabinkamtibmas_activities IS NOT NULL THEN coalesce(a.narcotics_prevention, 0) END
           AS narcotics_prevention,
       CASE WHEN m.bhabinkamtibmas_activities IS NOT NULL THEN coalesce(a.msme_assistance, 0) END AS msme_assistance,
       CASE WHEN m.bhabinkamtibmas_activities IS NOT NULL THEN coalesce(a.active_officers, 0) END AS active_officers,
       m.narcotics_crime_count, m.hard_drugs_crime_count, m.population,
       CASE WHEN m.bhabinkamtibmas_activities IS NOT NULL
            THEN m.narcotics_crime_count > 0 AND coalesce(a.narcotics_prevention, 0) = 0 END
           AS narcotics_without_prevention
FROM mart_village_year m
LEFT JOIN int_officer_village_year o USING (village_code, year)
LEFT JOIN int_activity_village_year a USING (village_code, year)
WHERE m.bhabinkamtibmas_officers IS NOT NULL OR m.bhabinkamtibmas_activities IS NOT NULL
ORDER BY m.village_code, m.year;
