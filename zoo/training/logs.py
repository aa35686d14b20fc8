"""metrics.csv that survives a resume: rows after the checkpoint's step are dropped."""

from __future__ import annotations

import csv
from pathlib import Path

from zoo.hub.atomic import write_text_atomic


class MetricsLog:
    """Append-only CSV of (step, name=value...) rows, flushed on every write.

    Example:
        >>> log = MetricsLog(run_dir / "metrics.csv", ["loss", "lr"], resume_step=None)
        >>> log.write(10, loss=0.1, lr=0.01)
    """

    def __init__(self, path: Path, fields: list[str], resume_step: int | None) -> None:
        self.path, self.fields = path, ["step", *fields]
        if resume_step is not None and path.is_file():
            with path.open(newline="") as f:
                rows = [r for r in csv.reader(f)][1:]
            kept = [r for r in rows if r and int(r[0]) <= resume_step]
            lines = [",".join(self.fields)] + [",".join(r) for r in kept]
            write_text_atomic(path, "\n".join(lines) + "\n")
        else:
            write_text_atomic(path, ",".join(self.fields) + "\n")
        self._file = path.open("a", newline="")
        self._writer = csv.writer(self._file)

    def write(self, step: int, **values: float) -> None:
        self._writer.writerow([step, *(f"{values[k]:.8g}" for k in self.fields[1:])])
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def read_metrics(path: Path) -> dict[str, list[float]]:
    """Columns of a metrics.csv as lists of floats."""
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return {k: [float(r[k]) for r in rows] for k in (rows[0] if rows else {})}
