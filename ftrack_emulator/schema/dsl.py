"""The emulator's compact format for declaring entity types.

The definitions under ``definitions/`` describe ftrack's 116 entity types in
a few hundred lines: one block per type, one line per attribute, with
inheritance and templates so that families are written once. This module
reads them into a :class:`~ftrack_emulator.schema.model.Registry`; malformed
declarations raise :class:`DefinitionError` naming the file and line.

Blocks
------

A block starts with a header at the start of a line; its body lines are
indented. ``#`` starts a comment (outside quotes). ::

    type NAME [: BASE]          an entity type; ': BASE' copies BASE's body
    template NAME[(P, ...)]     lines other blocks include with '@use'
    link TABLE: COLUMN, COLUMN  an internal link table (both columns form
                                its key)

Directives (body lines starting with ``@``)::

    @table NAME                 storage table (default: inherited, else the
                                type name in snake_case)
    @where COLUMN=VALUE ...     discriminator entries, added to the base's
    @abstract                   no row is ever created as exactly this type
    @alias NAME [*]             the schema's alias_for; '*' renders
                                {"id": NAME, "classifiers": <this type's own
                                discriminator entries>}
    @pk NAME ...                primary key (default: inherited, else id)
    @projections NAME ...       default projections (default: the key)
    @system NAME ...            system projections (client attribute names)
    @required NAME ...          extra names for the schema's required list;
    @immutable NAME ...         a leading '-' removes a name instead
    @computed NAME ...
    @drop NAME ...              forget inherited attributes
    @use TEMPLATE[(ARG, ...)]   include a template, '$P' replaced by ARG
    @owned_by COLUMN [TYPECOL]  collections of this type on any owner link
                                through COLUMN (the owner's id), recording
                                the owner's entity type in TYPECOL

``@abstract`` and ``@alias`` are not inherited. Primary key attributes are
always required and immutable.

Attributes
----------

``NAME: KIND [OPTION ...]``, KIND being one of::

    string integer number boolean variable object
    datetime                    string with format date-time
    json                        string with format json (JSON text)
    fk | fk(TYPE[.COLUMN])      string with format foreign_key; the target
                                (column id by default) goes into the
                                description
    -> TYPE                     a reference
    [TYPE]                      a collection
    {TYPE}                      a mapped collection (key/value)

Options::

    =VALUE            default: JSON if it parses, else the bare text;
                      '={uid}' asks clients for a new uuid; '=(discriminator)'
                      is this type's discriminator value for the column
    req ro computed   listed in required / immutable / computed
    computed=NAME     computed, and derived by the value provider NAME
    derived=NAME      derived by provider NAME (not stored) but not listed
                      as computed
    col=NAME          stored in column NAME (default: the attribute name)
    type=TYPE         JSON type override (an integer foreign key)
    sql=TYPE          column type override (text, json ...)
    untyped           render without a type (clients skip it)
    ref               a foreign key also rendered with "$ref" to its fk type
    restricted        restricted_projection (clients skip it)
    hidden            known to the server but not rendered in the schema
    transform         the client sees schema ids, the server table names
    enum=A,B,...      allowed values
    alias=NAME        server-side name, rendered as alias_for
    desc="TEXT"       description

Relations. A reference ``x`` is stored in the owner's column ``x_id`` and
matches the target's ``id``; a collection of T on owner O is T's only
reference back to O (or to a type O specialises), else T's ``@owned_by``
link. Everything else is declared::

    via=COL[,COL...]      reference: owner column(s) (composite keys)
    to=COL[,COL...]       reference: target column(s) (default id)
    by=COL                collection: target column holding the owner key
    on=COL                collection: owner column matched (default id)
    through=T(L,R)        collection: link table T, T.L = owner.on,
                          T.R = target.id
    filter=COL:VAL,...    extra equality conditions on target columns
    owner_type=COL        target column recording the owner's entity type
    target_type=COL       reference: owner column recording the target type
    special=NAME          resolved by hand by the query engine

Providers and special relations
-------------------------------

Value providers (``computed_by``) the query engine implements:

``link``
    The path from the project down to the entity, a list of
    ``{"id", "name", "type"}`` (Context types, AssetVersion, Group).
``thumbnail_url``
    An object with a ``url`` key for the owner's ``thumbnail_id``.
``component_url``
    An object with a ``value`` key, the URL to download a ComponentLocation's
    data (from its ``resource_identifier``).
``linked_component_url``
    The same for the component a row links to through its ``component_id``
    (JobComponent, NoteComponent, SettingComponent).
``linked_component_thumbnail_url``
    An object with a ``url`` key: the thumbnail URL of that linked
    component.
``time_logged``
    Seconds of the Timelogs on the context.
``bid_time_logged_difference``
    ``bid`` minus ``time_logged``.
``is_latest_version``
    True when no version of the same asset has a higher ``version``.
``custom_attribute_key``
    The ``key`` of a custom attribute value's configuration.
``review_session_is_open``
    True while the review session's end date is unset or in the future.

Columns the server fills
------------------------

Creating an entity sets the discriminator columns of its type: clients do
not send them all (a FileComponent arrives without ``system_type``). Some
discriminators are internal columns no client sees: ``entity_kind`` of the
custom attribute values, ``from_kind``/``to_kind`` of the attribute links,
``config_kind`` of the configurations. Status changes carry ``parent_type``
``task`` or ``assetversion``. ``context.project_id`` holds a project's own id
for projects and the enclosing project's id for every other context.

Special relations (``Relation.special``):

``ancestors``
    The TypedContext parents of a context, root first (the project's child down to the parent), like link.
``descendants``
    Every TypedContext below a context.
``custom_attributes``
    One value per configuration applying to the entity (dense), the stored
    value or else the configuration's default; ``Relation.remote`` names the
    value table's entity column.
``latest_version``
    The asset's AssetVersion with the highest ``version``.
"""

