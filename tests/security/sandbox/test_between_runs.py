"""Nothing a run does survives into the next one: Python runs start from a fresh fork of the
zygote, JavaScript runs share a thread's isolate whose realm is frozen and whose host API is
out of reach. A run holding a secret is followed by an attacker's run that looks for it, and
an attacker's run that tampers is followed by a victim's run that must compute as usual."""

from __future__ import annotations

import json

from tests.security.sandbox.conftest import Runner, World, chain, code_node, output_of, set_node

PY_STASH = (
    "import json, collections, math\n"
    "json.stash = _items[0]['json']['secret']\n"
    "collections.stash = json.stash\n"
    "math.pi = 3\n"
    "return _items"
)
PY_LOOK = (
    "import json, collections, math\n"
    "return [{'json_stash': getattr(json, 'stash', None),"
    " 'collections_stash': getattr(collections, 'stash', None), 'pi': math.pi}]"
)

JS_STASH = """
const secret = $input.first().json.secret;
globalThis.stash = secret;
try { Object.prototype.stash = secret } catch (e) {}
try { JSON.stash = secret } catch (e) {}
try { Math.stash = secret } catch (e) {}
try { DateTime.stash = secret } catch (e) {}
try { $.stash = secret } catch (e) {}
try { JSON.stringify = () => secret } catch (e) {}
try { Array.prototype.map = () => [secret] } catch (e) {}
try { String.prototype.toUpperCase = () => secret } catch (e) {}
try { Date.now = () => 0 } catch (e) {}
try { Math.random = () => 0.5 } catch (e) {}
return $input.all();
"""
JS_LOOK = """
const seen = [globalThis.stash, ({}).stash, JSON.stash, Math.stash, DateTime.stash, $.stash];
return [{
  stash: seen.filter(v => v !== undefined),
  stringify: JSON.stringify({a: 1}),
  map: [1, 2].map(x => x * 2),
  upper: 'abc'.toUpperCase(),
  clock: Date.now() > 1e12,
  random: [1, 2, 3, 4, 5].map(() => Math.random()).some(x => x !== 0.5),
}];
"""


def test_python_module_state_does_not_survive_a_run(runner: Runner, world: World) -> None:
    # Given: a run that holds a secret and leaves it in module state
    stash = runner.run(
        chain(code_node("python", PY_STASH)), items=[{"json": {"secret": world.secret}}]
    )
    assert stash.status == "success"

    # When: the next run looks for it
    look = runner.run(chain(code_node("python", PY_LOOK)))

    # Then: every Python run starts from a clean fork
    assert output_of(look, "Code") == [
        {"json_stash": None, "collections_stash": None, "pi": 3.141592653589793}
    ]
    world.assert_untouched(look)


def test_javascript_state_does_not_survive_a_run(runner: Runner, world: World) -> None:
    stash = runner.run(
        chain(code_node("javaScript", JS_STASH)), items=[{"json": {"secret": world.secret}}]
    )
    assert stash.status == "success", stash.error

    look = runner.run(chain(code_node("javaScript", JS_LOOK)))

    assert output_of(look, "Code") == [
        {
            "stash": [],
            "stringify": '{"a":1}',
            "map": [2, 4],
            "upper": "ABC",
            "clock": True,
            "random": True,
        }
    ]
    world.assert_untouched(look)


def test_another_run_s_facts_and_expressions_stay_out_of_reach(runner: Runner) -> None:
    # Given: a victim's run whose variables hold a secret, evaluated in this thread's isolate
    victim = chain(set_node("={{ 'v:' + $vars.secret + ':' + $json.n }}"), name="victim")
    variables = {"secret": "victim-only"}
    first = runner.run(victim, variables=variables, items=[{"json": {"n": 1}}])
    assert output_of(first, "Set") == [{"v": "v:victim-only:1"}]

    # When: an attacker's run tries the isolate's host API to read the victim's session facts
    # and to replace the victim's compiled expression
    attack = """
const found = [];
for (const name of ['__n8n_api', '__n8n_k', '__n8n_intl']) {
  try { found.push(name + ':' + typeof globalThis[name]) } catch (e) { found.push(String(e)) }
}
try { __n8n_api.begin(1, 1, 0, null, 0, ''); found.push(JSON.stringify($vars)) } catch (e) {}
try {
  for (let id = 1; id < 500; id++) __n8n_api.compile(id, "(function () { return 'owned' })");
  __n8n_api.forget(1e9);
} catch (e) {}
return [{found}];
"""
    stolen = runner.run(chain(code_node("javaScript", attack), name="attacker"))

    # Then: the API is not there, and the victim's next run computes as before
    assert output_of(stolen, "Code") == [
        {"found": ["__n8n_api:undefined", "__n8n_k:undefined", "__n8n_intl:undefined"]}
    ]
    assert "victim-only" not in json.dumps(stolen.to_json())
    again = runner.run(victim, variables=variables, items=[{"json": {"n": 2}}])
    assert output_of(again, "Set") == [{"v": "v:victim-only:2"}]


def test_code_sees_no_credentials_settings_or_environment(runner: Runner, world: World) -> None:
    # A node that holds credentials sits next to the Code node; what the code can see of the
    # run, the workflow and other nodes carries no secret (the key, the environment)
    vault = {
        "name": "Vault",
        "type": "n8n-nodes-base.noOp",
        "typeVersion": 1,
        "credentials": {"httpHeaderAuth": {"id": "7", "name": "production token"}},
    }
    look = (
        "return [{'workflow': _workflow, 'execution': _execution, 'vars': _vars,"
        " 'vault': _('Vault').params,"
        " 'names': sorted(k for k in globals() if not k.startswith('__'))}]"
    )
    state = runner.run(chain(vault, code_node("python", look)))
    [seen] = output_of(state, "Code")
    dumped = json.dumps(seen)
    assert "credential" not in dumped.lower() and "production token" not in dumped
    assert world.secret not in dumped
    js = (
        "return [{env: Object.keys($env), workflow: $workflow,"
        " vault: JSON.stringify($('Vault').params)}]"
    )
    js_state = runner.run(chain(vault, code_node("javaScript", js)))
    [js_seen] = output_of(js_state, "Code")
    assert js_seen["env"] == [] and "production token" not in json.dumps(js_seen)
    world.assert_untouched(js_state)
