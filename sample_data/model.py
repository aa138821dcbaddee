"""The administrative model: provinces > regencies > districts > villages, in two decree versions."""
from __future__ import annotations

from dataclasses import dataclass, field

NEW_VERSION_FROM = 2023  # the 2023 decree applies from this year on; the 2020 decree before


@dataclass(eq=False)
class Province:
    code: str
    name: str
    bps_name: str
    regencies: list["Regency"] = field(default_factory=list)


@dataclass(eq=False)
class Regency:
    code: str
    name: str        # "Kabupaten Bangka", "Kota Pangkal Pinang"
    short: str       # sheet name: "Bangka", "Kota Pangkal Pinang"
    bps_code: str    # 4 digits
    bps_name: str
    polres: str      # "POLRES BANGKA"
    style: str       # name style: "malay" or "java"
    province: Province
    districts: list["District"] = field(default_factory=list)


@dataclass(eq=False)
class District:
    code: str
    name: str
    regency: Regency
    bps_code: str = ""   # 7 digits
    villages: list["Village"] = field(default_factory=list)

    @property
    def polsek(self) -> str:
        return f"Polsek {self.name}"


@dataclass(eq=False)
class Village:
    code: str            # current (2023 decree) dotted Kemendagri code
    name: str            # current name
    vtype: str           # current type: "desa" / "kelurahan"
    district: District
    bps_code: str = ""
    bps_name: str = ""
    old_code: str | None = None    # code under the 2020 decree when it differs
    old_name: str | None = None    # name under the 2020 decree when it differs
    since: int = 2020              # first year the village exists (2023 for the added one)
    safe: bool = False             # near-identical partner exists: write only trivial variants
    tags: set = field(default_factory=set)

    @property
    def regency(self) -> Regency:
        return self.district.regency

    @property
    def province(self) -> Province:
        return self.district.regency.province

    @property
    def undotted(self) -> str:
        return self.code.replace(".", "")

    def exists(self, year: int) -> bool:
        return year >= self.since

    def name_in(self, year: int) -> str:
        if self.old_name and year < NEW_VERSION_FROM:
            return self.old_name
        return self.name

    def code_in(self, year: int) -> str:
        if self.old_code and year < NEW_VERSION_FROM:
            return self.old_code
        return self.code

    def vtype_in(self, year: int) -> str:
        return "kelurahan" if self.code_in(year).split(".")[3][0] == "1" else "desa"


@dataclass
class Gazetteer:
    provinces: list[Province]
    changes: list[dict] = field(default_factory=list)
    ambiguous: list[dict] = field(default_factory=list)

    def regencies(self, province: str | None = None) -> list[Regency]:
        return [r for p in self.provinces if province in (None, p.code) for r in p.regencies]

    def districts(self, province: str | None = None) -> list[District]:
        return [d for r in self.regencies(province) for d in r.districts]

    def villages(self, province: str | None = None, year: int | None = None) -> list[Village]:
        out = [v for d in self.districts(province) for v in d.villages]
        if year is not None:
            out = [v for v in out if v.exists(year)]
        return sorted(out, key=lambda v: v.code)