import dataclasses
import functools
import json
import os
import re
import typing

from ftrack_emulator.schema import model

#: Directory of the definitions shipped with the emulator.
DEFINITIONS_DIRECTORY = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), 'definitions'
)

#: Extension of definition files.
EXTENSION = '.types'

_SCALAR_KINDS = {
    'string': ('string', None),
    'integer': ('integer', None),
    'number': ('number', None),
    'boolean': ('boolean', None),
    'variable': ('variable', None),
    'object': ('object', None),
    'datetime': ('string', 'date-time'),
    'json': ('string', 'json'),
    'fk': ('string', 'foreign_key'),
}
_FLAGS = {'req', 'ro', 'computed', 'untyped', 'ref', 'restricted',
          'transform', 'hidden'}
_VALUED = {'computed', 'derived', 'col', 'sql', 'type', 'enum', 'alias',
           'desc',
           'via', 'to', 'by', 'on', 'through', 'filter', 'owner_type',
           'target_type', 'special'}
_SCALAR_ONLY = {'derived', 'col', 'sql', 'type', 'enum', 'untyped', 'ref',
                'transform', 'default'}
_REFERENCE_ONLY = {'via', 'to', 'target_type'}
_COLLECTION_ONLY = {'by', 'on', 'through', 'filter', 'owner_type'}
_DIRECTIVES = {'table', 'where', 'abstract', 'alias', 'pk', 'projections',
               'system', 'required', 'immutable', 'computed', 'drop', 'use',
               'owned_by'}
_FROM_DISCRIMINATOR = '(discriminator)'

_TOKEN = re.compile(r'(?:"(?:[^"\\]|\\.)*"|[^\s"])+')
_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
_HEADER = re.compile(
    r'^(?P<kind>type|template|link)\s+(?P<rest>.*)$'
)


class DefinitionError(ValueError):
    """A malformed schema definition; the message names file and line."""

    def __init__(self, message, source=None):
        if source is not None:
            message = '{0}: {1}'.format(source, message)
        super().__init__(message)
        self.source = source


@dataclasses.dataclass(frozen=True)
class Source:
    """Where a line was declared (and through which template)."""

    path: str
    line: int
    via: typing.Optional[str] = None

    def __str__(self):
        text = '{0}:{1}'.format(os.path.basename(self.path), self.line)
        if self.via:
            text += ' (' + self.via + ')'
        return text


@dataclasses.dataclass
class _Block:
    kind: str
    name: str
    source: Source
    base: typing.Optional[str] = None
    params: typing.Tuple[str, ...] = ()
    lines: typing.List[typing.Tuple[str, Source]] = dataclasses.field(
        default_factory=list
    )
    columns: typing.Tuple[str, ...] = ()


@dataclasses.dataclass
class _Attribute:
    name: str
    kind: str
    source: Source
    type: typing.Optional[str] = None
    format: typing.Optional[str] = None
    target: typing.Optional[str] = None
    fk_target: typing.Optional[str] = None
    flags: typing.Set[str] = dataclasses.field(default_factory=set)
    options: typing.Dict[str, str] = dataclasses.field(default_factory=dict)
    default: typing.Any = model.NO_DEFAULT


