"""A framework version as a CASE 1.1 package (CFPackage): the 1EdTech Competencies and
Academic Standards Exchange format other systems read frameworks in.

The package holds a CFDocument for the version, a CFItem for each domain and each
competency (`humanCodingScheme` its id, `abbreviatedStatement` its title,
`fullStatement` its description), `isChildOf` associations for the tree (competency to
domain, domain to document, `sequenceNumber` its place) and the crosswalk to the version
it follows as associations to that version's items:

- `replaces`: the old item `replacedBy` the new one, and, when the title and
  description are unchanged, the new item `exactMatchOf` the old one too;
- `merges`: each merged old item `replacedBy` the new one;
- `splits_from`: the old item `replacedBy` each part, and each part `isPartOf` it.

What CASE has no field for (the scale, evidence types, sign-off rules, standards, the
feedback rule, indicators, observation rules) travels in each object's `extensions`
under `competency-framework/v1`, written as the YAML file writes it, so importing the
package (case_import) gives back the same framework. Identifiers: case_identifiers.
Documented in docs/framework-format.md ("CASE 1.1").
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.crosswalk import CompetencyCrosswalk
from app.models.frameworks import Competency, Domain, Framework
from app.services.feedback.rules import rule_for, rule_to_dict
from app.services.frameworks import case_identifiers as ids
from app.services.frameworks.catalogue import load_framework_tree, observation_rule_of
from app.services.frameworks.crosswalk import follows_of

EXTENSION = "competency-framework/v1"
DOMAIN_TYPE, COMPETENCY_TYPE = "Domain", "Competency"
# adoptionStatus <-> status: CASE's "Adopted" is a published framework; anything else
# read from a package is provisional.
ADOPTION_STATUS = {"provisional": "Draft", "published": "Adopted"}
LANGUAGE = "en"


def package_path(code: str, version: str) -> str:
    return f"/api/v1/frameworks/{code}/versions/{version}/case"


class _Links:
    """URIs and link objects of one version's package: every object's `uri` is the
    package's address with the object's identifier as the fragment."""

    def __init__(self, framework: Framework, base_url: str) -> None:
        self.framework = framework
        self.package_uri = base_url.rstrip("/") + package_path(framework.code, framework.version)
        self.ids = ids.identifiers_of(framework.id, framework.code, framework.version)

    def uri(self, identifier: str) -> str:
        return f"{self.package_uri}#{identifier}"

    def link(self, key: str, title: str) -> dict:
        identifier = self.ids[key]
        return {"title": title, "identifier": identifier, "uri": self.uri(identifier)}


def case_package(framework_id: int, base_url: str) -> dict:
    """The CFPackage of a framework version (a fixed number of queries)."""
    tree = load_framework_tree(framework_id)
    links = _Links(tree, base_url)
    changed = tree.imported_at.isoformat(timespec="seconds")
    document = _document(tree, links, changed)
    items, associations = [], []
    for domain in tree.domains:
        items.append(_domain_item(domain, links, changed))
        associations.append(
            _association(
                links,
                ids.child_of_key(ids.domain_key(domain.code)),
                "isChildOf",
                links.link(ids.domain_key(domain.code), domain.title),
                links.link(ids.DOCUMENT, tree.title),
                changed,
                sequence=domain.position + 1,
            )
        )
        for competency in domain.competencies:
            items.append(_competency_item(competency, links, changed))
            associations.append(
                _association(
                    links,
                    ids.child_of_key(ids.competency_key(competency.code)),
                    "isChildOf",
                    links.link(ids.competency_key(competency.code), competency.title),
                    links.link(ids.domain_key(domain.code), domain.title),
                    changed,
                    sequence=competency.position + 1,
                )
            )
    associations.extend(_crosswalk(tree, links, base_url, changed))
    return {"CFDocument": document, "CFItems": items, "CFAssociations": associations}


def _document(tree: Framework, links: _Links, changed: str) -> dict:
    identifier = links.ids[ids.DOCUMENT]
    document = {
        "identifier": identifier,
        "uri": links.uri(identifier),
        "caseVersion": "1.1",
        "creator": tree.publisher or tree.title,
        "title": tree.title,
        "lastChangeDateTime": changed,
        "officialSourceURL": tree.source_url,
        "publisher": tree.publisher,
        "description": tree.description,
        "language": LANGUAGE,
        "version": tree.version,
        "adoptionStatus": ADOPTION_STATUS[tree.status],
        "extensions": {EXTENSION: _framework_extension(tree)},
    }
    return {k: v for k, v in document.items() if v is not None}


def _framework_extension(tree: Framework) -> dict:
    follows = follows_of(tree.id)
    msf = rule_for(tree.id)
    extension = {
        "id": tree.code,
        "follows": follows.version if follows is not None else None,
        "scale": [{"id": s.code, "label": s.label, "proficient": s.proficient} for s in tree.scale],
        "evidence_types": [
            {"id": t.code, "label": t.label, "observed": t.observed}
            | ({"description": t.description} if t.description else {})
            for t in tree.evidence_types
        ],
        "sign_off": _rule(tree),
        "standards": [{"id": s.code, "title": s.title} for s in tree.standards] or None,
        "msf": rule_to_dict(msf) if msf is not None else None,
    }
    return {k: v for k, v in extension.items() if v is not None}


def _rule(holder: Framework | Competency) -> dict:
    return {
        "min_evidence": holder.min_evidence,
        "min_types": holder.min_types,
        "require_observed": holder.require_observed,
        "require_assessor_completion": holder.require_assessor_completion,
    }


def _item(links: _Links, key: str, code: str, item_type: str, changed: str) -> dict:
    identifier = links.ids[key]
    return {
        "identifier": identifier,
        "uri": links.uri(identifier),
        "humanCodingScheme": code,
        "CFItemType": item_type,
        "language": LANGUAGE,
        "lastChangeDateTime": changed,
    }


def _domain_item(domain: Domain, links: _Links, changed: str) -> dict:
    item = _item(links, ids.domain_key(domain.code), domain.code, DOMAIN_TYPE, changed)
    if domain.description:
        item |= {"abbreviatedStatement": domain.title, "fullStatement": domain.description}
    else:
        item["fullStatement"] = domain.title
    return item


def _competency_item(competency: Competency, links: _Links, changed: str) -> dict:
    key = ids.competency_key(competency.code)
    item = _item(links, key, competency.code, COMPETENCY_TYPE, changed)
    item |= {"abbreviatedStatement": competency.title, "fullStatement": competency.description}
    extension = {
        "indicators": list(competency.indicators) or None,
        "standards": [s.code for s in competency.standards] or None,
        "sign_off": _rule(competency) if competency.rule_overridden else None,
        "observations": observation_rule_of(competency),
    }
    extension = {k: v for k, v in extension.items() if v is not None}
    if extension:
        item["extensions"] = {EXTENSION: extension}
    return item


def _association(
    links: _Links,
    key: str,
    association_type: str,
    origin: dict,
    destination: dict,
    changed: str,
    sequence: int | None = None,
) -> dict:
    identifier = links.ids[key]
    association = {
        "identifier": identifier,
        "associationType": association_type,
        "uri": links.uri(identifier),
        "originNodeURI": origin,
        "destinationNodeURI": destination,
        "lastChangeDateTime": changed,
    }
    if sequence is not None:
        association["sequenceNumber"] = sequence
    return association


def _crosswalk(tree: Framework, links: _Links, base_url: str, changed: str) -> list[dict]:
    previous = follows_of(tree.id)
    if previous is None:
        return []
    old_links = _Links(previous, base_url)
    old = aliased(Competency)
    rows = db.session.execute(
        select(CompetencyCrosswalk.kind, Competency, old)
        .join(Competency, Competency.id == CompetencyCrosswalk.competency_id)
        .join(old, old.id == CompetencyCrosswalk.old_competency_id)
        .join(Domain, Domain.id == Competency.domain_id)
        .where(Competency.framework_id == tree.id)
        .order_by(Domain.position, Competency.position, CompetencyCrosswalk.id)
    ).all()
    associations = []
    for kind, new, was in rows:
        new_link = links.link(ids.competency_key(new.code), new.title)
        old_link = old_links.link(ids.competency_key(was.code), was.title)
        for association_type, origin, destination in _crosswalk_links(kind, new, was):
            key = ids.crosswalk_key(association_type, origin.code, destination.code)
            pair = (new_link, old_link) if origin is new else (old_link, new_link)
            associations.append(_association(links, key, association_type, *pair, changed))
    return associations


def _crosswalk_links(kind: str, new: Competency, was: Competency):
    """(association type, origin, destination) for one crosswalk claim."""
    yield "replacedBy", was, new
    if kind == "replaces" and (new.title, new.description) == (was.title, was.description):
        yield "exactMatchOf", new, was
    if kind == "splits_from":
        yield "isPartOf", new, was
