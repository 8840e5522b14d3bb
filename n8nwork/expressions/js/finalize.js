"use strip";
/*
 * Last step of building an isolate: polyfill the few ES2022+ built-ins QuickJS lacks, then
 * harden the realm so that one evaluation cannot change what the next one sees:
 * - every intrinsic (and Luxon's and our own objects) reachable from the global object is
 *   frozen, after the common "override mistake" properties (name, message, toString, ...)
 *   were turned into accessors so that instances can still get own values for them;
 * - every global binding that exists now becomes read-only;
 * - globals created later (sloppy-mode assignments in user code) are deleted after each
 *   host call by __n8n_k.api.cleanup();
 * - the host API is left on the global object as __n8n_api only until the host has taken
 *   its functions (engine.py deletes it then): user code never reaches the API.
 */
(function (G) {
  "use strict";
  var K = G.__n8n_k;
  delete G.__n8n_k;
  delete G.__n8n_intl;

  // ------------------------------------------------------------------ polyfills
  function method(obj, name, fn) {
    if (typeof obj[name] !== "function") {
      Object.defineProperty(obj, name, { value: fn, writable: true, enumerable: false, configurable: true });
    }
  }
  function toInt(n) { n = Math.trunc(Number(n)); return n !== n ? 0 : n; }
  method(Array.prototype, "at", function (i) {
    i = toInt(i); if (i < 0) i += this.length; return i < 0 || i >= this.length ? undefined : this[i];
  });
  method(String.prototype, "at", function (i) {
    var s = String(this); i = toInt(i); if (i < 0) i += s.length; return i < 0 || i >= s.length ? undefined : s[i];
  });
  method(Array.prototype, "findLast", function (f, t) {
    for (var i = this.length - 1; i >= 0; i--) if (f.call(t, this[i], i, this)) return this[i];
    return undefined;
  });
  method(Array.prototype, "findLastIndex", function (f, t) {
    for (var i = this.length - 1; i >= 0; i--) if (f.call(t, this[i], i, this)) return i;
    return -1;
  });
  method(Array.prototype, "toSorted", function (cmp) { return Array.prototype.slice.call(this).sort(cmp); });
  method(Array.prototype, "toReversed", function () { return Array.prototype.slice.call(this).reverse(); });
  method(Array.prototype, "toSpliced", function () {
    var a = Array.prototype.slice.call(this);
    Array.prototype.splice.apply(a, arguments);
    return a;
  });
  method(Array.prototype, "with", function (i, v) {
    var a = Array.prototype.slice.call(this);
    i = toInt(i); if (i < 0) i += a.length;
    if (i < 0 || i >= a.length) throw new RangeError("Invalid index : " + i);
    a[i] = v;
    return a;
  });
  method(Object, "hasOwn", function (o, k) { return Object.prototype.hasOwnProperty.call(Object(o), k); });
  method(Object, "groupBy", function (items, f) {
    var out = Object.create(null), i = 0;
    for (var x of items) { var k = f(x, i++); (out[k] = out[k] || []).push(x); }
    return out;
  });
  method(G, "structuredClone", function (v) { return v === undefined ? undefined : JSON.parse(JSON.stringify(v)); });

  // ------------------------------------------------------------------ tame code constructors
  // fn.constructor would hand out Function (and its async / generator kinds), which compiles
  // sloppy code in the global scope; only the global Function constructor stays usable
  function throwingConstructor() {
    throw new TypeError("Function constructors are not available through .constructor");
  }
  [function () {}, async function () {}, function* () {}, async function* () {}].forEach(function (f) {
    Object.defineProperty(Object.getPrototypeOf(f), "constructor", {
      value: throwingConstructor, writable: false, enumerable: false, configurable: false
    });
  });

  // ------------------------------------------------------------------ harden
  var TAME = {
    constructor: 1, toString: 1, valueOf: 1, toLocaleString: 1, hasOwnProperty: 1,
    isPrototypeOf: 1, propertyIsEnumerable: 1, name: 1, message: 1, toJSON: 1, push: 1
  };

  function tame(obj, prop) {
    var d = Object.getOwnPropertyDescriptor(obj, prop);
    if (!d || !("value" in d) || !d.configurable) return;
    var value = d.value;
    Object.defineProperty(obj, prop, {
      get: function () { return value; },
      set: function (v) {
        if (this === obj) throw new TypeError("Cannot assign to read only property '" + String(prop) + "' of object");
        Object.defineProperty(this, prop, { value: v, writable: true, enumerable: true, configurable: true });
      },
      enumerable: d.enumerable,
      configurable: false
    });
  }

  var seen = new Set([G]); // the global object itself stays extensible (sloppy-mode globals)
  function harden(root) {
    var stack = [root];
    while (stack.length) {
      var o = stack.pop();
      if ((typeof o !== "object" && typeof o !== "function") || o === null || seen.has(o)) continue;
      seen.add(o);
      var isProto = typeof o === "object" && Object.prototype.hasOwnProperty.call(o, "constructor");
      var keys = Reflect.ownKeys(o);
      for (var i = 0; i < keys.length; i++) {
        var k = keys[i];
        var d = Object.getOwnPropertyDescriptor(o, k);
        if (!d) continue;
        if (isProto && typeof k === "string" && TAME[k] === 1) tame(o, k);
        if ("value" in d) stack.push(d.value);
        if (d.get) stack.push(d.get);
        if (d.set) stack.push(d.set);
      }
      stack.push(Object.getPrototypeOf(o));
      Object.freeze(o);
    }
  }

  // sloppy-mode globals are enumerable, the built-ins are not: counting the enumerable own
  // properties is a cheap test that nothing was added
  var baseline = null, baseSize = 0, baseEnumerable = 0;
  K.api.cleanup = function (full) {
    if (!full && Object.keys(G).length === baseEnumerable) return 0;
    var now = Object.getOwnPropertyNames(G);
    if (now.length === baseSize) return 0;
    var removed = 0;
    for (var j = 0; j < now.length; j++) {
      if (!baseline.has(now[j])) {
        try { delete G[now[j]]; removed++; } catch (e) { /* non-configurable: leave */ }
      }
    }
    return removed;
  };

  var roots = [];
  var names = Object.getOwnPropertyNames(G);
  for (var i = 0; i < names.length; i++) {
    var d = Object.getOwnPropertyDescriptor(G, names[i]);
    if ("value" in d) roots.push(d.value);
    if (d.get) roots.push(d.get);
    if (d.set) roots.push(d.set);
  }
  // prototypes only reachable through instances (the instances themselves stay unfrozen:
  // Luxon caches some of them and fills lazy fields later)
  var L = K.luxon;
  var sample = L.DateTime.fromMillis(0, { zone: "UTC" });
  var instances = [
    sample, sample.loc, sample.zone, L.DateTime.fromMillis(0, { zone: "America/New_York" }).zone,
    L.Duration.fromMillis(1), L.Interval.fromDateTimes(sample, sample), L.DateTime.fromISO("x").invalid,
    [][Symbol.iterator](), new Map()[Symbol.iterator](), new Set()[Symbol.iterator](),
    ""[Symbol.iterator](), "a".matchAll(/a/g), (function* () {})(), (async function () {})(),
    (async function* () {})(), new Int8Array(1), new Intl.DateTimeFormat(), new Intl.NumberFormat(),
    new Intl.ListFormat(), new Error("x"), Promise.resolve(), /a/
  ];
  for (var s = 0; s < instances.length; s++) roots.push(Object.getPrototypeOf(instances[s]));
  for (var r = 0; r < roots.length; r++) harden(roots[r]);

  // make the global bindings read-only and remember them
  baseline = new Set(names);
  baseSize = baseline.size;
  baseEnumerable = Object.keys(G).length;
  for (var n = 0; n < names.length; n++) {
    var desc = Object.getOwnPropertyDescriptor(G, names[n]);
    if (!desc.configurable) continue;
    if ("value" in desc) Object.defineProperty(G, names[n], { writable: false, configurable: false });
    else Object.defineProperty(G, names[n], { configurable: false });
  }

  // the host's handle on the API, for one look-up right after boot: the host takes the
  // functions and deletes this global, so user code never sees the API (it could otherwise
  // switch sessions to another run's facts or replace other runs' compiled expressions)
  Object.defineProperty(G, "__n8n_api", { value: Object.freeze(K.api), writable: false, configurable: true });
})(globalThis);