@dataclasses.dataclass
class _TypeSpec:
    name: str
    source: Source
    supertype: typing.Optional[str]
    table: typing.Optional[str] = None
    discriminator: typing.Dict[str, typing.Any] = dataclasses.field(
        default_factory=dict
    )
    own_discriminator: typing.Dict[str, typing.Any] = dataclasses.field(
        default_factory=dict
    )
    abstract: bool = False
    alias: typing.Any = None
    primary_key: typing.Optional[typing.List[str]] = None
    projections: typing.Optional[typing.List[str]] = None
    system: typing.List[str] = dataclasses.field(default_factory=list)
    edits: typing.Dict[str, list] = dataclasses.field(
        default_factory=lambda: {'required': [], 'immutable': [],
                                 'computed': []}
    )
    attributes: typing.Dict[str, _Attribute] = dataclasses.field(
        default_factory=dict
    )
    owned_by: typing.Optional[typing.Tuple[str, typing.Optional[str]]] = None


def tokenize(text):
    """Split a line into tokens; quoted text stays inside its token and a
    token starting with ``#`` ends the line."""
    tokens = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token.startswith('#'):
            break
        tokens.append(token)
    return tokens


def snake_case(name):
    """``AssetVersion`` → ``asset_version``."""
    return re.sub(r'(?<=[a-z0-9])(?=[A-Z])', '_', name).lower()


def _unquote(text, source):
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        try:
            return json.loads(text)
        except ValueError:
            raise DefinitionError(
                'bad quoted text {0}'.format(text), source
            ) from None
    return text


def _parse_value(text, source):
    """A default or discriminator value: JSON when it parses, else text."""
    if text == '':
        raise DefinitionError('missing value after "="', source)
    if text.startswith('"'):
        return _unquote(text, source)
    try:
        return json.loads(text)
    except ValueError:
        return text


def _split_names(text):
    return [part.strip() for part in text.split(',') if part.strip()]


# Reading files into blocks ------------------------------------------------


def parse_text(text, path='<text>'):
    """Return the blocks declared in *text* (read from *path*)."""
    blocks = []
    current = None
    for number, raw in enumerate(text.splitlines(), 1):
        source = Source(path, number)
        stripped = raw.strip()
        if not stripped or stripped.startswith('#'):
            continue
        if raw[0] in ' \t':
            if current is None or current.kind == 'link':
                raise DefinitionError(
                    'indented line outside a type or template block', source
                )
            current.lines.append((stripped, source))
            continue
        current = _parse_header(stripped, source)
        blocks.append(current)
    return blocks


def _parse_header(text, source):
    match = _HEADER.match(text)
    if match is None:
        raise DefinitionError(
            'expected "type NAME", "template NAME" or "link TABLE: A, B" '
            'at the start of a line, got "{0}"'.format(text), source
        )
    kind, rest = match.group('kind'), match.group('rest').strip()
    rest = ' '.join(tokenize(rest))
    if kind == 'type':
        name, _, base = rest.partition(':')
        name, base = name.strip(), base.strip() or None
        _check_name(name, 'type name', source)
        if base is not None:
            _check_name(base, 'base type name', source)
        return _Block('type', name, source, base=base)
    if kind == 'template':
        found = re.match(r'^([^\s(]+)\s*(?:\((.*)\))?$', rest)
        if found is None:
            raise DefinitionError(
                'expected "template NAME" or "template NAME(P, ...)"', source
            )
        name = found.group(1)
        _check_name(name, 'template name', source)
        params = tuple(_split_names(found.group(2) or ''))
        for param in params:
            _check_name(param, 'template parameter', source)
        return _Block('template', name, source, params=params)
    name, colon, columns = rest.partition(':')
    columns = tuple(_split_names(columns))
    if not colon or len(columns) != 2:
        raise DefinitionError(
            'expected "link TABLE: COLUMN, COLUMN"', source
        )
    _check_name(name.strip(), 'link table name', source)
    for column in columns:
        _check_name(column, 'link column name', source)
    return _Block('link', name.strip(), source, columns=columns)


def _check_name(name, what, source):
    if not _NAME.match(name or ''):
        raise DefinitionError('bad {0} "{1}"'.format(what, name), source)


# Expanding inheritance and templates ---------------------------------------


