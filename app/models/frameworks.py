"""Competency frameworks imported from YAML. Imported versions are never edited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

competency_standards = Table(
    "competency_standards",
    Base.metadata,
    Column("competency_id", ForeignKey("competencies.id", ondelete="CASCADE"), primary_key=True),
    Column("standard_id", ForeignKey("standards.id", ondelete="CASCADE"), primary_key=True),
)

# The evidence types a competency's observation rule counts (see Competency.observation_*).
competency_observation_types = Table(
    "competency_observation_types",
    Base.metadata,
    Column("competency_id", ForeignKey("competencies.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "evidence_type_id", ForeignKey("evidence_types.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Framework(Base):
    __tablename__ = "frameworks"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    publisher: Mapped[str | None] = mapped_column(String(300))
    source_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The default sufficiency rule; competencies hold their effective copy.
    min_evidence: Mapped[int]
    min_types: Mapped[int]
    require_observed: Mapped[bool]
    # Observed evidence counts only when its assessor completed it themselves (issue 16).
    require_assessor_completion: Mapped[bool] = mapped_column(default=False, server_default=false())

    domains: Mapped[list[Domain]] = relationship(
        back_populates="framework", order_by="Domain.position", cascade="all, delete-orphan"
    )
    evidence_types: Mapped[list[EvidenceType]] = relationship(
        order_by="EvidenceType.position", cascade="all, delete-orphan"
    )
    scale: Mapped[list[ScaleValue]] = relationship(
        order_by="ScaleValue.position", cascade="all, delete-orphan"
    )
    standards: Mapped[list[Standard]] = relationship(
        order_by="Standard.position", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        """The name signers and readers see (`labels.framework_label`: says when provisional)."""
        from app.services.frameworks.labels import framework_label  # models load first

        return framework_label(self)


class Domain(Base):
    __tablename__ = "domains"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int]

    framework: Mapped[Framework] = relationship(back_populates="domains")
    competencies: Mapped[list[Competency]] = relationship(
        back_populates="domain", order_by="Competency.position", cascade="all, delete-orphan"
    )


class Competency(Base):
    __tablename__ = "competencies"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="CASCADE"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    indicators: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int]
    min_evidence: Mapped[int]
    min_types: Mapped[int]
    require_observed: Mapped[bool]
    require_assessor_completion: Mapped[bool] = mapped_column(default=False, server_default=false())
    rule_overridden: Mapped[bool] = mapped_column(default=False)
    # The observation rule (`observations` in the file), None when the competency has none:
    # at least this many accepted observations of `observation_types`, on as many different
    # days when `observation_distinct_days`, every rated area at `observation_min_level` or
    # above (an index of framework_spec.RATING_LEVELS: 1 competent, 2 excellent).
    observation_min_items: Mapped[int | None]
    observation_distinct_days: Mapped[bool] = mapped_column(default=False, server_default=false())
    observation_min_level: Mapped[int | None]
    # The competency id in the previous version, so evidence carries across versions.
    replaces_code: Mapped[str | None] = mapped_column(String(50))

    framework: Mapped[Framework] = relationship()
    domain: Mapped[Domain] = relationship(back_populates="competencies")
    standards: Mapped[list[Standard]] = relationship(
        secondary=competency_standards, order_by="Standard.position"
    )
    observation_types: Mapped[list[EvidenceType]] = relationship(
        secondary=competency_observation_types, order_by="EvidenceType.position"
    )


class EvidenceType(Base):
    __tablename__ = "evidence_types"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    observed: Mapped[bool]
    position: Mapped[int]


class ScaleValue(Base):
    __tablename__ = "scale_values"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(200))
    proficient: Mapped[bool]
    position: Mapped[int]


class Standard(Base):
    __tablename__ = "standards"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int]
