//! Exact money: integers in the currency's minor unit, parsed and printed here
//! and nowhere else.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};

/// The largest amount accepted, in minor units (10^15: ten trillion dollars).
/// Sums of many such amounts still fit in an i64.
pub const MAX_MINOR: i64 = 1_000_000_000_000_000;

/// An amount of money in minor units of the ledger's currency (cents for USD).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

text_serde!(Currency, "Currency", |s: &str| Currency::from_code(s)
    .map_err(|e| e.to_string()));

/// In serde, money is the newtype `Money` around its minor units: a
/// format that knows the ledger's currency (the ledger files') writes and
/// reads it as a decimal string.
impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct("Money", &self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Money;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an amount in minor units")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
                Ok(Money(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
                i64::try_from(v).map(Money).map_err(E::custom)
            }
            fn visit_newtype_struct<D: serde::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Money, D::Error> {
                <i64 as serde::Deserialize>::deserialize(d).map(Money)
            }
        }
        d.deserialize_newtype_struct("Money", V)
    }
}

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);

    /// An amount from minor units.
    pub const fn from_minor(minor: i64) -> Money {
        Money(minor)
    }

    /// The amount in minor units.
    pub const fn minor(self) -> i64 {
        self.0
    }

    /// True when zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Checked addition (None on overflow).
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// What is left of this gross amount after `fee`: the net. The one
    /// place a net is computed from a gross and its fee.
    pub fn less_fee(self, fee: Money) -> Money {
        self - fee
    }

    /// `percent` of this amount (percent in hundredths: 1000 = 10.00 %),
    /// rounded once, half away from zero.
    pub fn percent(self, hundredths: i64) -> Money {
        Money(div_round_half_away(
            i128::from(self.0) * i128::from(hundredths),
            10_000,
        ))
    }

    /// `seconds` of work at `self` per hour, rounded once, half away from zero.
    pub fn per_hour_for_seconds(self, seconds: i64) -> Money {
        Money(div_round_half_away(
            i128::from(self.0) * i128::from(seconds),
            3600,
        ))
    }
}

/// Divides, rounding half away from zero; saturates at the i64 range.
fn div_round_half_away(num: i128, den: i128) -> i64 {
    let q = num / den;
    let r = num % den;
    let q = if 2 * r.abs() >= den.abs() {
        q + num.signum() * den.signum()
    } else {
        q
    };
    q.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

impl Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0.saturating_add(o.0))
    }
}
impl Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0.saturating_sub(o.0))
    }
}
impl AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        *self = *self + o;
    }
}
impl SubAssign for Money {
    fn sub_assign(&mut self, o: Money) {
        *self = *self - o;
    }
}
impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

/// A currency: its ISO 4217 code and minor-unit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

/// Why a currency code or an amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Not an ISO 4217 currency with a minor unit.
    #[error("unknown currency `{0}` (expected an ISO 4217 code such as USD, EUR or JPY)")]
    UnknownCurrency(String),
    /// Not a plain decimal number.
    #[error(
        "`{text}` is not an amount: write digits with an optional decimal point, e.g. `1250`, `1250.5` or `1250.50` (no sign, no separators)"
    )]
    Syntax {
        /// The text refused.
        text: String,
    },
    /// More decimals than the currency's minor unit.
    #[error("`{text}` has more decimals than {code} allows ({exponent})")]
    TooPrecise {
        /// The text refused.
        text: String,
        /// The currency code.
        code: String,
        /// Its exponent.
        exponent: u8,
    },
    /// Negative amounts are never valid.
    #[error("`{0}` is negative: amounts are never negative")]
    Negative(String),
    /// Beyond what the ledger can hold exactly.
    #[error("`{0}` is too large")]
    Overflow(String),
}

impl Currency {
    /// Looks up an ISO 4217 code (case-sensitive, upper case).
    pub fn from_code(code: &str) -> Result<Currency, MoneyError> {
        let unknown = || MoneyError::UnknownCurrency(code.to_string());
        let iso = iso_currency::Currency::from_code(code).ok_or_else(unknown)?;
        let exponent = iso.exponent().ok_or_else(unknown)?;
        let bytes: [u8; 3] = code.as_bytes().try_into().map_err(|_| unknown())?;
        let exponent = u8::try_from(exponent).map_err(|_| unknown())?;
        if exponent > 4 {
            return Err(unknown());
        }
        Ok(Currency {
            code: bytes,
            exponent,
        })
    }

    /// The ISO code.
    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// Digits after the decimal point.
    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    /// `major` whole units (e.g. 5.00) in minor units.
    pub fn major(&self, major: i64) -> Money {
        Money(major * 10i64.pow(u32::from(self.exponent)))
    }

    /// Parses `1250`, `1250.5`, `1250.50`: no sign, no separators, no exponent.
    pub fn parse(&self, text: &str) -> Result<Money, MoneyError> {
        let t = text.trim();
        if let Some(rest) = t.strip_prefix('-')
            && !rest.is_empty()
            && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        {
            return Err(MoneyError::Negative(text.to_string()));
        }
        let syntax = || MoneyError::Syntax {
            text: text.to_string(),
        };
        let (int, frac) = match t.split_once('.') {
            Some((i, f)) => (i, f),
            None => (t, ""),
        };
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) || (t.contains('.') && frac.is_empty()) {
            return Err(syntax());
        }
        let exp = usize::from(self.exponent);
        if frac.len() > exp {
            return Err(MoneyError::TooPrecise {
                text: text.to_string(),
                code: self.code().to_string(),
                exponent: self.exponent,
            });
        }
        let overflow = || MoneyError::Overflow(text.to_string());
        let int_part = int.trim_start_matches('0');
        if int_part.len() > 18 {
            return Err(overflow());
        }
        let mut minor: i64 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| overflow())?
        };
        minor = minor
            .checked_mul(10i64.pow(exp as u32))
            .ok_or_else(overflow)?;
        if !frac.is_empty() {
            let f: i64 = frac.parse().map_err(|_| syntax())?;
            minor += f * 10i64.pow((exp - frac.len()) as u32);
        }
        if minor > MAX_MINOR {
            return Err(overflow());
        }
        Ok(Money(minor))
    }

    /// Prints with exactly the currency's decimals: `1250.00`, `1250` for JPY.
    pub fn format(&self, m: Money) -> String {
        let mut s = String::with_capacity(24);
        let _ = write_amount(&mut s, u32::from(self.exponent), m);
        s
    }

    /// A formatter for `m` in this currency.
    pub fn show(&self, m: Money) -> Shown {
        Shown {
            m,
            exp: u32::from(self.exponent),
        }
    }
}

