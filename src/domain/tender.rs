//! The life of a tender, as a state machine (issue 3, item 5).
//!
//! A tender's *stored* status changes only by an action (publish, open, award, …); its
//! *phase* also depends on the clock: a published tender is in its clarification period until
//! the clarification deadline, then receives bids until the bid deadline, then awaits its
//! opening. [`phase`] derives the phase; [`check`] says whether an action is allowed in it.
//! Every workflow calls [`check`] before changing anything, so an illegal transition is refused
//! with `state.illegal_transition` and changes nothing. The table in [`allowed`] is the whole
//! rule, and the tests enumerate every phase × action pair.

use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What is stored for a tender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderStatus {
    /// Being prepared by the buyer; not public.
    Draft,
    /// Published; accepting questions and bids until its deadlines.
    Published,
    /// Bids opened; the committee evaluates.
    Evaluation,
    /// The evaluation feeds an electronic reverse auction (issue 4).
    Auction,
    /// Every lot is awarded or declared unsuccessful; standstill and complaints run per award.
    Awarded,
    /// Contracts signed for every awarded lot.
    Contracted,
    /// Cancelled by the buyer, with a reason.
    Cancelled,
    /// Declared unsuccessful (too few or no acceptable bids), with a reason.
    Unsuccessful,
}

impl TenderStatus {
    /// Every status.
    pub const ALL: [TenderStatus; 8] = [
        TenderStatus::Draft,
        TenderStatus::Published,
        TenderStatus::Evaluation,
        TenderStatus::Auction,
        TenderStatus::Awarded,
        TenderStatus::Contracted,
        TenderStatus::Cancelled,
        TenderStatus::Unsuccessful,
    ];

    /// Stored code.
    pub const fn code(self) -> &'static str {
        match self {
            TenderStatus::Draft => "draft",
            TenderStatus::Published => "published",
            TenderStatus::Evaluation => "evaluation",
            TenderStatus::Auction => "auction",
            TenderStatus::Awarded => "awarded",
            TenderStatus::Contracted => "contracted",
            TenderStatus::Cancelled => "cancelled",
            TenderStatus::Unsuccessful => "unsuccessful",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<TenderStatus> {
        TenderStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the tender is public (everything but drafts).
    pub fn is_public(self) -> bool {
        self != TenderStatus::Draft
    }
}

/// The phase a tender is in at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Not yet public.
    Draft,
    /// Suppliers may ask questions and bid.
    Clarification,
    /// Questions closed; suppliers may still bid.
    BidSubmission,
    /// The bid deadline passed; the committee may open the bids.
    AwaitingOpening,
    /// Bids opened; conflicts declared, compliance checked, bids scored.
    Evaluation,
    /// Waiting for, or running, the reverse auction.
    Auction,
    /// Awarded; standstill and complaints may still be running.
    Awarded,
    /// Contracts signed.
    Contracted,
    /// Cancelled.
    Cancelled,
    /// Unsuccessful.
    Unsuccessful,
}

impl Phase {
    /// Every phase.
    pub const ALL: [Phase; 10] = [
        Phase::Draft,
        Phase::Clarification,
        Phase::BidSubmission,
        Phase::AwaitingOpening,
        Phase::Evaluation,
        Phase::Auction,
        Phase::Awarded,
        Phase::Contracted,
        Phase::Cancelled,
        Phase::Unsuccessful,
    ];

    /// Code used in URLs, filters and translations (`phase-…`).
    pub const fn code(self) -> &'static str {
        match self {
            Phase::Draft => "draft",
            Phase::Clarification => "clarification",
            Phase::BidSubmission => "bid_submission",
            Phase::AwaitingOpening => "awaiting_opening",
            Phase::Evaluation => "evaluation",
            Phase::Auction => "auction",
            Phase::Awarded => "awarded",
            Phase::Contracted => "contracted",
            Phase::Cancelled => "cancelled",
            Phase::Unsuccessful => "unsuccessful",
        }
    }

