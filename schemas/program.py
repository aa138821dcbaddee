"""Dinas Koperasi dan UKM: program participation, one row per business per program."""
from schemas.base import (DROP, PSEUDONYMISE, ROW_NUMBER, Column, Dataset, Edit, district_column, regency_column,
                          village_column)

PROGRAMS = ("KUR", "Sertifikasi Halal", "NIB", "Pelatihan", "QRIS", "Koperasi Merah Putih")
PROGRAM_SYNONYMS = (
    ("Kredit Usaha Rakyat", "KUR"), ("Sertifikat Halal", "Sertifikasi Halal"), ("Halal", "Sertifikasi Halal"),
    ("SEHATI", "Sertifikasi Halal"), ("Nomor Induk Berusaha", "NIB"), ("Bimtek", "Pelatihan"),
    ("Bimbingan Teknis", "Pelatihan"), ("Training", "Pelatihan"), ("Halal Certification", "Sertifikasi Halal"),
    ("Business Credit", "KUR"), ("KDKMP", "Koperasi Merah Putih"), ("Kopdes Merah Putih", "Koperasi Merah Putih"),
    ("Koperasi Desa Merah Putih", "Koperasi Merah Putih"), ("Koperasi Kelurahan Merah Putih", "Koperasi Merah Putih"),
)

PROGRAM_PARTICIPATION = Dataset(
    name="program_participation",
    title_id="Peserta program Dinas Koperasi dan UKM (KUR, sertifikasi halal, NIB, pelatihan, QRIS, Koperasi Merah Putih)",
    source="koperasi",
    description="Businesses taking part in the cooperative and SME agency's programs",
    fact_table="fact_program_participation",
    year_column="participation_date",
    # A participant in a program: two programs' lists of the same villages are not corrections of each other.
    row_identity=("nik", "program"),
    columns=(
        ROW_NUMBER,
        Column("business_name", "text", ("Nama Usaha", "Nama UMKM", "Nama Toko", "Business Name"),
               "Name of the business", required=False, header_required=False, personal=DROP),
        Column("owner_name", "text", ("Nama Pemilik", "Nama Pelaku Usaha", "Pemilik", "Nama Debitur", "Debitur",
                                      "Nama Penerima", "Owner Name"),
               "Owner's name", required=False, header_required=False, personal=DROP),
        Column("nik", "nik", ("NIK", "NIK Pemilik", "No KTP", "No. KTP", "Nomor Induk Kependudukan"),
               "Owner's population number (NIK); replaced by business_key", personal=PSEUDONYMISE,
               pseudonym="business_key"),
        Column("phone", "text", ("No. HP", "No HP", "Nomor HP", "No. Telp", "Telepon", "HP/WA", "No. HP/WA"),
               "Owner's phone", required=False, header_required=False, personal=DROP),
        Column("address", "text", ("Alamat", "Alamat Usaha", "Address"), "Business address", required=False,
               header_required=False, personal=DROP),
        village_column(),
        district_column(header_required=False),
        regency_column(),
        Column("sector", "text", ("Sektor", "Sektor Usaha", "Bidang Usaha", "Jenis Usaha", "Sector"),
               "Business sector", required=False, header_required=False),
        Column("program", "text", ("Program", "Jenis Program", "Nama Program", "Program Name"),
               "Program the business joined (from the title, sheet or file name when there is no column)",
               allowed=PROGRAMS, synonyms=PROGRAM_SYNONYMS),
        Column("participation_date", "date", ("Tanggal", "Tgl", "Tanggal Kegiatan", "Tanggal Realisasi", "Tanggal Terima",
                                              "Tanggal Akad", "Tanggal Terbit", "Tanggal Pelatihan", "Date"),
               "Date of participation (credit agreement, certificate, training, ...)"),
        Column("amount", "amount", ("Nilai (Rp)", "Nilai", "Jumlah (Rp)", "Plafon", "Nilai Bantuan", "Amount"),
               "Credit or grant amount", required=False, header_required=False, min_value=0, unit="rupiah"),
    ),
    edits=(
        Edit("ratio_column", ("amount",), "an amount 1,000 times above or below the column's median"),
        Edit("thousands_separator", ("amount",), "an amount that read x 1,000 sits among the rest of the column"),
        Edit("date_order", ("participation_date",), "a date breaking the order the rest of a sorted column keeps"),
        Edit("date_period", ("participation_date",),
             "a date outside the year the file states, or after the file was received"),
    ),
)

VILLAGE_COOPERATIVE = Dataset(
    name="village_cooperative",
    title_id="Daftar koperasi desa/kelurahan (Koperasi Desa/Kelurahan Merah Putih)",
    source="koperasi",
    description="Register of village cooperatives (Koperasi Desa/Kelurahan Merah Putih)",
    fact_table="fact_village_cooperative",
    year_column="established_date",
    columns=(
        ROW_NUMBER,
        Column("cooperative_name", "text", ("Nama Koperasi", "Koperasi", "Cooperative"), "Cooperative's name"),
        Column("village_code", "code", ("Kode Desa", "Kode Wilayah", "Kode Desa/Kelurahan", "Kode"),
               "Village code as sent", required=False, header_required=False),
        village_column(),
        district_column(header_required=False),
        regency_column(),
        Column("established_date", "date", ("Tanggal Berdiri", "Tgl Berdiri", "Tanggal Pendirian"),
               "Date the cooperative was established"),
        Column("members", "integer", ("Jumlah Anggota", "Anggota", "Members"), "Members", required=False,
               header_required=False, min_value=0, unit="persons"),
        Column("legal_number", "identifier", ("Nomor Badan Hukum", "No. Badan Hukum", "Nomor AHU", "No AHU"),
               "Legal entity registration number", required=False, header_required=False,
               example="AHU-0001234.AH.01.26.TAHUN 2023"),
    ),
    edits=(
        Edit("ratio_column", ("members",), "a membership 1,000 times above or below the column's median"),
        Edit("count_domain", ("members",), "whole counts: a column holding fractions or percentages"),
        Edit("date_future", ("established_date",), "a date after the file was received"),
    ),
)
