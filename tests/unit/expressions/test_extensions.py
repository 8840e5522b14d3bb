"""n8n's data-transformation functions on strings, numbers, arrays, objects, dates, booleans."""

from __future__ import annotations

import pytest

from n8nwork.errors import ExpressionError
from n8nwork.expressions import ExpressionEngine
from tests.unit.expressions.conftest import simple_scope

DATA = {
    "name": "ada lovelace",
    "text": "Hello **World**",
    "url": "https://docs.example.com/guide/intro?q=1",
    "email": "ada@example.com",
    "html": "<p>hi<br/>there</p>",
    "b64": "YWJj",
    "nums": [3, 1, 2, 3, None],
    "list": [3, 1, 2, 3],
    "tags": ["x", "y", "z"],
    "metadata": {"a": 1},
    "empty": "",
    "iso": "2026-08-24T10:30:00.000Z",
    "zero": 0,
}


def ev(engine: ExpressionEngine, code: str):
    return engine.evaluate("={{ " + code + " }}", simple_scope([{"json": DATA}]), 0)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # strings
        ("$json.name.toTitleCase()", "Ada Lovelace"),
        ("'the lord of the rings'.toTitleCase()", "The Lord of the Rings"),
        ("'hello world. bye now!'.toSentenceCase()", "Hello world. Bye now!"),
        ("'Hello World-x'.toSnakeCase()", "hello_world_x"),
        ("$json.url.extractDomain()", "docs.example.com"),
        ("$json.email.extractDomain()", "example.com"),
        ("'write to ada@example.com now'.extractEmail()", "ada@example.com"),
        ("'see https://a.io/x?y=1 here'.extractUrl()", "https://a.io/x?y=1"),
        ("$json.url.extractUrlPath()", "/guide/intro"),
        ("$json.email.isEmail()", True),
        ("'a b@c.de'.isEmail()", False),
        ("$json.url.isUrl()", True),
        ("'example.com'.isDomain()", True),
        ("'12.5'.isNumeric()", True),
        ("'12 5'.isNumeric()", False),
        ("'a b&c'.urlEncode()", "a%20b%26c"),
        ("'a%20b'.urlDecode()", "a b"),
        ("'abc'.base64Encode()", "YWJj"),
        ("$json.b64.base64Decode()", "abc"),
        ("'héllo'.base64Encode().base64Decode()", "héllo"),
        ("$json.text.removeMarkdown()", "Hello World"),
        ("$json.html.removeTags()", "hithere"),
        ("$json.empty.isEmpty()", True),
        ("'  '.isBlank()", True),
        ("'x'.isNotEmpty()", True),
        ("'$1,234'.replace(',', '').toNumber()", 1234),
        ("'12.5'.toFloat()", 12.5),
        ("'42px'.toInt()", 42),
        ("'yes'.toBoolean()", True),
        ("'0'.toBoolean()", False),
        ("'abc'.hash()", "900150983cd24fb0d6963f7d28e17f72"),
        ("'abc'.hash('sha1')", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("'abc'.hash('sha256').length", 64),
        ("'abc'.hash('sha512').slice(0, 8)", "ddaf35a1"),
        ("'abc'.hash('base64')", "YWJj"),
        ("'Žluťoučký kůň'.replaceSpecialChars()", "Zlutoucky kun"),
        ("'a\"b'.quote()", '"a\\"b"'),
        ("'{\"k\":[1,2]}'.parseJson().k[1]", 2),
        ("'2026-08-24'.toDateTime().toISODate()", "2026-08-24"),
        ("'24/08/2026'.toDateTime('dd/MM/yyyy').month", 8),
        ("$json.iso.toDateTime().year", 2026),
        ("'x'.toJsonString()", '"x"'),
        # numbers
        ("(1.2345).round(2)", 1.23),
        ("(1.5).round()", 2),
        ("(1.2).ceil() + (1.8).floor()", 3),
        ("(4).isEven()", True),
        ("(3).isOdd()", True),
        ("(-1.7).abs()", 1.7),
        ("(4).isInteger()", True),
        ("(0).toBoolean()", False),
        ("(1708695471).toDateTime('s').toUTC().toISO()", "2024-02-23T13:37:51.000Z"),
        ("(123456.789).format('de-DE')", "123.456,789"),
        ("$json.zero.isEmpty()", True),
        # arrays
        ("$json.nums.compact().length", 4),
        ("$json.nums.compact().removeDuplicates().join(',')", "3,1,2"),
        ("$json.list.unique()", [3, 1, 2]),
        ("[1, 2].sum()", 3),
        ("[2, 4].average()", 3),
        ("[].average()", 0),
        ("[3, 1].min() + [3, 1].max()", 4),
        ("$json.tags.first() + $json.tags.last()", "xz"),
        ("$json.tags.chunk(2).length", 2),
        ("[{k: 'a', v: 1}, {k: 'b', v: 2}].smartJoin('k', 'v')", {"a": 1, "b": 2}),
        ("[{n: 1}, {n: 2}, {m: 3}].pluck('n')", [1, 2]),
        ("$json.list.union([9])", [3, 1, 2, 9]),
        ("$json.list.intersection([2, 3])", [3, 2]),
        ("$json.list.difference([3])", [1, 2]),
        ("[{a: 1}, {b: 2}].merge()", {"a": 1, "b": 2}),
        ("[{n: 'x'}].renameKeys('n', 'm')", [{"m": "x"}]),
        ("['a'].append('b', 'c')", ["a", "b", "c"]),
        ("$json.tags.isNotEmpty()", True),
        ("[].isEmpty()", True),
        ("$json.tags.toJsonString()", '["x","y","z"]'),
        ("$json.tags.includes('y')", True),
        # objects
        ("$json.metadata.isEmpty()", False),
        ("({}).isEmpty()", True),
        ("$json.metadata.keys()", ["a"]),
        ("$json.metadata.values()", [1]),
        ("$json.metadata.hasField('a')", True),
        ("({a: 1, b: 2}).removeField('a')", {"b": 2}),
        ("({a: 'x1', b: 'y'}).removeFieldsContaining('x')", {"b": "y"}),
        ("({a: 'x1', b: 'y', c: 1}).keepFieldsContaining('x')", {"a": "x1"}),
        ("({x: null, y: 2, z: ''}).compact()", {"y": 2}),
        ("({name: 'Mr Nathan', city: 'hanoi'}).urlEncode()", "name=Mr+Nathan&city=hanoi"),
        ("({...$json.metadata, b: 2}).toJsonString()", '{"a":1,"b":2}'),
        # dates
        ("DateTime.fromISO($json.iso).plus(7, 'days').toISODate()", "2026-08-31"),
        ("DateTime.fromISO($json.iso).minus(1, 'month').toISODate()", "2026-07-24"),
        ("DateTime.fromISO($json.iso).plus({days: 1}).toISODate()", "2026-08-25"),
        ("DateTime.fromISO($json.iso).setZone('UTC').format('dd/LL/yyyy')", "24/08/2026"),
        ("DateTime.fromISO($json.iso).extract('month')", 8),
        ("DateTime.fromISO($json.iso).isWeekend()", False),
        ("DateTime.fromISO($json.iso).isBetween('2026-01-01', '2027-01-01')", True),
        ("DateTime.fromISO($json.iso).diffTo('2026-08-20T10:30:00.000Z', 'days')", 4),
        ("DateTime.fromISO($json.iso).beginningOf('month').toISODate()", "2026-08-01"),
        ("DateTime.fromISO($json.iso).endOfMonth().toISODate()", "2026-08-31"),
        ("$json.iso.plus(1, 'day').toISOString()", "2026-08-25T10:30:00.000Z"),
        ("new Date($json.iso).toDateTime().toUTC().toISO()", "2026-08-24T10:30:00.000Z"),
        # booleans and missing values
        ("true.toInt()", 1),
        ("false.toNumber()", 0),
        ("$json.missing.isEmpty()", True),
        ("$json.missing.isNotEmpty()", False),
        ("$json.missing?.toNumber()", None),
        ("Math.max(1, 5)", 5),
    ],
)
def test_extensions(engine: ExpressionEngine, code: str, expected: object) -> None:
    assert ev(engine, code) == expected


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("$json.missing.toNumber()", "toNumber can't be used on undefined value"),
        ("'abc'.toNumber()", "cannot convert to number"),
        ("[1, 'a'].sum()", "sum(): all array elements must be numbers"),
        ("(1.5).isEven()", "isEven() is only callable on integers"),
        ("(5).toTitleCase()", 'toTitleCase() is only callable on type "String"'),
        ("'abc'.hash('nope')", "Unknown algorithm nope"),
        ("[1].chunk(0)", "chunk(): expected non-zero numeric arg"),
        ("'{'.parseJson()", "Parsing failed"),
        ("'x'.toDateTime()", "cannot convert to Luxon DateTime"),
    ],
)
def test_extension_errors_fail_the_evaluation(
    engine: ExpressionEngine, code: str, message: str
) -> None:
    with pytest.raises(ExpressionError, match=message.replace("(", "\\(").replace(")", "\\)")):
        ev(engine, code)


def test_user_objects_keep_their_own_methods(engine: ExpressionEngine) -> None:
    assert ev(engine, "({ format: () => 'own' }).format()") == "own"
    assert ev(engine, "'abc'.toUpperCase()") == "ABC"
