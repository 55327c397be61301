"""The organisation tree's closure (its subtree and upward lookups, kept through creates and
moves), on a tree 3 levels deep beside a second tree that none of it may reach."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from app.extensions import db
from app.models.organisations import Organisation, OrganisationPath
from app.services.accounts import organisations
from app.services.accounts.organisations import (
    ancestors,
    paths_from_parents,
    subtree,
    subtree_ids,
)
from app.services.errors import DomainError


@pytest.fixture
def tree(make_org) -> dict[str, Organisation]:
    region = make_org("North region", "region")
    hub = make_org("North hub", "training-hub", region)
    practices = [make_org(name, "practice", hub) for name in ("Riverside", "Hillside")]
    other = make_org("South region", "region")
    return {
        "region": region,
        "hub": hub,
        "riverside": practices[0],
        "hillside": practices[1],
        "other": other,
        "other practice": make_org("Seaside", "practice", other),
    }


def ids(tree: dict[str, Organisation], *names: str) -> set[int]:
    return {tree[name].id for name in names}


def test_a_subtree_is_the_organisation_and_everything_below_it(tree):
    assert subtree_ids(tree["region"].id) == ids(tree, "region", "hub", "riverside", "hillside")
    assert subtree_ids(tree["hub"].id) == ids(tree, "hub", "riverside", "hillside")
    assert subtree_ids(tree["riverside"].id) == ids(tree, "riverside")
    assert subtree_ids(tree["other"].id) == ids(tree, "other", "other practice")


def test_two_named_subtrees_in_one_query_narrow_each_other(tree):
    region, hub = subtree(tree["region"].id, "region_tree"), subtree(tree["hub"].id, "hub_tree")
    found = db.session.scalars(
        select(Organisation.id).where(
            Organisation.id.in_(select(region.c.id)), Organisation.id.in_(select(hub.c.id))
        )
    )
    assert set(found) == ids(tree, "hub", "riverside", "hillside")


def test_ancestors_are_the_organisations_whose_subtree_holds_it(tree):
    chain = ancestors(tree["riverside"].id)
    assert set(db.session.scalars(select(chain.c.id))) == ids(tree, "riverside", "hub", "region")
    for name, org in tree.items():
        holds = tree["riverside"].id in subtree_ids(org.id)
        assert holds == (name in {"riverside", "hub", "region"}), name


def stored_paths() -> set[tuple[int, int, int]]:
    return {
        tuple(row)
        for row in db.session.execute(
            select(
                OrganisationPath.ancestor_id, OrganisationPath.descendant_id, OrganisationPath.depth
            )
        )
    }


def walked_paths() -> set[tuple[int, int, int]]:
    return {tuple(row) for row in db.session.execute(paths_from_parents())}


def test_the_stored_paths_are_those_the_parents_imply_with_their_depths(tree):
    assert stored_paths() == walked_paths()
    region, hub, riverside = (tree[name].id for name in ("region", "hub", "riverside"))
    assert {(a, n) for a, d, n in stored_paths() if d == riverside} == {
        (riverside, 0),
        (hub, 1),
        (region, 2),
    }


def test_moving_an_organisation_carries_everything_below_it(tree, make_user):
    admin = make_user(("admin",))
    hub = tree["hub"]
    organisations.update_organisation(
        hub, name=hub.name, kind=hub.kind, parent=tree["other"], actor=admin
    )
    db.session.commit()
    assert stored_paths() == walked_paths()
    assert subtree_ids(tree["region"].id) == ids(tree, "region")
    assert subtree_ids(tree["other"].id) == ids(
        tree, "other", "other practice", "hub", "riverside", "hillside"
    )
    chain = ancestors(tree["hillside"].id)
    assert set(db.session.scalars(select(chain.c.id))) == ids(tree, "hillside", "hub", "other")

    # To the top of a tree of its own, and a refusal to go inside itself changes nothing.
    organisations.update_organisation(hub, name=hub.name, kind=hub.kind, parent=None, actor=admin)
    db.session.commit()
    assert stored_paths() == walked_paths()
    assert subtree_ids(tree["other"].id) == ids(tree, "other", "other practice")
    before = stored_paths()
    with pytest.raises(DomainError, match="inside itself"):
        organisations.update_organisation(
            hub, name=hub.name, kind=hub.kind, parent=tree["riverside"], actor=admin
        )
    db.session.rollback()
    assert stored_paths() == before


def test_a_rebuild_writes_the_paths_again_from_the_parents_alone(tree):
    expected = stored_paths()
    db.session.execute(delete(OrganisationPath))
    organisations.rebuild_paths()
    db.session.commit()
    assert stored_paths() == expected
