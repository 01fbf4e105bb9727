"""Checks on the data given to ``fit``, and the training-data fingerprint."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from credit._binning import IntArray


def check_X(X: Any) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a pandas DataFrame, got {type(X).__name__}")
    if X.shape[1] == 0 or X.shape[0] == 0:
        raise ValueError(f"X must have rows and columns, got shape {X.shape}")
    if not X.columns.is_unique:
        raise ValueError(f"X has duplicate column names: {list(X.columns[X.columns.duplicated()])}")
    return X


def check_y(y: Any, *, n_rows: int) -> IntArray:
    """``y`` is 0/1 or boolean, 1 meaning the bad outcome; NaN and one class are errors."""
    values = pd.Series(np.asarray(y).ravel() if not isinstance(y, pd.Series) else y.to_numpy())
    if len(values) != n_rows:
        raise ValueError(f"y has {len(values)} values but X has {n_rows} rows")
    if values.dtype == bool:
        values = values.astype(np.int64)
    if not pd.api.types.is_numeric_dtype(values.dtype):
        raise ValueError(f"y must be numeric 0/1 or boolean (1 = bad), got dtype {values.dtype}")
    nan_rows = np.flatnonzero(values.isna().to_numpy())
    if len(nan_rows):
        raise ValueError(
            f"y has NaN at {len(nan_rows)} row(s), first positions {nan_rows[:5].tolist()}"
        )
    odd = sorted(set(values.unique().tolist()) - {0, 1})
    if odd:
        raise ValueError(f"y must hold only 0 and 1 (1 = bad), found {odd[:5]}")
    classes = sorted(set(values.astype(np.int64).tolist()))
    if len(classes) < 2:
        raise ValueError(f"y has a single class ({classes[0]}): need both good (0) and bad (1)")
    return values.to_numpy(dtype=np.int64)


def fingerprint(X: pd.DataFrame, y: IntArray) -> str:
    """SHA-256 over column names, row values and target: changes when the data does."""
    digest = hashlib.sha256()
    digest.update("\x1f".join(map(str, X.columns)).encode())
    digest.update(pd.util.hash_pandas_object(X, index=False).to_numpy().tobytes())
    digest.update(np.ascontiguousarray(y, dtype=np.int64).tobytes())
    return digest.hexdigest()
