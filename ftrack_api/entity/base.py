"""The base class of every entity class built from a server schema."""

from __future__ import absolute_import

import abc
import collections.abc
import logging

import ftrack_api.attribute
import ftrack_api.inspection
import ftrack_api.operation
import ftrack_api.symbol

NOT_SET = ftrack_api.symbol.NOT_SET


class DynamicEntityTypeMetaclass(abc.ABCMeta):
    """Metaclass of entity classes, which are made at run time."""

    def __repr__(cls):
        return "<dynamic ftrack class '{0}'>".format(cls.__name__)


class _EntityBase(object):
    """Common root of entities and of the mixins that extend them."""


class Entity(
    _EntityBase, collections.abc.MutableMapping,
    metaclass=DynamicEntityTypeMetaclass
):
    """A dict-like entity whose keys are its class's attributes.

    Values live in two flat dictionaries per entity: local values (set here,
    not yet committed) and remote values (as last read from the server).
    Reading a key returns the local value if any, else the remote one,
    fetching it from the server when the session auto-populates.
    """

    #: Name of the schema this class was built from.
    entity_type = 'Entity'
    #: :class:`ftrack_api.attribute.Attributes` of the class.
    attributes = None
    #: Names of the attributes forming the primary key, in order.
    primary_key_attributes = None
    #: Attributes fetched when a query names no projections.
    default_projections = None

    #: True for entities decoded outside the session's identity map.
    _detached = False

    #: Names of relations given entities that are not the session's own
    #: instances (from another session, or decoded), merged on next read.
    _foreign_values = frozenset()

    #: Names of the relations of a detached entity merged so far.
    _merged_attributes = frozenset()

    #: Logger of the class (the factory gives each class its own).
    logger = logging.getLogger(__name__ + '.Entity')

    def __init__(self, session, data=None, reconstructing=False):
        """Make an entity of *session*, new unless *reconstructing*.

        A new entity gets its schema defaults and records one create
        operation holding its scalar values; reference and collection values
        in *data* follow as update operations. A reconstructed entity takes
        *data* as the server's values and records nothing.
        """
        super().__init__()
        self.session = session
        self._local_values = {}
        self._remote_values = {}
        if data is None:
            data = {}
        if reconstructing:
            self._reconstruct(data)
        else:
            self._construct(data)

    def _reconstruct(self, data):
        get_attribute = self.attributes.get
        scalar = ftrack_api.attribute.ScalarAttribute
        remote = self._remote_values
        for key, value in data.items():
            attribute = get_attribute(key)
            if attribute is None:
                if key != '__entity_type__' and self.logger.isEnabledFor(
                    logging.DEBUG
                ):
                    self.logger.debug(
                        'Ignoring unknown attribute %r in data for %s.',
                        key, self.entity_type
                    )
                continue
            if type(attribute) is scalar:
                # The common case, without a call.
                if value is not NOT_SET:
                    remote[key] = value
            else:
                attribute.set_remote_value(self, value)

    @classmethod
    def _from_server_data(cls, session, item, plain_init):
        """Return an entity reconstructed from *item*, a JSON object just
        decoded that nobody else holds: it becomes the remote values.

        Server data is the bulk of what is loaded, so its entities skip
        the copy :meth:`_reconstruct` makes. *plain_init* tells whether the
        class and its bases leave construction to :class:`Entity` (see
        :func:`_has_plain_init`); if not, construction goes through
        ``__init__`` as usual.
        """
        if not plain_init:
            return cls(session, item, reconstructing=True)
        entity = cls.__new__(cls)
        entity.session = session
        entity._local_values = {}
        entity._remote_values = item
        _take_remote_values(cls, entity, item)
        return entity

    def _construct(self, data):
        session = self.session
        attributes = self.attributes
        relational = []
        with session.operation_recording(False):
            for attribute in attributes:
                if attribute.name in data:
                    continue
                default = attribute.default_value
                if callable(default):
                    default = default(self)
                if default is not NOT_SET:
                    attribute.set_local_value(self, default)

            for key, value in data.items():
                attribute = attributes.get(key)
                if attribute is None:
                    if key != '__entity_type__':
                        self.logger.debug(
                            'Ignoring unknown attribute %r in data for %s.',
                            key, self.entity_type
                        )
                    continue
                if isinstance(attribute, ftrack_api.attribute.ScalarAttribute):
                    attribute.set_local_value(self, value)
                else:
                    relational.append((attribute, value))

        if session.record_operations:
            session.recorded_operations.push(
                ftrack_api.operation.CreateEntityOperation(
                    self.entity_type,
                    ftrack_api.inspection.primary_key(self),
                    dict(self._local_values),
                )
            )

        for attribute, value in relational:
            attribute.set_local_value(self, value)

    def __repr__(self):
        return '<dynamic ftrack {0} object {1}>'.format(
            self.__class__.__name__, id(self)
        )

    def __str__(self):
        try:
            key = ', '.join(ftrack_api.inspection._primary_key_values(self))
        except KeyError:
            key = 'Unknown'
        return '<{0}({1})>'.format(self.__class__.__name__, key)

    def __hash__(self):
        return hash(ftrack_api.inspection._identity_string(self))

    def __eq__(self, other):
        if not isinstance(other, Entity):
            return False
        if other is self:
            return True
        try:
            return ftrack_api.inspection.identity(
                other
            ) == ftrack_api.inspection.identity(self)
        except KeyError:
            return False

    def __ne__(self, other):
        return not self == other

    def __getitem__(self, key):
        attribute = self.attributes.get(key)
        if attribute is None:
            raise KeyError(key)
        return attribute.get_value(self)

    def __setitem__(self, key, value):
        attribute = self.attributes.get(key)
        if attribute is None:
            raise KeyError(key)
        attribute.set_local_value(self, value)

    def __delitem__(self, key):
        attribute = self.attributes.get(key)
        if attribute is None:
            # The reference client fails the same way for unknown keys.
            raise AttributeError(
                "'NoneType' object has no attribute 'set_local_value'"
            )
        attribute.set_local_value(self, NOT_SET)

    def __iter__(self):
        return iter(self.attributes.keys())

    def __len__(self):
        return len(self.attributes)

    def _populate_unset_scalars(self):
        """Fetch every scalar without a remote value in one query."""
        if not self.session.auto_populate:
            return
        remote = self._remote_values
        names = [
            attribute.name
            for attribute in self.attributes
            if isinstance(attribute, ftrack_api.attribute.ScalarAttribute)
            and attribute.name not in remote
        ]
        if names:
            self.session.populate([self], ', '.join(names))

    def values(self):
        """Return every value, fetching unset scalars in one query first."""
        self._populate_unset_scalars()
        return [self[key] for key in self]

    def items(self):
        """Return every (name, value), fetching unset scalars first."""
        self._populate_unset_scalars()
        return [(key, self[key]) for key in self]

    def clear(self):
        """Drop every local value, reverting to the remote values."""
        for attribute in self.attributes:
            attribute.set_local_value(self, NOT_SET)

    def merge(self, entity, merged=None):
        """Take the values known on *entity* into this entity.

        Relations are merged into the session on the way. Return a list of
        changes, each a dict with ``type`` (``local_attribute`` or
        ``remote_attribute``), ``name``, ``old_value`` and ``new_value``.
        """
        import ftrack_api._merge

        if merged is None:
            merged = {}
        return ftrack_api._merge.merge_entity_values(self, entity, merged)


