"""The portal's words, in Bahasa Indonesia (the default) and English (`?lang=en`; `?lang=id` back).

The report's own words (status, summary labels, severities, why a row was left out) come from
assets/ingest/report.py, the same the report workbook uses."""
from __future__ import annotations

LANGUAGES = ("id", "en")

TEXT: dict[str, tuple[str, str]] = {
    "portal": ("Portal Instansi jembatan", "jembatan agency portal"),
    "decisions": ("Keputusan saat membaca berkas (yang perlu diperiksa lebih dulu)",
                  "What was decided reading the file (those to check first)"),
    "decision_flagged": ("Periksa:", "Check:"),
    "switch_language": ("English", "Bahasa Indonesia"),
    "login": ("Masuk", "Log in"),
    "logout": ("Keluar", "Log out"),
    "username": ("Nama pengguna", "Username"),
    "password": ("Kata sandi", "Password"),
    "login_intro": ("Masuk dengan akun kantor Anda. Akun dibuat oleh pengelola data (steward).",
                    "Log in with your office's account. Accounts are made by the data steward."),
    "login_failed": ("Nama pengguna atau kata sandi salah.", "Wrong username or password."),
    "login_throttled": ("Terlalu banyak percobaan masuk yang gagal. Tunggu {minutes} menit, lalu coba lagi.",
                        "Too many failed logins. Wait {minutes} minutes, then try again."),
    "session_expired": ("Sesi Anda berakhir karena terlalu lama tidak aktif. Silakan masuk lagi.",
                        "Your session ended after a period without activity. Please log in again."),
    "login_required": ("Silakan masuk terlebih dahulu.", "Please log in first."),
    "logged_out": ("Anda sudah keluar.", "You have logged out."),
    "office": ("Kantor", "Office"),
    "agency": ("Instansi", "Agency"),
    "nav_files": ("Berkas kami", "Our files"),
    "nav_templates": ("Templat", "Templates"),
    "upload_title": ("Kirim berkas", "Send a file"),
    "upload_help": ("Pilih berkas Excel (.xlsx, .xlsm, .xls), ODS, XML Spreadsheet 2003 (.xml), CSV atau TXT "
                    "(paling besar {mb} MB). Berkas masuk ke folder {agency} dan dibaca pada sinkronisasi berikutnya; "
                    "balasannya muncul di sini.",
                    "Choose an Excel (.xlsx, .xlsm, .xls), ODS, XML Spreadsheet 2003 (.xml), CSV or TXT file (at most "
                    "{mb} MB). It goes into the {agency} folder and is read by the next sync; its answer shows here."),
    "file": ("Berkas", "File"),
    "send": ("Kirim", "Send"),
    "uploaded": ("Berkas {name} diterima portal dan menunggu dibaca.",
                 "File {name} was received by the portal and waits to be read."),
    "uploaded_again": ("Berkas dengan isi yang sama sudah Anda kirim sebelumnya sebagai {name}; tidak dikirim lagi.",
                       "You sent a file with the same content before, as {name}; it was not sent again."),
    "no_file": ("Pilih sebuah berkas terlebih dahulu.", "Choose a file first."),
    "unsupported_type": ("Jenis berkas {detail} tidak dapat dibaca. Kirim .xlsx, .xlsm, .xls, .ods, .xml "
                         "(XML Spreadsheet 2003), .csv atau .txt.",
                         "A {detail} file cannot be read. Send .xlsx, .xlsm, .xls, .ods, .xml (XML Spreadsheet "
                         "2003), .csv or .txt."),
    "too_large": ("Berkas terlalu besar: paling besar {mb} MB. Pisahkan menjadi beberapa berkas (misalnya per "
                  "tahun).", "The file is too large: at most {mb} MB. Split it into several files (e.g. per year)."),
    "empty": ("Berkas kosong (0 byte).", "The file is empty (0 bytes)."),
    "our_files": ("Berkas kantor {office}", "Files of {office}"),
    "no_files": ("Belum ada berkas yang dikirim lewat portal.", "No file has been sent through the portal yet."),
    "col_file": ("Berkas", "File"),
    "col_sent": ("Dikirim", "Sent"),
    "col_by": ("Oleh", "By"),
    "col_status": ("Status", "Status"),
    "col_rows": ("Baris dibaca (termasuk yang dilewati) / diterima / ditolak",
                 "Rows read (skipped ones included) / accepted / rejected"),
    "other_file": ("berkas lain (bukan kiriman kantor Anda)", "another file (not sent by your office)"),
    "replaced": ("digantikan berkas perbaikan", "replaced by a corrected file"),
    "status_waiting": ("menunggu dibaca", "waiting to be read"),
    "status_gone": ("tidak ada lagi di inbox (belum dibaca)", "no longer in the inbox (not read)"),
    "waiting_help": ("Berkas ini sedang dibaca: kiriman lewat portal langsung dibaca, biasanya dalam setengah "
                     "menit. Halaman ini memuat ulang sendiri sampai balasannya ada.",
                     "This file is being read: a file sent through the portal is read at once, usually within half "
                     "a minute. This page reloads by itself until the answer is there."),
    "gone_help": ("Berkas ini diambil dari inbox sebelum dibaca. Kirim lagi bila masih diperlukan.",
                  "This file was taken out of the inbox before it was read. Send it again if it is still needed."),
    "answer_title": ("Balasan untuk {name}", "Answer for {name}"),
    "download_workbook": ("Unduh laporan (Excel)", "Download the report (Excel)"),
    "summary": ("Ringkasan", "Summary"),
    "received_at": ("Dibaca sinkronisasi", "Read by the sync"),
    "original_name": ("Nama di komputer Anda", "Name on your computer"),
    "problems": ("Masalah berkas", "File problems"),
    "notes": ("Catatan", "Notes"),
    "year_from": ("Tahun diambil dari", "Year taken from"),
    "errors_title": ("Sel yang perlu diperbaiki ({n})", "Cells to fix ({n})"),
    "no_errors": ("Tidak ada sel yang ditolak atau ditandai.", "No cell was rejected or flagged."),
    "read_as_title": ("Nama desa yang dibaca sebagai desa lain ({n})", "Village names read as another village ({n})"),
    "read_as_help": ("Baris ini diterima, tetapi nama desanya tidak tertulis seperti di daftar resmi: dibaca sebagai "
                     "desa yang paling mirip. Periksa apakah benar, lalu tulis nama seperti di daftar desa templat "
                     "(lembar 'Desa', halaman Templat) pada berkas berikutnya.",
                     "These rows were accepted, but their village name is not written as the official list has it: "
                     "it was read as the closest village. Check that it is right, then write the name as the "
                     "template's village list has it ('Desa' sheet, Templates page) in your next file."),
    "col_read_as": ("Dibaca sebagai", "Read as"),
    "templates_link": ("Templat dan daftar desa", "Templates and the village list"),
    "col_sheet": ("Lembar", "Sheet"),
    "col_row": ("Baris", "Row"),
    "col_column": ("Kolom", "Column"),
    "col_header": ("Judul kolom", "Header"),
    "col_value": ("Isi sel", "Value as typed"),
    "col_expected": ("Seharusnya", "Expected"),
    "col_severity": ("Tingkat", "Severity"),
    "col_message": ("Pesan", "Message"),
    "skipped_title": ("Baris yang dilewati ({n})", "Rows left out ({n})"),
    "col_reason": ("Alasan", "Reason"),
    "skipped_help": ("Isi baris yang dilewati ada di laporan Excel.",
                     "The content of the rows left out is in the Excel report."),
    "how_to_fix": ("Cara memperbaiki: buka berkas Anda, perbaiki setiap sel di daftar ini (lembar, baris dan "
                   "kolom yang disebut), simpan, lalu kirim lagi di halaman Berkas kami. Berkas perbaikan untuk "
                   "data dan periode yang sama menggantikan berkas sebelumnya.",
                   "How to fix: open your file, correct every cell listed here (the sheet, row and column named), "
                   "save it, then send it again on the Our files page. A corrected file for the same data and "
                   "period replaces the earlier one."),
    "templates_title": ("Templat untuk {agency}", "Templates for {agency}"),
    "templates_help": ("Templat berisi judul kolom yang dikenali, petunjuk, pemeriksaan isian dan daftar "
                       "desa/kelurahan resmi (bila sudah ada). Isi lembar 'Data', simpan, lalu kirim.",
                       "A template holds the headers that are recognised, instructions, input checks and the "
                       "official list of villages (once there is one). Fill in the 'Data' sheet, save it and send it."),
    "download": ("Unduh", "Download"),
    "not_found": ("Halaman atau berkas tidak ditemukan.", "Page or file not found."),
    "csrf_failed": ("Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.",
                    "The form expired or is not valid. Reload the page and try again."),
    "back": ("Kembali ke Berkas kami", "Back to Our files"),
    "yes": ("ya", "yes"),
}


def text(key: str, lang: str, **fill) -> str:
    """The text of `key` in `lang` ("id" or "en"), with `fill` put in its {placeholders}."""
    words = TEXT[key][LANGUAGES.index(lang) if lang in LANGUAGES else 0]
    return words.format(**fill) if fill else words
