//! The slice of an OCDS compiled release the indicators read, parsed without copying.
//!
//! Why lenient, hand-written readers: the reference reads each line into a generic JSON tree
//! and then looks fields up with type checks (`Some(Value::String(..))`), so a field of the
//! wrong type is simply absent, an array element that is not an object has no fields, and a
//! repeated key keeps its last value. Derived serde structs would reject the whole line instead.
//! These readers ([`crate::json`]) reproduce the reference's reading while borrowing strings
//! from the input and skipping every field no indicator needs (issue 6, "Speed and memory").
//!
//! Numbers are kept as their source text ([`Num`]) and parsed with Rust's correctly rounded
//! `str::parse`, as the reference does (serde_json `arbitrary_precision`), so amounts are the
//! same `f64`s and exact decimals can be taken for money.

use std::borrow::Cow;
use std::marker::PhantomData;

use rust_decimal::Decimal;

use crate::json::{self, Reader};

/// A value read leniently: a JSON value of another type than expected reads as the default.
pub trait FromJson<'a>: Sized + Default {
    /// Reads the value at the reader's position, consuming it whatever its type.
    ///
    /// # Errors
    /// Only when the text is not JSON.
    fn read(r: &mut Reader<'a>) -> json::Result<Self>;
}

/// A JSON string field, absent if missing or of another type.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Str<'a>(pub Option<Cow<'a, str>>);

impl<'a> Str<'a> {
    /// The string, if the field was a string.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'a> FromJson<'a> for Str<'a> {
    #[inline]
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        if r.peek() == Some(b'"') {
            Ok(Str(Some(r.string()?)))
        } else {
            r.skip_value()?;
            Ok(Str(None))
        }
    }
}

/// A JSON number field kept as its source text (for exact decimals) and as the reference's
/// `as_f64()` (parsed once, as several indicators compare the same amount), absent if missing
/// or of another type.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Num<'a> {
    text: Option<&'a str>,
    value: Option<f64>,
}

impl<'a> Num<'a> {
    /// A number from its JSON text.
    pub fn new(text: &'a str) -> Num<'a> {
        Num {
            text: Some(text),
            value: text.parse::<f64>().ok().filter(|f| f.is_finite()),
        }
    }

    /// The source text, if the field was a number.
    pub fn text(&self) -> Option<&'a str> {
        self.text
    }

    /// As the reference's `as_f64()`: correctly rounded, `None` if not finite.
    pub fn f64(&self) -> Option<f64> {
        self.value
    }

    /// As the reference's `as_u64()`: only an integer literal.
    pub fn u64(&self) -> Option<u64> {
        self.text.and_then(|t| t.parse::<u64>().ok())
    }

    /// The exact decimal value, for money.
    pub fn decimal(&self) -> Option<Decimal> {
        let text = self.text?;
        if text.contains(['e', 'E']) {
            Decimal::from_scientific(text).ok()
        } else {
            text.parse::<Decimal>().ok()
        }
    }
}

impl<'a> FromJson<'a> for Num<'a> {
    #[inline]
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        match r.peek() {
            Some(b'-' | b'0'..=b'9') => Ok(Num::new(r.number()?)),
            _ => {
                r.skip_value()?;
                Ok(Num::default())
            }
        }
    }
}

/// A JSON array field: absent if missing or not an array (as `Some(Value::Array(..))` checks).
///
/// One element, the usual case for tenderers, suppliers and items, is kept inline: no
/// allocation per array (issue 6, "Speed and memory").
#[derive(Debug, Clone, PartialEq)]
pub struct List<T>(ListRepr<T>);

#[derive(Debug, Clone, PartialEq)]
enum ListRepr<T> {
    Absent,
    One(T),
    Many(Vec<T>),
}

impl<T> Default for List<T> {
    fn default() -> Self {
        List(ListRepr::Absent)
    }
}

impl<T> List<T> {
    /// A list from elements (for tests and callers building releases in memory).
    pub fn from_vec(items: Vec<T>) -> List<T> {
        List(ListRepr::Many(items))
    }

    /// The elements, empty if absent.
    pub fn items(&self) -> &[T] {
        self.as_slice().unwrap_or_default()
    }

    /// The elements if the field was an array.
    pub fn as_slice(&self) -> Option<&[T]> {
        match &self.0 {
            ListRepr::Absent => None,
            ListRepr::One(item) => Some(std::slice::from_ref(item)),
            ListRepr::Many(items) => Some(items),
        }
    }

    /// Whether the field was an array.
    pub fn is_array(&self) -> bool {
        !matches!(self.0, ListRepr::Absent)
    }
}

