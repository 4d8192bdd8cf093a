"""Small property factories for the public classes."""

import operator


def read_only(storage, doc):
    """Return a read-only property showing the instance attribute
    *storage*."""
    return property(operator.attrgetter(storage), doc=doc)


def delegated(target, name, doc):
    """Return a property reading and writing *name* of the object held in
    the instance attribute *target*."""
    get_target = operator.attrgetter(target)
    return property(
        lambda instance: getattr(get_target(instance), name),
        lambda instance, value: setattr(get_target(instance), name, value),
        doc=doc,
    )
