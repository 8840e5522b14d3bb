"""n8n's Python Code API inside the sandbox: both modes, both languages, the Pyodide-era
names, print capture, errors with line numbers, output validation, and that every allowed
module works after lock-down."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.sandbox import ALLOWED_MODULES, CodeValidationError, run_python
from tests.unit.sandbox.conftest import fails, run

ITEMS = [{"json": {"name": "a", "n": 1}}, {"json": {"name": "b", "n": 2}}]


def jsons(items: list[dict[str, Any]]) -> list[Any]:
    return [i["json"] for i in items]


@pytest.mark.parametrize("language", ["python", "pythonNative"])
def test_all_items_with_native_names(language: str) -> None:
    code = "return [{'total': sum(i['json']['n'] for i in _items)}]"
    assert jsons(run(code, ITEMS, language=language).items) == [{"total": 3}]


def test_all_items_with_pyodide_names() -> None:
    code = (
        "out = []\n"
        "for item in _input.all():\n"
        "    item.json.upper = item.json.name.upper()\n"
        "    out.append(item)\n"
        "first, last = _input.first(), _input.last()\n"
        "out.append({'json': {'first': first['json']['name'], 'last': last.json.name,"
        " 'legacy': len(items)}})\n"
        "return out"
    )
    assert jsons(run(code, ITEMS).items) == [
        {"name": "a", "n": 1, "upper": "A"},
        {"name": "b", "n": 2, "upper": "B"},
        {"first": "a", "last": "b", "legacy": 2},
    ]


def test_plain_dicts_are_wrapped_and_a_single_dict_is_one_item() -> None:
    assert run("return [{'a': 1}, {'a': 2}]").items == [{"json": {"a": 1}}, {"json": {"a": 2}}]
    assert run("return {'a': 1}").items == [{"json": {"a": 1}}]
    assert run("return []").items == []


def test_each_item_mode_pairs_every_result_with_its_input() -> None:
    code = "_item['json']['double'] = _json['n'] * 2\nreturn _item"
    result = run(code, ITEMS, mode="runOnceForEachItem")
    assert result.items == [
        {"json": {"name": "a", "n": 1, "double": 2}, "pairedItem": {"item": 0}},
        {"json": {"name": "b", "n": 2, "double": 4}, "pairedItem": {"item": 1}},
    ]
    legacy = run(
        "return {'x': _input.item.json.n, 'i': _itemIndex}", ITEMS, mode="runOnceForEachItem"
    )
    assert jsons(legacy.items) == [{"x": 1, "i": 0}, {"x": 2, "i": 1}]


def test_each_item_mode_skips_none_results() -> None:
    code = "if _json['n'] == 1:\n    return None\nreturn {'kept': _json['n']}"
    assert run(code, ITEMS, mode="runOnceForEachItem").items == [
        {"json": {"kept": 2}, "pairedItem": {"item": 1}}
    ]


def test_each_item_globals_are_fresh_per_item() -> None:
    code = "try:\n    seen\nexcept NameError:\n    seen = 'fresh'\nreturn {'seen': seen}"
    # assigning ``seen`` makes it local to the wrapped function: check module globals instead
    code = "g = globals()\nfresh = 'mark' not in g\ng['mark'] = 1\nreturn {'fresh': fresh}"
    assert jsons(run(code, ITEMS, mode="runOnceForEachItem").items) == [
        {"fresh": True},
        {"fresh": True},
    ]


def test_print_output_is_captured_and_cannot_forge_results() -> None:
    code = "print('hello', 1)\nprint('\\x00\\x00\\x00\\x10{\"ok\": true}')\nreturn [{'a': 1}]"
    result = run(code)
    assert result.items == [{"json": {"a": 1}}]
    assert result.stdout[0] == "hello 1"


def test_async_code_runs_in_the_python_language() -> None:
    code = "async def f():\n    return 5\nreturn [{'v': await f()}]"
    assert jsons(run(code).items) == [{"v": 5}]


def test_user_exception_names_type_message_and_line() -> None:
    err = fails("x = 1\ny = 0\nreturn [{'r': x / y}]")
    assert err.message == "ZeroDivisionError: division by zero [line 3]"
    assert err.line == 3
    assert err.limit is None
    assert err.description is not None and 'File "<code>", line 3' in err.description
    assert err.context == {"lineNumber": 3}


def test_exception_in_a_user_function_reports_the_innermost_line() -> None:
    err = fails("def f(x):\n    return x['missing']\n\nreturn [f({})]")
    assert err.message == "KeyError: 'missing' [line 2]"


def test_each_item_exception_names_the_item() -> None:
    err = fails("return {'r': 1 / (_json['n'] - 2)}", ITEMS, mode="runOnceForEachItem")
    assert err.message == "ZeroDivisionError: division by zero [line 1, for item 1]"
    assert err.item_index == 1


def test_continue_on_fail_keeps_the_good_items() -> None:
    result = run(
        "return {'r': 10 / (_json['n'] - 2)}",
        ITEMS,
        mode="runOnceForEachItem",
        continue_on_fail=True,
    )
    assert result.items == [{"json": {"r": -10.0}, "pairedItem": {"item": 0}}]
    assert result.errors[1].message.startswith("ZeroDivisionError")


def test_syntax_errors_name_the_line() -> None:
    assert fails("x = (").message == "SyntaxError: '(' was never closed [line 1]"
    assert fails("x = 1\nreturn [\n  {'a': }\n]").line == 3


def test_empty_code_does_not_return_items_properly() -> None:
    err = fails_validation("")
    assert err.message == "Code doesn't return items properly"


def fails_validation(code: str, **kwargs: Any) -> CodeValidationError:
    with pytest.raises(CodeValidationError) as info:
        run(code, **kwargs)
    return info.value


def test_results_are_validated_with_n8n_texts_for_dictionaries() -> None:
    assert fails_validation("return 'text'").description == (
        "Please return an array of dictionaries, one for each item you would like to output."
    )
    err = fails_validation("return [{'json': 1}]")
    assert err.message == "A 'json' property isn't a dictionary [item 0]"
    err = fails_validation("return [1, 2]", mode="runOnceForEachItem")
    assert err.message == "Code doesn't return a single dictionary [item 0]"
    err = fails_validation("return 5", mode="runOnceForEachItem")
    assert err.message == "Code doesn't return a dictionary [item 0]"
    assert err.description == (
        "Please return a dictionary representing the output item. ('5' was returned instead.)"
    )


def test_values_json_cannot_hold_are_stringified() -> None:
    code = "import datetime\nreturn [{'d': datetime.date(2024, 1, 2), 't': (1, 2)}]"
    assert jsons(run(code).items) == [{"d": "2024-01-02", "t": [1, 2]}]


def test_unserializable_output_is_a_clear_error() -> None:
    err = fails("d = {}\nd['self'] = d\nreturn [d]")
    assert "Output is not JSON-serializable" in err.message


def test_context_is_visible() -> None:
    context = {
        "runIndex": 2,
        "workflow": {"id": "w1", "name": "WF", "active": False},
        "execution": {"id": "e1", "mode": "test"},
        "vars": {"v": 1},
        "timezone": "Europe/Berlin",
        "nodes": {"Src": {"items": [{"json": {"k": 1}}, {"json": {"k": 2}}], "paired": []}},
    }
    code = (
        "return [{'run': _runIndex, 'wf': _workflow.name, 'exec': _execution['id'],"
        " 'v': _vars.v, 'tz': str(_now.tzinfo), 'all': len(_('Src').all()),"
        " 'first': _('Src').first().json.k, 'last': _('Src').last()['json']['k']}]"
    )
    assert jsons(run(code, context=context).items) == [
        {
            "run": 2,
            "wf": "WF",
            "exec": "e1",
            "v": 1,
            "tz": "Europe/Berlin",
            "all": 2,
            "first": 1,
            "last": 2,
        }
    ]
    assert "Referenced node 'Nope' is unexecuted" in fails("_('Nope').all()").message


def test_paired_item_of_another_node() -> None:
    context = {"nodes": {"Src": {"items": [], "paired": [{"json": {"k": "a"}}, None]}}}
    code = "return {'k': _('Src').item.json.k}"
    err = fails(code, ITEMS, mode="runOnceForEachItem", context=context)
    assert err.message.startswith("ValueError: Can't get data for expression")
    assert err.item_index == 1
    result = run(code, ITEMS[:1], mode="runOnceForEachItem", context=context)
    assert jsons(result.items) == [{"k": "a"}]


def test_input_is_passed_by_value() -> None:
    items = [{"json": {"a": 1}}]
    run("_items[0]['json']['a'] = 2\nreturn _items", items)
    assert items == [{"json": {"a": 1}}]


@pytest.mark.parametrize("module", sorted(ALLOWED_MODULES))
def test_every_allowed_module_imports_after_lock_down(module: str) -> None:
    assert run(f"import {module}\nreturn []").items == []


def test_allowed_modules_work_after_lock_down() -> None:
    code = """
