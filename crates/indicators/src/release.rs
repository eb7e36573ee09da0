//! The slice of an OCDS compiled release the indicators read, parsed without copying.
//!
//! Why hand-written, lenient deserializers: the reference reads each line into a generic JSON
//! tree and then looks fields up with type checks (`Some(Value::String(..))`), so a field of the
//! wrong type is simply absent, an array element that is not an object has no fields, and a
//! repeated key keeps its last value. Derived serde structs would reject the whole line instead.
//! These visitors reproduce the reference's reading while borrowing strings from the input and
//! skipping every field no indicator needs (issue 6, "Speed and memory").
//!
//! Numbers are kept as their source text ([`Num`]) and parsed with Rust's correctly rounded
//! `str::parse`, as the reference does (serde_json `arbitrary_precision`), so amounts are the
//! same `f64`s and exact decimals can be taken for money.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use rust_decimal::Decimal;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// A JSON string field, absent if missing or of another type.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Str<'a>(pub Option<Cow<'a, str>>);

impl<'a> Str<'a> {
    /// The string, if the field was a string.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for StrVisitor<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Some(Cow::Owned(v))))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Str(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Str(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
        }
        deserializer.deserialize_any(StrVisitor(PhantomData))
    }
}

/// A JSON number field kept as its source text, absent if missing or of another type.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Num<'a>(pub Option<&'a str>);

impl<'a> Num<'a> {
    /// As the reference's `as_f64()`: correctly rounded, `None` if not finite.
    pub fn f64(&self) -> Option<f64> {
        self.0
            .and_then(|t| t.parse::<f64>().ok())
            .filter(|f| f.is_finite())
    }

    /// As the reference's `as_u64()`: only an integer literal.
    pub fn u64(&self) -> Option<u64> {
        self.0.and_then(|t| t.parse::<u64>().ok())
    }

    /// The exact decimal value, for money.
    pub fn decimal(&self) -> Option<Decimal> {
        let text = self.0?;
        if text.contains(['e', 'E']) {
            Decimal::from_scientific(text).ok()
        } else {
            text.parse::<Decimal>().ok()
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Num<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw: &'de RawValue = Deserialize::deserialize(deserializer)?;
        let text = raw.get();
        let first = text.as_bytes().first().copied().unwrap_or(b'"');
        Ok(Num(
            (first == b'-' || first.is_ascii_digit()).then_some(text)
        ))
    }
}

/// A JSON array field: `None` if missing or not an array (as `Some(Value::Array(..))` checks).
#[derive(Debug, Clone, PartialEq)]
pub struct List<T>(pub Option<Vec<T>>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(None)
    }
}

impl<T> List<T> {
    /// The elements, empty if absent.
    pub fn items(&self) -> &[T] {
        self.0.as_deref().unwrap_or_default()
    }

    /// Whether the field was an array.
    pub fn is_array(&self) -> bool {
        self.0.is_some()
    }
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = List<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(4));
        while let Some(item) = seq.next_element()? {
            out.push(item);
        }
        Ok(List(Some(out)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(List(None))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(List(None))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(List(None))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(List(None))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(List(None))
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(List(None))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(List(None))
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(List(None))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ListVisitor(PhantomData))
    }
}

/// An object key, borrowed when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Generates a lenient struct: fields by JSON name, unknown keys skipped, a non-object value
/// read as an object without fields, the last of repeated keys winning.
macro_rules! lenient {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $json:literal => $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Default, Clone, PartialEq)]
        pub struct $name<'a> {
            /// Whether the value was a JSON object.
            pub is_object: bool,
            $($(#[$fmeta])* pub $field: $ty,)*
            #[doc(hidden)]
            pub _marker: PhantomData<&'a ()>,
        }

        impl<'de: 'a, 'a> Deserialize<'de> for $name<'a> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V<'a>(PhantomData<&'a ()>);
                impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
                    type Value = $name<'a>;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("any JSON value")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                        let mut out = $name { is_object: true, ..Default::default() };
                        while let Some(key) = map.next_key::<Key<'de>>()? {
                            match key.0.as_ref() {
                                $($json => out.$field = map.next_value()?,)*
                                _ => {
                                    map.next_value::<IgnoredAny>()?;
                                }
                            }
                        }
                        Ok(out)
                    }
                    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                        while seq.next_element::<IgnoredAny>()?.is_some() {}
                        Ok(Default::default())
                    }
                    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> { Ok(Default::default()) }
                    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> { Ok(Default::default()) }
                    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> { Ok(Default::default()) }
                    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> { Ok(Default::default()) }
                    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> { Ok(Default::default()) }
                    fn visit_unit<E>(self) -> Result<Self::Value, E> { Ok(Default::default()) }
                    fn visit_none<E>(self) -> Result<Self::Value, E> { Ok(Default::default()) }
                }
                deserializer.deserialize_any(V(PhantomData))
            }
        }
    };
}