    /// Parses a phase code.
    pub fn from_code(code: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// The deadlines of a published tender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// Last instant questions are accepted (exclusive).
    pub clarification: Timestamp,
    /// Last instant bids are accepted (exclusive): a bid at exactly this instant is late.
    pub bids: Timestamp,
}

/// The phase of a tender with this status and deadlines at `now`.
///
/// Deadlines are exclusive: at the deadline instant the earlier phase is over. A published
/// tender without deadlines cannot exist (publishing requires them); it is treated as awaiting
/// opening, the most restrictive choice.
pub fn phase(status: TenderStatus, deadlines: Option<Deadlines>, now: Timestamp) -> Phase {
    match status {
        TenderStatus::Draft => Phase::Draft,
        TenderStatus::Published => match deadlines {
            Some(d) if now < d.clarification && now < d.bids => Phase::Clarification,
            Some(d) if now < d.bids => Phase::BidSubmission,
            _ => Phase::AwaitingOpening,
        },
        TenderStatus::Evaluation => Phase::Evaluation,
        TenderStatus::Auction => Phase::Auction,
        TenderStatus::Awarded => Phase::Awarded,
        TenderStatus::Contracted => Phase::Contracted,
        TenderStatus::Cancelled => Phase::Cancelled,
        TenderStatus::Unsuccessful => Phase::Unsuccessful,
    }
}

/// Everything that can be done to a tender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Change the draft (lots, items, documents, committee).
    EditDraft,
    /// Make it public, fixing its deadlines and sealing key.
    Publish,
    /// Change documents or extend deadlines after publication (notifies suppliers).
    Amend,
    /// A supplier asks a question.
    AskQuestion,
    /// The buyer answers a question (published to all).
    AnswerQuestion,
    /// A supplier submits or replaces a sealed bid.
    SubmitBid,
    /// A supplier withdraws its bid.
    WithdrawBid,
    /// The committee opens all bids.
    OpenBids,
    /// A committee member declares conflicts of interest, checks compliance, scores.
    Evaluate,
    /// The committee closes the evaluation (ranking and report).
    CompleteEvaluation,
    /// Send the qualified bids to the reverse auction.
    StartAuction,
    /// Award a lot to its best bid.
    Award,
    /// A bidder files a complaint (inconformidad) against an award.
    FileComplaint,
    /// The buyer resolves a complaint.
    ResolveComplaint,
    /// Sign the contract of an award.
    SignContract,
    /// Cancel the tender, with a reason.
    Cancel,
    /// Declare the tender unsuccessful, with a reason.
    DeclareUnsuccessful,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 17] = [
        Action::EditDraft,
        Action::Publish,
        Action::Amend,
        Action::AskQuestion,
        Action::AnswerQuestion,
        Action::SubmitBid,
        Action::WithdrawBid,
        Action::OpenBids,
        Action::Evaluate,
        Action::CompleteEvaluation,
        Action::StartAuction,
        Action::Award,
        Action::FileComplaint,
        Action::ResolveComplaint,
        Action::SignContract,
        Action::Cancel,
        Action::DeclareUnsuccessful,
    ];

    /// Code used in error details and the audit log.
    pub const fn code(self) -> &'static str {
        match self {
            Action::EditDraft => "edit_draft",
            Action::Publish => "publish",
            Action::Amend => "amend",
            Action::AskQuestion => "ask_question",
            Action::AnswerQuestion => "answer_question",
            Action::SubmitBid => "submit_bid",
            Action::WithdrawBid => "withdraw_bid",
            Action::OpenBids => "open_bids",
            Action::Evaluate => "evaluate",
            Action::CompleteEvaluation => "complete_evaluation",
            Action::StartAuction => "start_auction",
            Action::Award => "award",
            Action::FileComplaint => "file_complaint",
            Action::ResolveComplaint => "resolve_complaint",
            Action::SignContract => "sign_contract",
            Action::Cancel => "cancel",
            Action::DeclareUnsuccessful => "declare_unsuccessful",
        }
    }
}

/// The transition table: which actions each phase allows.
pub fn allowed(phase: Phase, action: Action) -> bool {
    use Action as A;
    use Phase as P;
    match phase {
        P::Draft => matches!(action, A::EditDraft | A::Publish | A::Cancel),
        P::Clarification => matches!(
            action,
            A::Amend
                | A::AskQuestion
                | A::AnswerQuestion
                | A::SubmitBid
                | A::WithdrawBid
                | A::Cancel
        ),
        // Questions are closed but late answers to questions already asked are still published.
        P::BidSubmission => matches!(
            action,
            A::Amend | A::AnswerQuestion | A::SubmitBid | A::WithdrawBid | A::Cancel
        ),
        P::AwaitingOpening => matches!(action, A::OpenBids | A::Cancel),
        P::Evaluation => matches!(
            action,
            A::Evaluate
                | A::CompleteEvaluation
                | A::StartAuction
                | A::Award
                | A::Cancel
                | A::DeclareUnsuccessful
        ),
        P::Auction => matches!(action, A::Award | A::Cancel | A::DeclareUnsuccessful),
        P::Awarded => matches!(
            action,
            A::FileComplaint | A::ResolveComplaint | A::SignContract | A::Award | A::Cancel
        ),
        P::Contracted | P::Cancelled | P::Unsuccessful => false,
    }
}

/// An action refused in a phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{} is not allowed while the tender is {}", action.code(), phase.code())]
pub struct IllegalTransition {
    /// The phase.
    pub phase: Phase,
    /// The refused action.
    pub action: Action,
}

/// `Ok` when the action is allowed in the phase.
pub fn check(phase: Phase, action: Action) -> Result<(), IllegalTransition> {
    if allowed(phase, action) {
        Ok(())
    } else {
        Err(IllegalTransition { phase, action })
    }
}

