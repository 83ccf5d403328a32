"""The OpenAPI schema generates cleanly, and its docs are served without any CDN."""

import re

import jsonschema
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


def test_docs_page_loads_everything_from_the_project(db, anonymous_client):
    response = anonymous_client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    # Not a bare "cdn" substring: a random CSRF token in the page can contain one.
    assert not re.search(r"(?:https?:)?//[^\s\"'<>]*cdn", html, re.IGNORECASE)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    assert anonymous_client.get("/api/v1/schema/").status_code == 200


def _resolve(schema: dict, components: dict) -> dict:
    """The object schema behind a $ref, or behind the allOf/oneOf wrapper drf-spectacular puts around one."""
    while True:
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[1]]
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        else:
            return schema


def _walk(value, schema: dict, components: dict, where: str) -> int:
    """Check every object in ``value`` has exactly its schema's properties, in order; the number of objects checked."""
    schema = _resolve(schema, components)
    if isinstance(value, dict):
        properties = schema.get("properties")
        assert properties is not None, f"{where}: an object where the schema has {schema}"
        assert list(value) == list(properties), f"{where}: keys {list(value)} != schema {list(properties)}"
        return 1 + sum(_walk(item, properties[key], components, f"{where}.{key}") for key, item in value.items())
    if isinstance(value, list):
        return sum(_walk(item, schema.get("items", {}), components, f"{where}[]") for item in value)
    return 0


def test_every_representation_has_exactly_its_schema_properties(world, anonymous_client, tmp_path):
    """What the loader builds and what the OpenAPI schema promises are the same keys, nested rows included."""
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    components = schema["components"]["schemas"]
    for resource in RESOURCES:
        public = getattr(world, resource.public)
        for path in (f"/api/v1/{resource.path}/", f"/api/v1/{resource.path}/{public.slug}/"):
            body = anonymous_client.get(path).json()
            response_schema = schema["paths"][path.replace(public.slug, "{slug}")]["get"]["responses"]["200"]
            checked = _walk(body, response_schema["content"]["application/json"]["schema"], components, path)
            assert checked >= 1, path


def test_every_query_parameter_is_documented_as_answered_when_empty(world, anonymous_client, tmp_path):
    """``?name=`` is accepted exactly where the schema's parameter allows the empty string.

    Form-built URLs send empty values; the fuzzer (``.ci/fuzz``) sends them too,
    and an answer of 200 to a value the schema forbids is a contract break.
    """
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    slugs = {resource.path: getattr(world, resource.public).slug for resource in RESOURCES}
    checked = 0
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        resource = path.split("/")[3]
        url = path.replace("{slug}", slugs.get(resource, ""))
        for parameter in operations["get"].get("parameters", []):
            if parameter["in"] != "query":
                continue
            try:
                jsonschema.validate("", parameter["schema"], format_checker=jsonschema.FormatChecker())
                allowed = True
            except jsonschema.ValidationError:
                allowed = False
            # Search needs a query: without one every other parameter would be answered 400 for its absence.
            base = {"q": "famine"} if resource == "search" else {}
            status = anonymous_client.get(url, {**base, parameter["name"]: ""}).status_code
            if allowed:
                # as_of documents a plain string; an empty one is a bad time, answered 400 as the schema lists.
                assert status < 300 or parameter["name"] == "as_of", (path, parameter["name"], status)
            else:
                assert status == 400, (path, parameter["name"], status)
            checked += 1
    assert checked > 100
