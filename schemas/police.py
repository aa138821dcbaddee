"""Polda / Polres: crime reports, the Bhabinkamtibmas roster and their activity logs."""
from schemas.base import (DROP, PSEUDONYMISE, ROW_NUMBER, Column, Dataset, district_column,
                          police_sector_column, regency_column, village_column)

CRIME_REPORT = Dataset(
    name="crime_report",
    source="polda",
    description="Police reports (laporan polisi), one row per report",
    fact_table="fact_crime_report",
    year_column="report_date",
    unique_key=("report_number",),
    columns=(
        ROW_NUMBER,
        Column("report_number", "identifier", ("Nomor LP", "No LP", "No. LP", "Nomor Laporan Polisi",
                                               "Nomor Laporan", "Report Number"), "Police report number"),
        Column("report_date", "date", ("Tgl Lapor", "Tanggal Lapor", "Tanggal Laporan", "Tgl Laporan",
                                       "Report Date"), "Date the report was made"),
        Column("incident_date", "date", ("Tgl Kejadian", "Tanggal Kejadian", "Waktu Kejadian", "Incident Date"),
               "Date of the incident", required=False, header_required=False),
        Column("crime_type", "text", ("Jenis Kejahatan", "Jenis Tindak Pidana", "Jenis Perkara", "Kasus",
                                      "Crime Type"), "Crime type as recorded"),
        Column("victim_type", "text", ("Korban", "Kategori Korban", "Jenis Korban", "Victim Type"),
               "Kind of victim: person, MSME, business, other", required=False, header_required=False),
        village_column(),
        district_column(header_required=False),
        police_sector_column(),
        regency_column(),
        Column("case_status", "text", ("Status", "Status Perkara", "Tahap", "Case Status"), "Case status",
               required=False, header_required=False),
        Column("loss_amount", "amount", ("Kerugian (Rp)", "Kerugian", "Nilai Kerugian", "Loss"),
               "Loss reported", required=False, header_required=False, min_value=0, unit="rupiah"),
        Column("victim_name", "text", ("Nama Korban", "Korban (Nama)", "Victim Name"), "Victim's name",
               required=False, header_required=False, personal=DROP),
        Column("suspect_name", "text", ("Nama Tersangka", "Nama Pelaku", "Tersangka", "Suspect Name"),
               "Suspect's name", required=False, header_required=False, personal=DROP),
    ),
)

_NRP = Column("nrp", "identifier", ("NRP", "NRP/NIP", "Officer Id"),
              "Officer's registration number (NRP); replaced by officer_key", personal=PSEUDONYMISE,
              pseudonym="officer_key")

BHABINKAMTIBMAS_ASSIGNMENT = Dataset(
    name="bhabinkamtibmas_assignment",
    source="polda",
    description="Roster of village community officers and the villages assigned to each, per year",
    fact_table="fact_bhabinkamtibmas_assignment",
    year_column="year",
    columns=(
        ROW_NUMBER,
        _NRP,
        Column("officer_name", "text", ("Nama Personel", "Nama", "Nama Bhabinkamtibmas", "Officer Name"),
               "Officer's name", required=False, header_required=False, personal=DROP),
        Column("rank", "text", ("Pangkat", "Rank"), "Rank", required=False, header_required=False),
        Column("police_resort", "text", ("Polres", "Polres/Polresta", "Police Resort"), "Police resort (Polres)",
               required=False, header_required=False),
        police_sector_column(header_required=True),
        district_column(header_required=False),
        Column("year", "year", ("Tahun", "Year"), "Year of the roster"),
        Column("village_list", "text", ("Desa/Kelurahan Binaan", "Desa Binaan", "Wilayah Binaan",
                                        "Desa/Kel Binaan", "Assigned Villages"),
               "Villages assigned to the officer, several in one cell"),
    ),
)

BHABINKAMTIBMAS_ACTIVITY = Dataset(
    name="bhabinkamtibmas_activity",
    source="polda",
    description="Activities logged by village community officers",
    fact_table="fact_bhabinkamtibmas_activity",
    year_column="activity_date",
    columns=(
        ROW_NUMBER,
        Column("activity_date", "date", ("Tanggal", "Tgl", "Tanggal Kegiatan", "Date"), "Date of the activity"),
        _NRP,
        village_column(),
        district_column(header_required=False),
        police_sector_column(),
        Column("activity_type", "text", ("Jenis Kegiatan", "Kegiatan", "Activity Type"),
               "Kind of activity: Sambang (visit), Penyuluhan (counselling), Pencegahan Narkoba, Pendampingan UMKM"),
        Column("description", "text", ("Uraian", "Keterangan", "Uraian Kegiatan", "Description"),
               "Free-text description (may name people)", required=False, header_required=False, personal=DROP),
    ),
)
