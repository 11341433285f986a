// Amounts arrive as strings of minor units ("63164", or "1499.5" for a sub-cent unit price)
// and stay strings: the decimal point is moved as text by the currency's exponent, and
// Intl.NumberFormat formats the resulting decimal string exactly. No Number ever holds money.

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

// `text` × 10^places, as text; null when `text` is not a plain decimal.
export function movePoint(text, places) {
  const parts = DECIMAL.exec(text);
  if (!parts) return null;
  const [, sign, whole, fraction = ""] = parts;
  let digits = whole + fraction;
  let point = whole.length + places;
  if (point < 0) {
    digits = "0".repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += "0".repeat(point - digits.length);
  const integer = digits.slice(0, point).replace(/^0+(?=\d)/, "") || "0";
  const decimals = digits.slice(point).replace(/0+$/, "");
  return sign + integer + (decimals ? `.${decimals}` : "");
}

// What a user typed as a price in major units ("14.995", "14,995", "0") as minor units
// ("1499.5"); null when it is not a decimal at all. Its range is the server's to judge.
export function toMinor(typed, exponent) {
  const text = typed.trim().replace(",", ".");
  if (!/^-?\d+(\.\d+)?$/.test(text)) return null;
  return movePoint(text, exponent);
}

// Minor units as major units, for an input's value: "1499.5" → "14.995".
export function toMajor(minor, exponent) {
  return movePoint(String(minor), -exponent);
}

// Units as a user typed them ("2", "1,5"), normalized for the API; null when not a decimal.
export function units(typed) {
  const text = typed.trim().replace(",", ".");
  return /^-?\d+(\.\d+)?$/.test(text) ? text : null;
}

function decimalsOf(text) {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

export function formatMoney(minor, currency, locale = navigator.language) {
  const major = toMajor(minor, currency.exponent);
  const format = new Intl.NumberFormat(locale, {
    style: "currency",
    currency: currency.code,
    minimumFractionDigits: currency.exponent,
    // A sub-cent unit price keeps every decimal it was given.
    maximumFractionDigits: Math.max(currency.exponent, decimalsOf(major)),
  });
  return format.format(major);
}

export function formatDecimal(text, locale = navigator.language) {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: decimalsOf(text) }).format(text);
}
