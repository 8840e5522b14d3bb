"use strip";
/*
 * A small Intl polyfill for QuickJS (which has no Intl), enough for Luxon and for the
 * locale methods n8n users call: DateTimeFormat (format, formatToParts, resolvedOptions,
 * any IANA time zone through the host's zoneinfo), NumberFormat (decimal, percent,
 * currency, unit; a few locales' separators), ListFormat, getCanonicalLocales and
 * supportedValuesOf. Texts are English (en-US) whatever the locale asks; numbers use the
 * locale's separators. Intl.RelativeTimeFormat and Intl.Locale are left out on purpose:
 * Luxon then uses its built-in English fallbacks.
 */
(function (G) {
  "use strict";
  // set by the host/prelude: zone names (lower case -> canonical), the default zone, and
  // table(zone, year) -> [[utcMillis, offsetMinutes, abbreviation], ...] or null (not known yet)
  var hooks = {
    defaultTimeZone: function () { return "UTC"; },
    zones: new Map(),
    zoneList: [],
    table: function () { return null; },
    setZones: function (names) {
      hooks.zoneList = names;
      for (var i = 0; i < names.length; i++) hooks.zones.set(names[i].toLowerCase(), names[i]);
    }
  };

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  var US_ZONE_NAMES = {
    "EST": "Eastern Standard Time", "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time", "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time", "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time", "PDT": "Pacific Daylight Time",
    "AKST": "Alaska Standard Time", "AKDT": "Alaska Daylight Time",
    "HST": "Hawaii-Aleutian Standard Time", "HDT": "Hawaii-Aleutian Daylight Time"
  };

  // ------------------------------------------------------------------ time zones
  function canonicalZone(tz) {
    var s = String(tz);
    var l = s.toLowerCase();
    if (l === "utc" || l === "etc/utc" || l === "gmt" || l === "etc/gmt" || l === "z") return "UTC";
    return s;
  }

  function checkZone(tz) {
    if (tz === "UTC") return tz;
    var canon = hooks.zones.get(String(tz).toLowerCase());
    if (canon === undefined) throw new RangeError("Invalid time zone specified: " + tz);
    return canon;
  }

  function zoneInfo(tz, ms) {
    if (tz === "UTC") return [0, "UTC"];
    var year = new Date(ms).getUTCFullYear();
    var table = hooks.table(tz, year);
    if (!table || !table.length) return [0, "UTC"]; // provisional: the host is asked, the run repeats
    var lo = 0, hi = table.length - 1;
    if (ms < table[0][0]) return [table[0][1], table[0][2]];
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (table[mid][0] <= ms) lo = mid; else hi = mid - 1;
    }
    return [table[lo][1], table[lo][2]];
  }

  function gmtName(off, long) {
    if (off === 0) return "GMT";
    var sign = off < 0 ? "-" : "+";
    var a = Math.abs(off), h = Math.floor(a / 60), m = a % 60;
    if (long) return "GMT" + sign + pad2(h) + ":" + pad2(m);
    return "GMT" + sign + h + (m ? ":" + pad2(m) : "");
  }

  function zoneName(tz, off, abbr, style) {
    if (tz === "UTC") return style === "long" ? "Coordinated Universal Time" : "UTC";
    if (style === "shortOffset") return gmtName(off, false);
    if (style === "longOffset") return gmtName(off, true);
    var isUS = Object.prototype.hasOwnProperty.call(US_ZONE_NAMES, abbr);
    if (style === "long" || style === "longGeneric") {
      return isUS ? US_ZONE_NAMES[abbr] : gmtName(off, true);
    }
    return isUS ? abbr : gmtName(off, false);
  }

  function pad2(n) { return n < 10 ? "0" + n : String(n); }

  // ------------------------------------------------------------------ locales
  function firstLocale(locales) {
    if (locales === undefined || locales === null) return "en-US";
    var l = Array.isArray(locales) ? locales[0] : locales;
    if (l === undefined) return "en-US";
    if (typeof l !== "string" && !(l && typeof l === "object")) {
      throw new TypeError("Incorrect locale information provided");
    }
    return canonicalLocale(String(l));
  }

  function canonicalLocale(tag) {
    if (!/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(tag)) {
      throw new RangeError("Incorrect locale information provided");
    }
    var parts = tag.split("-");
    var out = [parts[0].toLowerCase()];
    for (var i = 1; i < parts.length; i++) {
      var p = parts[i];
      if (p.length === 2 && i > 0 && out[out.length - 1] !== "u") out.push(p.toUpperCase());
      else if (p.length === 4 && /^[A-Za-z]+$/.test(p)) out.push(p[0].toUpperCase() + p.slice(1).toLowerCase());
      else out.push(p.toLowerCase());
    }
    return out.join("-");
  }

  function baseLocale(loc) { return loc.split("-u-")[0]; }

  // ------------------------------------------------------------------ DateTimeFormat
  var DATE_KEYS = ["weekday", "era", "year", "month", "day"];
  var TIME_KEYS = ["dayPeriod", "hour", "minute", "second", "fractionalSecondDigits"];

  function DateTimeFormat(locales, options) {
    if (!(this instanceof DateTimeFormat)) return new DateTimeFormat(locales, options);
    var o = options === undefined ? {} : Object(options);
    var loc = firstLocale(locales);
    var tz = o.timeZone === undefined ? hooks.defaultTimeZone() : canonicalZone(o.timeZone);
    tz = checkZone(tz);
    var r = { locale: loc, calendar: "gregory", numberingSystem: "latn", timeZone: tz };
    var any = false;
    var i, k;
    for (i = 0; i < DATE_KEYS.length; i++) {
      k = DATE_KEYS[i];
      if (o[k] !== undefined) { r[k] = String(o[k]); any = true; }
    }
    for (i = 0; i < TIME_KEYS.length; i++) {
      k = TIME_KEYS[i];
      if (o[k] !== undefined) { r[k] = k === "fractionalSecondDigits" ? Number(o[k]) : String(o[k]); any = true; }
    }
    if (o.timeZoneName !== undefined) r.timeZoneName = String(o.timeZoneName);
    if (o.dateStyle !== undefined || o.timeStyle !== undefined) {
      if (o.dateStyle !== undefined) r.dateStyle = String(o.dateStyle);
      if (o.timeStyle !== undefined) r.timeStyle = String(o.timeStyle);
      any = true;
    }
    if (!any) { r.year = "numeric"; r.month = "numeric"; r.day = "numeric"; }
    if (r.hour !== undefined || r.timeStyle !== undefined) {
      var h12;
      if (o.hour12 !== undefined) h12 = !!o.hour12;
      else if (o.hourCycle !== undefined) h12 = o.hourCycle === "h12" || o.hourCycle === "h11";
      else h12 = !/^(de|fr|it|es|pt|nl|ru|pl|sv|da|nb|fi|cs|tr|ja|zh|en-GB)/.test(loc);
      r.hourCycle = h12 ? "h12" : "h23";
      r.hour12 = h12;
    }
    this._r = r;
  }

  function wallClock(ms, tz) {
    var info = zoneInfo(tz, ms);
    var d = new Date(ms + info[0] * 60000);
    return {
      year: d.getUTCFullYear(), month: d.getUTCMonth(), day: d.getUTCDate(),
      weekday: d.getUTCDay(), hour: d.getUTCHours(), minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(), ms: d.getUTCMilliseconds(), offset: info[0], abbr: info[1]
    };
  }

  function toMillis(date) {
    if (date === undefined) return Date.now();
    var ms = typeof date === "number" ? date : Number(date);
    if (!isFinite(ms)) throw new RangeError("Invalid time value");
    return ms;
  }

  function styleOptions(r) {
    var o = {};
    var ds = r.dateStyle, ts = r.timeStyle;
    if (ds === "full") { o.weekday = "long"; o.year = "numeric"; o.month = "long"; o.day = "numeric"; }
    else if (ds === "long") { o.year = "numeric"; o.month = "long"; o.day = "numeric"; }
    else if (ds === "medium") { o.year = "numeric"; o.month = "short"; o.day = "numeric"; }
    else if (ds === "short") { o.year = "2-digit"; o.month = "numeric"; o.day = "numeric"; }
    if (ts) {
      o.hour = "numeric"; o.minute = "2-digit";
      if (ts !== "short") o.second = "2-digit";
      if (ts === "full") o.timeZoneName = "long";
      else if (ts === "long") o.timeZoneName = "short";
    }
    return o;
  }

  function buildParts(r, ms) {
    var opt = r.dateStyle || r.timeStyle ? styleOptions(r) : r;
    var c = wallClock(ms, r.timeZone);
    var parts = [];
    function lit(s) { parts.push({ type: "literal", value: s }); }
    function part(t, v) { parts.push({ type: t, value: String(v) }); }
    var bc = c.year <= 0;
    var yearVal = opt.era ? (bc ? 1 - c.year : c.year) : c.year;
    var yearStr = opt.year === "2-digit" ? pad2(Math.abs(yearVal) % 100) : String(yearVal);
    var textMonth = opt.month === "long" || opt.month === "short" || opt.month === "narrow";
    var hasDate = opt.year || opt.month || opt.day || opt.weekday || opt.era;
    var hasTime = opt.hour || opt.minute || opt.second || opt.fractionalSecondDigits;
    var weekdayStr = opt.weekday ? (opt.weekday === "long" ? WEEKDAYS[c.weekday] :
      opt.weekday === "short" ? WEEKDAYS[c.weekday].slice(0, 3) : WEEKDAYS[c.weekday][0]) : "";
    var eraStr = opt.era ? (opt.era === "long" ? (bc ? "Before Christ" : "Anno Domini") :
      opt.era === "short" ? (bc ? "BC" : "AD") : (bc ? "B" : "A")) : "";
    if (hasDate) {
      if (opt.weekday) {
        part("weekday", weekdayStr);
        if (opt.year || opt.month || opt.day) lit(", ");
      }
      if (textMonth) {
        var mName = opt.month === "long" ? MONTHS[c.month] : opt.month === "short" ?
          MONTHS[c.month].slice(0, 3) : MONTHS[c.month][0];
        part("month", mName);
        if (opt.day) { lit(" "); part("day", opt.day === "2-digit" ? pad2(c.day) : c.day); }
        if (opt.year) { lit(opt.day ? ", " : " "); part("year", yearStr); }
      } else {
        var seq = [];
        if (opt.month) seq.push(["month", opt.month === "2-digit" ? pad2(c.month + 1) : c.month + 1]);
        if (opt.day) seq.push(["day", opt.day === "2-digit" ? pad2(c.day) : c.day]);
        if (opt.year) seq.push(["year", yearStr]);
        for (var i = 0; i < seq.length; i++) {
          if (i) lit("/");
          part(seq[i][0], seq[i][1]);
        }
      }
      if (opt.era) { lit(" "); part("era", eraStr); }
    }
    if (hasTime) {
      if (hasDate) lit(textMonth && opt.month === "long" ? " at " : ", ");
      var h12 = r.hour12 !== false && r.hourCycle !== "h23" && r.hourCycle !== "h24";
      if (opt.hour) {
        var h = c.hour;
        if (h12) { h = h % 12; if (h === 0) h = 12; }
        var twoDigit = opt.hour === "2-digit" || (!h12 && (opt.minute || opt.second));
        part("hour", twoDigit ? pad2(h) : h);
      }
      if (opt.minute) {
        if (opt.hour) lit(":");
        part("minute", opt.hour || opt.minute === "2-digit" ? pad2(c.minute) : c.minute);
      }
      if (opt.second) {
        if (opt.hour || opt.minute) lit(":");
        part("second", opt.hour || opt.minute || opt.second === "2-digit" ? pad2(c.second) : c.second);
      }
      if (opt.fractionalSecondDigits) {
        var frac = String(c.ms + 1000).slice(1, 1 + opt.fractionalSecondDigits);
        if (opt.second) lit(".");
        part("fractionalSecond", frac);
      }
      if (opt.hour && h12) { lit(" "); part("dayPeriod", c.hour < 12 ? "AM" : "PM"); }
    }
    if (opt.timeZoneName) {
      lit(parts.length ? " " : "");
      part("timeZoneName", zoneName(r.timeZone, c.offset, c.abbr, opt.timeZoneName));
    }
    return parts;
  }

  DateTimeFormat.prototype.formatToParts = function (date) {
    return buildParts(this._r, toMillis(date));
  };
  DateTimeFormat.prototype.format = function (date) {
    var parts = buildParts(this._r, toMillis(date));
    var s = "";
    for (var i = 0; i < parts.length; i++) s += parts[i].value;
    return s;
  };
  DateTimeFormat.prototype.formatRange = function (a, b) {
    return this.format(a) + " – " + this.format(b);
  };
  DateTimeFormat.prototype.resolvedOptions = function () {
    var out = {};
    for (var k in this._r) out[k] = this._r[k];
    return out;
  };
  DateTimeFormat.supportedLocalesOf = function (l) {
    return l === undefined ? [] : (Array.isArray(l) ? l : [l]).map(String);
  };

  // ------------------------------------------------------------------ NumberFormat
  var SEPARATORS = {
    en: [",", "."], ja: [",", "."], zh: [",", "."], ko: [",", "."], he: [",", "."], th: [",", "."],
    de: [".", ","], es: [".", ","], it: [".", ","], nl: [".", ","], pt: [".", ","], id: [".", ","],
    tr: [".", ","], da: [".", ","], el: [".", ","], ro: [".", ","], hr: [".", ","], sl: [".", ","],
    fr: ["\u202f", ","], ru: ["\u00a0", ","], uk: ["\u00a0", ","], cs: ["\u00a0", ","],
    sk: ["\u00a0", ","], pl: ["\u00a0", ","], sv: ["\u00a0", ","], fi: ["\u00a0", ","],
    nb: ["\u00a0", ","], no: ["\u00a0", ","], hu: ["\u00a0", ","], bg: ["\u00a0", ","]
  };
  var MIN_GROUPING_2 = { es: 1, pl: 1, "pt-PT": 1 };
  var CURRENCY_SYMBOLS = {
    USD: "$", EUR: "€", GBP: "£", JPY: "¥", INR: "₹", CNY: "CN¥", CAD: "CA$", AUD: "A$",
    BRL: "R$", MXN: "MX$", KRW: "₩", ILS: "₪", VND: "₫", NZD: "NZ$", HKD: "HK$", TWD: "NT$"
  };
  var CURRENCY_DIGITS = { JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, HUF: 2 };
  var UNITS = {
    year: ["year", "yr", "y"], quarter: ["quarter", "qtr", "q"], month: ["month", "mth", "m"],
    week: ["week", "wk", "w"], day: ["day", "day", "d"], hour: ["hour", "hr", "h"],
    minute: ["minute", "min", "m"], second: ["second", "sec", "s"],
    millisecond: ["millisecond", "ms", "ms"], percent: ["percent", "%", "%"],
    kilometer: ["kilometer", "km", "km"], meter: ["meter", "m", "m"], kilogram: ["kilogram", "kg", "kg"],
    byte: ["byte", "byte", "B"], kilobyte: ["kilobyte", "kB", "kB"], megabyte: ["megabyte", "MB", "MB"],
    gigabyte: ["gigabyte", "GB", "GB"]
  };

  function NumberFormat(locales, options) {
    if (!(this instanceof NumberFormat)) return new NumberFormat(locales, options);
    var o = options === undefined ? {} : Object(options);
    var loc = firstLocale(locales);
    var style = o.style === undefined ? "decimal" : String(o.style);
    if (["decimal", "percent", "currency", "unit"].indexOf(style) < 0) {
      throw new RangeError("Value " + style + " out of range for Intl.NumberFormat options property style");
    }
    var currency = o.currency === undefined ? undefined : String(o.currency).toUpperCase();
    if (style === "currency" && currency === undefined) {
      throw new TypeError("Currency code is required with currency style.");
    }
    var cd = currency !== undefined && Object.prototype.hasOwnProperty.call(CURRENCY_DIGITS, currency) ?
      CURRENCY_DIGITS[currency] : 2;
    var minFD = o.minimumFractionDigits, maxFD = o.maximumFractionDigits;
    var defMin = style === "currency" ? cd : 0;
    var defMax = style === "currency" ? cd : style === "percent" ? 0 : 3;
    minFD = minFD === undefined ? undefined : Number(minFD);
    maxFD = maxFD === undefined ? undefined : Number(maxFD);
    if (minFD !== undefined && (minFD < 0 || minFD > 100 || isNaN(minFD))) throw new RangeError("minimumFractionDigits value is out of range.");
    if (maxFD !== undefined && (maxFD < 0 || maxFD > 100 || isNaN(maxFD))) throw new RangeError("maximumFractionDigits value is out of range.");
    if (minFD === undefined) minFD = Math.min(defMin, maxFD === undefined ? defMin : maxFD);
    if (maxFD === undefined) maxFD = Math.max(defMax, minFD);
    if (minFD > maxFD) throw new RangeError("maximumFractionDigits value is out of range.");
    var lang = loc.split("-")[0];
    var base = baseLocale(loc);
    var seps = SEPARATORS[lang] || SEPARATORS.en;
    if (base === "de-CH") seps = ["’", "."];
    this._r = {
      locale: loc, numberingSystem: "latn", style: style, currency: currency,
      currencyDisplay: o.currencyDisplay === undefined ? "symbol" : String(o.currencyDisplay),
      unit: o.unit === undefined ? undefined : String(o.unit),
      unitDisplay: o.unitDisplay === undefined ? "short" : String(o.unitDisplay),
      minimumIntegerDigits: o.minimumIntegerDigits === undefined ? 1 : Number(o.minimumIntegerDigits),
      minimumFractionDigits: minFD, maximumFractionDigits: maxFD,
      minimumSignificantDigits: o.minimumSignificantDigits === undefined ? undefined : Number(o.minimumSignificantDigits),
      maximumSignificantDigits: o.maximumSignificantDigits === undefined ? undefined : Number(o.maximumSignificantDigits),
      useGrouping: o.useGrouping === undefined ? true : (o.useGrouping === "always" || o.useGrouping === "auto" || o.useGrouping === "min2" ? true : !!o.useGrouping),
      signDisplay: o.signDisplay === undefined ? "auto" : String(o.signDisplay),
      notation: o.notation === undefined ? "standard" : String(o.notation)
    };
    this._seps = seps;
    this._minGroup = MIN_GROUPING_2[base] || MIN_GROUPING_2[lang] ? 2 : 1;
    this._indian = base === "en-IN" || lang === "hi";
    this._lang = lang;
  }

  function groupDigits(intStr, sep, minGroup, indian) {
    if (intStr.length < 4 || (minGroup === 2 && intStr.length < 5)) return intStr;
    var out = [];
    var rest = intStr;
    out.unshift(rest.slice(-3));
    rest = rest.slice(0, -3);
    var size = indian ? 2 : 3;
    while (rest.length > 0) {
      out.unshift(rest.slice(-size));
      rest = rest.slice(0, -size);
    }
    return out.join(sep);
  }

  function digitsOf(r, x) {
    var s;
    if (r.maximumSignificantDigits !== undefined || r.minimumSignificantDigits !== undefined) {
      var maxS = r.maximumSignificantDigits === undefined ? 21 : r.maximumSignificantDigits;
      var minS = r.minimumSignificantDigits === undefined ? 1 : r.minimumSignificantDigits;
      s = x === 0 ? "0" : Number(x.toPrecision(maxS)).toString();
      if (/e/.test(s)) s = Number(s).toFixed(0);
      var sig = s.replace(".", "").replace(/^0+/, "").length;
      if (sig < minS) {
        var need = minS - sig;
        s = s.indexOf(".") < 0 ? s + "." + "0".repeat(need) : s + "0".repeat(need);
      }
    } else {
      s = x.toFixed(r.maximumFractionDigits);
      if (/e/.test(s)) s = BigInt(Math.round(x)).toString();
      var dot = s.indexOf(".");
      if (dot >= 0) {
        var minLen = dot + 1 + r.minimumFractionDigits;
        var end = s.length;
        while (end > minLen && s[end - 1] === "0") end--;
        if (end === dot + 1) end = dot;
        s = s.slice(0, end);
      }
    }
    var p = s.split(".");
    while (p[0].length < r.minimumIntegerDigits) p[0] = "0" + p[0];
    return p;
  }

  NumberFormat.prototype.formatToParts = function (value) {
    var r = this._r;
    var x = typeof value === "bigint" ? Number(value) : Number(value);
    var parts = [];
    var neg = x < 0 || Object.is(x, -0);
    if (isNaN(x)) parts.push({ type: "nan", value: "NaN" });
    else if (!isFinite(x)) parts.push({ type: "infinity", value: "∞" });
    else {
      var v = Math.abs(x);
      if (r.style === "percent") v = v * 100;
      var d = digitsOf(r, v);
      if (Number(d.join(".")) === 0) neg = neg && r.signDisplay === "negative" ? false : neg && x !== 0;
      var intPart = r.useGrouping ? groupDigits(d[0], this._seps[0], this._minGroup, this._indian) : d[0];
      var groups = intPart.split(this._seps[0]);
      for (var i = 0; i < groups.length; i++) {
        if (i) parts.push({ type: "group", value: this._seps[0] });
        parts.push({ type: "integer", value: groups[i] });
      }
      if (d.length > 1) {
        parts.push({ type: "decimal", value: this._seps[1] });
        parts.push({ type: "fraction", value: d[1] });
      }
    }
    var sign = null;
    if (neg && x !== 0) sign = "-";
    else if ((r.signDisplay === "always" || r.signDisplay === "exceptZero") && !neg && x !== 0) sign = "+";
    else if (r.signDisplay === "always" && x === 0) sign = "+";
    if (r.signDisplay === "never") sign = null;
    var before = this._lang === "en" || this._lang === "ja" || this._lang === "zh" || this._lang === "ko" || this._lang === "he" || this._lang === "th";
    if (r.style === "currency") {
      var sym = r.currencyDisplay === "code" ? r.currency :
        r.currencyDisplay === "name" ? r.currency :
        (r.currencyDisplay === "narrowSymbol" ? (CURRENCY_SYMBOLS[r.currency] || r.currency).replace(/^[A-Z]+(?=\W)/, "") :
        (CURRENCY_SYMBOLS[r.currency] || r.currency));
      if (r.currencyDisplay === "name") {
        parts.push({ type: "literal", value: " " }, { type: "currency", value: r.currency });
      } else if (before) {
        parts.unshift({ type: "currency", value: sym });
        if (r.currencyDisplay === "code") parts.splice(1, 0, { type: "literal", value: "\u00a0" });
      } else {
        parts.push({ type: "literal", value: "\u00a0" }, { type: "currency", value: sym });
      }
    } else if (r.style === "percent") {
      if (!before) parts.push({ type: "literal", value: "\u00a0" });
      parts.push({ type: "percentSign", value: "%" });
    } else if (r.style === "unit" && r.unit) {
      var names = UNITS[r.unit] || [r.unit, r.unit, r.unit];
      var plural = Math.abs(x) !== 1;
      if (r.unitDisplay === "long") {
        parts.push({ type: "literal", value: " " }, { type: "unit", value: names[0] + (plural ? "s" : "") });
      } else if (r.unitDisplay === "narrow") {
        parts.push({ type: "unit", value: names[2] });
      } else {
        var short = names[1];
        if (plural && (short === "day" || short === "hr" || short === "wk" || short === "yr" || short === "mth" || short === "qtr")) short += "s";
        parts.push({ type: "literal", value: " " }, { type: "unit", value: short });
      }
    }
    if (sign) parts.unshift({ type: sign === "-" ? "minusSign" : "plusSign", value: sign });
    return parts;
  };
  NumberFormat.prototype.format = function (value) {
    var parts = this.formatToParts(value);
    var s = "";
    for (var i = 0; i < parts.length; i++) s += parts[i].value;
    return s;
  };
  NumberFormat.prototype.resolvedOptions = function () {
    var out = {};
    for (var k in this._r) if (this._r[k] !== undefined) out[k] = this._r[k];
    return out;
  };
  NumberFormat.supportedLocalesOf = DateTimeFormat.supportedLocalesOf;

  // ------------------------------------------------------------------ ListFormat
  function ListFormat(locales, options) {
    if (!(this instanceof ListFormat)) throw new TypeError("Constructor Intl.ListFormat requires 'new'");
    var o = options === undefined ? {} : Object(options);
    this._r = {
      locale: firstLocale(locales),
      type: o.type === undefined ? "conjunction" : String(o.type),
      style: o.style === undefined ? "long" : String(o.style)
    };
  }
  ListFormat.prototype.format = function (list) {
    var a = Array.from(list, String);
    var r = this._r;
    if (a.length === 0) return "";
    if (a.length === 1) return a[0];
    var word = r.type === "disjunction" ? "or" : r.type === "unit" ? "" : (r.style === "short" ? "&" : "and");
    if (r.style === "narrow" && r.type !== "disjunction") word = "";
    if (a.length === 2) return word ? a[0] + " " + word + " " + a[1] : a[0] + (r.type === "unit" && r.style === "narrow" ? " " : ", ") + a[1];
    var head = a.slice(0, -1).join(r.type === "unit" && r.style === "narrow" ? " " : ", ");
    return word ? head + ", " + word + " " + a[a.length - 1] : head + (r.type === "unit" && r.style === "narrow" ? " " : ", ") + a[a.length - 1];
  };
  ListFormat.prototype.formatToParts = function (list) {
    return [{ type: "literal", value: this.format(list) }];
  };
  ListFormat.prototype.resolvedOptions = function () {
    return { locale: this._r.locale, type: this._r.type, style: this._r.style };
  };

  // ------------------------------------------------------------------ install
  var Intl = {
    DateTimeFormat: DateTimeFormat,
    NumberFormat: NumberFormat,
    ListFormat: ListFormat,
    getCanonicalLocales: function (l) {
      if (l === undefined) return [];
      return (Array.isArray(l) ? l : [l]).map(function (x) { return canonicalLocale(String(x)); });
    },
    supportedValuesOf: function (key) {
      if (key === "timeZone") return hooks.zoneList.slice();
      if (key === "calendar") return ["gregory"];
      if (key === "numberingSystem") return ["latn"];
      if (key === "currency") return Object.keys(CURRENCY_SYMBOLS).sort();
      if (key === "unit") return Object.keys(UNITS).sort();
      throw new RangeError("Invalid key : " + key);
    }
  };
  Object.defineProperty(G, "Intl", { value: Intl, writable: true, configurable: true });

  function dtDefaults(options, date, time) {
    var o = options === undefined ? {} : Object(options);
    var has = false, k;
    for (k in o) {
      if (DATE_KEYS.indexOf(k) >= 0 || TIME_KEYS.indexOf(k) >= 0 || k === "dateStyle" || k === "timeStyle") has = true;
    }
    if (has) return o;
    var c = {};
    for (k in o) c[k] = o[k];
    if (date) { c.year = "numeric"; c.month = "numeric"; c.day = "numeric"; }
    if (time) { c.hour = "numeric"; c.minute = "2-digit"; c.second = "2-digit"; }
    return c;
  }
  function defineMethod(proto, name, fn) {
    Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true });
  }
  defineMethod(Date.prototype, "toLocaleString", function (l, o) {
    if (isNaN(this.getTime())) return "Invalid Date";
    return new DateTimeFormat(l, dtDefaults(o, true, true)).format(this);
  });
  defineMethod(Date.prototype, "toLocaleDateString", function (l, o) {
    if (isNaN(this.getTime())) return "Invalid Date";
    return new DateTimeFormat(l, dtDefaults(o, true, false)).format(this);
  });
  defineMethod(Date.prototype, "toLocaleTimeString", function (l, o) {
    if (isNaN(this.getTime())) return "Invalid Date";
    return new DateTimeFormat(l, dtDefaults(o, false, true)).format(this);
  });
  defineMethod(Number.prototype, "toLocaleString", function (l, o) {
    return new NumberFormat(l, o).format(Number(this));
  });
  defineMethod(BigInt.prototype, "toLocaleString", function (l, o) {
    return new NumberFormat(l, o).format(this);
  });
  defineMethod(Array.prototype, "toLocaleString", function (l, o) {
    return Array.prototype.map.call(this, function (x) {
      return x === null || x === undefined ? "" : x.toLocaleString(l, o);
    }).join(",");
  });

  G.__n8n_intl = hooks;
})(globalThis);