/// The stored status an action leads to (None: the status does not change).
pub fn next_status(action: Action) -> Option<TenderStatus> {
    match action {
        Action::Publish => Some(TenderStatus::Published),
        Action::OpenBids => Some(TenderStatus::Evaluation),
        Action::StartAuction => Some(TenderStatus::Auction),
        Action::SignContract => None, // only when every award has its contract
        Action::Cancel => Some(TenderStatus::Cancelled),
        Action::DeclareUnsuccessful => Some(TenderStatus::Unsuccessful),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_micros(s * 1_000_000)
    }

    const D: Deadlines = Deadlines {
        clarification: Timestamp::from_micros(100 * 1_000_000),
        bids: Timestamp::from_micros(200 * 1_000_000),
    };

    #[test]
    fn published_phase_follows_the_clock_with_exclusive_deadlines() {
        let p = |s| phase(TenderStatus::Published, Some(D), t(s));
        assert_eq!(p(0), Phase::Clarification);
        assert_eq!(
            phase(
                TenderStatus::Published,
                Some(D),
                Timestamp::from_micros(100 * 1_000_000 - 1)
            ),
            Phase::Clarification
        );
        assert_eq!(p(100), Phase::BidSubmission);
        assert_eq!(
            phase(
                TenderStatus::Published,
                Some(D),
                Timestamp::from_micros(200 * 1_000_000 - 1)
            ),
            Phase::BidSubmission
        );
        assert_eq!(
            p(200),
            Phase::AwaitingOpening,
            "a bid at the deadline instant is late"
        );
        assert_eq!(p(10_000), Phase::AwaitingOpening);
        assert_eq!(
            phase(TenderStatus::Published, None, t(0)),
            Phase::AwaitingOpening
        );
    }

    #[test]
    fn other_statuses_ignore_the_clock() {
        for (status, expected) in [
            (TenderStatus::Draft, Phase::Draft),
            (TenderStatus::Evaluation, Phase::Evaluation),
            (TenderStatus::Auction, Phase::Auction),
            (TenderStatus::Awarded, Phase::Awarded),
            (TenderStatus::Contracted, Phase::Contracted),
            (TenderStatus::Cancelled, Phase::Cancelled),
            (TenderStatus::Unsuccessful, Phase::Unsuccessful),
        ] {
            assert_eq!(phase(status, Some(D), t(0)), expected);
            assert_eq!(phase(status, Some(D), t(1_000)), expected);
        }
    }

    /// The complete table, written out independently of [`allowed`]: every phase × action.
    #[test]
    fn every_transition_allowed_and_refused() {
        use Action as A;
        let table: &[(Phase, &[Action])] = &[
            (Phase::Draft, &[A::EditDraft, A::Publish, A::Cancel]),
            (
                Phase::Clarification,
                &[
                    A::Amend,
                    A::AskQuestion,
                    A::AnswerQuestion,
                    A::SubmitBid,
                    A::WithdrawBid,
                    A::Cancel,
                ],
            ),
            (
                Phase::BidSubmission,
                &[
                    A::Amend,
                    A::AnswerQuestion,
                    A::SubmitBid,
                    A::WithdrawBid,
                    A::Cancel,
                ],
            ),
            (Phase::AwaitingOpening, &[A::OpenBids, A::Cancel]),
            (
                Phase::Evaluation,
                &[
                    A::Evaluate,
                    A::CompleteEvaluation,
                    A::StartAuction,
                    A::Award,
                    A::Cancel,
                    A::DeclareUnsuccessful,
                ],
            ),
            (
                Phase::Auction,
                &[A::Award, A::Cancel, A::DeclareUnsuccessful],
            ),
            (
                Phase::Awarded,
                &[
                    A::FileComplaint,
                    A::ResolveComplaint,
                    A::SignContract,
                    A::Award,
                    A::Cancel,
                ],
            ),
            (Phase::Contracted, &[]),
            (Phase::Cancelled, &[]),
            (Phase::Unsuccessful, &[]),
        ];
        assert_eq!(table.len(), Phase::ALL.len());
        let mut pairs = 0;
        for (phase, allowed_actions) in table {
            for action in Action::ALL {
                let expected = allowed_actions.contains(&action);
                assert_eq!(allowed(*phase, action), expected, "{phase:?} {action:?}");
                assert_eq!(check(*phase, action).is_ok(), expected);
                pairs += 1;
            }
        }
        assert_eq!(pairs, Phase::ALL.len() * Action::ALL.len());
    }

    #[test]
    fn final_phases_allow_nothing() {
        for p in [Phase::Contracted, Phase::Cancelled, Phase::Unsuccessful] {
            for a in Action::ALL {
                assert_eq!(
                    check(p, a),
                    Err(IllegalTransition {
                        phase: p,
                        action: a
                    })
                );
            }
        }
    }

    #[test]
    fn codes_round_trip() {
        for s in TenderStatus::ALL {
            assert_eq!(TenderStatus::from_code(s.code()), Some(s));
        }
        for p in Phase::ALL {
            assert_eq!(Phase::from_code(p.code()), Some(p));
        }
        let codes: std::collections::HashSet<_> = Action::ALL.iter().map(|a| a.code()).collect();
        assert_eq!(codes.len(), Action::ALL.len());
    }
}
