//! The auction transcript (issue 4, "After the auction": "the full transcript (every accepted and
//! refused bid with server timestamps) is published and downloadable as JSON and CSV").
//!
//! Entries carry anonymous labels; supplier identifiers and names appear only once identities
//! have been revealed (after the award), so the same function serves the live audit trail and the
//! published record.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::engine::Auction;
use crate::event::{BidOutcome, BidderId, Refusal, Seq};
use crate::label::Label;
use crate::time::Timestamp;

/// What a bidder did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Offered a price.
    Bid,
    /// Gave up its turn.
    Pass,
}

/// Whether it stood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Stood.
    Accepted,
    /// Refused (see `reason`).
    Refused,
}

/// One bid or pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptEntry {
    /// Event sequence number.
    pub seq: Seq,
    /// Server time of arrival.
    pub at: Timestamp,
    /// Bid or pass.
    pub action: Action,
    /// Anonymous label (`None` for someone who was not a participant).
    pub label: Option<Label>,
    /// Supplier identifier, after the award.
    pub bidder: Option<BidderId>,
    /// Supplier name, after the award.
    pub name: Option<String>,
    /// Offered price (bids).
    pub price: Option<Decimal>,
    /// Accepted or refused.
    pub status: Status,
    /// Stable refusal code (`auction.not_your_turn`, …).
    pub reason: Option<String>,
    /// For `auction.insufficient_decrement`: the largest price that was acceptable.
    pub required_max: Option<Decimal>,
}

/// Every bid and pass of an auction, in log order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcript {
    /// Whether identifiers and names are included.
    pub identities_revealed: bool,
    /// The entries.
    pub entries: Vec<TranscriptEntry>,
}

/// Column order of the CSV form.
pub const CSV_HEADER: &str = "seq,at,action,label,bidder,name,price,status,reason,required_max";

impl Transcript {
    /// Pretty JSON, for download.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// RFC 4180 CSV (CRLF line ends, quoted where needed), for download. Free-text fields that a
    /// spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) are
    /// prefixed with `'` (OWASP CSV-injection advice); prices and codes are never altered.
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(64 * (self.entries.len() + 1));
        out.push_str(CSV_HEADER);
        out.push_str("\r\n");
        for e in &self.entries {
            let fields = [
                e.seq.to_string(),
                e.at.to_string(),
                match e.action {
                    Action::Bid => "bid".into(),
                    Action::Pass => "pass".into(),
                },
                e.label.map(|l| l.to_string()).unwrap_or_default(),
                e.bidder
                    .as_ref()
                    .map(|b| csvcell::text(b.as_str()).into_owned())
                    .unwrap_or_default(),
                e.name
                    .as_deref()
                    .map(|n| csvcell::text(n).into_owned())
                    .unwrap_or_default(),
                e.price.map(|p| p.to_string()).unwrap_or_default(),
                match e.status {
                    Status::Accepted => "accepted".into(),
                    Status::Refused => "refused".into(),
                },
                e.reason
                    .as_deref()
                    .map(|r| csvcell::text(r).into_owned())
                    .unwrap_or_default(),
                e.required_max.map(|p| p.to_string()).unwrap_or_default(),
            ];
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&csvcell::field(field));
            }
            out.push_str("\r\n");
        }
        out
    }
}

impl Auction {
    /// The transcript so far (publish it in full once the auction has finished).
    pub fn transcript(&self) -> Transcript {
        let revealed = self.identities_revealed();
        let entries = self
            .attempts
            .iter()
            .map(|a| {
                let entrant = self.index.get(&a.bidder).map(|&i| &self.entrants[i]);
                let (status, reason, required_max) = match &a.outcome {
                    BidOutcome::Accepted => (Status::Accepted, None, None),
                    BidOutcome::Refused { reason } => (
                        Status::Refused,
                        Some(reason.code().to_owned()),
                        match reason {
                            Refusal::InsufficientDecrement { required_max } => Some(*required_max),
                            _ => None,
                        },
                    ),
                };
                TranscriptEntry {
                    seq: a.seq,
                    at: a.at,
                    action: if a.price.is_some() {
                        Action::Bid
                    } else {
                        Action::Pass
                    },
                    label: entrant.map(|e| e.label),
                    bidder: revealed.then(|| a.bidder.clone()),
                    name: if revealed {
                        entrant.map(|e| e.name.clone())
                    } else {
                        None
                    },
                    price: a.price,
                    status,
                    reason,
                    required_max,
                }
            })
            .collect();
        Transcript {
            identities_revealed: revealed,
            entries,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_neutralises_names_and_keeps_prices_numbers() {
        let transcript = Transcript {
            identities_revealed: true,
            entries: vec![TranscriptEntry {
                seq: Seq(1),
                at: Timestamp::from_micros(0),
                action: Action::Bid,
                label: Some(Label(1)),
                bidder: Some(BidderId::new("GT-NIT-1234567-0")),
                name: Some("=HYPERLINK(\"http://x\",\"y\")".into()),
                price: Some(Decimal::new(-125, 1)),
                status: Status::Accepted,
                reason: None,
                required_max: None,
            }],
        };
        let csv = transcript.to_csv();
        let row = csv.lines().nth(1).unwrap();
        assert!(
            row.contains(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",-12.5,"),
            "{row}"
        );
    }
}
