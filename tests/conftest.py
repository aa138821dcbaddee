"""Shared fixtures: a tiny gazetteer with the real traps, and an isolated key file per test session."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# Files a test writes are read at once (a real inbox waits JEMBATAN_SETTLE_SECONDS, default 5, for a
# file to stop changing); a test about waiting sets its own.
os.environ["JEMBATAN_SETTLE_SECONDS"] = "0"

LIST_2020 = """level,kemendagri_code,name,parent_code,village_type
province,19,Kepulauan Bangka Belitung,,
regency,19.01,Kabupaten Bangka,19,
district,19.01.01,Sungai Jaya,19.01,
district,19.01.02,Mendo,19.01,
village,19.01.01.2001,Air Duren,19.01.01,desa
village,19.01.01.2002,Sidorejo,19.01.01,desa
village,19.01.01.2003,Sidorojo,19.01.01,desa
village,19.01.01.2004,Tanjung Lama,19.01.01,desa
village,19.01.02.2001,Air Duren,19.01.02,desa
village,19.01.02.2002,Kampung Baru,19.01.02,desa
"""
LIST_2023 = LIST_2020.replace("19.01.01.2004,Tanjung Lama", "19.01.01.2004,Tanjung Baru").replace(
    "19.01.02.2002,Kampung Baru,19.01.02,desa", "19.01.02.1002,Kampung Baru,19.01.02,kelurahan") + \
    "village,19.01.02.2003,Simpang III,19.01.02,desa\n"
BRIDGING = """level,bps_code,bps_name,kemendagri_code,kemendagri_name
regency,1901,BANGKA,19.01,KAB. BANGKA
district,1901050,SUNGAI JAYA,19.01.01,SUNGAI JAYA
district,1901031,MENDO,19.01.02,MENDO
village,1901050001,AIRDUREN,19.01.01.2001,AIR DUREN
village,1901050002,SIDOREDJO,19.01.01.2002,SIDOREJO
village,1901050003,SIDOROJO,19.01.01.2003,SIDOROJO
village,1901050004,TANJUNG BARU,19.01.01.2004,TANJUNG BARU
village,1901031001,AIR DUREN,19.01.02.2001,AIR DUREN
village,1901031002,KAMPUNG BARU,19.01.02.1002,KAMPUNG BARU
village,1901031003,SIMPANG III,19.01.02.2003,SIMPANG III
village,1901012001,SIMPANG TIGA,19.01.02.2003,SIMPANG III
"""


@pytest.fixture(scope="session", autouse=True)
def isolated_key(tmp_path_factory):
    """Tests never touch the user's pseudonym key or Dagster home."""
    from assets.pseudonym_key import write_new_key
    os.environ["JEMBATAN_KEY_FILE"] = str(tmp_path_factory.mktemp("key") / "pseudonym.key")
    write_new_key(Path(os.environ["JEMBATAN_KEY_FILE"]))
    os.environ.pop("DAGSTER_HOME", None)      # runs in tests use ephemeral Dagster instances, unless a test
    os.environ["JEMBATAN_DAGSTER_INSTANCE"] = "ephemeral"     # names its own DAGSTER_HOME
    yield


def write_reference_lists(folder: Path) -> Path:
    """The small Kemendagri lists (2020, 2023) and the BPS bridging written into `folder` (made if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("wilayah_kemendagri_2020.csv", LIST_2020), ("wilayah_kemendagri_2023.csv", LIST_2023),
                       ("bps_kemendagri_bridging.csv", BRIDGING)):
        (folder / name).write_text(text)
    return folder


@pytest.fixture
def reference_dir(tmp_path: Path) -> Path:
    return write_reference_lists(tmp_path / "inbox" / "reference")


def reference_root() -> Path:
    return Path(os.environ.get("JEMBATAN_REFERENCE", Path(__file__).resolve().parents[2] / "shared" / "reference"))
