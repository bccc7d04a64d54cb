"""Custom migration operations.

``AlterFieldOptions`` changes options of many fields that have no effect on the database (labels,
help texts) in one operation. Django's ``AlterField`` re-renders its model, and the models related
to it, once per field: the 103 label changes of 0014 cost about 7 s of every ``migrate`` (and of
every test process's database set-up), which this reduces to one re-render per model.
"""

from __future__ import annotations

from django.db.migrations.operations.base import Operation
from django.db.migrations.utils import field_is_referenced


class AlterFieldOptions(Operation):
    """Replace fields by ones that differ only in options the schema editor ignores.

    ``fields`` is a list of (model_name, field_name, field). The database is not touched in either
    direction; backwards, the previous migration's state already holds the old fields.
    """

    reversible = True
    reduces_to_sql = False

    def __init__(self, fields):
        self.fields = fields
        super().__init__()

    def deconstruct(self):
        return (self.__class__.__name__, [], {"fields": self.fields})

    def state_forwards(self, app_label, state):
        eager: dict[str, bool] = {}
        for model_name, name, field in self.fields:
            model_key = (app_label, model_name)
            fields = state.models[model_key].fields
            if state._relations is not None:
                old_field = fields.pop(name)
                if old_field.is_relation:
                    state.resolve_model_field_relations(model_key, name, old_field)
                fields[name] = field
                if field.is_relation:
                    state.resolve_model_field_relations(model_key, name, field)
            else:
                fields[name] = field
            # As AlterField: a relation, or a field another model points at, renders its relatives.
            related = field.is_relation or field_is_referenced(state, model_key, (name, field))
            eager[model_name] = eager.get(model_name, False) or related
        for model_name, related in eager.items():
            state.reload_model(app_label, model_name, delay=not related)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        pass  # options only: nothing in the schema changes

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self):
        return f"Alter the options (labels, help texts) of {len(self.fields)} fields"

    @property
    def migration_name_fragment(self):
        return "field_options"
