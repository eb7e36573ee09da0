//! `--format cardinal`: the reference calculator's exact JSON shape.
//!
//! `{"OCID": {ocid: {code: value}}, "Tenderer": …, "Buyer": …, "ProcuringEntity": …,
//! "Meta": {code: {name: value}}, "Maps": {…}}`: group keys in the reference's order (see
//! [`crate::flags::finalize`]), values as floats, `Meta` rounded to 4 decimals (`null` where a
//! quartile of no data is `NaN`), `Meta` omitted with `--no-meta`, `Maps` only with `--map`.
//! The reference's inner maps are hash maps (random order); here OCIDs are in file order,
//! other identifiers and codes sorted, so the output is byte-stable.

use std::collections::BTreeMap;
use std::io::{self, Write};

use indexmap_free::OcidMap;

use crate::flags::finalize::Outcome;
use crate::flags::{Group, Indicator};

mod indexmap_free {
    //! A small insertion-ordered map for the OCID group (no extra dependency).
    use rustc_hash::FxHashMap;

    /// OCID → (indicator, value) pairs, in first-seen order.
    #[derive(Default)]
    pub struct OcidMap<'a> {
        pub order: Vec<&'a str>,
        pub values: FxHashMap<&'a str, Vec<(super::Indicator, f64)>>,
    }

    impl<'a> OcidMap<'a> {
        pub fn with_capacity(n: usize) -> Self {
            let mut values = FxHashMap::default();
            values.reserve(n);
            OcidMap {
                order: Vec::with_capacity(n),
                values,
            }
        }

        pub fn insert(&mut self, ocid: &'a str, indicator: super::Indicator, value: f64) {
            let entry = self.values.entry(ocid).or_insert_with(|| {
                self.order.push(ocid);
                Vec::new()
            });
            match entry.iter_mut().find(|(i, _)| *i == indicator) {
                Some(slot) => slot.1 = value,
                None => entry.push((indicator, value)),
            }
        }
    }
}

/// Identifiers and their codes, per group.
type GroupEntries<'a> = BTreeMap<Group, Vec<(&'a str, Vec<(Indicator, f64)>)>>;

fn write_str(out: &mut dyn Write, s: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *out, s).map_err(io::Error::other)
}

fn write_f64(out: &mut dyn Write, x: f64) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &x).map_err(io::Error::other)
}

fn write_codes(out: &mut dyn Write, codes: &[(Indicator, f64)]) -> io::Result<()> {
    let mut codes = codes.to_vec();
    codes.sort_by_key(|(i, _)| *i);
    out.write_all(b"{")?;
    for (n, (indicator, value)) in codes.iter().enumerate() {
        if n > 0 {
            out.write_all(b",")?;
        }
        write_str(out, indicator.code())?;
        out.write_all(b":")?;
        write_f64(out, *value)?;
    }
    out.write_all(b"}")
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Writes the reference's JSON (one line, with a trailing newline as its `println!`).
///
/// # Errors
/// I/O errors of `out`.
pub fn write(outcome: &Outcome, no_meta: bool, map: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut ocids = OcidMap::with_capacity(outcome.processes_flagged.len());
    for process in &outcome.processes_flagged {
        for flag in &process.flags {
            if flag.indicator.in_cardinal() && flag.lot.is_none() {
                ocids.insert(&process.ocid, flag.indicator, flag.value);
            }
        }
    }
    let mut groups: GroupEntries<'_> = BTreeMap::new();
    for ((group, id), flags) in &outcome.organisations {
        let codes: Vec<(Indicator, f64)> = flags
            .iter()
            .filter(|f| f.indicator.in_cardinal())
            .map(|f| (f.indicator, f.value))
            .collect();
        if !codes.is_empty() {
            groups.entry(*group).or_default().push((id, codes));
        }
    }
    let mut first = true;
    let mut key = |out: &mut dyn Write, name: &str| -> io::Result<()> {
        out.write_all(if first { b"{" } else { b"," })?;
        first = false;
        write_str(out, name)?;
        out.write_all(b":")
    };
    for group in &outcome.group_order {
        if *group == Group::Ocid {
            if ocids.order.is_empty() {
                continue;
            }
            key(out, group.key())?;
            out.write_all(b"{")?;
            for (n, ocid) in ocids.order.iter().enumerate() {
                if n > 0 {
                    out.write_all(b",")?;
                }
                write_str(out, ocid)?;
                out.write_all(b":")?;
                write_codes(out, &ocids.values[ocid])?;
            }
            out.write_all(b"}")?;
        } else if let Some(entries) = groups.get(group) {
            key(out, group.key())?;
            out.write_all(b"{")?;
            for (n, (id, codes)) in entries.iter().enumerate() {
                if n > 0 {
                    out.write_all(b",")?;
                }
                write_str(out, id)?;
                out.write_all(b":")?;
                write_codes(out, codes)?;
            }
            out.write_all(b"}")?;
        }
    }
    if !no_meta {
        key(out, "Meta")?;
        out.write_all(b"{")?;
        for (n, (indicator, entries)) in outcome
            .meta
            .iter()
            .filter(|(i, _)| i.in_cardinal())
            .enumerate()
        {
            if n > 0 {
                out.write_all(b",")?;
            }
            write_str(out, indicator.code())?;
            out.write_all(b":{")?;
            for (m, (name, value)) in entries.iter().enumerate() {
                if m > 0 {
                    out.write_all(b",")?;
                }
                write_str(out, name)?;
                out.write_all(b":")?;
                write_f64(out, round4(*value))?;
            }
            out.write_all(b"}")?;
        }
        out.write_all(b"}")?;
    }
    if map {
        key(out, "Maps")?;
        let maps = &outcome.maps;
        let mut object = serde_json::Map::new();
        object.insert(
            "ocid_buyer_r038".into(),
            serde_json::to_value(&maps.ocid_buyer_r038).map_err(io::Error::other)?,
        );
        object.insert(
            "ocid_procuringentity_r038".into(),
            serde_json::to_value(&maps.ocid_procuringentity_r038).map_err(io::Error::other)?,
        );
        object.insert(
            "ocid_tenderer".into(),
            serde_json::to_value(&maps.ocid_tenderer).map_err(io::Error::other)?,
        );
        for indicator in [
            Indicator::R024,
            Indicator::R028,
            Indicator::R030,
            Indicator::R035,
            Indicator::R058,
        ] {
            let empty = BTreeMap::new();
            let entries = maps
                .ocid_tenderer_by_indicator
                .get(&indicator)
                .unwrap_or(&empty);
            object.insert(
                format!("ocid_tenderer_{}", indicator.code().to_lowercase()),
                serde_json::to_value(entries).map_err(io::Error::other)?,
            );
        }
        serde_json::to_writer(&mut *out, &object).map_err(io::Error::other)?;
    }
    if first {
        out.write_all(b"{")?;
    }
    out.write_all(b"}\n")
}

/// The same output as a JSON value (for the platform and tests).
pub fn to_value(outcome: &Outcome, no_meta: bool, map: bool) -> serde_json::Value {
    let mut buffer = Vec::new();
    // Writing to a Vec cannot fail, and the writer emits valid JSON.
    if write(outcome, no_meta, map, &mut buffer).is_err() {
        return serde_json::Value::Null;
    }
    serde_json::from_slice(&buffer).unwrap_or(serde_json::Value::Null)
}
