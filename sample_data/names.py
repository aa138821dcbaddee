"""Invented Indonesian-sounding names: villages, districts, people, businesses."""
from __future__ import annotations

import random

# --- places -----------------------------------------------------------------
MALAY_FIRST = [
    "Air", "Sungai", "Tanjung", "Pulau", "Kampung", "Gunung", "Batu", "Bukit", "Teluk",
    "Lubuk", "Pangkal", "Simpang", "Tanah", "Padang", "Muara", "Pasir", "Rantau", "Kuala",
    "Parit", "Labu", "Kelapa", "Tebing",
]
MALAY_SECOND = [
    "Duren", "Selan", "Mesu", "Lintang", "Bulin", "Ranggas", "Kelapa", "Nyiur", "Cempaka",
    "Mentas", "Limau", "Rambai", "Pinang", "Petaling", "Gantung", "Jelutung", "Lumut",
    "Keruing", "Bedaun", "Kemang", "Ruai", "Nangka", "Tebu", "Puding", "Besar", "Kecil",
    "Baru", "Jaya", "Indah", "Merah", "Putih", "Hitam", "Panjang", "Laut", "Raya", "Tengah",
    "Bunga", "Mulia", "Sari", "Harapan", "Makmur", "Permai", "Terentang", "Kundur", "Jeruk",
    "Bulang", "Rusa", "Lada", "Tembelok", "Nibung", "Ulin", "Perak", "Timah", "Gelam",
    "Ketapang", "Rengas", "Pelawan", "Kepayang", "Cendul", "Nyatoh", "Jelitik", "Bakung",
]
ONSETS = ["b", "k", "p", "s", "t", "m", "l", "r", "g", "d", "j", "c", "ny", "ng", "n", "w", "h"]
VOWELS = ["a", "a", "e", "i", "u", "o", "u"]
CODAS = ["", "", "n", "ng", "k", "t", "s", "r", "l", "h", "m"]

JAVA_PREFIX = [
    "Sido", "Sumber", "Kedung", "Karang", "Tegal", "Wono", "Bangun", "Jati", "Mulyo",
    "Tunggul", "Banjar", "Kali", "Suko", "Rejo", "Ngadi", "Pucang", "Gedong", "Bulu",
    "Tlogo", "Sugih", "Tambak", "Kebon", "Simo", "Sendang", "Ngampel", "Prambon", "Gading",
    "Pakis", "Tawang", "Jambu", "Boto", "Mojo", "Kembang", "Ngulah", "Ploso", "Cepoko",
]
JAVA_SUFFIX = [
    "rejo", "mulyo", "harjo", "agung", "sari", "jati", "wangi", "urip", "luhur", "kerto",
    "tengah", "anyar", "lor", "kidul", "wetan", "kulon", "makmur", "rahayu", "joyo", "dadi",
    "mukti", "asri", "arum", "legi", "kembang", "waru", "mojo", "dowo", "suko", "rame",
    "purwo", "gunung", "pancur", "lanang", "manis", "tirto",
]
JAVA_SECOND_WORD = ["Anyar", "Lor", "Kidul", "Wetan", "Kulon", "Tengah", "Baru", "Jaya"]


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


_CLUSTER_BEFORE = {"n": "dtjc", "ng": "kg", "m": "bp", "r": "bdgjklmnpst"}


def syllable_word(rng: random.Random, n_syll: int | None = None) -> str:
    """A pronounceable invented word such as 'Kelubi', 'Mendarang', 'Pangkul'."""
    n = n_syll or rng.choice([2, 2, 3, 3, 3])
    word = ""
    for i in range(n):
        onset = rng.choice(ONSETS)
        if i and word[-1] not in "aeiou":
            # only natural medial clusters (nd, ngk, mb, rt ...)
            cluster = next(c for c in ("ng", "n", "m", "r") if word.endswith(c))
            allowed = [o for o in ONSETS if o in _CLUSTER_BEFORE[cluster]]
            onset = rng.choice(allowed)
        word += onset + rng.choice(VOWELS)
        if i < n - 1 and rng.random() < 0.3:
            word += rng.choice(["n", "ng", "m", "r"])
    word += rng.choice(CODAS)
    return _cap(word)


def malay_name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.62:
        return f"{rng.choice(MALAY_FIRST)} {rng.choice(MALAY_SECOND)}"
    if r < 0.75:
        return f"{rng.choice(MALAY_FIRST)} {syllable_word(rng, 2)}"
    if r < 0.85:
        return f"{syllable_word(rng)} {rng.choice(['Jaya', 'Baru', 'Indah', 'Makmur', 'Permai', 'Raya'])}"
    return syllable_word(rng)


def java_name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.8:
        prefix = rng.choice(JAVA_PREFIX)
        suffix = rng.choice(JAVA_SUFFIX)
        while prefix.lower() == suffix:
            suffix = rng.choice(JAVA_SUFFIX)
        if prefix[-1] == suffix[0]:
            return prefix + suffix[1:]
        return prefix + suffix
    if r < 0.9:
        return f"{rng.choice(JAVA_PREFIX)} {rng.choice(JAVA_SECOND_WORD)}"
    return syllable_word(rng)


