"""Server schemas: the on-disk cache and turning schemas into classes."""

import hashlib
import json
import logging
import os

import platformdirs

import ftrack_api.entity.factory
import ftrack_api.event.base

logger = logging.getLogger(__name__)

#: Name of the schema cache file inside the cache directory.
CACHE_FILE_NAME = 'ftrack_api_schema_cache.json'

#: Topic asking plugins for the class of a schema.
CONSTRUCT_ENTITY_TYPE_TOPIC = 'ftrack.api.session.construct-entity-type'


def schema_hash(schemas):
    """Return the hash a server announces for *schemas*: the md5 of their
    JSON with sorted keys."""
    text = json.dumps(schemas, sort_keys=True)
    return hashlib.md5(text.encode('utf-8')).hexdigest()


def cache_file_path(schema_cache_path):
    """Return the cache file for the session argument *schema_cache_path*,
    or None when caching is disabled (False)."""
    if schema_cache_path is False:
        return None
    if schema_cache_path is None:
        schema_cache_path = os.environ.get(
            'FTRACK_API_SCHEMA_CACHE_PATH', platformdirs.user_cache_dir()
        )
    return os.path.join(schema_cache_path, CACHE_FILE_NAME)


def read_cache(path):
    """Return the schemas cached at *path*, or None if unusable."""
    try:
        with open(path, 'r') as handle:
            return json.load(handle)
    except (IOError, OSError, ValueError) as error:
        logger.debug('Schema cache %s not usable: %s', path, error)
        return None


def write_cache(path, schemas):
    """Write *schemas* to *path*; failures are logged, never raised."""
    try:
        text = json.dumps(schemas, indent=4)
        with open(path, 'w') as handle:
            handle.write(text)
    except (IOError, OSError, TypeError, ValueError) as error:
        logger.warning('Failed to write schema cache %s: %s', path, error)


def load(fetch, server_hash, path):
    """Return the schemas, from the cache at *path* when it matches
    *server_hash*, else from *fetch()* (then cached again)."""
    if path is not None and server_hash:
        cached = read_cache(path)
        if cached is not None and schema_hash(cached) == server_hash:
            logger.debug('Using schemas cached in %s.', path)
            return cached

    schemas = fetch()
    if path is not None:
        write_cache(path, schemas)
    return schemas


def build_types(event_hub, schemas):
    """Return a mapping of entity type name to class for *schemas*.

    Each schema is offered to plugins through a synchronous
    ``ftrack.api.session.construct-entity-type`` event; a single class
    returned is used, otherwise the standard factory builds one.
    """
    factory = ftrack_api.entity.factory.StandardFactory()
    types = {}
    for schema in schemas:
        results = event_hub.publish(
            ftrack_api.event.base.Event(
                topic=CONSTRUCT_ENTITY_TYPE_TOPIC,
                data={'schema': schema, 'schemas': schemas},
            ),
            synchronous=True,
        )
        classes = [result for result in results if result is not None]
        if len(classes) > 1:
            raise ValueError(
                'Expected single entity type to represent schema "{0}" but '
                'received {1} entity types instead.'.format(
                    schema['id'], len(classes)
                )
            )
        if classes:
            entity_class = classes[0]
        else:
            entity_class = factory.create(schema)
        types[entity_class.entity_type] = entity_class
    return types