impl<'a, T: FromJson<'a>> FromJson<'a> for List<T> {
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        if r.peek() != Some(b'[') {
            r.skip_value()?;
            return Ok(List(ListRepr::Absent));
        }
        let mut first: Option<T> = None;
        let mut many: Vec<T> = Vec::new();
        r.array(|r| {
            let item = T::read(r)?;
            if many.is_empty() && first.is_none() {
                first = Some(item);
            } else {
                if let Some(f) = first.take() {
                    many.reserve(4);
                    many.push(f);
                }
                many.push(item);
            }
            Ok(())
        })?;
        Ok(List(match first {
            Some(item) => ListRepr::One(item),
            None => ListRepr::Many(many),
        }))
    }
}

/// Generates a lenient struct: fields by JSON name, unknown keys skipped, a non-object value
/// read as an object without fields, the last of repeated keys winning. Fields listed under
/// `extended` are only read when the reader is not lean (the reference's indicators do not use
/// them, so `--format cardinal` skips them like unknown keys).
macro_rules! lenient {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $json:literal => $field:ident : $ty:ty),* $(,)? }
     $(extended { $($(#[$emeta:meta])* $ejson:literal => $efield:ident : $ety:ty),* $(,)? })?) => {
        $(#[$meta])*
        #[derive(Debug, Default, Clone, PartialEq)]
        pub struct $name<'a> {
            /// Whether the value was a JSON object.
            pub is_object: bool,
            $($(#[$fmeta])* pub $field: $ty,)*
            $($($(#[$emeta])* pub $efield: $ety,)*)?
            #[doc(hidden)]
            pub _marker: PhantomData<&'a ()>,
        }

        impl<'a> FromJson<'a> for $name<'a> {
            fn read(r: &mut Reader<'a>) -> json::Result<Self> {
                let mut out = $name::default();
                if r.peek() != Some(b'{') {
                    r.skip_value()?;
                    return Ok(out);
                }
                out.is_object = true;
                r.object(|r, key| {
                    match key.as_ref() {
                        $($json => out.$field = FromJson::read(r)?,)*
                        $($($ejson if !r.is_lean() => out.$efield = FromJson::read(r)?,)*)?
                        _ => r.skip_value()?,
                    }
                    Ok(())
                })?;
                Ok(out)
            }
        }
    };
}

lenient!(
    /// A compiled release (one contracting process).
    Release {
        "ocid" => ocid: Str<'a>,
        "buyer" => buyer: OrgRef<'a>,
        "tender" => tender: Tender<'a>,
        "bids" => bids: Bids<'a>,
        "awards" => awards: List<Award<'a>>,
    }
    extended {
        "date" => date: Str<'a>,
        "parties" => parties: List<Party<'a>>,
    }
);

lenient!(
    /// `tender`.
    Tender {
        "status" => status: Str<'a>,
        "procurementMethod" => procurement_method: Str<'a>,
        "procurementMethodDetails" => procurement_method_details: Str<'a>,
        "numberOfTenderers" => number_of_tenderers: Num<'a>,
        "tenderPeriod" => tender_period: Period<'a>,
        "procuringEntity" => procuring_entity: OrgRef<'a>,
    }
    extended {
        "value" => value: Amount<'a>,
        "items" => items: List<Item<'a>>,
        "datePublished" => date_published: Str<'a>,
    }
);

lenient!(
    /// A period (`startDate`, `endDate`).
    Period {
        "startDate" => start_date: Str<'a>,
        "endDate" => end_date: Str<'a>,
    }
);

lenient!(
    /// An organization reference (`buyer`, `procuringEntity`, `tenderers[]`, `suppliers[]`).
    OrgRef {
        "id" => id: Str<'a>,
    }
);

lenient!(
    /// A `Value` object.
    Amount {
        "amount" => amount: Num<'a>,
        "currency" => currency: Str<'a>,
    }
);

lenient!(
    /// `bids` (bid extension).
    Bids {
        "details" => details: List<Bid<'a>>,
    }
);

lenient!(
    /// `bids.details[]` (bid extension). `initialValue` is the Tianguis auction field: the
    /// sealed price before a reverse auction (see the crate README, "Auction data").
    Bid {
        "status" => status: Str<'a>,
        "date" => date: Str<'a>,
        "tenderers" => tenderers: List<OrgRef<'a>>,
        "value" => value: Amount<'a>,
    }
    extended {
        "id" => id: Str<'a>,
        "initialValue" => initial_value: Amount<'a>,
        "relatedLots" => related_lots: List<Str<'a>>,
    }
);

lenient!(
    /// `awards[]`, with the bid extension's `relatedBid` and the lots extension's `relatedLots`.
    Award {
        "status" => status: Str<'a>,
        "suppliers" => suppliers: List<OrgRef<'a>>,
        "items" => items: List<Item<'a>>,
    }
    extended {
        "id" => id: Str<'a>,
        "date" => date: Str<'a>,
        "value" => value: Amount<'a>,
        "relatedBid" => related_bid: Str<'a>,
        "relatedLots" => related_lots: List<Str<'a>>,
    }
);

lenient!(
    /// `items[]` of a tender or award.
    Item {
        "classification" => classification: Classification<'a>,
    }
    extended {
        "unit" => unit: Unit<'a>,
    }
);

lenient!(
    /// An item classification.
    Classification {
        "id" => id: Str<'a>,
    }
);

lenient!(
    /// An item's unit, with its unit price.
    Unit {
        "value" => value: Amount<'a>,
    }
);

lenient!(
    /// `parties[]`.
    Party {
        "id" => id: Str<'a>,
        "identifier" => identifier: Identifier<'a>,
        "address" => address: Address<'a>,
        "contactPoint" => contact_point: ContactPoint<'a>,
    }
);

lenient!(
    /// A legal identifier.
    Identifier {
        "scheme" => scheme: Str<'a>,
        "id" => id: Str<'a>,
    }
);

lenient!(
    /// A postal address.
    Address {
        "streetAddress" => street_address: Str<'a>,
        "locality" => locality: Str<'a>,
        "region" => region: Str<'a>,
        "postalCode" => postal_code: Str<'a>,
        "countryName" => country_name: Str<'a>,
    }
);

lenient!(
    /// A contact point.
    ContactPoint {
        "email" => email: Str<'a>,
        "telephone" => telephone: Str<'a>,
    }
);

impl<'a> Release<'a> {
    /// Parses one line.
    ///
    /// # Errors
    /// A message when the line is not UTF-8 or not JSON.
    pub fn parse(line: &'a [u8]) -> Result<Release<'a>, String> {
        let text = std::str::from_utf8(line).map_err(|e| e.to_string())?;
        Release::parse_str(text).map_err(|e| e.to_string())
    }

    /// Parses one line already known to be UTF-8.
    ///
    /// # Errors
    /// Where the line stops being JSON.
    pub fn parse_str(line: &'a str) -> json::Result<Release<'a>> {
        Release::parse_fields(line, false)
    }

    /// Parses one line, reading only the reference's fields when `lean` (the others are still
    /// validated, so the same lines are accepted).
    ///
    /// # Errors
    /// Where the line stops being JSON.
    pub fn parse_fields(line: &'a str, lean: bool) -> json::Result<Release<'a>> {
        let mut reader = Reader::new(line);
        reader.set_lean(lean);
        let release = Release::read(&mut reader)?;
        reader.end()?;
        Ok(release)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_are_absent_and_last_key_wins() {
        let line = br#"{"ocid": 5, "buyer": "B", "tender": {"status": "x", "status": "cancelled", "numberOfTenderers": 1,
            "tenderPeriod": [1, {"a": 2}]}, "awards": {"0": 1}, "bids": {"details": [3, {"status": "valid", "value": {"amount": 1e400, "currency": "USD"}}]}}"#;
        let r = Release::parse(line).unwrap();
        assert!(r.is_object);
        assert_eq!(r.ocid.get(), None);
        assert!(!r.buyer.is_object);
        assert_eq!(r.tender.status.get(), Some("cancelled"));
        assert_eq!(r.tender.number_of_tenderers.u64(), Some(1));
        assert!(!r.awards.is_array());
        let details = r.bids.details.items();
        assert_eq!(details.len(), 2);
        assert!(!details[0].is_object);
        assert_eq!(details[1].value.amount.text(), Some("1e400"));
        assert_eq!(details[1].value.amount.f64(), None);
    }

    #[test]
    fn escaped_strings_are_unescaped_and_numbers_exact() {
        let r = Release::parse(br#"{"ocid": "a\"b\u00e9", "tender": {"value": {"amount": 0.1, "currency": "GTQ"}, "numberOfTenderers": 1.0}}"#).unwrap();
        assert_eq!(r.ocid.get(), Some("a\"bé"));
        assert_eq!(r.tender.value.amount.f64(), Some(0.1));
        assert_eq!(r.tender.value.amount.decimal(), Some(Decimal::new(1, 1)));
        assert_eq!(r.tender.number_of_tenderers.u64(), None);
        let n = Num::new("1.5e3");
        assert_eq!(n.decimal(), Some(Decimal::from(1500)));
    }

    #[test]
    fn invalid_json_is_an_error_not_a_panic() {
        assert!(Release::parse(b"{\"ocid\": ").is_err());
        assert!(Release::parse(b"{\"ocid\": \"x\"} trailing").is_err());
        let r = Release::parse(b"[1, 2]").unwrap();
        assert!(!r.is_object);
    }
}