/// Writes `m` with `exp` decimals.
fn write_amount<W: fmt::Write + ?Sized>(w: &mut W, exp: u32, m: Money) -> fmt::Result {
    if m.0 < 0 {
        w.write_char('-')?;
    }
    let abs = m.0.unsigned_abs();
    if exp == 0 {
        return write!(w, "{abs}");
    }
    let scale = 10u64.pow(exp);
    write!(
        w,
        "{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = exp as usize
    )
}

/// A formatted amount, for `format!` arguments: no string of its own
/// unless a width is asked for.
pub struct Shown {
    m: Money,
    exp: u32,
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.width().is_some() {
            let mut s = String::with_capacity(24);
            write_amount(&mut s, self.exp, self.m)?;
            return f.pad(&s);
        }
        write_amount(f, self.exp, self.m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::from_code("USD").unwrap()
    }

    /// `show` writes what `format` returns, padded when a width is asked.
    #[test]
    fn shown_is_formatted_and_padded() {
        let jpy = Currency::from_code("JPY").unwrap();
        for minor in [0, 5, -5, 125_000, -100, i64::MAX, i64::MIN + 1] {
            for c in [usd(), jpy] {
                let m = Money(minor);
                let s = c.format(m);
                assert_eq!(c.show(m).to_string(), s);
                assert_eq!(format!("{:>14}|", c.show(m)), format!("{s:>14}|"));
            }
        }
        assert_eq!(usd().format(Money(-5)), "-0.05");
        assert_eq!(usd().format(Money(125_000)), "1250.00");
    }

    #[test]
    fn parses_the_forms_spec_accepts() {
        let c = usd();
        assert_eq!(c.parse("1250").unwrap().minor(), 125_000);
        assert_eq!(c.parse("1250.5").unwrap().minor(), 125_050);
        assert_eq!(c.parse("1250.50").unwrap().minor(), 125_050);
        assert_eq!(c.parse("0.01").unwrap().minor(), 1);
        assert_eq!(c.parse("007").unwrap().minor(), 700);
    }

    #[test]
    fn refuses_what_spec_refuses() {
        let c = usd();
        assert!(matches!(
            c.parse("1.234"),
            Err(MoneyError::TooPrecise { .. })
        ));
        assert!(matches!(c.parse("-5"), Err(MoneyError::Negative(_))));
        assert!(matches!(c.parse("1,250"), Err(MoneyError::Syntax { .. })));
        assert!(matches!(c.parse("1e3"), Err(MoneyError::Syntax { .. })));
        assert!(matches!(c.parse(""), Err(MoneyError::Syntax { .. })));
        assert!(matches!(c.parse("."), Err(MoneyError::Syntax { .. })));
        assert!(matches!(c.parse("5."), Err(MoneyError::Syntax { .. })));
        assert!(matches!(c.parse(".5"), Err(MoneyError::Syntax { .. })));
        assert!(matches!(c.parse("+5"), Err(MoneyError::Syntax { .. })));
        assert!(matches!(
            c.parse("99999999999999999999"),
            Err(MoneyError::Overflow(_))
        ));
        assert!(matches!(
            c.parse("10000000000000.01"),
            Err(MoneyError::Overflow(_))
        ));
    }

    #[test]
    fn exponents_come_from_iso_4217() {
        let jpy = Currency::from_code("JPY").unwrap();
        assert_eq!(jpy.exponent(), 0);
        assert_eq!(jpy.format(jpy.parse("1250").unwrap()), "1250");
        assert!(jpy.parse("1250.5").is_err());
        let bhd = Currency::from_code("BHD").unwrap();
        assert_eq!(bhd.format(bhd.parse("1.5").unwrap()), "1.500");
        assert!(Currency::from_code("XXX").is_err());
        assert!(Currency::from_code("usd").is_err());
        assert!(Currency::from_code("ZZZ").is_err());
    }

    #[test]
    fn formats_with_the_currency_decimals() {
        let c = usd();
        assert_eq!(c.format(Money::from_minor(125_000)), "1250.00");
        assert_eq!(c.format(Money::from_minor(5)), "0.05");
        assert_eq!(c.format(Money::from_minor(-5)), "-0.05");
    }

    #[test]
    fn rounds_half_away_from_zero_once() {
        // 10 minutes at 33.33/h = 5.555 -> 5.56
        assert_eq!(
            Money::from_minor(3333).per_hour_for_seconds(600).minor(),
            556
        );
        // 10 % of 0.05 = 0.005 -> 0.01
        assert_eq!(Money::from_minor(5).percent(1000).minor(), 1);
        assert_eq!(Money::from_minor(4).percent(1000).minor(), 0);
        assert_eq!(Money::from_minor(-5).percent(1000).minor(), -1);
    }
}
