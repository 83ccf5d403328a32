"""The OpenAPI schema generates cleanly, and its docs are served without any CDN."""

import re

import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

from .resources import RESOURCES


def test_schema_generates_and_validates_without_warnings(db, tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    for resource in RESOURCES:
        operation = schema["paths"][f"/api/v1/{resource.path}/"]["get"]
        parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
        for name, *_ in resource.filters + resource.invalid:
            assert name in parameters, (resource.path, name)
            assert parameters[name]["schema"].get("type"), (resource.path, name)
            assert parameters[name].get("description"), (resource.path, name)
        assert parameters["page_size"]["schema"]["maximum"] == 500
    assert "PartnerKey" in schema["components"]["securitySchemes"]


def test_docs_page_loads_everything_from_the_project(db, anonymous_client, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    response = anonymous_client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    assert anonymous_client.get("/api/v1/schema/").status_code == 200
