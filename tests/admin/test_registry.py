"""Static checks over the admin registry: every model is there, and no page renders a big select."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory

from cases.models import Indicator, Theme

# Small controlled vocabularies may be plain selects; everything else can grow without bound.
SMALL_VOCABULARIES = {Indicator, Theme}


def _cases_admins():
    return [
        (model, model_admin) for model, model_admin in admin.site._registry.items() if model._meta.app_label == "cases"
    ]


def test_every_domain_model_is_registered():
    domain = {
        model
        for model in apps.get_app_config("cases").get_models()
        if not model.__name__.startswith("Historical") and not model._meta.auto_created
    }
    unregistered = {model.__name__ for model in domain if model not in admin.site._registry}
    # Search's index is derived data, rebuilt from the models; nobody edits it by hand.
    assert unregistered <= {"SearchDocument"}, unregistered


@pytest.mark.django_db
def test_every_relation_on_every_form_is_an_autocomplete_or_raw_id(superuser):
    request = RequestFactory().get("/")
    request.user = superuser
    offenders = []
    for model, model_admin in _cases_admins():
        checks = [(model, model_admin, None)]
        checks += [(inline.model, inline, inline.fk_name) for inline in model_admin.get_inline_instances(request)]
        for form_model, options, fk_name in checks:
            shown = set(options.get_fields(request)) - set(options.get_readonly_fields(request))
            widgets = set(options.autocomplete_fields) | set(options.raw_id_fields)
            for field in form_model._meta.get_fields():
                if not (field.many_to_one or field.many_to_many) or field.auto_created or not field.editable:
                    continue
                if field.name not in shown or field.related_model in SMALL_VOCABULARIES:
                    continue
                is_parent_fk = getattr(field, "remote_field", None) and field.related_model == model
                if options is not model_admin and (field.name == fk_name or is_parent_fk):
                    continue
                if field.name not in widgets:
                    offenders.append(f"{type(options).__name__}.{field.name}")
    assert offenders == []


def test_each_desk_group_orders_its_models_without_ties():
    # A tie would fall back to Django's order (by the models' Chinese names), not the one meant.
    ranks: dict = {}
    for model, model_admin in _cases_admins():
        group = getattr(model_admin, "desk_group", None)
        if group is not None:
            ranks.setdefault(group, {})[model.__name__] = model_admin.desk_rank
    assert ranks, "no ModelAdmin names a desk_group"
    for group, members in ranks.items():
        assert len(set(members.values())) == len(members), f"{group.name} shares a desk_rank: {members}"
