"""Every agency dataset, declared once."""
from schemas.base import Column, Dataset
from schemas.msme import MSME_VILLAGE_COUNT
from schemas.police import BHABINKAMTIBMAS_ACTIVITY, BHABINKAMTIBMAS_ASSIGNMENT, CRIME_REPORT
from schemas.program import PROGRAM_PARTICIPATION, VILLAGE_COOPERATIVE

DATASETS: dict[str, Dataset] = {d.name: d for d in (
    MSME_VILLAGE_COUNT, PROGRAM_PARTICIPATION, VILLAGE_COOPERATIVE, CRIME_REPORT,
    BHABINKAMTIBMAS_ASSIGNMENT, BHABINKAMTIBMAS_ACTIVITY,
)}

SOURCES = ("bps", "koperasi", "polda")


def datasets_for_source(source: str) -> list[Dataset]:
    return [d for d in DATASETS.values() if d.source == source]


__all__ = ["Column", "Dataset", "DATASETS", "SOURCES", "datasets_for_source"]