class _Loader:
    def __init__(self, blocks):
        self.types = {}
        self.templates = {}
        self.links = {}
        for block in blocks:
            registry = {'type': self.types, 'template': self.templates,
                        'link': self.links}[block.kind]
            if block.name in registry:
                raise DefinitionError(
                    'duplicate {0} "{1}" (first declared at {2})'.format(
                        block.kind, block.name, registry[block.name].source
                    ), block.source
                )
            registry[block.name] = block
        self.specs = {}

    def spec(self, name, chain=()):
        if name in self.specs:
            return self.specs[name]
        block = self.types[name]
        if name in chain:
            raise DefinitionError(
                'type "{0}" inherits from itself ({1})'.format(
                    name, ' -> '.join(chain + (name,))
                ), block.source
            )
        spec = _TypeSpec(name, block.source, block.base)
        if block.base is not None:
            if block.base not in self.types:
                raise DefinitionError(
                    'unknown base type "{0}"'.format(block.base), block.source
                )
            base = self.spec(block.base, chain + (name,))
            spec.table = base.table
            spec.discriminator = dict(base.discriminator)
            spec.primary_key = base.primary_key
            spec.projections = base.projections
            spec.system = list(base.system)
            spec.edits = {key: list(value)
                          for key, value in base.edits.items()}
            spec.attributes = dict(base.attributes)
            spec.owned_by = base.owned_by
        # Only the type's own lines are applied here (the base's effect was
        # copied above), so @abstract and @alias are never inherited.
        for text, source in self._expand(block.lines, ()):
            self._apply(spec, text, source)
        if spec.table is None:
            spec.table = snake_case(name)
        if spec.primary_key is None:
            spec.primary_key = ['id']
        self.specs[name] = spec
        return spec

    def _expand(self, lines, active):
        for text, source in lines:
            tokens = tokenize(text)
            if tokens and tokens[0] == '@use':
                yield from self._expand_use(tokens, text, source, active)
            else:
                yield text, source

    def _expand_use(self, tokens, text, source, active):
        found = re.match(r'^@use\s+([^\s(]+)\s*(?:\((.*)\))?\s*(?:#.*)?$',
                         text)
        if found is None:
            raise DefinitionError(
                'expected "@use TEMPLATE" or "@use TEMPLATE(ARG, ...)"',
                source
            )
        name = found.group(1)
        template = self.templates.get(name)
        if template is None:
            raise DefinitionError('unknown template "{0}"'.format(name),
                                  source)
        if name in active:
            raise DefinitionError(
                'template "{0}" includes itself'.format(name), source
            )
        args = _split_names(found.group(2) or '')
        if len(args) != len(template.params):
            raise DefinitionError(
                'template "{0}" takes {1} argument(s) ({2}), got {3}'.format(
                    name, len(template.params),
                    ', '.join(template.params) or 'none', len(args)
                ), source
            )
        values = dict(zip(template.params, args))

        def substitute(match):
            param = match.group(1)
            if param not in values:
                raise DefinitionError(
                    'unknown template parameter "${0}"'.format(param),
                    inner_source
                )
            return values[param]

        expanded = []
        for inner_text, inner_source in template.lines:
            inner_source = dataclasses.replace(
                inner_source,
                via='used at {0}:{1}'.format(
                    os.path.basename(source.path), source.line
                ),
            )
            expanded.append((
                re.sub(r'\$([A-Za-z_][A-Za-z0-9_]*)', substitute, inner_text),
                inner_source,
            ))
        yield from self._expand(expanded, active + (name,))

    def _apply(self, spec, text, source):
        tokens = tokenize(text)
        if not tokens:
            return
        if tokens[0].startswith('@'):
            self._directive(spec, tokens, source)
        else:
            attribute = _parse_attribute(tokens, source)
            spec.attributes[attribute.name] = attribute

    def _directive(self, spec, tokens, source):
        name, args = tokens[0][1:], tokens[1:]
        if name not in _DIRECTIVES:
            raise DefinitionError(
                'unknown directive "@{0}" (expected one of {1})'.format(
                    name, ', '.join('@' + d for d in sorted(_DIRECTIVES))
                ), source
            )
        if name in ('table', 'alias') and not args:
            raise DefinitionError('@{0} needs a name'.format(name), source)
        if name == 'table':
            _expect_count(args, 1, '@table TABLE', source)
            _check_name(args[0], 'table name', source)
            spec.table = args[0]
        elif name == 'where':
            if not args:
                raise DefinitionError('@where needs COLUMN=VALUE', source)
            for arg in args:
                column, equals, value = arg.partition('=')
                if not equals:
                    raise DefinitionError(
                        '@where expects COLUMN=VALUE, got "{0}"'.format(arg),
                        source
                    )
                _check_name(column, 'discriminator column', source)
                parsed = _parse_value(value, source)
                spec.discriminator[column] = parsed
                spec.own_discriminator[column] = parsed
        elif name == 'abstract':
            _expect_count(args, 0, '@abstract', source)
            spec.abstract = True
        elif name == 'alias':
            if len(args) == 2 and args[1] == '*':
                spec.alias = (args[0], '*')
            else:
                _expect_count(args, 1, '@alias NAME [*]', source)
                spec.alias = args[0]
        elif name in ('pk', 'projections', 'system'):
            if not args:
                raise DefinitionError(
                    '@{0} needs at least one name'.format(name), source
                )
            for arg in args:
                _check_name(arg, 'attribute name', source)
            if name == 'pk':
                spec.primary_key = list(args)
            elif name == 'projections':
                spec.projections = list(args)
            else:
                spec.system = list(args)
        elif name in ('required', 'immutable', 'computed'):
            for arg in args:
                _check_name(arg.lstrip('+-'), 'attribute name', source)
                spec.edits[name].append(arg)
        elif name == 'drop':
            for arg in args:
                if arg not in spec.attributes:
                    raise DefinitionError(
                        '@drop: no attribute "{0}" to drop'.format(arg),
                        source
                    )
                del spec.attributes[arg]
        elif name == 'owned_by':
            if len(args) not in (1, 2):
                raise DefinitionError(
                    'expected "@owned_by COLUMN [TYPE_COLUMN]"', source
                )
            spec.owned_by = (args[0], args[1] if len(args) > 1 else None)