lenient!(
    /// A compiled release (one contracting process).
    Release {
        "ocid" => ocid: Str<'a>,
        "date" => date: Str<'a>,
        "buyer" => buyer: OrgRef<'a>,
        "tender" => tender: Tender<'a>,
        "bids" => bids: Bids<'a>,
        "awards" => awards: List<Award<'a>>,
        "parties" => parties: List<Party<'a>>,
    }
);

lenient!(
    /// `tender`.
    Tender {
        "id" => id: Str<'a>,
        "status" => status: Str<'a>,
        "procurementMethod" => procurement_method: Str<'a>,
        "procurementMethodDetails" => procurement_method_details: Str<'a>,
        "numberOfTenderers" => number_of_tenderers: Num<'a>,
        "tenderPeriod" => tender_period: Period<'a>,
        "procuringEntity" => procuring_entity: OrgRef<'a>,
        "value" => value: Amount<'a>,
        "items" => items: List<Item<'a>>,
        "lots" => lots: List<Lot<'a>>,
        "submissionMethod" => submission_method: List<Str<'a>>,
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
        "name" => name: Str<'a>,
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
        "id" => id: Str<'a>,
        "status" => status: Str<'a>,
        "date" => date: Str<'a>,
        "tenderers" => tenderers: List<OrgRef<'a>>,
        "value" => value: Amount<'a>,
        "initialValue" => initial_value: Amount<'a>,
        "relatedLots" => related_lots: List<Str<'a>>,
    }
);

lenient!(
    /// `awards[]`, with the bid extension's `relatedBid` and the lots extension's `relatedLots`.
    Award {
        "id" => id: Str<'a>,
        "status" => status: Str<'a>,
        "date" => date: Str<'a>,
        "suppliers" => suppliers: List<OrgRef<'a>>,
        "items" => items: List<Item<'a>>,
        "value" => value: Amount<'a>,
        "relatedBid" => related_bid: Str<'a>,
        "relatedLots" => related_lots: List<Str<'a>>,
    }
);

lenient!(
    /// `items[]` of a tender or award.
    Item {
        "id" => id: Str<'a>,
        "description" => description: Str<'a>,
        "classification" => classification: Classification<'a>,
        "quantity" => quantity: Num<'a>,
        "unit" => unit: Unit<'a>,
        "relatedLot" => related_lot: Str<'a>,
    }
);

lenient!(
    /// An item classification.
    Classification {
        "scheme" => scheme: Str<'a>,
        "id" => id: Str<'a>,
        "description" => description: Str<'a>,
    }
);

lenient!(
    /// An item's unit, with its unit price.
    Unit {
        "name" => name: Str<'a>,
        "value" => value: Amount<'a>,
    }
);

lenient!(
    /// `tender.lots[]` (lots extension).
    Lot {
        "id" => id: Str<'a>,
        "value" => value: Amount<'a>,
    }
);

lenient!(
    /// `parties[]`.
    Party {
        "id" => id: Str<'a>,
        "name" => name: Str<'a>,
        "identifier" => identifier: Identifier<'a>,
        "address" => address: Address<'a>,
        "contactPoint" => contact_point: ContactPoint<'a>,
        "roles" => roles: List<Str<'a>>,
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
        "name" => name: Str<'a>,
        "email" => email: Str<'a>,
        "telephone" => telephone: Str<'a>,
    }
);

impl<'a> Release<'a> {
    /// Parses one line.
    ///
    /// # Errors
    /// serde_json's error when the line is not JSON.
    pub fn parse(line: &'a [u8]) -> Result<Release<'a>, serde_json::Error> {
        serde_json::from_slice(line)
    }

    /// Parses one line already known to be UTF-8 (faster: strings are not re-validated).
    ///
    /// # Errors
    /// serde_json's error when the line is not JSON.
    pub fn parse_str(line: &'a str) -> Result<Release<'a>, serde_json::Error> {
        serde_json::from_str(line)
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
        assert_eq!(details[1].value.amount.0, Some("1e400"));
        assert_eq!(details[1].value.amount.f64(), None);
    }

    #[test]
    fn escaped_strings_are_unescaped_and_numbers_exact() {
        let r = Release::parse(br#"{"ocid": "a\"b\u00e9", "tender": {"value": {"amount": 0.1, "currency": "GTQ"}, "numberOfTenderers": 1.0}}"#).unwrap();
        assert_eq!(r.ocid.get(), Some("a\"bé"));
        assert_eq!(r.tender.value.amount.f64(), Some(0.1));
        assert_eq!(r.tender.value.amount.decimal(), Some(Decimal::new(1, 1)));
        assert_eq!(r.tender.number_of_tenderers.u64(), None);
        let n = Num(Some("1.5e3"));
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
