"use strip";
/*
 * n8n's data-transformation functions ("extensions") for strings, numbers, dates, arrays,
 * objects and booleans, and the helpers expressions call them through:
 * __n8n_ext(value, name, args) (n8n's `extend`) and __n8n_extOpt (its optional-chaining
 * form), plus $min/$max/$average/$not/$ifEmpty and friends.
 */
(function (G) {
  "use strict";
  var K = G.__n8n_k;
  var DateTime = K.DateTime;
  var ExpressionError = K.ExpressionError;
  var ExpressionExtensionError = K.ExpressionExtensionError;
  var jsSHA = G.__n8n_jssha;
  var md5 = G.__n8n_md5;
  delete G.__n8n_jssha;
  delete G.__n8n_md5;
  var hasOwn = Object.prototype.hasOwnProperty;

  function err(message, extra) { return ExpressionExtensionError(message, extra); }

  // ------------------------------------------------------------------ base64 (UTF-8, like js-base64)
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  function utf8Bytes(s) {
    var bin = unescape(encodeURIComponent(String(s)));
    var out = new Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function bytesToB64(bytes) {
    var out = "", i;
    for (i = 0; i + 2 < bytes.length; i += 3) {
      var n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      out += B64[n >> 18 & 63] + B64[n >> 12 & 63] + B64[n >> 6 & 63] + B64[n & 63];
    }
    var rest = bytes.length - i;
    if (rest === 1) {
      var a = bytes[i] << 16;
      out += B64[a >> 18 & 63] + B64[a >> 12 & 63] + "==";
    } else if (rest === 2) {
      var b = (bytes[i] << 16) | (bytes[i + 1] << 8);
      out += B64[b >> 18 & 63] + B64[b >> 12 & 63] + B64[b >> 6 & 63] + "=";
    }
    return out;
  }
  function b64ToBytes(s) {
    s = String(s).replace(/[\s=]/g, "").replace(/-/g, "+").replace(/_/g, "/");
    var out = [], buf = 0, bits = 0;
    for (var i = 0; i < s.length; i++) {
      var v = B64.indexOf(s[i]);
      if (v < 0) throw new Error("The string to be decoded is not correctly encoded.");
      buf = (buf << 6) | v; bits += 6;
      if (bits >= 8) { bits -= 8; out.push((buf >> bits) & 255); }
    }
    return out;
  }
  function bytesToUtf8(bytes) {
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    try { return decodeURIComponent(escape(bin)); } catch (e) { return bin; }
  }
  function toBase64(s) { return bytesToB64(utf8Bytes(s)); }
  function fromBase64(s) { return bytesToUtf8(b64ToBytes(s)); }
  function btoa(s) {
    s = String(s);
    var bytes = [];
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c > 255) throw new Error("Invalid character");
      bytes.push(c);
    }
    return bytesToB64(bytes);
  }
  function atob(s) {
    var bytes = b64ToBytes(s), out = "";
    for (var i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]);
    return out;
  }
  var TRANSLIT = { "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ł": "l",
    "Ł": "L", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D" };
  function transliterate(s) {
    var out = "";
    for (var ch of String(s)) {
      if (ch.charCodeAt(0) < 128) { out += ch; continue; }
      if (hasOwn.call(TRANSLIT, ch)) { out += TRANSLIT[ch]; continue; }
      var base = ch.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
      out += base && /^[\x00-\x7f]+$/.test(base) ? base : "?";
    }
    return out;
  }

  // ------------------------------------------------------------------ helpers
  function isEqual(a, b) {
    if (a === b) return true;
    if (a !== a && b !== b) return true;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    if (Array.isArray(a)) {
      if (a.length !== b.length) return false;
      for (var i = 0; i < a.length; i++) if (!isEqual(a[i], b[i])) return false;
      return true;
    }
    var ka = Object.keys(a), kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (var j = 0; j < ka.length; j++) {
      if (!hasOwn.call(b, ka[j]) || !isEqual(a[ka[j]], b[ka[j]])) return false;
    }
    return true;
  }
  function uniqWith(arr, eq) {
    var out = [];
    for (var i = 0; i < arr.length; i++) {
      var found = false;
      for (var j = 0; j < out.length; j++) if (eq(arr[i], out[j])) { found = true; break; }
      if (!found) out.push(arr[i]);
    }
    return out;
  }
  function defineField(target, key, value) {
    Object.defineProperty(target, key, { value: value, writable: true, enumerable: true, configurable: true });
  }
  function isDateTime(v) { return v ? DateTime.isDateTime(v) : false; }

  function checkDefined(value, name) {
    if (value === undefined || value === null) {
      throw err(name + " can't be used on " + String(value) + " value", {
        description: "To ignore this error, add a ? to the variable before this function, e.g. my_var?." + name
      });
    }
  }

  // ------------------------------------------------------------------ strings
  var CURRENCY_RE = /(\u004c\u0065\u006b|\u060b|\u0024|\u0192|\u20bc|\u0042\u0072|\u0042\u005a\u0024|\u0024\u0062|\u004b\u004d|\u0050|\u043b\u0432|\u0052\u0024|\u17db|\u00a5|\u20a1|\u006b\u006e|\u20b1|\u004b\u010d|\u006b\u0072|\u0052\u0044\u0024|\u00a3|\u20ac|\u00a2|\u0051|\u004c|\u0046\u0074|\u20b9|\u0052\u0070|\ufdfc|\u20aa|\u004a\u0024|\u20a9|\u20ad|\u0434\u0435\u043d|\u0052\u004d|\u20a8|\u20ae|\u004d\u0054|\u0043\u0024|\u20a6|\u0042\u002f\u002e|\u0047\u0073|\u0053\u002f\u002e|\u007a\u0142|\u006c\u0065\u0069|\u20bd|\u0414\u0438\u043d\u002e|\u0053|\u0052|\u0043\u0048\u0046|\u004e\u0054\u0024|\u0e3f|\u0054\u0054\u0024|\u20ba|\u20b4|\u0024\u0055|\u0042\u0073|\u20ab|\u005a\u0024)/gu;
  var DOMAIN_EXTRACT_RE = /^(?:(?:https?|ftp):\/\/)?(?:mailto:)?(?:\/\/)?((?:www\.)?(?:(?:[-\w]+\.)+(?:[a-zA-Z]{2,}|xn--[a-zA-Z0-9]+)|localhost|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}))(?::\d+)?(?:\/[^\s?]*)?(?:\?[^\s#]*)?(?:#[^\s]*)?$/i;
  var DOMAIN_RE = /^(?:www\.)?((?:(?:[-\w]+\.)+(?:[a-zA-Z]{2,}|xn--[a-zA-Z0-9]+)|localhost|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}))(?::\d+)?(?:\/[^\s?]*)?(?:\?[^\s#]*)?(?:#[^\s]*)?$/i;
  var EMAIL_RE = /(([^<>()\[\]\\.,;:\s@"]+(\.[^<>()\[\]\\.,;:\s@"]+)*)|(".+"))@(?<domain>(\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}])|(([a-zA-Z\-0-9]+\.)+[a-zA-Z]{2,}))/;
  var URL_EXACT_RE = /^(?:(?:https?|ftp):\/\/)(?:www\.)?((?:(?:[-\w]+\.)+(?:[a-zA-Z]{2,}|xn--[a-zA-Z0-9]+)|localhost|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}))(?::\d+)?(?:\/[^\s?#]*)?(?:\?[^\s#]*)?(?=([^\s]+#.*)?)#?[^\s]*$/i;
  var URL_RE = /(?:(?:https?|ftp):\/\/)(?:www\.)?((?:(?:[-\w]+\.)+(?:[a-zA-Z]{2,}|xn--[a-zA-Z0-9]+)|localhost|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}))(?::\d+)?(?:\/[^\s?#]*)?(?:\?[^\s#]*)?(?=([^\s]+#.*)?)#?[^\s]*/i;
  var SMALL_WORDS = /\b(?:an?d?|a[st]|because|but|by|en|for|i[fn]|neither|nor|o[fnr]|only|over|per|so|some|tha[tn]|the|to|up|upon|vs?\.?|versus|via|when|with|without|yet)\b/i;
  var HASHES = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3"];

  function titleCase(input) {
    var TOKENS = /[^\s:–—-]+|./g;
    var result = "", m;
    while ((m = TOKENS.exec(input)) !== null) {
      var token = m[0], index = m.index;
      if (!/.(?=[A-Z]|\..)/.test(token) &&
          (!SMALL_WORDS.test(token) || index === 0 || index + token.length === input.length) &&
          (input.charAt(index + token.length) !== ":" || /\s/.test(input.charAt(index + token.length + 1)))) {
        result += token.replace(/[A-Za-z0-9\u00C0-\u00FF]/, function (c) { return c.toUpperCase(); });
        continue;
      }
      result += token;
    }
    return result;
  }

  function tryToParseDateTime(value) {
    if (DateTime.isDateTime(value) && value.isValid) return value;
    if (value instanceof Date) {
      var fromJs = DateTime.fromJSDate(value);
      if (fromJs.isValid) return fromJs;
    }
    var s = String(value).trim();
    var d = DateTime.fromISO(s, { setZone: true });
    if (d.isValid) return d;
    d = DateTime.fromHTTP(s, { setZone: true });
    if (d.isValid) return d;
    d = DateTime.fromRFC2822(s, { setZone: true });
    if (d.isValid) return d;
    d = DateTime.fromSQL(s, { setZone: true });
    if (d.isValid) return d;
    d = DateTime.fromMillis(Date.parse(s));
    if (d.isValid) return d;
    throw new Error("Value is not a valid date");
  }

  function formEncode(s) {
    return encodeURIComponent(s).replace(/[!'()~]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    }).replace(/%20/g, "+");
  }

  var stringExt = {
    hash: function (v, a) {
      var algo = a[0] === undefined ? "md5" : String(a[0]).toLowerCase();
      if (algo !== "base64" && HASHES.indexOf(algo) < 0) {
        throw err("Unknown algorithm " + algo + ". Available algorithms are: " + HASHES.join() + ", and Base64.");
      }
      if (algo === "base64") return toBase64(v);
      if (algo === "md5") return md5(v);
      var variant = { sha1: "SHA-1", sha224: "SHA-224", sha256: "SHA-256", sha384: "SHA-384",
        sha512: "SHA-512", sha3: "SHA3-512" }[algo];
      return new jsSHA(variant, "TEXT").update(v).getHash("HEX");
    },
    isEmpty: function (v) { return v === ""; },
    isNotEmpty: function (v) { return v !== ""; },
    isBlank: function (v) { return v.trim() === ""; },
    isNotBlank: function (v) { return v.trim() !== ""; },
    length: function (v) { return v.length; },
    toJsonString: function (v) { return JSON.stringify(v); },
    removeMarkdown: function (value) {
      var output = value;
      try {
        output = output.replace(/^([\s\t]*)([*\-+]|\d\.)\s+/gm, "$1");
        output = output.replace(/\n={2,}/g, "\n").replace(/~~/g, "").replace(/`{3}.*\n/g, "");
        output = output
          .replace(/<[\w|\s|=|'|"|:|(|)|,|;|/|0-9|.|-]+[>|\\>]/g, "")
          .replace(/^[=-]{2,}\s*$/g, "")
          .replace(/\[\^.+?\](: .*?$)?/g, "")
          .replace(/\s{0,2}\[.*?\]: .*?$/g, "")
          .replace(/!\[.*?\][[(].*?[\])]/g, "")
          .replace(/\[(.*?)\][[(].*?[\])]/g, "$1")
          .replace(/>/g, "")
          .replace(/^\s{1,2}\[(.*?)\]: (\S+)( ".*?")?\s*$/g, "")
          .replace(/^#{1,6}\s*([^#]*)\s*(#{1,6})?/gm, "$1")
          .replace(/([*_]{1,3})(\S.*?\S)\1/g, "$2")
          .replace(/(`{3,})(.*?)\1/gm, "$2")
          .replace(/^-{3,}\s*$/g, "")
          .replace(/`(.+?)`/g, "$1")
          .replace(/\n{2,}/g, "\n\n");
      } catch (e) {
        return value;
      }
      return output;
    },
    removeTags: function (v) { return v.replace(/<[^>]*>?/gm, ""); },
    toDate: function (v) {
      var date = new Date(Date.parse(v));
      if (date.toString() === "Invalid Date") throw err("cannot convert to date");
      if (!/:/.test(v)) date.setHours(0, 0, 0);
      return date;
    },
    toDateTime: function (v, a) {
      try {
        var fmt = a[0];
        if (fmt) {
          if (fmt === "ms" || fmt === "s" || fmt === "us" || fmt === "excel") return numberExt.toDateTime(Number(v), [fmt]);
          return DateTime.fromFormat(v, fmt);
        }
        return tryToParseDateTime(v);
      } catch (e) {
        throw err("cannot convert to Luxon DateTime");
      }
    },
    urlDecode: function (v, a) { return a[0] ? decodeURI(String(v)) : decodeURIComponent(String(v)); },
    urlEncode: function (v, a) { return a[0] ? encodeURI(String(v)) : encodeURIComponent(String(v)); },
    toInt: function (v, a) {
      var n = parseInt(v.replace(CURRENCY_RE, ""), a[0]);
      if (isNaN(n)) throw err("cannot convert to integer");
      return n;
    },
    toFloat: function (v) {
      if (v.indexOf(",") >= 0) throw err("cannot convert to float, expected . as decimal separator");
      var f = parseFloat(v.replace(CURRENCY_RE, ""));
      if (isNaN(f)) throw err("cannot convert to float");
      return f;
    },
    toNumber: function (v) {
      var n = Number(v.replace(CURRENCY_RE, ""));
      if (isNaN(n)) throw err("cannot convert to number");
      return n;
    },
    quote: function (v, a) {
      var q = a[0] === undefined ? '"' : String(a[0]);
      var escaped = v.replace(/\\/g, "\\\\").split(q).join("\\" + q);
      return q + escaped + q;
    },
    isNumeric: function (v) {
      if (v.indexOf(" ") >= 0) return false;
      return !isNaN(v) && !isNaN(parseFloat(v));
    },
    isUrl: function (v) { return URL_EXACT_RE.test(v); },
    isDomain: function (v) { return DOMAIN_RE.test(v); },
    isEmail: function (v) {
      var r = EMAIL_RE.test(v);
      return r && v.indexOf(" ") >= 0 ? false : r;
    },
    toTitleCase: function (v) { return titleCase(v); },
    replaceSpecialChars: function (v) { return transliterate(v); },
    toSentenceCase: function (value) {
      var current = value.slice(), buffer = "";
      var CHAR = /\p{L}/u, PUNC = /[!?.]/;
      while (CHAR.test(current)) {
        var ci = current.search(CHAR);
        current = current.slice(0, ci) + current[ci].toLocaleUpperCase() + current.slice(ci + 1).toLocaleLowerCase();
        var pi = current.search(PUNC);
        if (pi === -1) { buffer += current; current = ""; break; }
        buffer += current.slice(0, pi + 1);
        current = current.slice(pi + 1);
      }
      return buffer + current;
    },
    toSnakeCase: function (v) {
      return v.toLocaleLowerCase().replace(/[ \-]/g, "_")
        .replace(/[\u2000-\u206F\u2E00-\u2E7F\\'!"#$%&()*+,.\/:;<=>?@\[\]^`{|}~]/g, "");
    },
    extractEmail: function (v) { var m = EMAIL_RE.exec(v); return m ? m[0] : undefined; },
    extractDomain: function (v) {
      if (stringExt.isEmail(v)) {
        var m = EMAIL_RE.exec(v);
        return m ? m.groups.domain : undefined;
      }
      var d = v.match(DOMAIN_EXTRACT_RE);
      return d ? d[1] : undefined;
    },
    extractUrl: function (v) { var m = URL_RE.exec(v); return m ? m[0] : undefined; },
    extractUrlPath: function (v) {
      var m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\/?#]*([^?#]*)/.exec(v);
      if (!m) return undefined;
      return m[1] === "" ? "/" : m[1];
    },
    parseJson: function (v) {
      try {
        return JSON.parse(v);
      } catch (e) {
        if (v.indexOf("'") >= 0) throw err("Parsing failed. Check you're using double quotes");
        throw err("Parsing failed");
      }
    },
    toBoolean: function (v) {
      var n = v.toLowerCase();
      return n.length > 0 && n !== "false" && n !== "no" && n !== "0";
    },
    base64Encode: function (v) { return toBase64(v); },
    base64Decode: function (v) { return fromBase64(v); }
  };
  stringExt.toDecimalNumber = stringExt.toFloat;
  stringExt.toWholeNumber = stringExt.toInt;

  // ------------------------------------------------------------------ numbers
  var numberExt = {
    ceil: function (v) { return Math.ceil(v); },
    floor: function (v) { return Math.floor(v); },
    abs: function (v) { return Math.abs(v); },
    isInteger: function (v) { return Number.isInteger(v); },
    format: function (v, a) {
      return new Intl.NumberFormat(a[0] === undefined ? "en-US" : a[0], a[1] === undefined ? {} : a[1]).format(v);
    },
    round: function (v, a) { return +v.toFixed(a[0] === undefined ? 0 : a[0]); },
    isEven: function (v) {
      if (!Number.isInteger(v)) throw err("isEven() is only callable on integers");
      return v % 2 === 0;
    },
    isOdd: function (v) {
      if (!Number.isInteger(v)) throw err("isOdd() is only callable on integers");
      return Math.abs(v) % 2 === 1;
    },
    toBoolean: function (v) { return v !== 0; },
    toInt: function (v) { return +v.toFixed(0); },
    toFloat: function (v) { return v; },
    toDateTime: function (v, a) {
      var fmt = a[0] === undefined ? "ms" : a[0];
      if (["ms", "s", "us", "excel"].indexOf(fmt) < 0) {
        throw err("Unsupported format '" + String(fmt) + "'. toDateTime() supports 'ms', 's', 'us' and 'excel'.");
      }
      if (fmt === "excel") return DateTime.fromSeconds((v - (25567 + 2)) * 86400);
      if (fmt === "s") return DateTime.fromSeconds(v);
      if (fmt === "us") return DateTime.fromMillis(v / 1000);
      return DateTime.fromMillis(v);
    }
  };

  // ------------------------------------------------------------------ dates
  var DURATION_MAP = { day: "days", month: "months", year: "years", week: "weeks", hour: "hours",
    minute: "minutes", second: "seconds", millisecond: "milliseconds", ms: "milliseconds",
    sec: "seconds", secs: "seconds", hr: "hours", hrs: "hours", min: "minutes", mins: "minutes" };
  var UNIT_MAP = { days: "day", months: "month", years: "year", hours: "hour", minutes: "minute",
    seconds: "second", milliseconds: "millisecond", hrs: "hour", hr: "hour", mins: "minute",
    min: "minute", secs: "second", sec: "second", ms: "millisecond" };
  var DURATION_UNITS = ["milliseconds", "seconds", "minutes", "hours", "days", "weeks", "months", "quarters", "years"];
  var DATE_PARTS = ["day", "week", "month", "year", "hour", "minute", "second", "millisecond", "weekNumber", "yearDayNumber", "weekday"];

  function durationObject(value, unit) { var o = {}; o[DURATION_MAP[unit] || unit] = value; return o; }
  function dt(d) { return isDateTime(d) ? d : DateTime.fromJSDate(d); }
  function back(d, result) { return isDateTime(d) ? result : result.toJSDate(); }
  function toDateTimeAny(v) {
    if (isDateTime(v)) return v;
    if (typeof v === "string") return stringExt.toDateTime(v, []);
    return DateTime.fromJSDate(v);
  }
  function convertToDateTime(v) {
    if (typeof v === "string") {
      var c = DateTime.fromJSDate(new Date(v));
      return c.invalidReason !== null ? undefined : c;
    }
    if (v instanceof Date) return DateTime.fromJSDate(v);
    if (DateTime.isDateTime(v)) return v;
    return undefined;
  }
  function shift(d, a, sign) {
    var method = sign > 0 ? "plus" : "minus";
    if (a.length === 1) return back(d, dt(d)[method](a[0]));
    var n = a[0] === undefined ? 0 : a[0];
    var unit = a[1] === undefined ? "minutes" : a[1];
    return back(d, dt(d)[method](durationObject(n, unit)));
  }
  function diffTo(d, a) {
    var unit = a[1] === undefined ? "days" : a[1];
    var units = Array.isArray(unit) ? unit : [unit];
    if (units.length === 0) units = ["days"];
    for (var i = 0; i < units.length; i++) {
      if (DATE_PARTS.indexOf(units[i]) < 0 && DURATION_UNITS.indexOf(units[i]) < 0) {
        throw err("Unsupported unit '" + String(units[i]) + "'. Supported: " +
          DURATION_UNITS.map(function (u) { return "'" + u + "'"; }).join(", ") + ".");
      }
    }
    var res = dt(d).diff(toDateTimeAny(a[0]), units);
    return units.length > 1 ? res.toObject() : res.as(units[0]);
  }
  var dateExt = {
    beginningOf: function (d, a) {
      var raw = a[0] === undefined ? "week" : a[0];
      return back(d, dt(d).startOf(UNIT_MAP[raw] || raw));
    },
    endOfMonth: function (d) { return back(d, dt(d).endOf("month")); },
    extract: function (d, a) {
      var part = a[0] === undefined ? "week" : a[0];
      if (part === "yearDayNumber") return dt(d).ordinal;
      if (part === "week") part = "weekNumber";
      return dt(d).get(UNIT_MAP[part] || part);
    },
    format: function (d, a) {
      var opts = {}, lo = a[1] || {};
      for (var k in lo) opts[k] = lo[k];
      return dt(d).toFormat(a[0], opts);
    },
    isBetween: function (d, a) {
      if (a.length !== 2) throw err("isBetween(): expected exactly two args");
      var f = convertToDateTime(a[0]), s = convertToDateTime(a[1]);
      if (!f || !s) return undefined;
      if (f > s) return s < d && d < f;
      return s > d && d > f;
    },
    isDst: function (d) { return dt(d).isInDST; },
    isInLast: function (d, a) {
      var n = a[0] === undefined ? 0 : a[0], unit = a[1] === undefined ? "minutes" : a[1];
      var past = DateTime.now().minus(durationObject(n, unit));
      var t = dt(d);
      return past <= t && t <= DateTime.now();
    },
    isWeekend: function (d) { var w = dt(d).weekday; return w === 6 || w === 7; },
    minus: function (d, a) { return shift(d, a, -1); },
    plus: function (d, a) { return shift(d, a, 1); },
    toDateTime: function (d) { return isDateTime(d) ? d : DateTime.fromJSDate(d); },
    diffTo: diffTo,
    diffToNow: function (d, a) { return diffTo(d, [DateTime.now(), a[0]]); },
    toInt: function (d) { return isDateTime(d) ? d.toMillis() : d.getTime(); },
    toFloat: function (d) { return isDateTime(d) ? d.toMillis() : d.getTime(); },
    toBoolean: function () { return undefined; },
    isEmpty: function () { return false; },
    isNotEmpty: function () { return true; }
  };

  // ------------------------------------------------------------------ arrays
  function ensureNumbers(arr, name) {
    for (var i = 0; i < arr.length; i++) {
      if (typeof arr[i] !== "number") throw err(name + "(): all array elements must be numbers");
    }
  }
  function unique(v, a) {
    function key(item) {
      if (a.length > 0 && item && typeof item === "object") {
        var o = {};
        for (var i = 0; i < a.length; i++) o[a[i]] = item[a[i]];
        return o;
      }
      return item;
    }
    return uniqWith(v, function (x, y) { return isEqual(key(x), key(y)); });
  }
  function objCompact(value) {
    var out = {};
    for (var key in value) {
      if (!hasOwn.call(value, key)) continue;
      var val = value[key];
      if (val !== null && val !== undefined && val !== "nil" && val !== "") {
        if (typeof val === "object") {
          if (Object.keys(val).length === 0) continue;
          defineField(out, key, objCompact(val));
        } else {
          defineField(out, key, val);
        }
      }
    }
    return out;
  }
  function mergeObjects(value, other) {
    if (!other) return value;
    if (typeof other !== "object") throw err("merge(): expected object arg");
    var o = {};
    for (var k in value) if (hasOwn.call(value, k)) o[k] = value[k];
    for (var k2 in other) if (hasOwn.call(other, k2) && !(k2 in o)) o[k2] = other[k2];
    return o;
  }
  function sum(v) {
    ensureNumbers(v, "sum");
    return v.reduce(function (p, c) { return p + c; }, 0);
  }
  var arrayExt = {
    first: function (v) { return v[0]; },
    last: function (v) { return v[v.length - 1]; },
    isEmpty: function (v) { return v.length === 0; },
    isNotEmpty: function (v) { return v.length > 0; },
    pluck: function (v, a) {
      if (!a || a.length === 0) return v;
      return v.reduce(function (acc, cur) {
        if (cur && typeof cur === "object") {
          var p = [];
          Object.keys(cur).forEach(function (k) {
            a.forEach(function (f) { if (f === k) p.push(cur[k]); });
          });
          if (p.length > 0) acc.push(p.length === 1 ? p[0] : p);
        }
        return acc;
      }, []);
    },
    randomItem: function (v) { return v.length ? v[Math.floor(Math.random() * v.length)] : undefined; },
    unique: unique,
    removeDuplicates: unique,
    sum: sum,
    min: function (v) { ensureNumbers(v, "min"); return Math.min.apply(Math, v); },
    max: function (v) { ensureNumbers(v, "max"); return Math.max.apply(Math, v); },
    average: function (v) {
      ensureNumbers(v, "average");
      return v.length === 0 ? 0 : sum(v) / v.length;
    },
    compact: function (v) {
      return v.filter(function (x) {
        if (x && typeof x === "object" && Object.keys(x).length === 0) return false;
        return x !== null && x !== undefined && x !== "nil" && x !== "";
      }).map(function (x) { return typeof x === "object" && x !== null ? objCompact(x) : x; });
    },
    smartJoin: function (v, a) {
      var kf = a[0], vf = a[1];
      if (!kf || !vf || typeof kf !== "string" || typeof vf !== "string") {
        throw err('smartJoin(): expected two string args, e.g. .smartJoin("name", "value")');
      }
      return v.reduce(function (o, x) {
        if (typeof x === "object" && x !== null && kf in x && vf in x) o[x[kf]] = x[vf];
        return o;
      }, {});
    },
    chunk: function (v, a) {
      var size = a[0];
      if (typeof size !== "number" || size === 0) throw err("chunk(): expected non-zero numeric arg, e.g. .chunk(5)");
      var out = [];
      for (var i = 0; i < v.length; i += size) out.push(v.slice(i, i + size));
      return out;
    },
    renameKeys: function (v, a) {
      if (a.length === 0 || a.length % 2 !== 0) {
        throw err('renameKeys(): expected an even amount of args: from1, to1 [, from2, to2, ...]. e.g. .renameKeys("name", "title")');
      }
      return v.map(function (x) {
        if (typeof x !== "object" || x === null) return x;
        var o = {};
        for (var k in x) if (hasOwn.call(x, k)) o[k] = x[k];
        for (var i = 0; i < a.length; i += 2) {
          if (a[i] in o) { o[a[i + 1]] = o[a[i]]; delete o[a[i]]; }
        }
        return o;
      });
    },
    merge: function (v, a) {
      var others = a[0];
      if (others === undefined) {
        return v.reduce(function (acc, x) {
          return x !== null && typeof x === "object" && !Array.isArray(x) ? mergeObjects(acc, x) : acc;
        }, {});
      }
      if (!Array.isArray(others)) throw err("merge(): expected array arg, e.g. .merge([{ id: 1, otherValue: 3 }])");
      var len = Math.max(v.length, others.length), merged = {};
      for (var i = 0; i < len; i++) {
        if (v[i] !== undefined && typeof v[i] === "object" && typeof others[i] === "object") {
          merged = Object.assign(merged, mergeObjects(v[i], others[i]));
        }
      }
      return merged;
    },
    union: function (v, a) {
      var others = a[0];
      if (!Array.isArray(others)) throw err("union(): expected array arg, e.g. .union([1, 2, 3, 4])");
      var out = Array.from(v);
      others.forEach(function (x) {
        if (out.findIndex(function (w) { return isEqual(w, x); }) === -1) out.push(x);
      });
      return unique(out, []);
    },
    difference: function (v, a) {
      var others = a[0];
      if (!Array.isArray(others)) throw err("difference(): expected array arg, e.g. .difference([1, 2, 3, 4])");
      return unique(v.filter(function (x) {
        return others.findIndex(function (w) { return isEqual(w, x); }) === -1;
      }), []);
    },
    intersection: function (v, a) {
      var others = a[0];
      if (!Array.isArray(others)) throw err("intersection(): expected array arg, e.g. .intersection([1, 2, 3, 4])");
      var out = [];
      v.forEach(function (x) { if (others.findIndex(function (w) { return isEqual(w, x); }) !== -1) out.push(x); });
      others.forEach(function (x) { if (v.findIndex(function (w) { return isEqual(w, x); }) !== -1) out.push(x); });
      return unique(out, []);
    },
    append: function (v, a) { return v.concat(a); },
    toJsonString: function (v) { return JSON.stringify(v); },
    toInt: function () { return undefined; },
    toFloat: function () { return undefined; },
    toBoolean: function () { return undefined; },
    toDateTime: function () { return undefined; }
  };

  // ------------------------------------------------------------------ objects and booleans
  var objectExt = {
    isEmpty: function (v) { return Object.keys(v).length === 0; },
    isNotEmpty: function (v) { return Object.keys(v).length !== 0; },
    keys: function (v) { return Object.keys(v); },
    values: function (v) { return Object.values(v); },
    hasField: function (v, a) { return a[0] in v; },
    removeField: function (v, a) {
      if (a[0] in v) {
        var o = {};
        for (var k in v) if (hasOwn.call(v, k)) o[k] = v[k];
        delete o[a[0]];
        return o;
      }
      return v;
    },
    removeFieldsContaining: function (v, a) {
      var m = a[0];
      if (typeof m !== "string" || m === "") throw err("removeFieldsContaining(): expected non-empty string arg");
      var o = {};
      for (var k in v) {
        if (!hasOwn.call(v, k)) continue;
        if (!(typeof v[k] === "string" && v[k].indexOf(m) >= 0)) o[k] = v[k];
      }
      return o;
    },
    keepFieldsContaining: function (v, a) {
      var m = a[0];
      if (typeof m !== "string" || m === "") throw err("argument of keepFieldsContaining must be a non-empty string");
      var o = {};
      for (var k in v) {
        if (!hasOwn.call(v, k)) continue;
        if (typeof v[k] === "string" && v[k].indexOf(m) >= 0) o[k] = v[k];
      }
      return o;
    },
    compact: objCompact,
    urlEncode: function (v) {
      return Object.keys(v).map(function (k) { return formEncode(String(k)) + "=" + formEncode(String(v[k])); }).join("&");
    },
    toJsonString: function (v) { return JSON.stringify(v); },
    toInt: function () { return undefined; },
    toFloat: function () { return undefined; },
    toBoolean: function () { return undefined; },
    toDateTime: function () { return undefined; }
  };
  var booleanExt = {
    toBoolean: function (v) { return v; },
    toInt: function (v) { return v ? 1 : 0; },
    toFloat: function (v) { return v ? 1 : 0; },
    toNumber: function (v) { return v ? 1 : 0; },
    toDateTime: function () { return undefined; }
  };
  var genericExt = {
    isEmpty: function (v) { return v === null || v === undefined || !v; },
    isNotEmpty: function (v) { return !(v === null || v === undefined || !v); }
  };
  var EXTENSION_OBJECTS = [
    ["Array", arrayExt], ["Date", dateExt], ["Number", numberExt], ["Object", objectExt],
    ["String", stringExt], ["Boolean", booleanExt]
  ];
  var UNSAFE = { __proto__: 1, prototype: 1, constructor: 1, getPrototypeOf: 1, mainModule: 1, binding: 1, _load: 1 };

  function isIsoDateString(input) {
    if (typeof input !== "string" || !input.length) return false;
    if (!/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}.\d{3}Z/.test(input)) return false;
    var d = new Date(input);
    return !isNaN(d.valueOf()) && d.toISOString() === input;
  }

  function own(map, name) { return hasOwn.call(map, name) ? map[name] : undefined; }

  function findExtension(input, name) {
    name = String(name);
    if (hasOwn.call(UNSAFE, name)) {
      throw err('Cannot access "' + name + '" via expression extension due to security concerns');
    }
    var fn;
    if (Array.isArray(input)) fn = own(arrayExt, name);
    else if (isIsoDateString(input) && name !== "toDate" && name !== "toDateTime") {
      input = new Date(input);
      fn = own(dateExt, name);
    } else if (typeof input === "string") fn = own(stringExt, name);
    else if (typeof input === "number") fn = own(numberExt, name);
    else if (input && (DateTime.isDateTime(input) || input instanceof Date)) fn = own(dateExt, name);
    else if (input !== null && typeof input === "object") fn = own(objectExt, name);
    else if (typeof input === "boolean") fn = own(booleanExt, name);
    if (!fn) {
      if (input && typeof input[name] === "function") return { native: true, fn: input[name], input: input };
      fn = own(genericExt, name);
    }
    return fn ? { native: false, fn: fn, input: input } : undefined;
  }

  function extend(input, name, args) {
    var found = findExtension(input, name);
    if (!found) {
      checkDefined(input, name);
      var have = EXTENSION_OBJECTS.filter(function (e) { return hasOwn.call(e[1], name); });
      if (!have.length) throw err("Unknown expression function: " + name);
      if (have.length > 1) {
        var last = '"' + have.pop()[0] + '"';
        throw err(name + "() is only callable on types " + have.map(function (e) { return '"' + e[0] + '"'; }).join(", ") + ", and " + last);
      }
      throw err(name + '() is only callable on type "' + have[0][0] + '"');
    }
    if (found.native) return found.fn.apply(found.input, args);
    return found.fn(found.input, args);
  }

  function extendOptional(input, name) {
    var found = findExtension(input, name);
    if (!found) return undefined;
    if (found.native) return found.fn.bind(found.input);
    return function () { return found.fn(found.input, Array.prototype.slice.call(arguments)); };
  }

  function define(name, value) {
    Object.defineProperty(G, name, { value: value, writable: true, enumerable: false, configurable: true });
  }
  define("__n8n_ext", extend);
  define("__n8n_extOpt", function (input, name, args) {
    if (input === null || input === undefined) return undefined;
    var f = extendOptional(input, name);
    if (f === undefined) throw new TypeError(name + " is not a function");
    return f.apply(undefined, args);
  });
  define("extend", extend);
  define("extendOptional", extendOptional);

  // ------------------------------------------------------------------ convenience functions
  function numberList(start, end) {
    var size = Math.abs(start - end) + 1, arr = new Array(size), c = start;
    for (var i = 0; i < size; i++) arr[i] = start < end ? c++ : c--;
    return arr;
  }
  function zip(keys, values) {
    if (!Array.isArray(keys) || !Array.isArray(values)) throw err("keys and values must be arrays");
    if (keys.length !== values.length) throw err("keys and values not of equal length");
    var r = {};
    for (var i = 0; i < keys.length; i++) r[keys[i]] = values[i];
    return r;
  }
  function average() { return arrayExt.average(Array.prototype.slice.call(arguments)); }
  function not(v) { return !v; }
  function ifEmpty(value, defaultValue) {
    if (arguments.length !== 2) throw ExpressionError("expected two arguments (value, defaultValue) for this function");
    if (value === undefined || value === null || value === "") return defaultValue;
    if (typeof value === "object") {
      if (Array.isArray(value) && !value.length) return defaultValue;
      if (!Object.keys(value).length) return defaultValue;
    }
    return value;
  }
  define("min", Math.min);
  define("max", Math.max);
  define("not", not);
  define("average", average);
  define("numberList", numberList);
  define("zip", zip);
  define("$min", Math.min);
  define("$max", Math.max);
  define("$average", average);
  define("$not", not);
  define("$ifEmpty", ifEmpty);
  define("btoa", btoa);
  define("atob", atob);
  define("$if", function (test, a, b) { return test ? a : (arguments.length > 2 ? b : false); });
})(globalThis);