def district_name(rng: random.Random, style: str) -> str:
    if style == "java":
        return java_name(rng) if rng.random() < 0.85 else syllable_word(rng)
    r = rng.random()
    if r < 0.4:
        return syllable_word(rng)
    if r < 0.7:
        return f"{syllable_word(rng, 2)} {rng.choice(['Barat', 'Timur', 'Utara', 'Selatan', 'Tengah'])}"
    return malay_name(rng)


# --- people ------------------------------------------------------------------
MALE = [
    "Ahmad", "Budi", "Agus", "Rudi", "Hendra", "Joko", "Slamet", "Bambang", "Eko", "Hadi",
    "Yusuf", "Rahmat", "Irwan", "Fajar", "Dedi", "Suryadi", "Herman", "Sutrisno", "Wahyu",
    "Andi", "Rizal", "Hasan", "Imam", "Teguh", "Arif", "Darmawan", "Fikri", "Ilham", "Bayu",
    "Sugeng", "Rohman", "Zulkifli", "Syahrial", "Amir", "Johan", "Effendi", "Ridwan", "Gunawan",
]
FEMALE = [
    "Siti", "Sri", "Dewi", "Rina", "Yuni", "Sari", "Wati", "Lestari", "Aisyah", "Fitri",
    "Ratna", "Ani", "Endang", "Suryani", "Maya", "Indah", "Putri", "Rahayu", "Kartini", "Lina",
    "Mega", "Novi", "Tuti", "Yanti", "Nurhayati", "Sumiati", "Rosmala", "Halimah", "Juwita",
]
FAMILY = [
    "Saputra", "Santoso", "Wijaya", "Hidayat", "Kurniawan", "Setiawan", "Pratama", "Susanto",
    "Syahputra", "Lim", "Tan", "Aryani", "Handayani", "Wulandari", "Purnamasari", "Rahman",
    "Hakim", "Firmansyah", "Nugroho", "Hartono", "Sulistyo", "Ramadhan", "Maulana", "Lubis",
    "Pohan", "Liong", "Chandra", "Halim", "Suhendra", "Permana",
]


def person(rng: random.Random, female: bool | None = None) -> tuple[str, bool]:
    if female is None:
        female = rng.random() < 0.45
    first = rng.choice(FEMALE if female else MALE)
    if rng.random() < 0.2:
        return first, female
    return f"{first} {rng.choice(FAMILY)}", female


# --- businesses --------------------------------------------------------------
SECTOR_KINDS = {
    "Kuliner": ["Warung Makan", "Kedai Kopi", "Pempek", "Kerupuk Ikan", "Otak-otak", "Lempah",
                "Bakso", "Martabak", "Kue Basah", "Mie Koba"],
    "Perdagangan": ["Toko Kelontong", "Toko Sembako", "Toko", "Grosir", "Pulsa & Aksesoris", "Warung"],
    "Kerajinan": ["Kerajinan Pewter", "Anyaman Pandan", "Batik Cual", "Kerajinan Kayu", "Tenun"],
    "Jasa": ["Bengkel", "Laundry", "Penjahit", "Salon", "Pangkas Rambut", "Fotokopi"],
    "Pertanian": ["Kebun Lada", "Tani Sawit", "Kebun Karet", "Sayur", "Madu Pelawan"],
    "Perikanan": ["Budidaya Ikan", "Ikan Asin", "Terasi", "Kemplang", "Kepiting"],
}
SECTORS = list(SECTOR_KINDS)
SECTOR_WEIGHTS = [0.32, 0.28, 0.08, 0.14, 0.1, 0.08]
BUSINESS_TAGS = ["Berkah", "Barokah", "Sumber Rezeki", "Maju Jaya", "Sinar Abadi", "Mandiri",
                 "Sejahtera", "Amanah", "Rezeki Lancar", "Bintang", "Harapan Baru", "Mekar", "Sentosa"]


def business(rng: random.Random, sector: str, owner: str, female: bool) -> str:
    kind = rng.choice(SECTOR_KINDS[sector])
    if rng.random() < 0.45:
        return f"{kind} {'Bu' if female else 'Pak'} {owner.split()[0]}"
    return f"{kind} {rng.choice(BUSINESS_TAGS)}"


def phone(rng: random.Random) -> str:
    digits = "8" + rng.choice(["1", "2", "5", "7", "9"]) + "".join(str(rng.randrange(10)) for _ in range(9))
    style = rng.random()
    if style < 0.5:
        return f"0{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if style < 0.75:
        return f"0{digits}"
    if style < 0.9:
        return f"+62 {digits[:3]}-{digits[3:7]}-{digits[7:]}"
    return f"0{digits[:3]} {digits[3:7]} {digits[7:]}"


STREETS = ["Merdeka", "Sudirman", "Pahlawan", "Masjid", "Raya", "Pasar", "Melati", "Mawar",
           "Kenanga", "Kartini", "Diponegoro", "Sekolah", "Pelabuhan", "Kebun", "Lintas Timur"]


def address(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"Jl. {rng.choice(STREETS)} No. {rng.randint(1, 150)}"
    return f"Dusun {rng.choice(['I', 'II', 'III', 'IV', 'Krajan', 'Tengah', 'Ujung'])} RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 5):03d}"


UNKNOWN_PLACES = ["Antah Berantah", "Durian Runtuh", "Negeri Dongeng", "Kayangan Lestari",
                  "Atlantis Baru", "Sukaentah", "Tidakada Jaya"]
