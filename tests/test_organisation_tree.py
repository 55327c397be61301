"""The organisation tree's one subtree query (and its upward walk), on a tree 3 levels deep
beside a second tree that none of it may reach."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.organisations import Organisation
from app.services.accounts.organisations import ancestors, subtree, subtree_ids


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
