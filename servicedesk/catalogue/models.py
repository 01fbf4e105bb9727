from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ServicePoint(Model):
    """A service station in an incubator or park."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200, default="")
    incubator_code = fields.CharField(max_length=32, null=True)
    district = fields.CharField(max_length=64, default="")
    address = fields.CharField(max_length=200, default="")
    focus_industries: fields.Field[list[str]] = fields.JSONField(default=list)
    active = fields.BooleanField(default=True, db_default=True)

    queues: fields.ReverseRelation[Queue]
    windows: fields.ReverseRelation[Window]

    class Meta:
        table = "service_points"


class Queue(Model):
    """A waiting line at a service point, whose code is its letter."""

    id = fields.IntField(primary_key=True)
    service_point: fields.ForeignKeyRelation[ServicePoint] = fields.ForeignKeyField(
        "models.ServicePoint", related_name="queues", on_delete=fields.CASCADE
    )
    service_point_id: int
    code = fields.CharField(max_length=4)
    name = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=100, default="")
    active = fields.BooleanField(default=True, db_default=True)

    class Meta:
        table = "queues"
        unique_together = (("service_point", "code"),)


class Window(Model):
    """One counter, whose code is unique across the whole system."""

    id = fields.IntField(primary_key=True)
    service_point: fields.ForeignKeyRelation[ServicePoint] = fields.ForeignKeyField(
        "models.ServicePoint", related_name="windows", on_delete=fields.CASCADE
    )
    service_point_id: int
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=100, default="")
    active = fields.BooleanField(default=True, db_default=True)
    queues: fields.ManyToManyRelation[Queue] = fields.ManyToManyField(
        "models.Queue", related_name="windows", through="window_queues"
    )

    class Meta:
        table = "windows"


class Matter(Model):
    """A kind of administrative matter in the catalogue."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200, default="")
    department = fields.CharField(max_length=200, default="")
    department_en = fields.CharField(max_length=200, default="")
    legal_basis = fields.TextField(default="")
    legal_basis_en = fields.TextField(default="", db_default="")
    statutory_days = fields.IntField()
    promised_days = fields.IntField()
    inspection_applies = fields.BooleanField(default=False)
    inspection_waivable = fields.BooleanField(default=False)
    industries: fields.Field[list[str]] = fields.JSONField(default=list)
    pinyin_initials = fields.CharField(max_length=64, default="")
    active = fields.BooleanField(default=True, db_default=True)

    materials: fields.ReverseRelation[MaterialRequirement]

    class Meta:
        table = "matters"


class MaterialRequirement(Model):
    """A material a matter requires (core ones must be present to accept)."""

    id = fields.IntField(primary_key=True)
    matter: fields.ForeignKeyRelation[Matter] = fields.ForeignKeyField(
        "models.Matter", related_name="materials", on_delete=fields.CASCADE
    )
    matter_id: int
    code = fields.CharField(max_length=32)
    name = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200, default="")
    core = fields.BooleanField(default=True)
    position = fields.IntField(default=0)
    active = fields.BooleanField(default=True, db_default=True)

    class Meta:
        table = "material_requirements"
        unique_together = (("matter", "code"),)
        ordering = ["position", "id"]


class ServicePointMatter(Model):
    """A matter offered at a service point, the queue that serves it, pin / hide."""

    id = fields.IntField(primary_key=True)
    service_point: fields.ForeignKeyRelation[ServicePoint] = fields.ForeignKeyField(
        "models.ServicePoint", related_name="offerings", on_delete=fields.CASCADE
    )
    service_point_id: int
    matter: fields.ForeignKeyRelation[Matter] = fields.ForeignKeyField(
        "models.Matter", related_name="offerings", on_delete=fields.CASCADE
    )
    matter_id: int
    queue: fields.ForeignKeyRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="offerings", on_delete=fields.RESTRICT
    )
    queue_id: int
    pinned = fields.BooleanField(default=False)
    hidden = fields.BooleanField(default=False)

    class Meta:
        table = "service_point_matters"
        unique_together = (("service_point", "matter"),)
