"use strip";
/*
 * The n8n runtime inside the isolate: the session of one node execution (its input items,
 * metadata and caches), n8n's variables ($json, $input, $('X'), $node, $items, $item,
 * $parameter, $execution, $workflow, $vars, $env, $now, $today, $jmespath, ...), the batch
 * evaluator of compiled expressions and the runner of Code / Function node bodies.
 *
 * Data of other nodes is fetched lazily from the host. The isolate cannot call the host while a
 * time limit is armed, so a question the host has not answered yet (key "op\u0000arg") is
 * recorded in S.needed and the special value NEED is thrown; the host answers the recorded
 * questions (api.provide) and the evaluation resumes at the item that asked (expressions) or
 * the code runs again (Code nodes). Answers are strings; an error is "\u0001" + JSON.
 * Everything defined here is compiled with "use strip": no source or line numbers, so user
 * code is the only thing with locations in error stacks.
 */
(function (G) {
  "use strict";
  var intlHooks = G.__n8n_intl;
  var jmespathLib = G.__n8n_jmespath;
  var luxon = G.__n8n_luxon;
  var DateTime = luxon.DateTime, Duration = luxon.Duration, Interval = luxon.Interval;
  var Settings = luxon.Settings;
  var geval = G.eval;
  var hasOwn = Object.prototype.hasOwnProperty;
  delete G.__n8n_jmespath;
  delete G.__n8n_luxon;

  var MARK = "\u0001n8n";

  // ------------------------------------------------------------------ errors
  function ExpressionError(message, extra) {
    var e = new Error(message);
    Object.setPrototypeOf(e, ExpressionError.prototype);
    if (extra) {
      for (var k in extra) if (hasOwn.call(extra, k) && k !== "message") e[k] = extra[k];
    }
    return e;
  }
  ExpressionError.prototype = Object.create(Error.prototype, {
    constructor: { value: ExpressionError, writable: true, configurable: true },
    name: { value: "ExpressionError", writable: true, configurable: true }
  });
  function ExpressionExtensionError(message, extra) {
    var e = ExpressionError(message, extra);
    Object.setPrototypeOf(e, ExpressionExtensionError.prototype);
    return e;
  }
  ExpressionExtensionError.prototype = Object.create(ExpressionError.prototype, {
    constructor: { value: ExpressionExtensionError, writable: true, configurable: true },
    name: { value: "ExpressionExtensionError", writable: true, configurable: true }
  });
  function isExpressionError(e) { return e instanceof ExpressionError; }

  // ------------------------------------------------------------------ host answers
  var NEED = Object.freeze({ n8nNeedsHostData: true });
  function answer(key) {
    var r = S.provided === null ? undefined : S.provided.get(key);
    if (r === undefined) {
      needs(key);
      throw NEED;
    }
    return r;
  }
  function needs(key) {
    (S.needed || (S.needed = new Set())).add(key);
  }
  function raiseReply(r) {
    var info = JSON.parse(r.slice(1));
    if (info.plain) throw new Error(info.message);
    throw ExpressionError(info.message, info);
  }
  function py(op, arg) {
    var r = answer(op + "\u0000" + (arg === undefined ? "" : String(arg)));
    if (r.charCodeAt(0) === 1) raiseReply(r);
    return r;
  }
  function pyJSON(op, arg) { return JSON.parse(py(op, arg)); }

  var TZ = new Map();
  intlHooks.table = function (tz, year) {
    var key = "tz\u0000" + tz + "\u0000" + year;
    var t = TZ.get(key);
    if (t !== undefined) return t;
    var r = S && S.provided !== null ? S.provided.get(key) : undefined;
    if (r === undefined) {
      if (S) needs(key);
      return null;
    }
    t = JSON.parse(r);
    TZ.set(key, t);
    return t;
  }

  // ------------------------------------------------------------------ session
  var S = null;
  var FNS = new Map();
  var currentZone = null;
  var EMPTY_THIS = Object.freeze({ process: Object.freeze({}) });

  var NODE_FACTS = new Map(), RUN_FACTS = new Map(), PREV_FACTS = new Map();
  var NO_OVER = Object.freeze({});
  // the session object: one object whose fields begin() resets for every session (no new
  // object, no new properties: a session starts without allocating); caches are made lazily
  var SESSION = {
    node: undefined, nodeId: undefined, nodeVersion: undefined, webhookId: undefined,
    params: undefined, mode: undefined, execution: undefined, workflow: undefined,
    vars: undefined, env: undefined, timezone: undefined, nowMs: null, runIndex: 0,
    prevNode: null, prevExecuteOnce: false, provided: null, needed: null, items: null,
    hasInput: false, cols: null, colKeys: null, colSkips: null, i: 0, cache: null,
    ctxs: null, logs: null, nowDT: undefined, over: NO_OVER, code: null, exprCache: null,
    batch: null, codeState: null, _execution: undefined, _env: undefined
  };
  Object.seal(SESSION);
  function defaultTimeZone() {
    return S && S.timezone && Settings.defaultZone.isValid ? Settings.defaultZone.name : "UTC";
  }
  intlHooks.defaultTimeZone = defaultTimeZone;
  // a new session: tokens of the node's, the run's and the previous node run's facts (defs
  // defines the ones this isolate has not seen, after forgetting full tables), the run index
  // and the run's clock (epoch ms, null: real time)
  function begin(n, r, ri, t, p, defs) {
    if (defs) {
      var d = JSON.parse(defs);
      if (d.fn) NODE_FACTS.clear();
      if (d.fr) RUN_FACTS.clear();
      if (d.fp) PREV_FACTS.clear();
      if (d.nd) NODE_FACTS.set(n, d.nd);
      if (d.rd) RUN_FACTS.set(r, d.rd);
      if (d.pd) {
        PREV_FACTS.set(p, [
          Object.freeze({ name: d.pd[0], outputIndex: d.pd[1], runIndex: d.pd[2] }), d.pd[3]
        ]);
      }
    }
    var nf = NODE_FACTS.get(n), rf = RUN_FACTS.get(r), prev = p ? PREV_FACTS.get(p) : null;
    S = SESSION;
    S.node = nf.node;
    S.nodeId = nf.nodeId;
    S.nodeVersion = nf.nodeVersion;
    S.webhookId = nf.webhookId;
    S.params = nf.params;
    S.mode = rf.mode;
    S.execution = rf.execution;
    S.workflow = rf.workflow;
    S.vars = rf.vars;
    S.env = rf.env;
    S.timezone = rf.timezone;
    S.nowMs = t;
    S.runIndex = ri;
    S.prevNode = prev === null ? null : prev[0];
    S.prevExecuteOnce = prev !== null && !!prev[1];
    S.provided = null;
    S.needed = null;
    S.items = null;
    S.hasInput = false;
    S.cols = null;
    S.colKeys = null;
    S.colSkips = null;
    S.i = 0;
    S.cache = null;
    S.ctxs = null;
    S.logs = null;
    S.nowDT = undefined;
    S.over = NO_OVER;
    S.code = null;
    S.exprCache = null;
    S.batch = null;
    S.codeState = null;
    S._execution = undefined;
    S._env = undefined;
    var tz = S.timezone || "UTC";
    if (tz !== currentZone) {
      Settings.defaultZone = tz;
      if (!Settings.defaultZone.isValid) Settings.defaultZone = "UTC";
      currentZone = tz;
    }
  }
  Settings.now = function () { return S && S.nowMs !== null && S.nowMs !== undefined ? S.nowMs : Date.now(); };

  // the input items: whole (a JSON array) or only some $json keys as columns, "#" + [n, keys,
  // columns, absent] (absent[k]: the items without keys[k], or 0). Columns are only sent for
  // expressions that read nothing but those keys of $json: the batch evaluator refills one
  // object per item from them, and the items themselves are only built if someone asks.
  function rowsOf(c) {
    var n = c[0], keys = c[1], rows = new Array(n);
    var i, k;
    for (i = 0; i < n; i++) rows[i] = { json: {} };
    for (k = 0; k < keys.length; k++) {
      var key = keys[k], col = c[2][k], gone = c[3][k], skip = null;
      if (gone) { skip = new Set(gone); }
      for (i = 0; i < n; i++) if (!skip || !skip.has(i)) rows[i].json[key] = col[i];
    }
    return rows;
  }
  function rowsNow() {
    var rows = S.items;
    if (rows === null) {
      rows = S.items = S.cols === null ? [] : rowsOf(S.cols);
      S.cols = null;
    }
    return rows;
  }
  function setItems(itemsJson) {
    S.ctxs = null;
    S.over = NO_OVER;
    if (itemsJson.charCodeAt(0) === 35) { // "#": columns
      var c = JSON.parse(itemsJson.slice(1)), keys = c[1], skips = new Array(keys.length), plain = true;
      for (var k = 0; k < keys.length; k++) {
        skips[k] = c[3][k] ? new Set(c[3][k]) : null;
        if (keys[k] === "__proto__") plain = false;
      }
      S.hasInput = c[0] > 0;
      if (plain) {
        S.items = null;
        S.cols = c;
        S.colKeys = keys;
        S.colSkips = skips;
      } else {
        S.items = rowsOf(c);
        S.cols = null;
      }
      return;
    }
    S.cols = null;
    S.items = itemsJson === "[]" ? [] : JSON.parse(itemsJson);
    S.hasInput = S.items.length > 0;
  }

  function nowDT() {
    if (S.nowDT === undefined) S.nowDT = DateTime.now();
    return S.nowDT;
  }

  // ------------------------------------------------------------------ node data (lazy)
  function cached(key, fn) {
    var cache = S.cache || (S.cache = new Map());
    var hit = cache.get(key);
    if (hit === undefined) {
      hit = fn();
      cache.set(key, hit);
    }
    return hit;
  }
  function nodeInfo(name) {
    return cached("node\u0000" + name, function () { return pyJSON("node", name); });
  }
  function nodeOutput(name, branch, run, legacy) {
    var key = (legacy ? "leg\u0000" : "out\u0000") + name + "\u0000" + branch + "\u0000" + run;
    return cached(key, function () {
      return pyJSON(legacy ? "legacy" : "output", JSON.stringify([name, branch, run]));
    });
  }
  function nodeContext(name) {
    return cached("ctx\u0000" + name, function () { return pyJSON("context", name); });
  }
  function nodeParams(name) {
    return cached("par\u0000" + name, function () { return pyJSON("params", name); });
  }
  function pairedRef(name, method, index) {
    var map = cached("pair\u0000" + name + "\u0000" + method, function () {
      return pyJSON("paired", JSON.stringify([name, method]));
    });
    var ref = index >= 0 && index < map.refs.length ? map.refs[index] : map.outside;
    if (ref && ref.error) throw ExpressionError(ref.error.message, ref.error);
    return ref === undefined ? null : ref;
  }

  function notExecutedError(name) {
    return ExpressionError("Node '" + name + "' hasn't been executed", {
      messageTemplate: 'An expression references this node, but the node is unexecuted. Consider re-wiring your nodes or checking for execution first, i.e. {{ $if( $("{{nodeName}}").isExecuted, <action_if_executed>, "") }}',
      functionality: "pairedItem", type: "no_execution_data", nodeCause: name,
      runIndex: S.runIndex, itemIndex: S.i
    });
  }

  function stripBinary(binary) {
    var out = {};
    if (!binary) return out;
    for (var key in binary) {
      if (!hasOwn.call(binary, key)) continue;
      var b = binary[key], o = {};
      for (var p in b) if (p !== "data") o[p] = b[p];
      out[key] = o;
    }
    return out;
  }

  // ------------------------------------------------------------------ the data proxy of one item
  function Ctx(index, defaultRun) {
    this.i = index;
    this.defaultRun = defaultRun;
  }

  function ctxFor(index, defaultRun) {
    var key = defaultRun === -1 ? index : index + ":" + defaultRun;
    var ctxs = S.ctxs || (S.ctxs = new Map());
    var c = ctxs.get(key);
    if (c === undefined) {
      c = new Ctx(index, defaultRun);
      ctxs.set(key, c);
    }
    return c;
  }
  function cur() { return ctxFor(S.i, -1); }

  function currentItem(c, throwIfMissing) {
    if (!S.hasInput) {
      if (!throwIfMissing) return undefined;
      throw notExecutedError(S.node);
    }
    var rows = rowsNow();
    if (c.i >= rows.length) {
      throw ExpressionError('"' + S.node + '" node has ' + rows.length + " item(s) but you're trying to access item " + c.i, {
        messageTemplate: "Adjust your expression to access an existing item index (0-{{maxIndex}})",
        functionality: "pairedItem", type: "no_execution_data", nodeCause: S.node
      });
    }
    return rows[c.i];
  }

  Ctx.prototype.json = function () {
    var it = currentItem(this, !S.code);
    return it === undefined ? undefined : it.json;
  };
  Ctx.prototype.binary = function () {
    var it = currentItem(this, !S.code);
    return it === undefined ? undefined : stripBinary(it.binary);
  };

  Ctx.prototype.input = function () {
    if (this._input) return this._input;
    var c = this;
    function items() {
      if (!S.hasInput) {
        throw ExpressionError("No execution data available", { runIndex: S.runIndex, itemIndex: c.i, type: "no_execution_data" });
      }
      return rowsNow();
    }
    function prev() {
      if (!S.prevNode) {
        throw ExpressionError("Can’t get data for expression", {
          messageTemplate: "Can’t get data for expression under ‘%%PARAMETER%%’ field",
          description: "Apologies, this is an internal error. See details for more information",
          causeDetailed: "Missing sourceData (probably an internal error)", runIndex: S.runIndex
        });
      }
      return S.prevNode.name;
    }
    this._input = {
      get item() { return items()[c.i]; },
      all: function () { return items(); },
      first: function () {
        if (arguments.length) throw ExpressionError("$input.first() should have no arguments");
        return items()[0];
      },
      last: function () {
        if (arguments.length) throw ExpressionError("$input.last() should have no arguments");
        var it = items();
        return it.length ? it[it.length - 1] : undefined;
      },
      get params() { items(); return nodeParams(prev()); },
      get context() { items(); return nodeContext(prev()); }
    };
    return this._input;
  };

  function nodeMustExist(name) {
    var info = nodeInfo(name);
    if (!info.exists) {
      throw ExpressionError("Referenced node doesn't exist", {
        runIndex: S.runIndex, itemIndex: S.i, nodeCause: name, descriptionKey: "nodeNotFound"
      });
    }
    return info;
  }

  Ctx.prototype.dollar = function (name) {
    if (!name) throw ExpressionError("When calling $(), please specify a node");
    name = String(name);
    var info = nodeMustExist(name);
    var c = this;
    function ensureExecuted() { if (!info.executed) throw notExecutedError(name); }
    function paired(method, index) {
      var ref = pairedRef(name, method, index);
      if (ref === null) return undefined;
      return nodeOutput(name, ref[0], ref[1], false)[ref[2]];
    }
    function branchArgs(branch, run) {
      return [branch === undefined ? null : branch, run === undefined ? c.defaultRun : run];
    }
    return {
      get isExecuted() { return info.executed; },
      get item() { return paired("item", c.i); },
      get pairedItem() {
        return function (index) { return paired("pairedItem", index === undefined ? c.i : index); };
      },
      get itemMatching() {
        return function (index) {
          if (index === undefined) throw ExpressionError("Missing item index for .itemMatching()", { itemIndex: index });
          return paired("itemMatching", index);
        };
      },
      get first() {
        ensureExecuted();
        return function (branch, run) {
          var a = branchArgs(branch, run);
          return nodeOutput(name, a[0], a[1], false)[0];
        };
      },
      get last() {
        ensureExecuted();
        return function (branch, run) {
          var a = branchArgs(branch, run);
          var d = nodeOutput(name, a[0], a[1], false);
          return d.length ? d[d.length - 1] : undefined;
        };
      },
      get all() {
        ensureExecuted();
        return function (branch, run) {
          var a = branchArgs(branch, run);
          return nodeOutput(name, a[0], a[1], false);
        };
      },
      get context() { return nodeContext(name); },
      get params() { return nodeParams(name); }
    };
  };

  Ctx.prototype.nodeData = function (name) {
    var c = this;
    var info = nodeInfo(name);
    function data() {
      if (!info.exists) {
        throw ExpressionError("Referenced node does not exist", {
          messageTemplate: "Make sure to double-check the node name for typos",
          functionality: "pairedItem", type: "paired_item_no_connection", nodeCause: name,
          runIndex: S.runIndex, itemIndex: c.i
        });
      }
      var d = nodeOutput(name, null, c.defaultRun, true);
      if (d.length === 0) throw notExecutedError(name);
      if (d.length <= c.i) {
        throw ExpressionError('"' + name + '" node has ' + d.length + " item(s) but you're trying to access item " + c.i, {
          messageTemplate: "Adjust your expression to access an existing item index (0-{{maxIndex}})",
          functionality: "pairedItem", type: "no_execution_data", nodeCause: name
        });
      }
      return d[c.i];
    }
    return {
      get json() { return data().json; },
      get data() { return data().json; },
      get binary() { return stripBinary(data().binary); },
      get context() { return nodeContext(name); },
      get parameter() { return parameterProxy(c, info.exists ? nodeParams(name) : {}); },
      get runIndex() { return info.runs - 1; }
    };
  };

  Ctx.prototype.node = function () {
    if (this._node) return this._node;
    var c = this;
    this._node = new Proxy({}, {
      has: function () { return true; },
      get: function (_, prop) {
        if (prop === "isProxy") return true;
        if (typeof prop === "symbol") return undefined;
        nodeMustExist(prop);
        return c.nodeData(prop);
      }
    });
    return this._node;
  };

  Ctx.prototype.items = function (name, output, run) {
    if (name === undefined) {
      var it = this.input().all();
      return S.prevExecuteOnce ? it.slice(0, 1) : it;
    }
    return nodeOutput(String(name), output || 0, run === undefined ? -1 : run, true);
  };

  function resolveParameterValue(c, value) {
    if (value && typeof value === "object" && value.__rl === true) {
      if (value.__regex && typeof value.value === "string") {
        var m = new RegExp(value.__regex).exec(value.value);
        if (m && m.length >= 2) return m[1];
        return value.value;
      }
      value = value.value;
    }
    if (typeof value === "string" && value.charAt(0) === "=") return evaluateString(value, c);
    return value;
  }

  function parameterProxy(c, params, raw) {
    return new Proxy(params, {
      has: function () { return true; },
      get: function (target, prop) {
        if (prop === "isProxy") return true;
        if (prop === "toJSON") return function () { return JSON.parse(JSON.stringify(target)); };
        if (typeof prop === "symbol") return undefined;
        if (!hasOwn.call(target, prop)) return undefined;
        var value = target[prop];
        if (value === "={{ $parameter." + prop + " }}") return undefined;
        return raw ? value : resolveParameterValue(c, value);
      }
    });
  }

  Ctx.prototype.parameter = function (raw) {
    return parameterProxy(this, S.params || {}, raw);
  };

  Ctx.prototype.prevNode = function () {
    var p = S.prevNode;
    return {
      get name() { return p ? p.name : undefined; },
      get outputIndex() { return p ? p.outputIndex || 0 : undefined; },
      get runIndex() { return p ? p.runIndex || 0 : undefined; }
    };
  };

  function workflowObject() {
    var w = S.workflow || {};
    return { id: w.id, name: w.name, active: !!w.active };
  }

  function executionObject() {
    if (S._execution) return S._execution;
    var e = S.execution || {};
    var custom = {};
    var src = e.customData || {};
    for (var k in src) if (hasOwn.call(src, k)) custom[k] = String(src[k]);
    var customData = {
      set: function (key, value) { custom[String(key)] = String(value); },
      setAll: function (obj) { for (var key in obj) if (hasOwn.call(obj, key)) custom[key] = String(obj[key]); },
      get: function (key) { return custom[String(key)]; },
      getAll: function () { var o = {}; for (var key in custom) o[key] = custom[key]; return o; }
    };
    S._execution = {
      id: e.id, mode: e.mode === "manual" ? "test" : (e.mode === undefined ? "test" : "production"),
      resumeUrl: e.resumeUrl, resumeFormUrl: e.resumeFormUrl, customData: customData
    };
    return S._execution;
  }

  function envObject() {
    if (S._env) return S._env;
    var env = S.env || {};
    S._env = new Proxy({}, {
      has: function () { return true; },
      get: function (_, prop) {
        if (prop === "isProxy") return true;
        if (typeof prop === "symbol") return undefined;
        if (hasOwn.call(env, prop)) return env[prop];
        throw ExpressionError("access to env vars denied", {
          causeDetailed: "If you need access please contact the administrator to remove the environment variable ‘N8N_BLOCK_ENV_ACCESS_IN_NODE‘ (or expose selected variables with ‘N8N_ENV_ACCESS_ALLOWLIST‘)",
          runIndex: S.runIndex, itemIndex: S.i
        });
      }
    });
    return S._env;
  }

  function jmespath(data, query) {
    if (typeof data !== "object" || typeof query !== "string") {
      throw ExpressionError("expected two arguments (Object, string) for this function", { runIndex: S.runIndex, itemIndex: S.i });
    }
    if (!Array.isArray(data) && typeof data === "object") return jmespathLib.search(Object.assign({}, data), query);
    return jmespathLib.search(data, query);
  }

  Ctx.prototype.dataProxy = function () {
    if (this._proxy) return this._proxy;
    var c = this;
    var p = {};
    var getters = {
      $json: function () { return c.json(); },
      $data: function () { return c.json(); },
      $binary: function () { return c.binary(); },
      $input: function () { return c.input(); },
      $node: function () { return c.node(); },
      $parameter: function () { return c.parameter(false); },
      $rawParameter: function () { return c.parameter(true); },
      $prevNode: function () { return c.prevNode(); },
      $itemIndex: function () { return c.i; },
      $position: function () { return c.i; },
      $thisItemIndex: function () { return c.i; },
      $thisItem: function () { return rowsNow()[c.i]; }
    };
    Object.keys(getters).forEach(function (k) {
      Object.defineProperty(p, k, { get: getters[k], enumerable: true });
    });
    p.$ = function (name) { return c.dollar(name); };
    p.$items = function (name, output, run) { return c.items(name, output, run); };
    p.$item = function (index, run) { return ctxFor(index, run === undefined ? -1 : run).dataProxy(); };
    this._proxy = p;
    return p;
  };

  // ------------------------------------------------------------------ evaluating expression strings
  function compiled(expr) {
    var exprCache = S.exprCache || (S.exprCache = new Map());
    var fn = exprCache.get(expr);
    if (fn === undefined) {
      var src = py("compile", expr);
      fn = geval(src);
      exprCache.set(expr, fn);
    }
    return fn;
  }

  function evaluateString(expr, c) {
    var fn = compiled(expr);
    var saved = S.i;
    S.i = c.i;
    try {
      var it = rowsNow()[c.i];
      return fn.call(EMPTY_THIS, it === undefined ? undefined : it.json, c.i, it === undefined ? undefined : it.binary);
    } finally {
      S.i = saved;
    }
  }

  // ------------------------------------------------------------------ globals
  function defineGlobalGetter(name, get, set) {
    Object.defineProperty(G, name, {
      get: get,
      set: set || function (v) { Object.defineProperty(G, name, { value: v, writable: true, configurable: true }); },
      enumerable: false, configurable: true
    });
  }

  function overridable(name, get) {
    defineGlobalGetter(name, function () {
      if (S && hasOwn.call(S.over, name)) return S.over[name];
      return get();
    }, function (v) {
      if (!S) return;
      if (S.over === NO_OVER) S.over = {};
      S.over[name] = v;
    });
  }

  overridable("$json", function () { return cur().json(); });
  overridable("$data", function () { return cur().json(); });
  overridable("$binary", function () { return cur().binary(); });
  overridable("$input", function () { return cur().input(); });
  overridable("$node", function () { return cur().node(); });
  overridable("$parameter", function () { return cur().parameter(false); });
  overridable("$rawParameter", function () { return cur().parameter(true); });
  overridable("$prevNode", function () { return cur().prevNode(); });
  overridable("$itemIndex", function () { return S.i; });
  overridable("$position", function () { return S.i; });
  overridable("$thisItemIndex", function () { return S.i; });
  overridable("$thisItem", function () { return rowsNow()[S.i]; });
  overridable("$runIndex", function () { return S.runIndex; });
  overridable("$thisRunIndex", function () { return S.runIndex; });
  overridable("$mode", function () { return S.mode; });
  overridable("$workflow", function () { return workflowObject(); });
  overridable("$execution", function () { return executionObject(); });
  overridable("$vars", function () { return S.vars || {}; });
  overridable("$secrets", function () { return {}; });
  overridable("$env", function () { return envObject(); });
  overridable("$now", function () { return nowDT(); });
  overridable("$today", function () { return nowDT().set({ hour: 0, minute: 0, second: 0, millisecond: 0 }); });
  overridable("$nodeVersion", function () { return S.nodeVersion; });
  overridable("$nodeId", function () { return S.nodeId; });
  overridable("$webhookId", function () { return S.webhookId; });
  overridable("items", function () { return S && S.code ? S.code.items : undefined; });
  overridable("item", function () { return S && S.code ? S.code.item : undefined; });
  ["$getWorkflowStaticData", "getWorkflowStaticData", "getNodeParameter", "$getNodeParameter",
    "helpers"].forEach(function (name) {
    overridable(name, function () { return S && S.code ? S.code.extras[name] : undefined; });
  });

  var fixed = {
    $: function (name) { return cur().dollar(name); },
    $items: function (name, output, run) { return cur().items(name, output, run); },
    $item: function (index, run) { return ctxFor(index, run === undefined ? -1 : run).dataProxy(); },
    $jmespath: jmespath,
    $jmesPath: jmespath,
    $evaluateExpression: function (expression, itemIndex) {
      var idx = itemIndex || S.i;
      return evaluateString("=" + expression, ctxFor(idx, -1));
    },
    $getPairedItem: function () { throw ExpressionError("$getPairedItem is not supported"); },
    DateTime: DateTime,
    Duration: Duration,
    Interval: Interval
  };
  Object.keys(fixed).forEach(function (k) {
    Object.defineProperty(G, k, { value: fixed[k], writable: true, enumerable: false, configurable: true });
  });

  // ------------------------------------------------------------------ result encoding
  function encode(v) {
    switch (typeof v) {
      case "number":
        if (v !== v || v === Infinity || v === -Infinity) {
          var o = {}; o[MARK] = "num"; o.v = String(v); return o;
        }
        return v;
      case "function": {
        var f = {}; f[MARK] = "err";
        f.message = v === DateTime ? "this is a DateTime, please access its methods" : "this is a function, please add ()";
        return f;
      }
      case "bigint": { var b = {}; b[MARK] = "big"; b.v = v.toString(); return b; }
      case "symbol": return null;
      default: return v;
    }
  }

  var QJS_MESSAGES = [
    [/^cannot read property '(.*)' of (undefined|null)$/, "Cannot read properties of $2 (reading '$1')"],
    [/^cannot set property '(.*)' of (undefined|null)$/, "Cannot set properties of $2 (setting '$1')"],
    [/^'(.*)' is not defined$/, "$1 is not defined"],
    [/^not a function$/, "is not a function"]
  ];
  function v8Message(msg) {
    for (var i = 0; i < QJS_MESSAGES.length; i++) {
      if (QJS_MESSAGES[i][0].test(msg)) return msg.replace(QJS_MESSAGES[i][0], QJS_MESSAGES[i][1]);
    }
    return msg;
  }

  function userLine(stack) {
    var m = /\(<input>:(\d+)\)/.exec(String(stack || ""));
    return m ? Number(m[1]) : undefined;
  }

  function encodeError(e) {
    var o = {};
    o[MARK] = "err";
    if (e instanceof Error) {
      o.name = e.name;
      o.message = v8Message(String(e.message));
      o.expression = isExpressionError(e);
      if (isOOM(e)) o.oom = true;
      o.line = userLine(e.stack);
      var extra = ["description", "causeDetailed", "nodeCause", "messageTemplate", "type", "functionality", "descriptionKey"];
      for (var i = 0; i < extra.length; i++) {
        if (e[extra[i]] !== undefined && e[extra[i]] !== null) o[extra[i]] = String(e[extra[i]]);
      }
    } else {
      o.name = "Error";
      o.thrown = true;
      try { o.message = JSON.stringify(e); } catch (x) { o.message = undefined; }
      if (o.message === undefined) {
        try { o.message = String(e); } catch (x) { o.message = Object.prototype.toString.call(e); }
      }
    }
    return o;
  }

  function safeStringify(value) {
    try {
      return JSON.stringify(value);
    } catch (e) {
      var seen = [];
      try {
        return JSON.stringify(value, function (k, v) {
          if (typeof v === "bigint") return Number(v);
          if (v && typeof v === "object") {
            if (seen.indexOf(v) >= 0) return "[Circular Reference]";
            seen.push(v);
          }
          return v;
        });
      } catch (e2) {
        return JSON.stringify(encodeError(e2));
      }
    }
  }

  // the handler compiled expressions call in their catch: n8n swallows everything but its own errors
  function isOOM(e) {
    return e instanceof Error && e.name === "InternalError" && e.message === "out of memory";
  }
  // QuickJS throws null when it cannot allocate its out-of-memory error (nullIsOOM: the
  // expression has no throw of its own)
  var OOM_ERROR = new Error("out of memory");
  OOM_ERROR.name = "InternalError";
  var OOM_RESULT = { error: { name: "InternalError", message: "out of memory", oom: true } };
  OOM_RESULT.error[MARK] = "err";
  G.__n8n_E = function (e, nullIsOOM) {
    if (e === null && nullIsOOM) throw OOM_ERROR;
    if (e === NEED || isExpressionError(e) || isOOM(e)) throw e;
    return undefined;
  };
  G.__n8n_throw = function (message) { throw ExpressionExtensionError(message); };
  G.__n8n_fail = function (message) { return ExpressionError(message); };
  G.__n8n_bin = stripBinary;

  // ------------------------------------------------------------------ batch evaluation
  function compile(id, src) {
    FNS.set(id, geval(src));
  }
  function forget(id) {
    FNS.delete(id);
    FN_LISTS.clear();
  }
  // the functions of each ids argument evalBatch has seen (forget() starts again)
  var FN_LISTS = new Map();
  function functionsOf(ids) {
    var fns = FN_LISTS.get(ids);
    if (fns === undefined) {
      var list = typeof ids === "number" ? [ids] : String(ids).split(",");
      fns = new Array(list.length);
      for (var k = 0; k < list.length; k++) fns[k] = FNS.get(Number(list[k]));
      if (FN_LISTS.size >= 4096) FN_LISTS.clear();
      FN_LISTS.set(ids, fns);
    }
    return fns;
  }

  // what the host sends before a call: a new session (node token n > 0, see begin), the
  // input items and answers to earlier questions (empty strings: nothing new)
  function install(n, r, ri, t, p, defs, items, provided) {
    if (n) begin(n, r, ri, t, p, defs);
    if (items) setItems(items);
    if (provided) provide(provided);
  }

  // evaluates the compiled functions ids (one id, or ids joined by ",") for items
  // start..end-1 (item by item) and returns their values as JSON columns; when an item asked
  // the host for data it stops there and returns {need: [...]}; called again with
  // resume = true it goes on at that item
  function evalBatch(ids, start, end, resume, n, r, ri, t, p, defs, items, provided) {
    install(n, r, ri, t, p, defs, items, provided);
    var b = resume ? S.batch : null, fns, cols, next;
    // plain: every value so far is a finite number or a boolean (their JSON is what
    // Array.prototype.join writes, and joining is much quicker than JSON.stringify)
    var plain = b === null;
    if (b !== null) {
      fns = b.fns; cols = b.cols; next = b.next;
    } else {
      fns = functionsOf(ids);
      cols = new Array(fns.length);
      next = start;
      for (var k = 0; k < fns.length; k++) cols[k] = new Array(end - start);
    }
    var nf = fns.length, i, j, v, type, it, c = S.cols;
    if (c !== null) {
      // $json of item i is one object refilled from the columns for each item: these
      // expressions only read its keys (see setItems)
      var keys = S.colKeys, skips = S.colSkips, colData = c[2], nk = keys.length, row = {}, sk;
      for (i = next; i < end; i++) {
        for (j = 0; j < nk; j++) {
          sk = skips[j];
          if (sk !== null && sk.has(i)) delete row[keys[j]];
          else row[keys[j]] = colData[j][i];
        }
        S.i = i;
        for (j = 0; j < nf; j++) {
          try {
            // (no "this": an expression that mentions it gets whole items, not columns)
            v = fns[j](row, i, undefined);
            type = typeof v;
            if (type === "number") {
              if (v - v !== 0) { v = encode(v); plain = false; } // NaN or infinite
            } else if (type !== "boolean") {
              plain = false;
              if (type === "function" || type === "bigint" || type === "symbol") v = encode(v);
            }
          } catch (e) {
            if (isOOM(e)) throw e; // the host discards this isolate
            v = e === NEED ? null : encodeError(e);
            plain = false;
          }
          cols[j][i - start] = v;
        }
        if (S.needed !== null && S.needed.size) return needed(fns, cols, i);
      }
    } else {
      var rows = rowsNow();
      for (i = next; i < end; i++) {
        S.i = i;
        it = rows[i];
        for (j = 0; j < nf; j++) {
          try {
            v = it === undefined ? fns[j].call(EMPTY_THIS, missingJson(), i, undefined) :
              fns[j].call(EMPTY_THIS, it.json, i, it.binary);
            type = typeof v;
            if (type === "number") {
              if (v - v !== 0) { v = encode(v); plain = false; } // NaN or infinite
            } else if (type !== "boolean") {
              plain = false;
              if (type === "function" || type === "bigint" || type === "symbol") v = encode(v);
            }
          } catch (e) {
            if (isOOM(e)) throw e; // the host discards this isolate
            v = e === NEED ? null : encodeError(e);
            plain = false;
          }
          cols[j][i - start] = v;
        }
        if (S.needed !== null && S.needed.size) return needed(fns, cols, i);
      }
    }
    S.batch = null;
    return plain ? joinColumns(cols) : stringifyColumns(cols);
  }

  function joinColumns(cols) {
    var parts = new Array(cols.length);
    for (var j = 0; j < cols.length; j++) parts[j] = "[" + cols[j].join(",") + "]";
    return "[" + parts.join(",") + "]";
  }

  function needed(fns, cols, i) {
    S.batch = { fns: fns, cols: cols, next: i };
    var need = Array.from(S.needed);
    S.needed.clear();
    return JSON.stringify({ need: need });
  }

  // the columns as JSON; a value JSON.stringify refuses (a cycle, a throwing toJSON) spoils
  // only its own slot
  function stringifyColumns(cols) {
    try {
      return JSON.stringify(cols);
    } catch (e) {
      if (isOOM(e)) throw e;
    }
    var out = new Array(cols.length);
    for (var j = 0; j < cols.length; j++) {
      var col = cols[j], parts = new Array(col.length);
      for (var i = 0; i < col.length; i++) {
        var s = safeStringify(col[i]);
        parts[i] = s === undefined ? "null" : s;
      }
      out[j] = "[" + parts.join(",") + "]";
    }
    return "[" + out.join(",") + "]";
  }

  function provide(json) {
    var o = JSON.parse(json), provided = S.provided || (S.provided = new Map());
    for (var k in o) if (hasOwn.call(o, k)) provided.set(k, o[k]);
  }

  var MISSING_JSON = null;
  function missingJson() {
    if (S.hasInput) return undefined;
    if (MISSING_JSON === null) {
      MISSING_JSON = new Proxy({}, {
        get: function (_, prop) {
          if (prop === "toJSON") return undefined;
          throw notExecutedError(S.node);
        },
        has: function () { throw notExecutedError(S.node); }
      });
    }
    return MISSING_JSON;
  }

  // ------------------------------------------------------------------ Code / Function node bodies
  function formatLogArg(a) {
    if (typeof a === "string") return a;
    try {
      var s = safeStringify(a);
      return s === undefined ? String(a) : s;
    } catch (e) { return String(a); }
  }
  var consoleObj = {};
  ["log", "info", "warn", "error", "debug", "trace", "dir", "table"].forEach(function (m) {
    consoleObj[m] = function () {
      if (S) (S.logs || (S.logs = [])).push(Array.prototype.map.call(arguments, formatLogArg).join(" "));
    };
  });
  ["time", "timeEnd", "timeLog", "assert", "clear", "count", "countReset", "group", "groupEnd",
    "groupCollapsed", "dirxml", "profile", "profileEnd", "timeStamp"].forEach(function (m) {
    consoleObj[m] = function () {};
  });
  Object.defineProperty(G, "console", { value: consoleObj, writable: true, configurable: true });

  function runCode(id, optionsJson, n, r, ri, t, p, defs, items, provided) {
    install(n, r, ri, t, p, defs, items, provided);
    var o = JSON.parse(optionsJson);
    var fn = FNS.get(id);
    S.codeState = { done: false };
    S.logs = [];
    S.needed = null;
    var state = S.codeState;
    var staticData = o.staticData || {};
    var extras = {
      $getWorkflowStaticData: function () { return staticData; },
      getWorkflowStaticData: function () { return staticData; },
      getNodeParameter: function (name) { return resolveParameterValue(cur(), (S.params || {})[name]); },
      $getNodeParameter: function (name) { return resolveParameterValue(cur(), (S.params || {})[name]); },
      helpers: {}
    };
    function enter(index, codeVars) {
      S.i = index;
      S.over = NO_OVER;
      codeVars.extras = extras;
      S.code = codeVars;
    }
    var body = (async function () {
      if (o.mode === "each") {
        var results = [];
        for (var i = o.start; i < o.end; i++) {
          var it = rowsNow()[i];
          enter(i, { items: undefined, item: o.legacy ? (it ? it.json : undefined) : it });
          try {
            var r = await fn.call(G);
            results.push({ ok: encode(r) });
          } catch (e) {
            results.push({ error: encodeError(e) });
            if (!o.continueOnFail) break;
          }
        }
        return { each: results };
      }
      var items = o.legacy ? rowsNow().map(function (x, k) { x.index = k; return x; }) : rowsNow();
      enter(0, { items: items, item: undefined });
      var value = await fn.call(G);
      return { value: encode(value) };
    })();
    body.then(function (v) {
      state.done = true;
      state.result = v;
    }, function (e) {
      state.done = true;
      state.result = OOM_RESULT; // stays when encoding the error runs out of memory too
      state.result = { error: encodeError(e) };
    });
  }

  function codeResult() {
    var st = S.codeState;
    if (!st || !st.done) return "";
    if (S.needed !== null && S.needed.size) {
      var need = Array.from(S.needed);
      S.needed.clear();
      S.code = null;
      S.over = NO_OVER;
      if (api.cleanup) api.cleanup(true);
      return JSON.stringify({ need: need });
    }
    var out = st.result || OOM_RESULT;
    out.logs = S.logs || [];
    S.code = null;
    S.over = NO_OVER;
    if (api.cleanup) api.cleanup(true);
    return safeStringify(out);
  }

  // ------------------------------------------------------------------ API for the host
  var api = {
    begin: begin,
    setItems: setItems,
    compile: compile,
    forget: forget,
    evalBatch: evalBatch,
    provide: provide,
    // before a Code run is repeated: forget what the interrupted run may have changed
    resetCaches: function () {
      S.cache = null;
      S.ctxs = null;
      S._execution = undefined;
      S._env = undefined;
    },
    runCode: runCode,
    codeResult: codeResult,
    logs: function () { return S ? JSON.stringify(S.logs || []) : "[]"; }
  };
  G.__n8n_k = {
    api: api,
    ExpressionError: ExpressionError,
    ExpressionExtensionError: ExpressionExtensionError,
    DateTime: DateTime,
    Duration: Duration,
    Interval: Interval,
    luxon: luxon,
    py: py,
    pyJSON: pyJSON,
    NEED: NEED,
    session: function () { return S; }
  };
})(globalThis);
