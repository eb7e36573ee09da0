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

use rustc_hash::FxHashMap;

use crate::flags::finalize::{Outcome, last_of_each};
use crate::flags::{Group, Indicator};

/// Identifiers and their codes, per group.
type GroupEntries<'a> = BTreeMap<Group, Vec<(&'a str, Vec<(Indicator, f64)>)>>;

/// Output assembled in memory and handed to the writer in large pieces (no per-value dynamic
/// dispatch).
struct Buffer<'w> {
    bytes: Vec<u8>,
    out: &'w mut dyn Write,
}

impl Buffer<'_> {
    fn flush_if_full(&mut self) -> io::Result<()> {
        if self.bytes.len() >= 1 << 16 {
            self.out.write_all(&self.bytes)?;
            self.bytes.clear();
        }
        Ok(())
    }

    fn raw(&mut self, s: &[u8]) {
        self.bytes.extend_from_slice(s);
    }

    /// A JSON string, escaped as serde_json does (only `"`, `\` and control characters).
    fn string(&mut self, s: &str) {
        if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
            // Writing to a Vec cannot fail.
            let _ = serde_json::to_writer(&mut self.bytes, s);
        } else {
            self.bytes.push(b'"');
            self.bytes.extend_from_slice(s.as_bytes());
            self.bytes.push(b'"');
        }
    }

    /// A float as serde_json prints it (shortest round-trip, `null` if not finite).
    fn float(&mut self, x: f64) {
        if x == 1.0 {
            self.raw(b"1.0");
        } else if x == 0.0 && x.is_sign_positive() {
            self.raw(b"0.0");
        } else {
            let _ = serde_json::to_writer(&mut self.bytes, &x);
        }
    }

    fn codes(&mut self, codes: &mut [(Indicator, f64)]) {
        codes.sort_by_key(|(i, _)| *i);
        self.raw(b"{");
        for (n, (indicator, value)) in codes.iter().enumerate() {
            if n > 0 {
                self.raw(b",");
            }
            self.string(indicator.code());
            self.raw(b":");
            self.float(*value);
        }
        self.raw(b"}");
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Writes the reference's JSON (one line, with a trailing newline as its `println!`).
///
/// # Errors
/// I/O errors of `out`.
pub fn write(outcome: &Outcome, no_meta: bool, map: bool, out: &mut dyn Write) -> io::Result<()> {
    // OCIDs in file order; a repeated OCID (several lines) merges into its first position, a
    // later line's value winning for the same indicator.
    let processes: Vec<_> = outcome
        .processes_flagged
        .iter()
        .filter(|p| {
            p.flags
                .iter()
                .any(|f| f.indicator.in_cardinal() && f.lot.is_none())
        })
        .collect();
    let last = last_of_each(&processes, |p| &*p.ocid);
    let repeated = last.iter().any(|k| !*k);
    let mut later: FxHashMap<&str, Vec<(Indicator, f64)>> = FxHashMap::default();
    if repeated {
        for p in &processes {
            let entry = later.entry(&p.ocid).or_default();
            for f in p
                .flags
                .iter()
                .filter(|f| f.indicator.in_cardinal() && f.lot.is_none())
            {
                match entry.iter_mut().find(|(i, _)| *i == f.indicator) {
                    Some(slot) => slot.1 = f.value,
                    None => entry.push((f.indicator, f.value)),
                }
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
    let mut b = Buffer {
        bytes: Vec::with_capacity(1 << 17),
        out,
    };
    let mut first = true;
    let mut key = |b: &mut Buffer, name: &str| {
        b.raw(if first { b"{" } else { b"," });
        first = false;
        b.string(name);
        b.raw(b":");
    };
    for group in &outcome.group_order {
        if *group == Group::Ocid {
            if processes.is_empty() {
                continue;
            }
            key(&mut b, group.key());
            b.raw(b"{");
            let mut written = 0;
            let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
            // One buffer for every OCID's codes (no allocation per process).
            let mut codes: Vec<(Indicator, f64)> = Vec::with_capacity(Indicator::ALL.len());
            for p in &processes {
                codes.clear();
                if repeated {
                    if !seen.insert(&p.ocid) {
                        continue;
                    }
                    codes.extend_from_slice(&later[&*p.ocid]);
                } else {
                    codes.extend(
                        p.flags
                            .iter()
                            .filter(|f| f.indicator.in_cardinal() && f.lot.is_none())
                            .map(|f| (f.indicator, f.value)),
                    );
                }
                if written > 0 {
                    b.raw(b",");
                }
                written += 1;
                b.string(&p.ocid);
                b.raw(b":");
                b.codes(&mut codes);
                b.flush_if_full()?;
            }
            b.raw(b"}");
        } else if let Some(entries) = groups.get_mut(group) {
            key(&mut b, group.key());
            b.raw(b"{");
            for (n, (id, codes)) in entries.iter_mut().enumerate() {
                if n > 0 {
                    b.raw(b",");
                }
                b.string(id);
                b.raw(b":");
                b.codes(codes);
                b.flush_if_full()?;
            }
            b.raw(b"}");
        }
    }
    if !no_meta {
        key(&mut b, "Meta");
        b.raw(b"{");
        for (n, (indicator, entries)) in outcome
            .meta
            .iter()
            .filter(|(i, _)| i.in_cardinal())
            .enumerate()
        {
            if n > 0 {
                b.raw(b",");
            }
            b.string(indicator.code());
            b.raw(b":{");
            for (m, (name, value)) in entries.iter().enumerate() {
                if m > 0 {
                    b.raw(b",");
                }
                b.string(name);
                b.raw(b":");
                b.float(round4(*value));
            }
            b.raw(b"}");
        }
        b.raw(b"}");
    }
    if map {
        key(&mut b, "Maps");
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
        serde_json::to_writer(&mut b.bytes, &object).map_err(io::Error::other)?;
    }
    if first {
        b.raw(b"{");
    }
    b.raw(b"}\n");
    b.out.write_all(&b.bytes)
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
