"""BPS: MSME (UMKM) counts and population per village and year."""
from schemas.base import (ROW_NUMBER, Column, Dataset, district_column, regency_column, village_code_column,
                          village_column)

MSME_VILLAGE_COUNT = Dataset(
    name="msme_village_count",
    title_id="Jumlah UMKM per desa/kelurahan dan tahun (mikro, kecil, menengah) dengan jumlah penduduk",
    source="bps",
    description="Micro, small and medium enterprises counted per village and year, with population (BPS)",
    fact_table="fact_msme_count",
    year_column="year",
    one_row_per_village_year=True,
    columns=(
        ROW_NUMBER,
        village_code_column(header_required=False),
        village_column(),
        district_column(header_required=False),
        regency_column(),
        Column("year", "year", ("Tahun", "Year", "Periode", "Tahun Data"),
               "Reference year of the count (from the title, sheet or file name when there is no column)",
               header_required=False),
        Column("msme_micro", "integer", ("Mikro", "Usaha Mikro", "Jumlah Usaha Mikro", "Jumlah Usaha Mikro",
                                         "UMKM Mikro", "Micro"), "Micro enterprises", min_value=0, unit="units"),
        Column("msme_small", "integer", ("Kecil", "Usaha Kecil", "Jumlah Usaha Kecil", "UMKM Kecil", "Small"),
               "Small enterprises", min_value=0, unit="units"),
        Column("msme_medium", "integer", ("Menengah", "Usaha Menengah", "Jumlah Usaha Menengah",
                                          "UMKM Menengah", "Medium"),
               "Medium enterprises", min_value=0, unit="units"),
        Column("population", "integer", ("Jumlah Penduduk", "Penduduk", "Penduduk (jiwa)", "Jumlah Penduduk (jiwa)",
                                         "Population"),
               "Resident population", required=False, header_required=False, min_value=0, unit="persons"),
    ),
)
