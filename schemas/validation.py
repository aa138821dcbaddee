"""A pandera schema for each dataset, derived from its declaration."""
from __future__ import annotations

import importlib.util
import sys

import pandera.pandas as pa

from schemas.base import Dataset

# pandera asks for geopandas on every column's dtype check ("from geopandas.array import ..." inside a
# try), and a module that is not installed is searched for on sys.path again each time: a third of a
# large table's validation. Not installed here, so it is said once.
if "geopandas" not in sys.modules and importlib.util.find_spec("geopandas") is None:
    sys.modules["geopandas"] = None

PANDAS_DTYPE = {
    "text": object, "list": object, "code": object, "nik": object, "identifier": object,
    "integer": "Int64", "year": "Int64", "amount": "float64", "date": "datetime64[ns]",
}

# pandera check names -> the error code the agency sees.
CHECK_CODES = {
    "not_nullable": "missing_value",
    "greater_than_or_equal_to": "negative_value",
    "isin": "not_in_vocabulary",
}


_SCHEMAS: dict[str, tuple[Dataset, pa.DataFrameSchema]] = {}


def pandera_schema(dataset: Dataset) -> pa.DataFrameSchema:
    """The dataset's schema: each column's pandas dtype, nullable unless required, its minimum and
    allowed values as checks; made once per process (a dataset is declared once, in schemas/)."""
    known = _SCHEMAS.get(dataset.name)
    if known is not None and known[0] is dataset:
        return known[1]
    schema = _schema(dataset)
    _SCHEMAS[dataset.name] = (dataset, schema)
    return schema


def _schema(dataset: Dataset) -> pa.DataFrameSchema:
    columns = {}
    for column in dataset.columns:
        checks = []
        if column.min_value is not None:
            checks.append(pa.Check.ge(column.min_value))
        if column.allowed:
            checks.append(pa.Check.isin(list(column.allowed)))
        columns[column.name] = pa.Column(PANDAS_DTYPE[column.kind], checks=checks, nullable=not column.required,
                                         required=False, coerce=False)
    return pa.DataFrameSchema(columns, strict=False, name=dataset.name)


def check_code(check: str) -> str:
    return CHECK_CODES.get(str(check).split("(")[0], "constraint_error")
