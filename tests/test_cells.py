"""Cell parsers: the number, date, code and NIK forms agencies really send."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assets.ingest.cells import (INVALID_DATE, INVALID_NIK, TYPE_ERROR, parse_amount, parse_code, parse_date,
                                 parse_integer, parse_nik, parse_year)


@pytest.mark.parametrize("raw, expected", [
    ("1.234", 1234), ("1,234", 1234), ("1.234.567", 1234567), ("-", 0), ("...", None), ("..", None), ("", None),
    (" 45 ", 45), (12.0, 12), ("-12", -12), ("3.456 jiwa", 3456), ("'1076", 1076), ("'5.201", 5201),
])
def test_integer(raw, expected):
    assert parse_integer(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["12,5", "abc", "1.23", 3.5, True, ".", "1,,"])
def test_integer_refuses_what_is_not_a_count(raw):
    assert parse_integer(raw) == (None, TYPE_ERROR)


@pytest.mark.parametrize("raw, expected", [
    ("Rp 1.500.000", 1_500_000.0), ("1.234.567,89", 1_234_567.89), ("1,234,567.89", 1_234_567.89),
    ("Rp. 2.500.000,-".replace(",-", ""), 2_500_000.0), (750000, 750000.0), ("12,5", 12.5),
    ("Rp1,5 juta", 1_500_000.0), ("1,5 jt", 1_500_000.0), ("2 juta", 2_000_000.0), ("Rp 750rb", 750_000.0),
    ("1.250 ribu", 1_250_000.0), ("1,2 Miliar", 1_200_000_000.0),
])
def test_amount(raw, expected):
    assert parse_amount(raw) == (expected, None)


@pytest.mark.parametrize("raw, expected", [
    (dt.date(2023, 8, 17), dt.date(2023, 8, 17)), (dt.datetime(2023, 8, 17, 9, 30), dt.date(2023, 8, 17)),
    (45155, dt.date(2023, 8, 17)), (45155.0, dt.date(2023, 8, 17)), ("17/08/2023", dt.date(2023, 8, 17)),
    ("17-08-2023", dt.date(2023, 8, 17)), ("2023-08-17", dt.date(2023, 8, 17)),
    ("17 Agustus 2023", dt.date(2023, 8, 17)), ("17 August 2023", dt.date(2023, 8, 17)),
    ("1 Nopember 2022", dt.date(2022, 11, 1)), ("August 17, 2023", dt.date(2023, 8, 17)),
    # A day name before and a time after add nothing; a two-digit year is this century's.
    ("Minggu, 9 Juni 2024", dt.date(2024, 6, 9)), ("Jum'at 5 Juli 2024", dt.date(2024, 7, 5)),
    ("9 Januari 2024, pukul 21.00 WIB", dt.date(2024, 1, 9)), ("17/08/2023 14:30", dt.date(2023, 8, 17)),
    ("Senin, 8 Januari 2024 jam 10:00 WITA", dt.date(2024, 1, 8)), ("17/8/23", dt.date(2023, 8, 17)),
    ("17-Agu-23", dt.date(2023, 8, 17)),
])
def test_date_forms(raw, expected):
    assert parse_date(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["31/02/2023", "2023-13-05", "17 Agustusan 2023", "kemarin", 12, 3.5, "17/08/3023",
                                 "Minggu", "pukul 21.00", "Senin, 31/02/2023"])
def test_impossible_dates_are_errors(raw):
    assert parse_date(raw) == (None, INVALID_DATE)


def test_nik():
    assert parse_nik("1901014508900001") == ("1901014508900001", None)     # woman: day 05 + 40
    assert parse_nik("1901 0145 0890 0001") == ("1901014508900001", None)
    assert parse_nik(1901014508900000.0) == (None, INVALID_NIK)            # typed in Excel as a number: lost a digit
    assert parse_nik(1901014508900001) == ("1901014508900001", None)       # a number a program wrote, whole
    assert parse_nik(1.901014508900001e15) == ("1901014508900001", None)
    assert parse_nik(9401014508900001.0) == (None, INVALID_NIK)            # beyond what a double holds exactly
    assert parse_nik("190101450890000") == (None, INVALID_NIK)             # 15 digits
    assert parse_nik("1901019913900001") == (None, INVALID_NIK)            # no such birth date


def test_a_list_keeps_its_line_breaks_as_separators():
    from assets.ingest.cells import parse_list
    assert parse_list("Kelapa Lada\n Air  Putih\r\n\nSungai Limau") == ("Kelapa Lada; Air Putih; Sungai Limau", None)
    assert parse_list("Air Duren, Kimak") == ("Air Duren, Kimak", None)


def test_codes_stay_text():
    assert parse_code(1901070006.0) == ("1901070006", None)
    assert parse_code(" 19.01.01.2001 ") == ("19.01.01.2001", None)
    assert parse_year("2023") == (2023, None) and parse_year(2023.0) == (2023, None)


@given(st.integers(min_value=0, max_value=10**12))
def test_indonesian_and_english_grouping_round_trip(n):
    indonesian = f"{n:,}".replace(",", ".")
    assert parse_integer(indonesian) == (n, None)
    assert parse_integer(f"{n:,}") == (n, None)
    assert parse_amount(f"Rp {indonesian}") == (float(n), None)


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_indonesian_decimal_amounts(whole, cents):
    text = f"{whole:,}".replace(",", ".") + f",{cents:02d}"
    assert parse_amount(text) == (pytest.approx(whole + cents / 100), None)


@given(st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_date_form_reads_back(day):
    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
              "November", "Desember"]
    for text in (day.strftime("%d/%m/%Y"), day.strftime("%d-%m-%Y"), day.isoformat(),
                 f"{day.day} {months[day.month - 1]} {day.year}", (day - dt.date(1899, 12, 30)).days):
        assert parse_date(text) == (day, None)


@pytest.mark.parametrize("raw", ["Rp -", "Rp. -", " -  ", "\u2013", "Rp0,00", "Rp -,-", "-,-", "Rp      -"])
def test_accounting_zeros_as_spreadsheets_and_finance_tools_write_them(raw):
    assert parse_amount(raw) == (0.0, None)
    assert parse_integer(raw) == (0, None)


def test_integers_written_as_floats_by_data_tools_read_as_integers_in_every_kind():
    from assets.ingest.cells import parse_identifier, parse_year
    assert parse_year("2023.0") == (2023, None) and parse_year(2023.0) == (2023, None)
    assert parse_integer("410.0") == (410, None)
    assert parse_code("1901041005.0") == ("1901041005", None)
    assert parse_code("19.01") == ("19.01", None)          # a dotted code eaten by Excel stays for the matcher
    assert parse_identifier("77021234.0") == ("77021234", None)
    assert parse_amount("Rp 1.500.000,-") == (1500000.0, None)


def test_a_serial_number_is_read_in_the_workbooks_date_system():
    from assets.ingest.cells import EXCEL_EPOCH_1904
    assert parse_date(43693) == (dt.date(2019, 8, 16), None)
    assert parse_date(43693, epoch=EXCEL_EPOCH_1904) == (dt.date(2023, 8, 17), None)
    assert parse_date("43693", epoch=EXCEL_EPOCH_1904) == (dt.date(2023, 8, 17), None)


@pytest.mark.parametrize("raw", ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "Err:502"])
def test_formula_errors_are_errors_in_every_kind_never_empty(raw):
    from assets.ingest.columns import distinct, parse_uniques
    for kind in ("text", "integer", "amount", "date", "year", "code", "identifier", "nik"):
        parsed = parse_uniques(distinct([raw, "7"]), kind)
        assert parsed.errors[0] == "formula_error", kind


def test_iso_timestamps_as_data_tools_write_them_are_dates():
    for raw in ("2023-08-17T00:00:00", "2023-08-17T10:30:00.123Z", "2023-08-17T10:30:00+07:00"):
        assert parse_date(raw) == (dt.date(2023, 8, 17), None)
