"""XML node: JSON to XML and XML to JSON with xml2js's output and options."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.errors import NodeExecutionError
from nodes.sdk.testing import execute_one, items, jsons

XML = "n8n-nodes-base.xml"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def run(params: dict[str, Any], *data: dict[str, Any], **kw: Any) -> list[dict[str, Any]]:
    out = execute_one(XML, params, [items(*data)], **kw)
    assert isinstance(out, list)
    return jsons(out[0])


PERSON = {"data": {"id": 1, "firstName": "Adam", "secondName": "Smith", "fullName": "Adam Smith"}}


def test_json_to_xml_fixture() -> None:
    expected = (
        DECL + "<data>\n  <id>1</id>\n  <firstName>Adam</firstName>\n"
        "  <secondName>Smith</secondName>\n  <fullName>Adam Smith</fullName>\n</data>"
    )
    assert run({"mode": "jsonToxml", "options": {}}, PERSON) == [{"data": expected}]
    headless = run({"mode": "jsonToxml", "options": {"headless": True}}, PERSON)
    assert headless == [{"data": expected[len(DECL) :]}]


def test_xml_to_json_fixture_round_trip() -> None:
    xml = (
        DECL.strip() + " <data> <id>1</id> <firstName>Adam</firstName> <secondName>Smith"
        "</secondName> <fullName>Adam Smith</fullName> </data>"
    )
    assert run({"options": {}}, {"data": xml}) == [
        {"data": {"id": "1", "firstName": "Adam", "secondName": "Smith", "fullName": "Adam Smith"}}
    ]
    built = run({"mode": "jsonToxml", "options": {}}, {"a": {"b": {"c": 1}}})
    assert run({"options": {}}, built[0]) == [{"a": {"b": {"c": "1"}}}]


def test_builder_attributes_text_arrays_nulls_and_root_name() -> None:
    obj = {
        "x": 1,
        "y": {"$": {"id": 3, "skip": None}, "_": "a<b", "z": [1, "s", {"q": None}]},
        "t": True,
    }
    out = run({"mode": "jsonToxml", "options": {"rootName": "doc", "headless": True}}, obj)
    assert out == [
        {
            "data": (
                '<doc>\n  <x>1</x>\n  <y id="3">\n    a&lt;b\n    <z>1</z>\n    <z>s</z>\n'
                "    <z>\n      <q/>\n    </z>\n  </y>\n  <t>true</t>\n</doc>"
            )
        }
    ]
    cdata = run(
        {"mode": "jsonToxml", "options": {"cdata": True, "headless": True}},
        {"r": {"v": "1 & 2", "w": "plain"}},
    )
    assert cdata == [{"data": "<r>\n  <v><![CDATA[1 & 2]]></v>\n  <w>plain</w>\n</r>"}]
    assert run({"mode": "jsonToxml", "options": {"headless": True}}, {"a": 1, "b": 2}) == [
        {"data": "<root>\n  <a>1</a>\n  <b>2</b>\n</root>"}
    ]


XML_DOC = (
    '<Root a="1"><Item>x</Item><Item> y </Item><Empty/><Blank>  </Blank><C><![CDATA[ ]]></C></Root>'
)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, {"Root": {"a": "1", "Item": ["x", " y "], "Empty": "", "Blank": "  ", "C": " "}}),
        (
            {"explicitArray": True},
            {
                "Root": {
                    "a": ["1"],
                    "Item": ["x", " y "],
                    "Empty": [""],
                    "Blank": ["  "],
                    "C": [" "],
                }
            },
        ),
        (
            {"mergeAttrs": False},
            {"Root": {"$": {"a": "1"}, "Item": ["x", " y "], "Empty": "", "Blank": "  ", "C": " "}},
        ),
        (
            {"ignoreAttrs": True, "trim": True, "explicitRoot": False},
            {"Item": ["x", "y"], "Empty": "", "Blank": "  ", "C": ""},
        ),
        (
            {"normalizeTags": True, "attrkey": "@", "mergeAttrs": False},
            {"root": {"@": {"a": "1"}, "item": ["x", " y "], "empty": "", "blank": "  ", "c": " "}},
        ),
    ],
)
def test_parser_options(options: dict[str, Any], expected: dict[str, Any]) -> None:
    assert run({"options": options}, {"data": XML_DOC}) == [expected]


def test_text_with_attributes_uses_charkey_and_normalize() -> None:
    doc = '<p lang="en">hello   big\n world</p>'
    assert run({"options": {}}, {"data": doc}) == [
        {"p": {"_": "hello   big\n world", "lang": "en"}}
    ]
    assert run({"options": {"normalize": True, "charkey": "#"}}, {"data": doc}) == [
        {"p": {"#": "hello big world", "lang": "en"}}
    ]


def test_errors_name_node_and_item() -> None:
    with pytest.raises(NodeExecutionError, match='No json property "data"') as err:
        run({"options": {}}, {"other": 1})
    assert err.value.item_index == 0
    with pytest.raises(NodeExecutionError, match=r"(?i)mismatched tag"):
        run({"options": {}}, {"data": "<a><b></a>"})
    out = execute_one(
        XML,
        {"options": {}},
        [items({"data": "<a>"}, {"data": "<ok/>"})],
        node_fields={"onError": "continueRegularOutput"},
    )
    assert isinstance(out, list)
    assert "error" in jsons(out[0])[0] and jsons(out[0])[1] == {"ok": ""}
