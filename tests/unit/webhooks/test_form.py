"""The Wait node's form page (escaped, posts to itself) and the item of a submission."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest

from serve.webhooks.form import form_item, render_form, render_message
from serve.webhooks.incoming import WebhookHttpError
from tests.unit.webhooks._helpers import multipart, request

NOW = datetime(2024, 5, 1, 10, 20, 30, 123456, tzinfo=UTC)
XSS = '<script>alert("x")</script>'

PARAMS: dict[str, Any] = {
    "formTitle": "Feedback",
    "formDescription": "Tell us",
    "formFields": {
        "values": [
            {"fieldLabel": "Name", "requiredField": True},
            {"fieldLabel": "Age", "fieldType": "number"},
            {"fieldLabel": "E-mail", "fieldType": "email"},
            {
                "fieldLabel": "Colour",
                "fieldType": "dropdown",
                "fieldOptions": {"values": [{"option": "red"}, {"option": "blue"}]},
            },
            {
                "fieldLabel": "Tags",
                "fieldType": "dropdown",
                "multiselect": True,
                "fieldOptions": {"values": [{"option": "a"}, {"option": "b"}]},
            },
            {"fieldLabel": "Note", "fieldType": "textarea"},
            {"fieldLabel": "My file", "fieldType": "file", "multipleFiles": False},
            {"fieldLabel": "When", "fieldType": "date"},
        ]
    },
}


def submit(fields: list[tuple[str, str]], files: Any = None, params: Any = None, **kw: Any) -> Any:
    body, ctype = multipart(fields, files)
    return form_item(request(body=body, content_type=ctype), params or PARAMS, now=NOW, **kw)


# ------------------------------------------------------------------------------ rendering
def test_render_has_every_field_named_like_n8n() -> None:
    page = render_form(PARAMS)
    assert page.startswith("<!DOCTYPE html>")
    assert '<form method="post" enctype="multipart/form-data">' in page
    for index in range(8):
        assert f'name="field-{index}"' in page
    assert '<input type="text" id="field-0" name="field-0" required>' in page
    assert 'type="number"' in page and 'type="email"' in page and 'type="date"' in page
    assert "<textarea" in page and "<select" in page and " multiple" in page
    assert '<option value="blue">blue</option>' in page
    assert 'type="file"' in page
    assert "<h1>Feedback</h1>" in page and "Tell us" in page
    assert ">Submit</button>" in page


def test_render_escapes_everything() -> None:
    params = {
        "formTitle": XSS,
        "formDescription": XSS,
        "options": {"buttonLabel": XSS},
        "formFields": {
            "values": [
                {"fieldLabel": XSS, "placeholder": '"><img src=x onerror=1>'},
                {
                    "fieldLabel": "Pick",
                    "fieldType": "checkbox",
                    "fieldOptions": {"values": [{"option": '" onclick="evil()'}]},
                },
                {"fieldLabel": "F", "fieldType": "file", "acceptFileTypes": '"><script>'},
            ]
        },
    }
    page = render_form(params, action='/form/1?x="><script>')
    assert "<script>" not in page
    assert "<img" not in page
    assert 'onclick="evil()"' not in page
    assert "&lt;script&gt;" in page
    assert 'action="/form/1?x=&quot;&gt;&lt;script&gt;"' in page


def test_render_message_escapes() -> None:
    page = render_message(XSS, XSS)
    assert "<script>" not in page


# -------------------------------------------------------------------------------- parsing
def test_form_item_values_and_types() -> None:
    out = submit(
        [
            ("field-0", "  Ada  "),
            ("field-1", "42"),
            ("field-2", " ada@example.com "),
            ("field-3", "blue"),
            ("field-4", "a"),
            ("field-4", "b"),
            ("field-5", "  keep spaces "),
            ("field-7", "2024-05-01"),
        ],
        [("field-6", "cv.pdf", "application/pdf", b"%PDF-1.4")],
    )
    assert out["json"] == {
        "Name": "Ada",
        "Age": 42,
        "E-mail": "ada@example.com",
        "Colour": "blue",
        "Tags": ["a", "b"],
        "Note": "  keep spaces ",
        "My file": {"filename": "cv.pdf", "mimetype": "application/pdf", "size": 8},
        "When": "2024-05-01",
        "submittedAt": "2024-05-01T10:20:30.123Z",
        "formMode": "production",
    }
    entry = out["binary"]["My_file"]
    assert base64.b64decode(entry["data"]) == b"%PDF-1.4"
    assert entry["fileName"] == "cv.pdf"


def test_absent_fields_are_null_and_test_mode() -> None:
    out = submit([("field-0", "Ada")], mode="manual")
    assert out["json"]["Age"] is None
    assert out["json"]["My file"] is None
    assert out["json"]["formMode"] == "test"
    assert "binary" not in out


def test_multiselect_sent_as_json_string() -> None:
    out = submit([("field-0", "Ada"), ("field-4", '["a","b"]')])
    assert out["json"]["Tags"] == ["a", "b"]


def test_several_files_are_numbered() -> None:
    params = {"formFields": {"values": [{"fieldLabel": "Docs", "fieldType": "file"}]}}
    out = submit(
        [],
        [("field-0", "a.txt", "text/plain", b"A"), ("field-0", "b.txt", "text/plain", b"B")],
        params,
    )
    assert sorted(out["binary"]) == ["Docs_0", "Docs_1"]
    assert [f["filename"] for f in out["json"]["Docs"]] == ["a.txt", "b.txt"]


def test_checkbox_values_are_a_list() -> None:
    params = {
        "formFields": {
            "values": [
                {
                    "fieldLabel": "Pick",
                    "fieldType": "checkbox",
                    "fieldOptions": {"values": [{"option": "x"}, {"option": "y"}]},
                }
            ]
        }
    }
    assert submit([("field-0", "y")], params=params)["json"]["Pick"] == ["y"]


@pytest.mark.parametrize("fields", [[], [("field-0", "   ")]])
def test_required_field_missing_is_400_naming_it(fields: list[tuple[str, str]]) -> None:
    with pytest.raises(WebhookHttpError) as err:
        submit(fields)
    assert (err.value.status, err.value.message) == (400, 'The field "Name" is required')


def test_required_file_missing_is_400() -> None:
    params = {
        "formFields": {"values": [{"fieldLabel": "CV", "fieldType": "file", "requiredField": True}]}
    }
    with pytest.raises(WebhookHttpError) as err:
        submit([], params=params)
    assert err.value.message == 'The field "CV" is required'


def test_bad_number_is_400() -> None:
    with pytest.raises(WebhookHttpError) as err:
        submit([("field-0", "Ada"), ("field-1", "many")])
    assert err.value.message == 'The field "Age" must be a number'


def test_urlencoded_submission_and_timezone() -> None:
    req = request(
        body=b"field-0=Ada&field-1=1.5",
        content_type="application/x-www-form-urlencoded",
    )
    out = form_item(req, PARAMS, now=NOW, timezone="Europe/Berlin")
    assert out["json"]["Name"] == "Ada"
    assert out["json"]["Age"] == 1.5
    assert out["json"]["submittedAt"] == "2024-05-01T12:20:30.123+02:00"


def test_other_content_type_is_415() -> None:
    with pytest.raises(WebhookHttpError) as err:
        form_item(request(body=b"{}", content_type="application/json"), PARAMS)
    assert err.value.status == 415