def _expect_count(args, count, usage, source):
    if len(args) != count:
        raise DefinitionError('expected "{0}"'.format(usage), source)


def _parse_attribute(tokens, source):
    head = tokens[0]
    if not head.endswith(':') or len(head) == 1:
        if len(tokens) > 1 and tokens[1] == ':':
            tokens = [head + ':'] + tokens[2:]
            head = tokens[0]
        else:
            raise DefinitionError(
                'expected "NAME: KIND ...", got "{0}"'.format(
                    ' '.join(tokens)
                ),
                source
            )
    name = head[:-1]
    _check_name(name, 'attribute name', source)
    rest = tokens[1:]
    if not rest:
        raise DefinitionError(
            'attribute "{0}" has no kind'.format(name), source
        )
    kind_token, rest = rest[0], rest[1:]
    attribute = _Attribute(name, model.SCALAR, source)
    if kind_token.startswith('->'):
        target = kind_token[2:]
        if not target:
            if not rest:
                raise DefinitionError(
                    'reference "{0}" needs a target type'.format(name), source
                )
            target, rest = rest[0], rest[1:]
        attribute.kind, attribute.target = model.REFERENCE, target
    elif kind_token.startswith('[') and kind_token.endswith(']'):
        attribute.kind, attribute.target = model.COLLECTION, kind_token[1:-1]
    elif kind_token.startswith('{') and kind_token.endswith('}'):
        attribute.kind, attribute.target = model.MAPPED, kind_token[1:-1]
    else:
        found = re.match(r'^(fk)\(([^)]*)\)$', kind_token)
        if found:
            kind_token, attribute.fk_target = 'fk', found.group(2)
            for part in attribute.fk_target.split('.', 1):
                _check_name(part, 'foreign key target', source)
        if kind_token not in _SCALAR_KINDS:
            raise DefinitionError(
                'attribute "{0}": unknown kind "{1}" (expected one of {2}, '
                'fk(TYPE), -> TYPE, [TYPE] or {{TYPE}})'.format(
                    name, kind_token, ', '.join(sorted(_SCALAR_KINDS))
                ), source
            )
        attribute.type, attribute.format = _SCALAR_KINDS[kind_token]
    if attribute.target is not None:
        _check_name(attribute.target, 'target type', source)
    for token in rest:
        _parse_option(attribute, token, source)
    _check_options(attribute)
    return attribute


def _parse_option(attribute, token, source):
    if token.startswith('='):
        attribute.default = _parse_value(token[1:], source)
        attribute.options['default'] = token[1:]
        return
    key, equals, value = token.partition('=')
    if not equals:
        if key not in _FLAGS:
            raise DefinitionError(
                'attribute "{0}": unknown flag "{1}" (flags: {2})'.format(
                    attribute.name, key, ', '.join(sorted(_FLAGS))
                ), source
            )
        attribute.flags.add(key)
        return
    if key not in _VALUED:
        raise DefinitionError(
            'attribute "{0}": unknown option "{1}=" (options: {2})'.format(
                attribute.name, key, ', '.join(sorted(_VALUED))
            ), source
        )
    if not value:
        raise DefinitionError(
            'attribute "{0}": option "{1}=" needs a value'.format(
                attribute.name, key
            ), source
        )
    if key == 'computed':
        attribute.flags.add('computed')
    attribute.options[key] = _unquote(value, source)


