"""``python -m credit``: fit, evaluate, score and report from files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from credit import Scorecard
from credit.cli import main
from credit.incubator import generate_histories


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {"train": tmp_path / "train.csv", "test": tmp_path / "test.csv"}
    generate_histories(200, 3, seed=2).to_csv(paths["train"], index=False)
    generate_histories(100, 2, seed=3).to_csv(paths["test"], index=False)
    return paths


def test_fit_evaluate_score_report(files: dict[str, Path], tmp_path: Path) -> None:
    card_path, scores, report, html = (
        tmp_path / n for n in ("c.json", "s.csv", "r.json", "r.html")
    )
    common = ["--target", "bad"]
    fit = ["fit", str(files["train"]), *common, "--drop", "incubator_id", "period"]
    assert main([*fit, "--out", str(card_path)]) == 0
    card = Scorecard.from_json(card_path.read_text(encoding="utf-8"))
    assert "incubator_id" not in card.training_["columns"]

    assert (
        main(["evaluate", str(card_path), str(files["test"]), *common, "--out", str(report)]) == 0
    )
    assert 0.7 < json.loads(report.read_text(encoding="utf-8"))["auc"] <= 1.0

    assert (
        main(
            [
                "score",
                str(card_path),
                str(files["test"]),
                "--keep",
                "incubator_id",
                "--out",
                str(scores),
            ]
        )
        == 0
    )
    scored = pd.read_csv(scores)
    assert list(scored.columns) == ["incubator_id", "score", "grade", "p_bad", "reasons"]
    test = pd.read_csv(files["test"])
    assert scored["score"].to_numpy() == pytest.approx(card.score(test).to_numpy())
    assert json.loads(scored["reasons"][0]) == card.explain(test.head(1))[0]

    args = [
        "report",
        str(card_path),
        str(files["test"]),
        *common,
        "--reference",
        str(files["train"]),
    ]
    assert main([*args, "--out", str(html)]) == 0
    page = html.read_text(encoding="utf-8")
    assert page.count("<svg") == 3
    assert "Per-grade binomial check" in page
    assert "http" not in page  # nothing is loaded from the internet
    assert "<script" not in page


def test_report_for_the_shipped_rubric(files: dict[str, Path], tmp_path: Path) -> None:
    html = tmp_path / "rubric.html"
    assert (
        main(["report", "incubator_v1", str(files["test"]), "--target", "bad", "--out", str(html)])
        == 0
    )
    assert "expert rubric" in html.read_text(encoding="utf-8")


def test_errors_are_reported_not_raised(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evaluate", "incubator_v1", str(files["test"]), "--target", "nope"]) == 2
    assert "target column 'nope'" in capsys.readouterr().err
