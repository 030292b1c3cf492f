"""Coming from MLflow: import its stores, and serve its client as a tracking-store plugin."""

from nbtrack.mlflow.importer import MlflowImportReport, import_mlflow

__all__ = ["MlflowImportReport", "import_mlflow"]
