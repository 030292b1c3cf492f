"""The store's tables (SQLAlchemy Core); store/upgrades.py creates and changes them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

migrations = Table(
    "nbtrack_migrations",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("applied_at", Float, nullable=False),
)

experiments = Table(
    "experiments",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("id", String(26), nullable=False, unique=True),
    Column("experiment_pk", Integer, ForeignKey("experiments.pk"), nullable=False),
    Column("name", String(200)),
    Column("status", String(16), nullable=False),
    Column("started_at", Float, nullable=False),
    Column("ended_at", Float),
    Column("heartbeat_at", Float, nullable=False),
    Column("notebook_path", Text),
    Column("notebook_sha256", String(64)),
    Column("error_cell", Integer),
    Column("error_name", Text),
    Column("error_value", Text),
    Column("digest", Text),  # params and summaries once ended, for listing (step 0004, store/digest.py)
    Column("heartbeat_s", Float),  # the writer's heartbeat interval (step 0008); NULL: the reader's
    Column("note", Text),  # the run's Markdown note (step 0009); NULL: none
    Column("archived_at", Float),  # when it was archived (step 0009); NULL: not archived
    # Listing orders by started_at, then id (step 0006): with id in the index no sort is left.
    Index("ix_runs_started_id", "started_at", "id"),
    Index("ix_runs_experiment_started_id", "experiment_pk", "started_at", "id"),
)

# value is the JSON text (the truth); num and text copy it for indexed filtering.
params = Table(
    "params",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.pk"), primary_key=True),
    Column("key", String(250), primary_key=True),
    Column("value", Text, nullable=False),
    Column("num", Float),
    Column("text", Text),
    # run_pk last: a filter reads the matching runs from the index alone (0003).
    Index("ix_params_key_num_run", "key", "num", "run_pk"),
    Index("ix_params_key_text_run", "key", "text", "run_pk"),
)

metric_keys = Table(
    "metric_keys",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("name", String(250), nullable=False, unique=True),
)

# The points as one row each, until step 0005 moved them into metric_chunks.
metrics = Table(
    "metrics",
    metadata,
    Column("run_pk", Integer, primary_key=True, autoincrement=False),
    Column("key_pk", Integer, primary_key=True, autoincrement=False),
    Column("step", BigInteger, primary_key=True, autoincrement=False),
    Column("value", Float),  # NULL is NaN: SQLite cannot store NaN
    Column("ts", BigInteger, nullable=False),  # milliseconds since the epoch
    sqlite_with_rowid=False,
)

metric_summaries = Table(
    "metric_summaries",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.pk"), primary_key=True),
    Column("key_pk", Integer, ForeignKey("metric_keys.pk"), primary_key=True),
    Column("last", Float),
    Column("min", Float),
    Column("max", Float),
    Column("step", BigInteger, nullable=False),
    Column("count", BigInteger, nullable=False),
    Index("ix_summaries_key_last_run", "key_pk", "last", "run_pk"),
)

tags = Table(
    "tags",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.pk"), primary_key=True),
    Column("key", String(250), primary_key=True),
    Column("value", Text, nullable=False),
    Index("ix_tags_key_value_run", "key", "value", "run_pk"),
)

artifacts = Table(
    "artifacts",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.pk"), primary_key=True),
    Column("name", String(250), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("created_at", Float, nullable=False),
    Index("ix_artifacts_sha256", "sha256"),
)

records = Table(
    "records",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.pk"), primary_key=True),
    Column("kind", String(50), primary_key=True),
    Column("name", String(250), primary_key=True),
    Column("body", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

cells = Table(
    "cells",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.pk"), primary_key=True),
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("wall_s", Float, nullable=False),
    Column("cpu_s", Float),
    Column("rss_peak", BigInteger),
    Column("rss_delta", BigInteger),
    Column("status", String(16), nullable=False),
)


# The model registry (step 0002_registry): named models, numbered versions that point
# at runs, movable aliases (champion), and every alias move kept.
models = Table(
    "models",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
)

model_versions = Table(
    "model_versions",
    metadata,
    Column("model_pk", Integer, ForeignKey("models.pk"), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("run_pk", Integer, ForeignKey("runs.pk"), nullable=False),
    Column("artifact", String(250)),
    Column("created_at", Float, nullable=False),
)

model_aliases = Table(
    "model_aliases",
    metadata,
    Column("model_pk", Integer, ForeignKey("models.pk"), primary_key=True),
    Column("alias", String(100), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("since", Float, nullable=False),
)

alias_moves = Table(
    "alias_moves",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("model_pk", Integer, ForeignKey("models.pk"), nullable=False),
    Column("alias", String(100), nullable=False),
    Column("previous", Integer),
    Column("version", Integer, nullable=False),
    Column("moved_at", Float, nullable=False),
    Column("moved_by", String(200)),  # who moved it, when known (step 0010; older moves have none)
    Index("ix_alias_moves_model_alias", "model_pk", "alias", "pk"),
)


# One value per (run, key, step), up to chunks.CHUNK_POINTS (256) steps a row as packed arrays.
metric_chunks = Table(
    "metric_chunks",
    metadata,
    Column("run_pk", Integer, primary_key=True, autoincrement=False),
    Column("key_pk", Integer, primary_key=True, autoincrement=False),
    Column("first_step", BigInteger, primary_key=True, autoincrement=False),
    Column("last_step", BigInteger, nullable=False),
    Column("count", Integer, nullable=False),
    Column("steps", LargeBinary, nullable=False),  # int64, little-endian
    Column("values", LargeBinary, nullable=False),  # float64, little-endian, NaN as is
    Column("stamps", LargeBinary, nullable=False),  # int64 ms since the epoch, little-endian
    # The spans of a series without reading its blobs (a sampled read picks chunks from them).
    Index("ix_metric_chunks_spans", "run_pk", "key_pk", "last_step", "first_step"),
    sqlite_with_rowid=False,
)


# Saved views of the runs table (step 0009): a name and its filter, columns, sort and grouping as JSON.
saved_views = Table(
    "saved_views",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("body", Text, nullable=False),
    Column("updated_at", Float, nullable=False),
)