def _has_plain_init(entity_class):
    """Whether making an instance of *entity_class* only runs
    :meth:`Entity.__init__` (no class of its own, base or mixin, adds to
    construction), so that server data may skip ``__init__``."""
    found = []
    for klass in entity_class.__mro__:
        names = vars(klass)
        if '__init__' in names:
            found.append(klass)
        if klass is not Entity and '_reconstruct' in names or (
            klass is not object and '__new__' in names
        ):
            return False
    return found == [Entity, object]


def _take_remote_values(entity_class, entity, item):
    """Make *item*, a decoded JSON object of *entity_class* that is
    already *entity*'s remote values, hold what :meth:`Entity._reconstruct`
    would have stored.

    Keys the class does not know are dropped; collections become tuples
    of their entities.
    """
    item.pop('__entity_type__', None)
    attributes = entity_class.attributes
    known = attributes._attributes
    if not item.keys() <= known.keys():
        for key in [key for key in item if key not in known]:
            if entity_class.logger.isEnabledFor(logging.DEBUG):
                entity_class.logger.debug(
                    'Ignoring unknown attribute %r in data for %s.',
                    key, entity_class.entity_type
                )
            del item[key]
    collection_names = attributes._collection_names
    if collection_names:
        for name in [name for name in item if name in collection_names]:
            value = item[name]
            if type(value) is list and len(value) < 2:
                # Nothing to check: the common case, without a call.
                item[name] = tuple(value)
            else:
                known[name].set_remote_value(entity, value)
