"""Reading a framework version's crosswalk to the version it follows.

The top-level `follows` names the previous version; each competency may say how it
relates to that version's competencies: `replaces: ID` (the same competency, reworded),
`merges: [ID, ID, ...]` (several old ones became this one) or `splits_from: ID` (one old
competency became several, each naming it). An old competency nothing points to has
ended. What can be checked in the file alone is checked here, by line; whether the ids
exist in the previous version is checked against the database on import
(`crosswalk.crosswalk_problems`). Documented in docs/framework-format.md ("Crosswalk").
"""

from __future__ import annotations

from yaml.nodes import ScalarNode, SequenceNode

from app.services.frameworks.field_reader import FieldMap, FieldReader
from app.services.frameworks.framework_spec import (
    CODE_HINT,
    CODE_RE,
    CROSSWALK_KINDS,
    MAX_ID,
    MAX_VERSION,
    CrosswalkEntry,
)
from app.services.frameworks.yaml_nodes import describe, kind_of, line_of

_EMPTY = ScalarNode("tag:yaml.org,2002:null", "")


class CrosswalkReader(FieldReader):
    """Collects each competency's crosswalk claim, then checks them together."""

    @property
    def claims(self) -> list[CrosswalkEntry]:
        if not hasattr(self, "_claims"):
            self._claims: list[CrosswalkEntry] = []
        return self._claims

    def crosswalk_claim(self, item: FieldMap, where: str, competency: str, replaces: str | None):
        """Note the competency's `replaces`, `merges` or `splits_from` (at most one)."""
        written = [k for k in CROSSWALK_KINDS if kind_of(item.value(k) or _EMPTY) != "empty"]
        if len(written) > 1:
            self.add(
                item.line(written[1]),
                f"{where} may declare only one of 'replaces', 'merges' and 'splits_from', "
                f"not both '{written[0]}' and '{written[1]}'",
            )
            return
        if not written or not competency:
            return
        kind = written[0]
        if kind == "replaces":
            old = (replaces,) if replaces else None
        elif kind == "splits_from":
            one = self.text(item, "splits_from", MAX_ID, pattern=CODE_RE, hint=CODE_HINT)
            old = (one,) if one else None
        else:
            old = self.merged_ids(item, where)
        if old:
            self.claims.append(CrosswalkEntry(competency, kind, old, item.line(kind)))

    def merged_ids(self, item: FieldMap, where: str) -> tuple[str, ...] | None:
        node = item.value("merges")
        line = item.line("merges")
        if not isinstance(node, SequenceNode):
            self.add(line, f"'merges' must be a list of competency ids, not {describe(node)}")
            return None
        ids: list[str] = []
        for entry in node.value:
            value = entry.value if kind_of(entry) == "text" else None
            if not isinstance(value, str) or not CODE_RE.fullmatch(value.strip()):
                self.add(
                    line_of(entry),
                    f"'merges' of {where} must list competency ids ({CODE_HINT}), "
                    f"not {describe(entry)}",
                )
                return None
            if value.strip() in ids:
                self.add(line_of(entry), f"'merges' of {where} lists '{value.strip()}' twice")
                return None
            ids.append(value.strip())
        if len(ids) < 2:
            self.add(
                line,
                f"'merges' of {where} must list at least 2 ids of the previous version, "
                f"not {len(ids)}: a competency that continues one old competency 'replaces' it",
            )
            return None
        return tuple(ids)

    def crosswalk(
        self, m: FieldMap, version: str | None
    ) -> tuple[str | None, int | None, tuple[CrosswalkEntry, ...]]:
        """The version followed, its line, and the competencies' claims, checked together."""
        follows = self.text(m, "follows", MAX_VERSION, pattern=CODE_RE, hint=CODE_HINT)
        line = m.line("follows") if follows is not None else None
        if follows is not None and follows == version:
            self.add(
                line,
                f"'follows' names this file's own version '{follows}': a version cannot "
                "follow itself (that would make a cycle)",
            )
        claims = tuple(self.claims)
        if follows is None:
            for claim in claims:
                if claim.kind != "replaces":  # `replaces` alone is recorded, as it always was
                    self.add(
                        claim.line,
                        f"'{claim.kind}' needs the top-level 'follows' naming the version "
                        "this one follows",
                    )
        self.claims_agree(claims)
        return follows, line, claims

    def claims_agree(self, claims: tuple[CrosswalkEntry, ...]) -> None:
        """An old id is replaced at most once, and a replaced, merged or split id is not
        also claimed another way; a split has at least two parts."""
        first: dict[str, CrosswalkEntry] = {}
        split_parts: dict[str, list[CrosswalkEntry]] = {}
        for claim in claims:
            for old in claim.old_ids:
                earlier = first.get(old)
                if claim.kind == "splits_from":
                    split_parts.setdefault(old, []).append(claim)
                if earlier is None:
                    first[old] = claim
                elif not (earlier.kind == claim.kind == "splits_from"):
                    self.add(claim.line, _claimed_twice(old, earlier, claim))
        for old, parts in split_parts.items():
            if len(parts) == 1 and first[old] is parts[0]:
                self.add(
                    parts[0].line,
                    f"'{old}' is split into only one competency ('{parts[0].competency}'): "
                    "a competency that continues one old competency 'replaces' it",
                )


def _claimed_twice(old: str, earlier: CrosswalkEntry, claim: CrosswalkEntry) -> str:
    if earlier.kind == claim.kind == "replaces":
        return (
            f"'{old}' of the previous version is replaced twice: by '{earlier.competency}' "
            f"(line {earlier.line}) and by '{claim.competency}'; an old competency is "
            "replaced at most once (use 'splits_from' when it became several)"
        )
    return (
        f"'{old}' of the previous version is claimed twice: '{earlier.kind}' of "
        f"'{earlier.competency}' (line {earlier.line}) and '{claim.kind}' of "
        f"'{claim.competency}'"
    )
