//! Who competed with whom, beyond the reference's "one active award with one supplier" case:
//! lots (`awards[].relatedLots`, `bids.details[].relatedLots`), `awards[].relatedBid` (bid
//! extension) and awards with several suppliers (a consortium wins with one bid naming all of
//! them as tenderers). Used by the JSON report only, so `--format cardinal` keeps the
//! reference's numbers.

use crate::release::{Bid, Release};

use super::engine::complete_awards;

/// One award and the bids that competed for it.
#[derive(Debug)]
pub struct Contest<'r, 'a> {
    /// The lot (or, failing that, the award id) it concerns.
    pub lot: Option<&'r str>,
    /// The award's suppliers, sorted.
    pub suppliers: Vec<&'r str>,
    /// The competing bids.
    pub bids: Vec<&'r Bid<'a>>,
    /// The bid named by `relatedBid`, if any.
    pub related_bid: Option<&'r Bid<'a>>,
}

impl<'r, 'a> Contest<'r, 'a> {
    /// Whether a bid is the winner's: its `id` is the award's `relatedBid`, or its tenderers are
    /// exactly the award's suppliers.
    pub fn is_winning(&self, bid: &Bid<'_>) -> bool {
        if let Some(related) = self.related_bid {
            return related.id.get().is_some() && related.id.get() == bid.id.get();
        }
        let mut tenderers: Vec<&str> = bid
            .tenderers
            .items()
            .iter()
            .filter_map(|t| t.id.get())
            .collect();
        tenderers.sort_unstable();
        tenderers.dedup();
        !tenderers.is_empty() && tenderers == self.suppliers
    }
}

/// The contests of a process whose awards are final. Empty if they cannot be told apart
/// (several awards without lots or related bids).
pub fn contests<'r, 'a>(r: &'r Release<'a>) -> Vec<Contest<'r, 'a>> {
    let Ok((complete, details)) = complete_awards(r) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let single = complete.len() == 1;
    for award in complete.iter() {
        let mut suppliers: Vec<&str> = award
            .suppliers
            .items()
            .iter()
            .filter_map(|s| s.id.get())
            .collect();
        suppliers.sort_unstable();
        suppliers.dedup();
        if suppliers.is_empty() {
            continue;
        }
        let related_bid = award
            .related_bid
            .get()
            .and_then(|id| details.iter().find(|b| b.id.get() == Some(id)));
        let mut lots: Vec<&str> = award
            .related_lots
            .items()
            .iter()
            .filter_map(|l| l.get())
            .collect();
        if lots.is_empty()
            && let Some(bid) = related_bid
        {
            lots = bid
                .related_lots
                .items()
                .iter()
                .filter_map(|l| l.get())
                .collect();
        }
        let bids: Vec<&Bid<'a>> = if !lots.is_empty() {
            details
                .iter()
                .filter(|b| {
                    b.related_lots
                        .items()
                        .iter()
                        .any(|l| l.get().is_some_and(|l| lots.contains(&l)))
                })
                .collect()
        } else if single {
            details.iter().collect()
        } else {
            continue;
        };
        out.push(Contest {
            lot: lots.first().copied().or(award.id.get()),
            suppliers,
            bids,
            related_bid,
        });
    }
    out
}

/// Resolves an organisation reference to its legal identifier when `parties` has one
/// (`scheme-id`, e.g. `GT-NIT-1234567`), so one business under several local ids is one
/// supplier in market indicators and similarity checks.
pub fn organisation_id<'r>(r: &'r Release<'_>, id: &'r str) -> std::borrow::Cow<'r, str> {
    for party in r.parties.items() {
        if party.id.get() == Some(id)
            && let Some(legal) = party.identifier.id.get()
        {
            return match party.identifier.scheme.get() {
                Some(scheme) if !legal.starts_with(scheme) => format!("{scheme}-{legal}").into(),
                _ => legal.into(),
            };
        }
    }
    id.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lots_split_bids_between_awards() {
        let line = br#"{"ocid":"L","awards":[
            {"id":"a1","status":"active","relatedLots":["lot1"],"suppliers":[{"id":"A"}]},
            {"id":"a2","status":"active","relatedLots":["lot2"],"suppliers":[{"id":"B"},{"id":"C"}]}],
          "bids":{"details":[
            {"id":"b1","status":"valid","relatedLots":["lot1"],"tenderers":[{"id":"A"}]},
            {"id":"b2","status":"valid","relatedLots":["lot1"],"tenderers":[{"id":"D"}]},
            {"id":"b3","status":"valid","relatedLots":["lot2"],"tenderers":[{"id":"C"},{"id":"B"}]}]}}"#;
        let r = Release::parse(line).unwrap();
        let contests = contests(&r);
        assert_eq!(contests.len(), 2);
        assert_eq!(contests[0].lot, Some("lot1"));
        assert_eq!(contests[0].bids.len(), 2);
        assert_eq!(contests[1].suppliers, vec!["B", "C"]);
        assert!(contests[1].is_winning(contests[1].bids[0]));
        assert!(!contests[0].is_winning(contests[0].bids[1]));
    }

    #[test]
    fn several_awards_without_lots_are_not_guessed() {
        let line = br#"{"ocid":"M","awards":[{"status":"active","suppliers":[{"id":"A"}]},{"status":"active","suppliers":[{"id":"B"}]}],
          "bids":{"details":[{"status":"valid","tenderers":[{"id":"A"}]}]}}"#;
        assert!(contests(&Release::parse(line).unwrap()).is_empty());
    }

    #[test]
    fn party_identifiers_resolve_organisations() {
        let line = br#"{"ocid":"P","parties":[{"id":"x1","identifier":{"scheme":"GT-NIT","id":"123"}},{"id":"x2"}]}"#;
        let r = Release::parse(line).unwrap();
        assert_eq!(organisation_id(&r, "x1"), "GT-NIT-123");
        assert_eq!(organisation_id(&r, "x2"), "x2");
    }
}
