"""Normal forms under which evidence is compared with indicators.

Organization names go through rigour (legal forms in any script removed, case
folded), so "Kaspersky Lab ZAO", "AO Kaspersky Lab" and "Kaspersky Lab, Inc."
share one key, while "Kasper Systems" keeps its own.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote

_EMAIL = re.compile(r"<[^>]*>|\([^)]*@[^)]*\)|\S+@\S+")
_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_DN_PART = re.compile(r"(?:^|[,/])\s*(CN|O|OU)\s*=\s*(\"[^\"]*\"|[^,/]+)", re.IGNORECASE)
_EXEC = re.compile(r"[^\\/\"']+\.(?:exe|dll|sys|com|scr|msi|bin|app|sh|pl)\b", re.IGNORECASE)


@lru_cache(maxsize=65536)
def org_key(name: str) -> str:
    """A comparable key for an organization name; '' when nothing is left."""
    from rigour.names import normalize_name, remove_org_types  # on first use: rigour costs ~20 MB to import

    text = _EMAIL.sub(" ", name)
    normalized = normalize_name(text) or ""
    if not normalized:
        return ""
    bare = remove_org_types(normalized)
    bare = _PUNCT.sub(" ", bare)
    return _SPACE.sub(" ", bare).strip()


def text_key(value: str) -> str:
    """Case-folded, space-collapsed text for exact comparisons of names and ids."""
    return _SPACE.sub(" ", value.strip()).casefold()


def dn_names(subject: str) -> list[str]:
    """The CN and O values of a distinguished name, or the whole string when it is not one.

    Signers arrive as ``CN=AO Kaspersky Lab, O=AO Kaspersky Lab, L=Moscow, C=RU``,
    as ``/C=RU/O=.../CN=...``, or as a bare name (osquery's ``authority``).
    """
    parts = [value.strip().strip('"') for key, value in _DN_PART.findall(subject) if key.upper() in ("CN", "O")]
    return parts or [subject.strip()]


def basename(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].strip().strip('"')


def executables(path: str, name: str) -> list[str]:
    """File names of executables an item points at: its path (even with arguments) and its name, in order."""
    found = [m.group(0).strip().casefold() for m in _EXEC.finditer(path)]
    base = basename(path).casefold()
    if base:
        found.append(base)
    if _EXEC.fullmatch(name.strip()):
        found.append(name.strip().casefold())
    return list(dict.fromkeys(found))


def strip_extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return stem if dot and ext.lower() in ("sys", "ko", "exe", "service", "plist") else name


_TLDS = frozenset({"com", "org", "net", "io", "ru", "de", "uk", "co", "eu", "me", "info", "biz", "dev", "app"})


@lru_cache(maxsize=65536)
def package_refs(identifier: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """What a package identifier says about its maker: (reverse-DNS namespaces, domains, organization names).

    An SBOM component's identifier holds its purl, CPE and CycloneDX group, space-separated
    (``pkg:maven/com.kaspersky/sdk@1 cpe:2.3:a:kaspersky:sdk:1 group:com.kaspersky``):
    a dotted namespace is reverse DNS (``com.kaspersky`` → ``kaspersky.com``), a Go
    namespace starts with a host name, a plain namespace (npm scope, GitHub owner,
    Composer vendor) and a CPE vendor are organization names.
    """
    spaces: set[str] = set()
    domains: set[str] = set()
    orgs: set[str] = set()
    for token in identifier.split():
        for namespace, go in _namespaces(token):
            _classify(namespace, go, spaces, domains, orgs)
        vendor = _cpe_vendor(token)
        if vendor:
            orgs.add(vendor.replace("_", " ").replace("\\", ""))
    return tuple(sorted(spaces)), tuple(sorted(domains)), tuple(sorted(orgs))


def _namespaces(token: str) -> list[tuple[str, bool]]:
    if token.startswith("group:"):
        return [(token[6:], False)]
    if not token.startswith("pkg:"):
        return []
    kind, namespace = _purl_namespace(token)
    return [(namespace, kind == "golang")] if namespace else []


def _purl_namespace(purl: str) -> tuple[str, str]:
    """Type and namespace of ``pkg:type/namespace/name@version?qualifiers#subpath`` (purl spec, percent-decoded)."""
    body = purl[4:].lstrip("/").split("#", 1)[0].split("?", 1)[0]
    segments = body.split("/")
    if len(segments) < 3:
        return segments[0].lower(), ""
    return segments[0].lower(), "/".join(unquote(s) for s in segments[1:-1] if s)


def _classify(namespace: str, go: bool, spaces: set[str], domains: set[str], orgs: set[str]) -> None:
    first = namespace.strip("/").split("/")[0].lstrip("@").lower()
    if not first:
        return
    if go and "." in first:
        domains.add(first)
        return
    labels = first.split(".")
    if len(labels) > 1 and labels[0] in _TLDS:
        spaces.add(first)
        domains.add(f"{labels[1]}.{labels[0]}")
    elif len(labels) == 1:
        orgs.add(first)


def _cpe_vendor(token: str) -> str:
    if token.startswith("cpe:2.3:"):
        parts = token.split(":")
        return parts[3] if len(parts) > 3 and parts[3] not in ("*", "-") else ""
    if token.startswith("cpe:/"):
        parts = token[5:].split(":")
        return parts[1] if len(parts) > 1 else ""
    return ""
