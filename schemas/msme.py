"""BPS: MSME (UMKM) counts and population per village and year."""
from schemas.base import (ROW_NUMBER, Column, Dataset, Edit, district_column, regency_column, village_code_column,
                          village_column)

MEASURES = ("msme_micro", "msme_small", "msme_medium")

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
                                         "UMKM Mikro", "Micro"), "Micro enterprises (NULL where the cell was empty or unreadable)",
               required=False, min_value=0, unit="units"),
        Column("msme_small", "integer", ("Kecil", "Usaha Kecil", "Jumlah Usaha Kecil", "UMKM Kecil", "Small"),
               "Small enterprises (NULL where the cell was empty or unreadable)", required=False, min_value=0,
               unit="units"),
        Column("msme_medium", "integer", ("Menengah", "Usaha Menengah", "Jumlah Usaha Menengah",
                                          "UMKM Menengah", "Medium"),
               "Medium enterprises (NULL where the cell was empty or unreadable)", required=False, min_value=0,
               unit="units"),
        Column("population", "integer", ("Jumlah Penduduk", "Penduduk", "Penduduk (jiwa)", "Jumlah Penduduk (jiwa)",
                                         "Population"),
               "Resident population", required=False, header_required=False, min_value=0, unit="persons"),
        Column("msme_total", "integer", ("Jumlah UMKM", "Total UMKM", "Jumlah UMKM (unit)", "Total MSME"),
               "The file's own total of micro + small + medium: read only to check them (edit_balance_total), "
               "not stored", required=False, header_required=False, min_value=0, unit="units", stored=False),
    ),
    edits=(
        Edit("balance_total", MEASURES, "micro + small + medium equal the file's total column, where it has one",
             against="msme_total"),
        Edit("subtotal_row", (*MEASURES, "population"),
             "a row whose counts are the sums of the rows right under (or above) it is a subtotal, whatever "
             "its label: left out, never placed on a village"),
        Edit("ratio_history", (*MEASURES, "population"),
             "each village's value against its own latest earlier year in the warehouse "
             "(Hidiroglou-Berthelot ratio edit)"),
        Edit("ratio_column", (*MEASURES, "population"), "a value 1,000 times above or below its column's median"),
        Edit("thousands_separator", (*MEASURES, "population"),
             "a value that read x 1,000 sits among the rest of its column (a lost thousands separator)"),
        Edit("count_domain", (*MEASURES, "population"),
             "whole counts: a column holding fractions, or micro/small/medium shares adding up to 100 (percentages)"),
        Edit("parts_within_whole", MEASURES, "the MSMEs counted in a village are fewer than its population",
             against="population"),
    ),
)
