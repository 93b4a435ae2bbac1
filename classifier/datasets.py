"""Score a Parquet dataset (a directory or glob of Parquet files) into a directory of Parquet parts.

:func:`score_dataset` runs in this process (``engine="local"``, file by file
through :func:`~classifier.scoring.score_file`) or on a Dask cluster
(``engine="dask"``: a local cluster of worker processes, or the scheduler at
``scheduler``). The parts are written to a staging directory beside the
output and renamed into place at the end, so a failed run leaves no partial
output and an earlier one whole.
"""

from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path

from classifier.errors import InvalidValueError, TableReadError
from classifier.model import ITWorkClassifier
from classifier.outputs import check_output_target
from classifier.scoring import (
    PRIOR_SAMPLE_ROWS,
    ScoreSummary,
    _has_text,
    check_input_columns,
    resolve_model,
    score_file,
    summarize,
)

__all__ = ["score_dataset", "dataset_files", "is_dataset", "ENGINES"]

ENGINES = ("local", "dask")
_PARQUET = (".parquet", ".pq")


def is_dataset(input: str | os.PathLike) -> bool:
    """Whether ``input`` names a dataset (a directory, or a glob pattern) rather than one file."""
    text = str(input)
    return text != "-" and (Path(text).is_dir() or any(char in text for char in "*?["))


def dataset_files(input: str | os.PathLike) -> list[Path]:
    """The Parquet files of a dataset, sorted: a directory's (recursively, hidden files skipped), a glob's matches.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("b.parquet", "a.parquet", "_SUCCESS"):
    ...     _ = (folder / name).write_bytes(b"")
    >>> [path.name for path in dataset_files(folder)]
    ['a.parquet', 'b.parquet']
    """
    text = str(input)
    if Path(text).is_dir():
        files = [
            path
            for path in Path(text).rglob("*")
            if path.is_file()
            and path.suffix.lower() in _PARQUET
            and not any(part.startswith((".", "_")) for part in path.relative_to(text).parts)
        ]
        where = f"directory {text}"
    else:
        files = [Path(match) for match in glob.glob(text, recursive=True) if Path(match).is_file()]
        where = f"pattern {text}"
        others = [str(path) for path in files if path.suffix.lower() not in _PARQUET]
        if others:
            raise TableReadError(
                f"{where} matches files that are not Parquet: {', '.join(sorted(others)[:3])}; "
                "datasets are read as Parquet, so narrow the pattern to *.parquet"
            )
    if not files:
        raise TableReadError(f"{where} holds no Parquet files (*.parquet, *.pq); check the path")
    return sorted(files)


def score_dataset(
    input: str | os.PathLike,
    output: str | os.PathLike,
    model: ITWorkClassifier | str | os.PathLike | None = None,
    text_column: str = "text",
    engine: str = "local",
    scheduler: str | None = None,
    n_workers: int | None = None,
    overwrite: bool = False,
    prefix: str = "",
    min_confidence: float | None = None,
    priors: str | dict[str, float] | None = None,
    explain: bool = False,
    chunk_size: int = 20_000,
    progress: bool | None = None,
) -> ScoreSummary:
    """Score every row of a Parquet dataset and write the rows with their predictions as Parquet parts in ``output``.

    ``input`` is a directory of Parquet files (read recursively) or a glob
    pattern; one file is scored too. ``output`` is a directory, refused if it
    exists unless ``overwrite``. ``engine="local"`` scores file by file in this
    process (``n_workers`` worker processes per file, as ``score_file``'s
    ``n_jobs``); ``engine="dask"`` runs :func:`classifier.dask.score` on the
    Dask scheduler at ``scheduler`` (its workers must see the model bundle and
    the files at the same paths) or on a local cluster of ``n_workers``
    processes (default: one per core). The other options are those of
    :func:`~classifier.scoring.score_file`; the summary counts every row written.
    """
    if engine not in ENGINES:
        raise InvalidValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if scheduler is not None and engine != "dask":
        raise InvalidValueError(f"a scheduler address ({scheduler}) needs engine='dask'; engine is {engine!r}")
    files = [Path(input)] if Path(input).is_file() else dataset_files(input)
    check_output_target(output, overwrite, what="output directory", directory=True)
    import pyarrow.parquet as pq

    try:
        columns = pq.read_schema(files[0]).names
    except Exception as error:  # pyarrow raises several types for a file that is not Parquet
        raise TableReadError(f"{files[0]} cannot be read as parquet: {error}") from error
    import pandas as pd

    check_input_columns(pd.DataFrame(columns=columns), text_column, prefix, str(files[0]), explain)
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the output is an ordinary directory
    try:
        options = dict(prefix=prefix, min_confidence=min_confidence, explain=explain)
        if engine == "local":
            summary = _score_locally(
                files, staging, model, text_column, priors, chunk_size, n_workers, progress, options
            )
        else:
            summary = _score_on_dask(files, staging, model, text_column, priors, scheduler, n_workers, options)
        from classifier.persistence import _replace_directory

        _replace_directory(staging, target)
    except BaseException:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary


def _sample(files: list[Path], text_column: str) -> list[str]:
    import pyarrow.parquet as pq

    texts: list[str] = []
    for path in files:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=20_000, columns=[text_column]):
            texts += [text for text in batch.column(0).to_pylist() if _has_text(text)]
            if len(texts) >= PRIOR_SAMPLE_ROWS:
                return texts[:PRIOR_SAMPLE_ROWS]
    return texts


def _score_locally(files, staging, model, text_column, priors, chunk_size, n_workers, progress, options):
    from classifier.scoring import with_priors

    model = resolve_model(model)
    summary = ScoreSummary()
    if priors is not None:  # once for the whole dataset, not per file
        model, summary.label_priors = with_priors(model, priors, lambda: _sample(files, text_column))
    for number, path in enumerate(files):
        part = staging / f"part-{number:05d}.parquet"
        summary.add(
            score_file(
                path,
                part,
                model=model,
                text_column=text_column,
                chunk_size=chunk_size,
                n_jobs=n_workers,
                progress=progress,
                **options,
            )
        )
    return summary


def _score_on_dask(files, staging, model, text_column, priors, scheduler, n_workers, options):
    from classifier.worker_model import require_extra

    require_extra("dask.dataframe", "dask")
    require_extra("distributed", "dask")
    import dask.dataframe as dd
    import distributed

    import classifier.dask
    from classifier.worker_model import resolve_priors

    shares = None
    if priors is not None:  # resolved here, once, so that the summary can report them
        shares = resolve_priors(resolve_model(model), priors, lambda: _sample(files, text_column))
    if scheduler is not None:
        cluster = None
        client = distributed.Client(scheduler)
    else:
        cluster = distributed.LocalCluster(
            n_workers=n_workers if n_workers and n_workers > 0 else os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = distributed.Client(cluster)
    try:
        frame = dd.read_parquet([str(path) for path in files])
        scored = classifier.dask.score(frame, text_column=text_column, model=model, priors=shares, **options)
        scored.to_parquet(str(staging), write_index=False, name_function=lambda number: f"part-{number:05d}.parquet")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    summary = _summarize_parts(staging, options["prefix"])
    summary.label_priors = shares
    return summary


def _summarize_parts(directory: Path, prefix: str) -> ScoreSummary:
    """Count what was written: the label and flag columns of every part, read back batch by batch."""
    import pyarrow.parquet as pq

    summary = ScoreSummary()
    names = [prefix + "label", prefix + "needs_review", prefix + "in_scope"]
    for path in sorted(directory.glob("*.parquet")):
        for batch in pq.ParquetFile(path).iter_batches(batch_size=200_000, columns=names):
            summary.add(summarize(batch.to_pandas(), prefix))
    return summary
