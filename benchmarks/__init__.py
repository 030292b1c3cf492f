"""nbtrack's speed and scale, measured side by side with MLflow, W&B and Aim (`make bench`)."""
