"""The CASE 1.1 package's shape in the OpenAPI document (the 1EdTech CFPackage binding,
the fields this service writes). The view answers the package as built by
app.services.frameworks.case_export; these schemas describe it, they do not filter it.
CASE's names are camelCase; the attributes are snake_case with `data_key` the CASE name."""

from __future__ import annotations

from marshmallow import Schema, fields

_EXTENSION = "`competency-framework/v1`: what CASE has no field for, as the YAML writes it"


def _text(name: str | None = None, description: str | None = None, **kwargs) -> fields.String:
    metadata = {"description": description} if description else {}
    return fields.String(data_key=name, metadata=metadata, **kwargs)


class LinkGenUri(Schema):
    title = _text(required=True)
    identifier = _text(required=True, description="UUID")
    uri = _text(required=True)


class CfDocument(Schema):
    identifier = _text(required=True, description="UUID, the same on every export")
    uri = _text(required=True)
    case_version = _text("caseVersion", "1.1")
    creator = _text(required=True, description="The publisher, else the title")
    title = _text(required=True)
    last_change = _text("lastChangeDateTime", "When the version was imported", required=True)
    official_source_url = _text("officialSourceURL")
    publisher = _text()
    description = _text()
    language = _text()
    version = _text()
    adoption_status = _text("adoptionStatus", "Draft (provisional) or Adopted (published)")
    extensions = fields.Dict(metadata={"description": _EXTENSION})


class CfItem(Schema):
    identifier = _text(required=True)
    uri = _text(required=True)
    human_coding_scheme = _text("humanCodingScheme", "The domain's or competency's id")
    item_type = _text("CFItemType", "Domain or Competency")
    language = _text()
    last_change = _text("lastChangeDateTime", required=True)
    abbreviated_statement = _text("abbreviatedStatement", "The title")
    full_statement = _text("fullStatement", "The description, else the title", required=True)
    extensions = fields.Dict(metadata={"description": _EXTENSION})


class CfAssociation(Schema):
    identifier = _text(required=True)
    association_type = _text(
        "associationType", "isChildOf, replacedBy, exactMatchOf or isPartOf", required=True
    )
    uri = _text(required=True)
    origin = fields.Nested(LinkGenUri, data_key="originNodeURI", required=True)
    destination = fields.Nested(LinkGenUri, data_key="destinationNodeURI", required=True)
    last_change = _text("lastChangeDateTime", required=True)
    sequence_number = fields.Integer(
        data_key="sequenceNumber",
        metadata={"description": "An item's place among its parent's children, from 1"},
    )


class CfPackage(Schema):
    document = fields.Nested(CfDocument, data_key="CFDocument", required=True)
    items = fields.List(fields.Nested(CfItem), data_key="CFItems", required=True)
    associations = fields.List(
        fields.Nested(CfAssociation), data_key="CFAssociations", required=True
    )