import base64, calendar, collections, csv, dataclasses, datetime, decimal, difflib, enum
import fractions, hashlib, hmac, html, io, ipaddress, json, math, random, re, secrets
import statistics, string, textwrap, typing, unicodedata, urllib.parse, uuid, zoneinfo
from collections import namedtuple

P = namedtuple('P', 'x y')

@dataclasses.dataclass
class D:
    a: int = 1

class Color(enum.Enum):
    RED = 1

class T(typing.NamedTuple):
    a: int

random.seed(4)
rows = list(csv.reader(io.StringIO('a,b\\n1,2')))
return [{
    'b64': base64.b64encode(b'hi').decode(),
    'cal': calendar.monthrange(2024, 2)[1],
    'counter': collections.Counter('aab')['a'],
    'csv': rows,
    'dc': dataclasses.asdict(D()),
    'parsed': str(datetime.datetime.strptime('2024-03-04', '%Y-%m-%d').date()),
    'dec': str(decimal.Decimal('1.10') + decimal.Decimal('2.20')),
    'diff': difflib.SequenceMatcher(None, 'abc', 'abd').ratio() > 0.5,
    'enum': Color.RED.name,
    'frac': str(fractions.Fraction(1, 3) * 3),
    'sha': hashlib.sha256(b'x').hexdigest()[:8],
    'hmac': hmac.new(b'k', b'm', 'sha256').hexdigest()[:8],
    'html': html.unescape('&amp;'),
    'ip': str(ipaddress.ip_address('10.0.0.1') + 1),
    'parsed_json': json.loads('{"a": [1]}'),
    'math': math.floor(math.pi),
    'rand': 0 <= random.random() < 1,
    'secret': len(secrets.token_hex(4)),
    'mean': statistics.mean([1, 2, 3]),
    'tmpl': string.Template('$a').substitute(a='x'),
    'wrap': textwrap.shorten('hello world foo', 11),
    'nt': T(1).a + P(1, 2).y,
    'uni': unicodedata.name('a'),
    'quote': urllib.parse.quote('a b'),
    'uuid': len(str(uuid.uuid4())),
    'tz': datetime.datetime(2024, 7, 1, tzinfo=zoneinfo.ZoneInfo('America/New_York'))
        .utcoffset().total_seconds(),
}]
"""
    out = run(code).items[0]["json"]
    assert out == {
        "b64": "aGk=",
        "cal": 29,
        "counter": 2,
        "csv": [["a", "b"], ["1", "2"]],
        "dc": {"a": 1},
        "parsed": "2024-03-04",
        "dec": "3.30",
        "diff": True,
        "enum": "RED",
        "frac": "1",
        "sha": "2d711642",
        "hmac": out["hmac"],
        "html": "&",
        "ip": "10.0.0.2",
        "parsed_json": {"a": [1]},
        "math": 3,
        "rand": True,
        "secret": 8,
        "mean": 2,
        "tmpl": "x",
        "wrap": "hello [...]",
        "nt": 3,
        "uni": "LATIN SMALL LETTER A",
        "quote": "a%20b",
        "uuid": 36,
        "tz": -14400.0,
    }


def test_unknown_time_zone_is_a_clean_error() -> None:
    err = fails("import zoneinfo\nzoneinfo.ZoneInfo('Mars/Olympus')")
    assert "ZoneInfoNotFoundError" in err.message


def test_run_python_defaults() -> None:
    assert run_python("return [{'a': 1}]", []).items == [{"json": {"a": 1}}]


def test_from_imports_of_allowed_modules() -> None:
    code = (
        "from collections import OrderedDict\nfrom urllib.parse import quote\n"
        "from datetime import datetime as dt\nfrom html import parser\n"
        "return [{'a': list(OrderedDict(a=1)), 'q': quote('a b'), 'y': dt(2024, 1, 1).year,"
        " 'p': parser.__name__}]"
    )
    assert jsons(run(code).items) == [{"a": ["a"], "q": "a%20b", "y": 2024, "p": "html.parser"}]
