"""Helpers specialising the ProjectSchema entity class."""

import ftrack_api.entity.base


class ProjectSchema(ftrack_api.entity.base.Entity):
    """A project schema: the workflows and types a project may use."""

    def get_statuses(self, schema, type_id=None):
        """Return the statuses entities of *schema* may take.

        *schema* is an entity type name such as ``Task``, ``AssetVersion``
        or ``Shot``. For tasks, *type_id* selects a task type whose workflow
        override applies instead of the task workflow.
        """
        if schema == 'Task':
            if type_id is not None:
                for override in self['_overrides']:
                    if override['type_id'] == type_id:
                        return list(override['workflow_schema']['statuses'])
            return list(self['_task_workflow']['statuses'])

        if schema == 'AssetVersion':
            return list(self['_version_workflow']['statuses'])

        return self._get_from_object_type_schema(
            schema, 'statuses', 'SchemaStatus', 'task_status'
        )

    def get_types(self, schema):
        """Return the types entities of *schema* may take."""
        if schema == 'Task':
            return list(self['_task_type_schema']['types'])

        return self._get_from_object_type_schema(
            schema, 'types', 'SchemaType', 'task_type'
        )

    def _get_from_object_type_schema(self, schema, kind, link_type, target):
        """Return *kind* for a typed context *schema* through its object
        type's schema, by way of the *link_type* rows."""
        entity_class = self.session.types.get(schema)
        if entity_class is None:
            raise ValueError('Schema {0} does not exist.'.format(schema))

        object_type_attribute = entity_class.attributes.get('object_type_id')
        if object_type_attribute is None:
            raise ValueError(
                'Schema {0} does not have {1}.'.format(schema, kind)
            )
        object_type_id = object_type_attribute.default_value

        # Object type schemas name their object type in ``type_id``.
        for object_type_schema in self['_schemas']:
            if object_type_schema['type_id'] == object_type_id:
                links = self.session.query(
                    'select {0} from {1} where schema_id is {2}'.format(
                        target, link_type, object_type_schema['id']
                    )
                )
                return [link[target] for link in links]

        raise ValueError(
            'No valid {0} were found for schema {1}.'.format(kind, schema)
        )
