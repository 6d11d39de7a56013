//! Kubernetes resource quantities (`250m`, `0.5`, `512Mi`, `1G`, `1e3`), parsed exactly.
//!
//! [`Quantity::parse`] follows the grammar of `k8s.io/apimachinery`'s `resource.Quantity`: a
//! signed decimal number followed by a binary suffix (`Ki` … `Ei`), a decimal suffix (`n`, `u`,
//! `m`, none, `k`, `M` … `E`) or a decimal exponent (`e3`, `E-2`). The value is held as an
//! integer count of billionths, so sums and comparisons are exact; like Kubernetes, anything
//! finer than a billionth is rounded up.

use std::fmt;

/// An exact quantity, in billionths of the unit (nano-cores for CPU, nano-bytes for memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) struct Quantity {
    nanos: i128,
}

/// Why a text is not a quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum QuantityError {
    /// The text does not follow the quantity grammar.
    Malformed,
    /// The value is too large to hold.
    OutOfRange,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed => f.write_str(
                "not a Kubernetes quantity (a number with an optional suffix such as m, Mi, G or e3)",
            ),
            Self::OutOfRange => f.write_str("quantity out of range"),
        }
    }
}

const NANO: i128 = 1_000_000_000;
/// Exponents beyond this are refused rather than computed (Kubernetes caps them too).
const MAX_EXPONENT: i32 = 40;

impl Quantity {
    /// Zero.
    pub(crate) const ZERO: Quantity = Quantity { nanos: 0 };

    #[cfg(test)]
    /// A quantity of whole units.
    pub(crate) const fn from_units(units: i64) -> Self {
        Self {
            nanos: units as i128 * NANO,
        }
    }

    #[cfg(test)]
    /// The value in billionths of the unit.
    pub(crate) const fn nanos(self) -> i128 {
        self.nanos
    }

    /// Parses a quantity as Kubernetes writes it.
    ///
    /// ```
    /// use aigen::policy::k8s::quantity::Quantity;
    /// assert_eq!(Quantity::parse("250m").unwrap(), Quantity::parse("0.25").unwrap());
    /// assert_eq!(Quantity::parse("1Ki").unwrap(), Quantity::from_units(1024));
    /// assert_eq!(Quantity::parse("1e3").unwrap(), Quantity::parse("1k").unwrap());
    /// ```
    pub(crate) fn parse(text: &str) -> Result<Self, QuantityError> {
        let text = text.trim();
        let (negative, rest) = split_sign(text);
        let number_len = rest
            .bytes()
            .position(|b| !(b.is_ascii_digit() || b == b'.'))
            .unwrap_or(rest.len());
        let (number, suffix) = rest.split_at(number_len);
        let (mantissa, fraction_digits) = parse_number(number)?;
        let (exp10, exp2) = parse_suffix(suffix)?;
        let mut value = mantissa;
        for _ in 0..exp2 {
            value = value.checked_mul(2).ok_or(QuantityError::OutOfRange)?;
        }
        let scale = exp10 - fraction_digits + 9;
        let nanos = if scale >= 0 {
            let factor = 10i128
                .checked_pow(scale.unsigned_abs())
                .ok_or(QuantityError::OutOfRange)?;
            value.checked_mul(factor).ok_or(QuantityError::OutOfRange)?
        } else {
            match 10i128.checked_pow(scale.unsigned_abs()) {
                // Round up to the next billionth, as Kubernetes does.
                Some(divisor) => (value + divisor - 1) / divisor,
                None => i128::from(value > 0),
            }
        };
        Ok(Self {
            nanos: if negative { -nanos } else { nanos },
        })
    }

    /// Adds, saturating at the bounds.
    pub(crate) fn saturating_add(self, other: Self) -> Self {
        Self {
            nanos: self.nanos.saturating_add(other.nanos),
        }
    }

    /// Multiplies by a count, saturating at the bounds.
    pub(crate) fn times(self, count: i64) -> Self {
        Self {
            nanos: self.nanos.saturating_mul(i128::from(count)),
        }
    }

    /// This share (0.0 to 1.0 and beyond) of the quantity, rounded down to a billionth.
    pub(crate) fn share(self, share: f64) -> Self {
        // Shares are written with a few decimals (0.70); millionths keep them exact.
        let millionths = (share * 1_000_000.0).round() as i128;
        Self {
            nanos: self.nanos.saturating_mul(millionths) / 1_000_000,
        }
    }

    /// The value as a float, for display only.
    pub(crate) fn as_f64(self) -> f64 {
        self.nanos as f64 / NANO as f64
    }

    /// A CPU amount for messages: cores with up to three decimals (`1.4`, `0.25`).
    pub(crate) fn cpu_display(self) -> String {
        trim_decimals(self.as_f64(), 3)
    }

