"""What happens when a run ends: alert actions, fired through one run-ended hook."""
