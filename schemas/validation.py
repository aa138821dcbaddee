"""A pandera schema for each dataset, derived from its declaration."""
from __future__ import annotations

import pandera.pandas as pa

from schemas.base import Dataset

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


def pandera_schema(dataset: Dataset) -> pa.DataFrameSchema:
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
