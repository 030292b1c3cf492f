"""Secrets found and removed in the captured git diff: detect-secrets' plugins, secret names, key blocks.

Each line is scanned by Yelp's detect-secrets plugins, called directly (no global settings,
no baseline, never its network verification), plus one plugin of ours for HTTP
Authorization values. Every secret found is replaced by "[redacted]" where it stands, the
rest of the line kept. Then the names that say secret (`API_KEY = "..."`, `pw="..."`) lose
their values and `user:password@` leaves URLs. A private-key block is redacted whole,
from its BEGIN line to its END line.

Tuned so ordinary code survives: the hex high-entropy plugin is left out (git commits,
sha256 digests and cell ids are hex and are not secrets); the base64 one flags only quoted
strings of 20+ characters with a digit whose entropy passes detect-secrets' default; in a
code file a secret name loses only a literal value (`key=len`, `key: str`, `token = get()`
stay), in any other file whatever follows `=` or `:`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

REDACTED = "[redacted]"

SECRET_NAME = re.compile(r"token|secret|passw(or)?d|pwd|key|credential|auth|private|session|cookie", re.I)
_URL_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.\-]*://)[^/@\s]+@", re.I)
# Words one of which a line must hold for the name rule, or detect-secrets' keyword plugin, to apply:
# plain substring tests on the lowered line cost a tenth of a case-blind regex search.
_NAME_WORDS = ("token", "secret", "pw", "pass", "key", "credential", "auth")
_KEYWORD_WORDS = ("key", "pass", "pwd", "secret", "contrase")
_ASSIGNMENT = "(?:(?<=\\W)|(?<=^))"  # how RegexBasedDetector.build_assignment_regex starts a pattern
_ASSIGNMENT_WORDS = ("key", "pw", "pass", "token", "secret")
_SECRET_ASSIGNMENT = re.compile(
    r"(?P<name>(?<![\w.\-])(?:[\w.\-]*?(?:token|secret|passw(?:or)?d|pwd|key|credential|auth)[\w.\-]*"
    r"|(?:[\w.\-]*_)?(?:pw|pass)(?![\w.\-]))[\"']?\s*(?:=(?!=)|:(?![:=]))\s*)"
    r"(?P<value>[rbfuRBFU]{0,2}(?P<quote>\\?[\"'])(?:(?!(?P=quote)).)*(?P=quote)?|[^\s,;]+)",
    re.I,
)
# Bound to a secret name, these are code, not a secret: a constant, an empty string, a call, a lookup.
_NOT_A_VALUE = re.compile(
    r"(?:([\"']?)(?:None|True|False|null|true|false)\1|\"\"|''|lambda\b.*|[A-Za-z_][\w.]*[(\[].*)$")
# In code, a name bound to a name, a number, a collection or an f-string with fields is no
# literal secret: `key=len`, `key: str`, `keys = [c.name]`, `key=f"run-{run_id}"`.
_CODE_TOKEN = re.compile(
    r"(?:(?:[A-Za-z_][\w.]*|[\d.]+)(?:[()\[\]{}:\"'].*)?|[(\[{].*|[rbRB]?[fF][rbRB]?[\"'].*\{.*)$")
_CODE_FILES = (".py", ".pyi", ".ipynb", ".r", ".jl", ".js", ".ts", ".java", ".scala", ".kt", ".go", ".rs",
               ".c", ".h", ".cc", ".cpp", ".cs", ".rb", ".swift", ".sql")
_KEY_BEGIN = re.compile(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-\d")
_KEY_END = re.compile(r"-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
# Inside a key block: base64 lines (bare, quoted, or JSON-escaped in a notebook), PEM headers, blank lines.
_KEY_MATERIAL = re.compile(r"\s*[\"']?[A-Za-z0-9+/=]*(?:\\n)?[\"']?,?\s*|[A-Za-z\-]+: .*")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=_\-]{40,}")
_DIFF_FILE = re.compile(r"^\+\+\+ b/(?P<path>.+?)\s*$")
_MIN_ENTROPY_LENGTH = 20
_MIN_SECRET = 8
_LEFT_OUT = {
    "HexHighEntropyString",  # hashes and ids are hex: a digest is not a secret
    "IPPublicDetector",  # an address is not a credential
    "PrivateKeyDetector",  # whole blocks are redacted by scrub_text itself
    "Base64HighEntropyString",  # added back tuned, below
    "KeywordDetector",  # called per file type, below
}


def scrub_text(text: str) -> str:
    """Text (a git diff) with every secret found replaced by REDACTED, every other character kept.

    >>> scrub_text('+headers = {"Authorization": "Bearer eyJhbGciOi.x.y"}\\n')
    '+headers = {"Authorization": "Bearer [redacted]"}\\n'
    """
    if not text:
        return text  # a clean tree: detect-secrets is not even imported (~0.5 s the first time)
    lines = text.splitlines(keepends=True)
    scanner = _Scanner("\n".join(_body(line.rstrip("\r\n")) for line in lines))
    out = []
    filename = ""
    in_key = False
    for line in lines:
        found = _DIFF_FILE.match(line)
        if found or line.startswith("diff --git "):
            filename = found.group("path") if found else ""
            in_key = False
            out.append(line)
            continue
        if in_key:
            end = _KEY_END.search(line)
            if end:
                in_key = False
                out.append(_marker(line) + REDACTED + scanner.scrub(line[end.end():], filename))
                continue
            if _KEY_MATERIAL.fullmatch(_body(line.rstrip("\r\n"))):
                out.append(_marker(line) + REDACTED + _ending(line))
                continue
            in_key = False  # the block ended without its END line (the diff shows part of it)
        begin = _KEY_BEGIN.search(line)
        if begin:
            end = _KEY_END.search(line, begin.end())
            in_key = end is None
            rest = scanner.scrub(line[end.end():], filename) if end else _ending(line)
            out.append(scanner.scrub(line[:begin.start()], filename) + REDACTED + rest)
            continue
        out.append(scanner.scrub(line, filename))
    return "".join(out)


def remove_userinfo(text: str) -> str:
    """Text with every `user:password@` (and `token@`) taken out of the URLs in it."""
    return _URL_USERINFO.sub(lambda m: m.group("scheme"), text)


class _Scanner:
    """detect-secrets' plugins, narrowed to those with a match anywhere in the text.

    Most plugins find nothing in a diff; one search of the whole text rules each of them
    out, instead of one search per line (a 1 MB diff: seconds -> a fraction of one).
    """

    def __init__(self, text: str) -> None:
        plugins, self.keyword, self.base64 = _plugins()
        # detect-secrets' assignment patterns (`ibm_api_key = ...`) need one of these words, and are
        # the slowest to search: they search only the lines that hold one.
        worded = "\n".join(line for line in text.split("\n")
                           if any(word in line.lower() for word in _ASSIGNMENT_WORDS))
        self.plugins = [p for p, multiline in plugins
                        if any(rx.search(worded if _ASSIGNMENT in rx.pattern else text) for rx in multiline)]

    def scrub(self, line: str, filename: str) -> str:
        """One line with what a plugin or a secret name points at replaced by REDACTED."""
        line = remove_userinfo(line)
        marker = _marker(line)
        body = line[len(marker):]
        for start, end in reversed(_merged(self._spans(body))):
            body = body[:start] + REDACTED + body[end:]
        line = marker + body
        for secret in sorted(set(self._detected(body, filename)), key=len, reverse=True):
            line = _replace(line, secret)
        lowered = line.lower()
        if any(word in lowered for word in _NAME_WORDS):
            in_code = filename.lower().endswith(_CODE_FILES)
            line = _SECRET_ASSIGNMENT.sub(lambda m: _redact_assignment(m, in_code), line)
        return line

    def _spans(self, body: str) -> list[tuple[int, int]]:
        """Where the regex plugins' secrets stand: the last group a pattern captures, else the whole match.

        The plugins' own analyze_string yields only the group, and some patterns capture just a
        prefix (GitHub's `(ghp|gho|...)_[A-Za-z0-9_]{36}` yields "ghp"): a group shorter than a
        secret is then taken as a prefix, and the whole match is redacted.
        """
        spans = []
        for plugin in self.plugins:
            for rx in plugin.denylist:
                for match in rx.finditer(body):
                    groups = [i for i in range(1, rx.groups + 1) if match.group(i)]
                    group = groups[-1] if groups and len(match.group(groups[-1])) >= _MIN_SECRET else 0
                    start, end = match.span(group)
                    while end < len(body) and (body[end].isalnum() or body[end] == "_"):
                        end += 1  # a pattern that stops short of a longer token leaves no tail of it
                    spans.append((start, end))
        return spans

    def _detected(self, body: str, filename: str) -> list[str]:
        found = []
        lowered = body.lower()
        if any(word in lowered for word in _KEYWORD_WORDS):
            patterns = _keyword_regexes(filename)
            found += [s for s in self.keyword.analyze_string(body, denylist_regex_to_group=patterns) if s]
        entropy, limit = self.base64.calculate_shannon_entropy, self.base64.entropy_limit
        found += [s for s in self.base64.analyze_string(body)
                  if len(s) >= _MIN_ENTROPY_LENGTH and any(c.isdigit() for c in s) and entropy(s) > limit]
        # A line that is one long base64 run: key material shown without its BEGIN line.
        stripped = body.strip()
        if _BASE64_RUN.fullmatch(stripped) and entropy(stripped) > limit:
            found.append(stripped)
        return found


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _replace(line: str, secret: str) -> str:
    # Only where the secret stands alone: a one-letter password must not eat every letter of the line.
    left = r"(?<!\w)" if secret[0].isalnum() or secret[0] == "_" else ""
    right = r"(?!\w)" if secret[-1].isalnum() or secret[-1] == "_" else ""
    return re.sub(left + re.escape(secret) + right, REDACTED, line)


def _redact_assignment(match: re.Match[str], in_code: bool) -> str:
    value, quote = match.group("value"), match.group("quote")
    if REDACTED in value or _NOT_A_VALUE.match(value) or (in_code and _CODE_TOKEN.match(value)):
        return match.group(0)
    return match.group("name") + (quote or "") + REDACTED + (quote or "")


def _body(line: str) -> str:
    return line[1:] if line[:1] in "+- " else line


def _marker(line: str) -> str:
    return line[:1] if line[:1] in "+- " else ""


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


@functools.cache
def _plugins() -> tuple[list[tuple[Any, list[re.Pattern[str]]]], Any, Any]:
    """detect-secrets' plugins, each made once (imported on first use: a clean tree pays nothing).

    Each regex plugin comes with its patterns in MULTILINE form, for one search of a whole
    text: ^ and $ then match at each of its lines, as they do on a line alone.
    """
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString
    from detect_secrets.plugins.keyword import KeywordDetector

    classes = get_mapping_from_secret_type_to_class().values()
    plugins = [cls() for cls in classes if cls.__name__ not in _LEFT_OUT]
    multiline = [(p, [re.compile(rx.pattern, rx.flags | re.MULTILINE) for rx in p.denylist])
                 for p in [*plugins, _authorization_detector()]]
    return multiline, KeywordDetector(), Base64HighEntropyString()


def _authorization_detector() -> Any:
    """A detect-secrets plugin for HTTP credentials: `Authorization: Bearer ...`, `Basic ...`, `token ...`."""
    from detect_secrets.plugins.base import RegexBasedDetector

    class AuthorizationDetector(RegexBasedDetector):
        secret_type = "HTTP Authorization"  # noqa: S105 (a label, not a password)
        denylist = (
            re.compile(r"\b(?:bearer|basic|digest)\s+([A-Za-z0-9\-._~+/]{8,}=*)", re.I),
            re.compile(r"authorization[\"']?\s*[:=]\s*[\"']?(?!(?:bearer|basic|digest|token)\b)"
                       r"([A-Za-z0-9\-._~+/]{8,}=*)", re.I),
            re.compile(r"authorization[\"']?\s*[:=]\s*[\"']?token\s+([A-Za-z0-9\-._~+/]{8,}=*)", re.I),
        )

    return AuthorizationDetector()


@functools.cache
def _keyword_regexes(filename: str) -> dict[Any, int]:
    """detect-secrets' keyword patterns for this kind of file (quoted values in code, bare ones in config)."""
    from detect_secrets.plugins.keyword import QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP, REGEX_BY_FILETYPE
    from detect_secrets.util.filetype import determine_file_type

    return REGEX_BY_FILETYPE.get(determine_file_type(filename), QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)
