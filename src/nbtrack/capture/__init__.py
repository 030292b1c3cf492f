"""Pure capture: objects in (notebooks, frames, estimators, figures), records or bytes out."""