def _check_options(attribute):
    used = set(attribute.options) | attribute.flags
    if attribute.kind == model.SCALAR:
        wrong = used & (_REFERENCE_ONLY | _COLLECTION_ONLY | {'special'})
    elif attribute.kind == model.REFERENCE:
        wrong = used & (_SCALAR_ONLY | _COLLECTION_ONLY)
    else:
        wrong = used & (_SCALAR_ONLY | _REFERENCE_ONLY)
    if attribute.kind != model.SCALAR and 'computed' in attribute.options:
        wrong.add('computed=')
    if wrong:
        raise DefinitionError(
            '{0} "{1}" cannot take {2}'.format(
                attribute.kind, attribute.name,
                ', '.join('"{0}"'.format(w) for w in sorted(wrong))
            ), attribute.source
        )
    if 'computed' in attribute.options and 'derived' in attribute.options:
        raise DefinitionError(
            'attribute "{0}": use either computed= or derived='.format(
                attribute.name
            ), attribute.source
        )
    if 'ref' in attribute.flags and attribute.fk_target is None:
        raise DefinitionError(
            'attribute "{0}": "ref" needs an fk(TYPE) kind'.format(
                attribute.name
            ), attribute.source
        )
    if attribute.options.get('type', 'string') not in model.SCALAR_TYPES:
        raise DefinitionError(
            'attribute "{0}": unknown type "{1}" (expected one of {2})'.format(
                attribute.name, attribute.options['type'],
                ', '.join(model.SCALAR_TYPES)
            ), attribute.source
        )
    if 'sql' in attribute.options and \
            attribute.options['sql'] not in model.COLUMN_TYPES:
        raise DefinitionError(
            'attribute "{0}": unknown column type "{1}" (expected one of '
            '{2})'.format(attribute.name, attribute.options['sql'],
                          ', '.join(model.COLUMN_TYPES)),
            attribute.source
        )


# Building the model --------------------------------------------------------


