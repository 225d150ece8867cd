from .models import AuditEntry


def record_audit(*, actor, action, obj=None, object_type="", object_repr="", changes=None, province_id=None):
    """Append one audit entry; call inside the service's transaction so both land or neither."""
    if not object_repr and obj is not None:
        object_repr = str(obj)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=object_repr[:255],
        changes=changes or {},
        province_id=province_id,
    )


def model_changes(instance, fields, before):
    """{field: [old, new]} for the fields whose value changed since `before` (a dict of old values)."""
    changes = {}
    for name in fields:
        old, new = before.get(name), getattr(instance, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
    return changes


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