    /// A memory amount for messages, in the largest binary unit that keeps it at least 1
    /// (`1.5 GiB`, `768 MiB`).
    pub(crate) fn memory_display(self) -> String {
        let bytes = self.as_f64();
        let units = [
            ("EiB", 60),
            ("PiB", 50),
            ("TiB", 40),
            ("GiB", 30),
            ("MiB", 20),
            ("KiB", 10),
        ];
        for (name, shift) in units {
            let size = (1u64 << shift) as f64;
            if bytes.abs() >= size {
                return format!("{} {name}", trim_decimals(bytes / size, 2));
            }
        }
        format!("{} B", trim_decimals(bytes, 0))
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos % NANO == 0 {
            write!(f, "{}", self.nanos / NANO)
        } else if self.nanos % 1_000_000 == 0 {
            write!(f, "{}m", self.nanos / 1_000_000)
        } else {
            write!(f, "{}n", self.nanos)
        }
    }
}

fn split_sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

/// The digits of a decimal number as an integer, and how many of them follow the point.
fn parse_number(number: &str) -> Result<(i128, i32), QuantityError> {
    let (whole, fraction) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
        return Err(QuantityError::Malformed);
    }
    // Leading zeros carry no value; trailing zeros of the fraction neither.
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    let mut mantissa: i128 = 0;
    for b in whole.bytes().chain(fraction.bytes()) {
        mantissa = mantissa
            .checked_mul(10)
            .and_then(|m| m.checked_add(i128::from(b - b'0')))
            .ok_or(QuantityError::OutOfRange)?;
    }
    let fraction_digits = i32::try_from(fraction.len()).map_err(|_| QuantityError::OutOfRange)?;
    Ok((mantissa, fraction_digits))
}

/// A suffix as a power of ten and a power of two.
fn parse_suffix(suffix: &str) -> Result<(i32, u32), QuantityError> {
    let decimal = |e: i32| Ok((e, 0));
    let binary = |e: u32| Ok((0, e));
    match suffix {
        "" => decimal(0),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
        _ => {
            let exponent = suffix
                .strip_prefix('e')
                .or_else(|| suffix.strip_prefix('E'))
                .ok_or(QuantityError::Malformed)?;
            let (negative, digits) = split_sign(exponent);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(QuantityError::Malformed);
            }
            let value: i32 = digits.parse().map_err(|_| QuantityError::OutOfRange)?;
            if value > MAX_EXPONENT {
                return Err(QuantityError::OutOfRange);
            }
            decimal(if negative { -value } else { value })
        }
    }
}

fn trim_decimals(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Quantity {
        Quantity::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn cpu_forms_agree() {
        assert_eq!(q("250m").nanos(), 250_000_000);
        assert_eq!(q("0.25"), q("250m"));
        assert_eq!(q(".5"), q("500m"));
        assert_eq!(q("1"), q("1000m"));
        assert_eq!(q("2."), Quantity::from_units(2));
        assert_eq!(q("100u"), q("0.0001"));
        assert_eq!(q("1n").nanos(), 1);
        assert_eq!(q("+3"), Quantity::from_units(3));
        assert_eq!(q("-1.5").nanos(), -1_500_000_000);
    }

    #[test]
    fn memory_forms_agree() {
        assert_eq!(q("512Mi"), Quantity::from_units(512 << 20));
        assert_eq!(q("0.5Gi"), q("512Mi"));
        assert_eq!(q("1G"), Quantity::from_units(1_000_000_000));
        assert_eq!(q("1e3"), q("1k"));
        assert_eq!(q("1E3"), Quantity::from_units(1000));
        assert_eq!(q("12E-1").nanos(), 1_200_000_000);
        assert_eq!(q("1E"), Quantity::from_units(1_000_000_000_000_000_000));
        assert_eq!(q("8Ei").nanos(), (1i128 << 63) * NANO);
        assert_eq!(q("1.1Ki").nanos(), 1_126_400_000_000);
        assert_eq!(q("007"), Quantity::from_units(7));
    }

    #[test]
    fn sub_nano_values_round_up() {
        assert_eq!(q("0.1n").nanos(), 1);
        assert_eq!(q("1.5n").nanos(), 2);
        assert_eq!(q("1e-20").nanos(), 1);
        assert_eq!(q("0e-20").nanos(), 0);
    }

    #[test]
    fn bad_text_is_refused() {
        for text in [
            "", "m", "1.2.3", "1mi", "1 Gi", "1e", "1e+", "abc", "1KiB", "0x10", ".", "1e99",
        ] {
            assert!(Quantity::parse(text).is_err(), "{text:?} parsed");
        }
        assert_eq!(Quantity::parse("1e99"), Err(QuantityError::OutOfRange));
        assert_eq!(
            Quantity::parse("99999999999999999999999999999999999999999"),
            Err(QuantityError::OutOfRange)
        );
    }

    #[test]
    fn display_is_readable() {
        assert_eq!(q("1400m").cpu_display(), "1.4");
        assert_eq!(q("250m").cpu_display(), "0.25");
        assert_eq!(q("4").share(0.70).cpu_display(), "2.8");
        assert_eq!(q("1536Mi").memory_display(), "1.5 GiB");
        assert_eq!(q("8Gi").share(0.70).memory_display(), "5.6 GiB");
        assert_eq!(q("768Mi").memory_display(), "768 MiB");
        assert_eq!(q("100").memory_display(), "100 B");
        assert_eq!(q("250m").to_string(), "250m");
        assert_eq!(q("2").to_string(), "2");
    }
}