class _Builder:
    def __init__(self, loader):
        self.loader = loader
        self.specs = {name: loader.spec(name) for name in loader.types}

    def lineage(self, name):
        names = []
        while name is not None and name not in names:
            names.append(name)
            spec = self.specs.get(name)
            name = spec.supertype if spec is not None else None
        return names

    def build(self):
        for spec in self.specs.values():
            for attribute in spec.attributes.values():
                if attribute.target is not None and \
                        attribute.target not in self.specs:
                    raise DefinitionError(
                        'attribute "{0}" of {1}: unknown type "{2}"'.format(
                            attribute.name, spec.name, attribute.target
                        ), attribute.source
                    )
        types = [self._entity_type(spec) for spec in self.specs.values()]
        extra = [self._link_table(block)
                 for block in self.loader.links.values()]
        for table in extra:
            if any(spec.table == table.name for spec in self.specs.values()):
                raise DefinitionError(
                    'link table "{0}" clashes with an entity table'.format(
                        table.name
                    ), self.loader.links[table.name].source
                )
        try:
            registry = model.Registry(types, extra)
        except ValueError as error:
            raise DefinitionError(str(error)) from None
        self._validate(registry)
        return registry

    def _link_table(self, block):
        table = model.Table(block.name)
        for position, column in enumerate(block.columns):
            table.columns[column] = model.Column(
                column, 'string', nullable=False, primary_key=True,
                index=position > 0,
            )
        return table

    def _entity_type(self, spec):
        properties = {}
        for attribute in spec.attributes.values():
            properties[attribute.name] = self._property(spec, attribute)
        for name in spec.primary_key:
            if name not in properties:
                raise DefinitionError(
                    '{0}: primary key "{1}" is not an attribute'.format(
                        spec.name, name
                    ), spec.source
                )
        lists = {}
        flags = {'required': 'req', 'immutable': 'ro',
                 'computed': 'computed'}
        for key, flag in flags.items():
            names = list(spec.primary_key) if key != 'computed' else []
            for attribute in spec.attributes.values():
                if flag in attribute.flags and attribute.name not in names:
                    names.append(attribute.name)
            for edit in spec.edits[key]:
                name = edit.lstrip('+-')
                if edit.startswith('-'):
                    if name in names:
                        names.remove(name)
                elif name not in names:
                    names.append(name)
            lists[key] = names
        for name in spec.system:
            if name not in properties:
                raise DefinitionError(
                    '{0}: system projection "{1}" is not an attribute'.format(
                        spec.name, name
                    ), spec.source
                )
        alias = spec.alias
        if isinstance(alias, tuple):
            alias = {'id': alias[0], 'classifiers': dict(
                spec.own_discriminator
            )}
        return model.EntityType(
            name=spec.name,
            table=spec.table,
            discriminator=dict(spec.discriminator),
            properties=properties,
            primary_key=list(spec.primary_key),
            required=lists['required'],
            immutable=lists['immutable'],
            computed=lists['computed'],
            default_projections=list(spec.projections or spec.primary_key),
            system_projections=list(spec.system),
            alias_for=alias,
            abstract=spec.abstract,
            supertype=spec.supertype,
        )

    def _property(self, spec, attribute):
        options = attribute.options
        prop = model.Property(
            name=attribute.name,
            kind=attribute.kind,
            description=options.get('desc'),
            alias_for=options.get('alias'),
            restricted_projection='restricted' in attribute.flags,
            hidden='hidden' in attribute.flags,
        )
        if attribute.kind == model.SCALAR:
            self._scalar(spec, attribute, prop)
        else:
            prop.target = attribute.target
            if attribute.kind == model.REFERENCE:
                prop.relation = self._reference_relation(attribute)
            else:
                prop.relation = self._collection_relation(spec, attribute)
                if attribute.kind == model.MAPPED and \
                        not prop.restricted_projection:
                    prop.key_value_attributes = {'key': 'key',
                                                 'value': 'value'}
        return prop

    def _scalar(self, spec, attribute, prop):
        options = attribute.options
        prop.type = options.get('type', attribute.type)
        if 'untyped' in attribute.flags:
            prop.type = None
        prop.format = attribute.format
        fk_target = attribute.fk_target
        if fk_target and prop.description is None:
            if '.' not in fk_target:
                fk_target += '.id'
            prop.description = 'Foreign key(s): ' + fk_target
        if 'ref' in attribute.flags:
            prop.target = attribute.fk_target.split('.')[0]
        provider = options.get('computed') or options.get('derived')
        if provider:
            prop.computed_by = provider
        else:
            prop.column = options.get('col', attribute.name)
            prop.column_type = options.get('sql')
        default = attribute.default
        if default == _FROM_DISCRIMINATOR:
            column = prop.column or attribute.name
            if column not in spec.discriminator:
                raise DefinitionError(
                    '{0}.{1}: "=(discriminator)" but column "{2}" is not in '
                    'the discriminator {3}'.format(
                        spec.name, attribute.name, column, spec.discriminator
                    ), attribute.source
                )
            default = spec.discriminator[column]
        prop.default = default
        if 'transform' in attribute.flags:
            prop.transform = {'client': '{schema_id}',
                              'server': '{table_name}'}
        if 'enum' in options:
            prop.enum = [_parse_value(value, attribute.source)
                         for value in _split_names(options['enum'])]

    def _reference_relation(self, attribute):
        options = attribute.options
        if 'special' in options:
            return model.Relation(special=options['special'])
        locals_ = _split_names(options.get('via', attribute.name + '_id'))
        remotes = _split_names(options.get('to', 'id'))
        if len(locals_) != len(remotes):
            raise DefinitionError(
                'reference "{0}": via= and to= name {1} and {2} '
                'column(s)'.format(attribute.name, len(locals_), len(remotes)),
                attribute.source
            )
        return model.Relation(
            local=locals_[0], remote=remotes[0],
            extra_keys=dict(zip(locals_[1:], remotes[1:])),
            target_type_column=options.get('target_type'),
        )

    def _collection_relation(self, spec, attribute):
        options = attribute.options
        filters = {}
        for item in _split_names(options.get('filter', '')):
            column, colon, value = item.partition(':')
            if not colon:
                raise DefinitionError(
                    'filter= expects COLUMN:VALUE, got "{0}"'.format(item),
                    attribute.source
                )
            filters[column] = _parse_value(value, attribute.source)
        relation = model.Relation(
            local=options.get('on', 'id'), target_filters=filters,
            owner_type_column=options.get('owner_type'),
            special=options.get('special'),
        )
        if relation.special:
            relation.remote = options.get('by', 'id')
            return relation
        if 'through' in options:
            found = re.match(r'^(\w+)\((\w+),(\w+)\)$',
                             options['through'].replace(' ', ''))
            if found is None:
                raise DefinitionError(
                    'through= expects TABLE(LOCAL,REMOTE), got "{0}"'.format(
                        options['through']
                    ), attribute.source
                )
            relation.link_table, relation.link_local, relation.link_remote = \
                found.groups()
            return relation
        if 'by' in options:
            relation.remote = options['by']
            return relation
        return self._infer_collection(spec, attribute, relation)

    def _infer_collection(self, spec, attribute, relation):
        target = self.specs[attribute.target]
        owners = self.lineage(spec.name)
        backs = [
            other for other in target.attributes.values()
            if other.kind == model.REFERENCE and other.target in owners
            and 'special' not in other.options
        ]
        if len(backs) > 1:
            raise DefinitionError(
                '{0}.{1}: {2} refers back to {3} through {4}; say which with '
                'by=COLUMN'.format(
                    spec.name, attribute.name, target.name, spec.name,
                    ', '.join(sorted(other.name for other in backs))
                ), attribute.source
            )
        if backs:
            back = backs[0]
            relation.remote = _split_names(
                back.options.get('via', back.name + '_id')
            )[0]
            return relation
        if target.owned_by is not None:
            relation.remote = target.owned_by[0]
            if relation.owner_type_column is None:
                relation.owner_type_column = target.owned_by[1]
            return relation
        raise DefinitionError(
            '{0}.{1}: {2} has no reference back to {3} and no @owned_by; '
            'declare by=COLUMN or through=TABLE(LOCAL,REMOTE)'.format(
                spec.name, attribute.name, target.name, spec.name
            ), attribute.source
        )

    def _validate(self, registry):
        for spec in self.specs.values():
            entity_type = registry[spec.name]
            table = registry.tables[entity_type.table]
            for attribute in spec.attributes.values():
                prop = entity_type.properties[attribute.name]
                if prop.relation is None or prop.relation.special:
                    continue
                target_table = registry.tables[registry[prop.target].table]
                if 'via' in attribute.options:
                    # Only the conventional x_id may be a hidden column; a
                    # declared one must be stored by the type (typos).
                    stored = {other.column for other in
                              entity_type.properties.values()}
                    for column in _split_names(attribute.options['via']):
                        if column not in stored:
                            raise DefinitionError(
                                '{0}.{1}: via column "{2}" is not stored by '
                                'an attribute of {0}'.format(
                                    spec.name, attribute.name, column
                                ), attribute.source
                            )
                self._check_relation(spec, attribute, prop.relation, table,
                                     target_table, registry)

    def _check_relation(self, spec, attribute, relation, table, target_table,
                        registry):
        def need(where, column, role):
            if column not in where.columns:
                raise DefinitionError(
                    '{0}.{1}: {2} column "{3}" is not a column of table '
                    '"{4}"'.format(spec.name, attribute.name, role, column,
                                   where.name),
                    attribute.source
                )

        need(table, relation.local, 'owner')
        if relation.through:
            link = registry.tables.get(relation.link_table)
            if link is None:
                raise DefinitionError(
                    '{0}.{1}: unknown link table "{2}"'.format(
                        spec.name, attribute.name, relation.link_table
                    ), attribute.source
                )
            need(link, relation.link_local, 'link')
            need(link, relation.link_remote, 'link')
        need(target_table, relation.remote, 'target')
        for local, remote in relation.extra_keys.items():
            need(table, local, 'owner')
            need(target_table, remote, 'target')
        for column in relation.target_filters:
            need(target_table, column, 'filter')
        if relation.owner_type_column:
            need(target_table, relation.owner_type_column, 'owner type')
        if relation.target_type_column:
            need(table, relation.target_type_column, 'target type')


def load_texts(texts):
    """Return the :class:`~ftrack_emulator.schema.model.Registry` declared by
    *texts*, a list of ``(path, text)`` pairs."""
    blocks = []
    for path, text in texts:
        blocks.extend(parse_text(text, path))
    return _Builder(_Loader(blocks)).build()


def load_directory(directory=DEFINITIONS_DIRECTORY):
    """Return the registry declared by the definition files in
    *directory*."""
    texts = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(EXTENSION):
            path = os.path.join(directory, name)
            with open(path, encoding='utf-8') as handle:
                texts.append((path, handle.read()))
    if not texts:
        raise DefinitionError(
            'no *{0} definition files in {1}'.format(EXTENSION, directory)
        )
    return load_texts(texts)


@functools.lru_cache(maxsize=None)
def load_registry():
    """Return the emulator's registry (read once, then shared)."""
    return load_directory(DEFINITIONS_DIRECTORY)
