"""What a notebook declares: its file, its sha256, and its parameters cell."""

from __future__ import annotations

import ast
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbtrack.errors import InvalidNotebook, NotebookNotFound
from nbtrack.limits import check_path


@dataclass(frozen=True)
class DeclaredParam:
    """One name assigned in the cell tagged `parameters`, as papermill sees it."""

    name: str
    type_name: str  # papermill's inferred type, "None" when unknown
    default_source: str  # the default as written in the cell
    help: str = ""

    @property
    def kind(self) -> str:
        """The declared type: the annotation if there is one, else the literal default's type."""
        if self.type_name not in ("None", ""):
            return self.type_name
        default = self.default
        if default is None or (isinstance(default, str) and default == self.default_source):
            return "None"  # no literal default: nothing to check against
        return type(default).__name__

    @property
    def default(self) -> Any:
        """The default as a value when it is a literal, else its source text."""
        try:
            return ast.literal_eval(self.default_source)
        except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
            return self.default_source


def read_notebook(path: str | os.PathLike[str], label: str | None = None) -> tuple[Any, bytes]:
    """Load and validate a notebook file; returns the node and the file's bytes.

    Errors name it by label (the path as the caller gave it), else by its path.
    """
    source = Path(check_path("the notebook path", os.fspath(path)))
    label = str(source) if label is None else label
    if not source.is_file():
        raise NotebookNotFound(f"notebook {label} does not exist; check the path")
    raw = source.read_bytes()
    return parse_notebook(raw, label), raw


def parse_notebook(raw: bytes, label: str = "notebook") -> Any:
    """A notebook node from bytes, or InvalidNotebook naming what is wrong."""
    import nbformat
    from nbformat.reader import NotJSONError

    try:
        node = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except (UnicodeDecodeError, json.JSONDecodeError, NotJSONError) as exc:
        raise InvalidNotebook(f"{label} is not a Jupyter notebook ({_first_line(exc)}); pass an .ipynb file") from None
    except (nbformat.ValidationError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidNotebook(
            f"{label} is not a valid notebook ({_first_line(exc)}); open and save it in JupyterLab to repair it"
        ) from None
    try:
        nbformat.validate(node)
    except nbformat.ValidationError as exc:
        raise InvalidNotebook(
            f"{label} is not a valid notebook ({_first_line(exc)}); open and save it in JupyterLab to repair it"
        ) from None
    return node


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "message", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def sha256_hex(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def declared_params(nb: Any) -> dict[str, DeclaredParam]:
    """The parameters a notebook declares, as papermill's translator reads its parameters cell."""
    from papermill.translators import papermill_translators
    from papermill.utils import nb_kernel_name, nb_language

    cell = next((c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        return {}
    try:
        translator = papermill_translators.find_translator(nb_kernel_name(nb), nb_language(nb))
        found = translator.inspect(cell)
    except (ValueError, NotImplementedError, KeyError) as exc:
        raise InvalidNotebook(
            f"cannot read the parameters cell ({exc}); give the notebook a kernelspec, such as python3"
        ) from None
    return {
        p.name: DeclaredParam(p.name, str(p.inferred_type_name), str(p.default), str(p.help or ""))
        for p in found
    }


def effective_params(declared: dict[str, DeclaredParam], given: dict[str, Any]) -> dict[str, Any]:
    """Declared defaults overridden by the values given for this execution."""
    values = {name: p.default for name, p in declared.items()}
    values.update(given)
    return values
