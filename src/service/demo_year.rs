//! A believable year of procurement for the demo (`serve --demo`, issue 3 "Demo data"): the
//! annual plans, ~300 tenders across every method of the Guatemalan rulebook, with sealed bids,
//! openings, evaluations, awards, complaints and contracts, so every page has real content.
//!
//! Everything goes through the same services the web pages call, with a simulated clock: each
//! tender is created some day of the past year and walked through its life step by step,
//! stopping at the first step that would lie in the future. Old tenders are therefore signed
//! contracts and recent ones are still open for bids or being evaluated, exactly as in a real
//! institution. The audit log records when the seed actually ran (it is never backdated).
//!
//! The seed is deterministic (a fixed pseudo-random sequence) and runs only on a database
//! without tenders, so running the demo twice adds nothing.

use super::audit::{Publication, record};
use super::auth::hash_password;
use super::awards::{ContractForm, MilestoneForm};
use super::evaluation::{ScoreInput, VerdictInput};
use super::events::users::UserCreated;
use super::plan::PlanLineForm;
use super::tenders::{ItemForm, TenderForm};
use super::{Actor, ServiceError, awards, bids, evaluation, plan, tenders};
use crate::domain::bid::{BidInput, DECLARATIONS};
use crate::domain::catalogue::{CatalogueItem, ItemKind};
use crate::domain::role::Role;
use crate::domain::supplier::SupplierStatus;
use crate::domain::time::Timestamp;
use crate::domain::user::{User, UserFields};
use crate::repository::{Database, catalogue, suppliers, tenders as tender_repo, users};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use tianguis_rulebook::Rulebook;
use tianguis_sealed::{MemberSecret, WrappedPrivateKey};

/// Number of tenders `serve --demo` creates.
pub const DEMO_TENDERS: usize = 300;

/// The demo committee members' opening passphrases (printed at start-up in demo mode; an
/// opening needs two of the three).
pub const DEMO_OPENING_PASSPHRASES: [(&str, &str); 3] = [
    ("evaluador1", "apertura demo uno"),
    ("evaluador2", "apertura demo dos"),
    ("evaluador3", "apertura demo tres"),
];

/// Suppliers that get a sales account and bid in the demo year (besides `proveedor1`–`4`).
const BIDDING_FIRMS: usize = 80;

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

/// What the year's seed created.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearReport {
    /// Plan lines.
    pub plan_lines: usize,
    /// Tenders.
    pub tenders: usize,
    /// Bids submitted.
    pub bids: usize,
    /// Awards decided.
    pub awards: usize,
    /// Complaints filed.
    pub complaints: usize,
    /// Contracts signed.
    pub contracts: usize,
    /// Reverse auctions held (simulated bidders).
    pub auctions: usize,
    /// Framework agreements concluded (issue 14).
    pub agreements: usize,
    /// Call-offs placed on them.
    pub call_offs: usize,
    /// Steps refused by a service (a bug in the seed or the services; the tests require none).
    pub refused_steps: usize,
}

/// A small deterministic generator (xorshift64*): the same demo on every machine.
pub(super) struct Dice(pub(super) u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n`.
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1).max(1) as u64)) as i64
    }

    /// True with probability `percent` %.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// A skewed pick in `0..n`: low indices far more often (a few firms win most business, as
    /// in real markets; the indicators of issue 6 need that concentration to show something).
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() % 10_000) as f64 / 10_000.0;
        ((u * u) * n as f64) as usize % n.max(1)
    }
}

/// How a method's tenders are shaped and paced in the demo.
struct Profile {
    method: &'static str,
    /// Estimated value range (quetzales).
    value: (i64, i64),
    /// Days from publication to the bid deadline (generous against business-day rules).
    bidding_days: i64,
    /// Days the clarification window closes before the bid deadline.
    clarification_gap: i64,
    /// Bidders per lot.
    bidders: (usize, usize),
    /// Lots.
    lots: (usize, usize),
    direct: bool,
    /// Share of the year's tenders, per mille of the total.
    share: usize,
}

const PROFILES: [Profile; 7] = [
    Profile {
        method: "baja_cuantia",
        value: (3_000, 24_000),
        bidding_days: 0,
        clarification_gap: 0,
        bidders: (0, 0),
        lots: (1, 1),
        direct: true,
        share: 170,
    },
    Profile {
        method: "compra_directa",
        value: (30_000, 88_000),
        bidding_days: 6,
        clarification_gap: 2,
        bidders: (1, 3),
        lots: (1, 2),
        direct: false,
        share: 200,
    },
    Profile {
        method: "cotizacion",
        value: (100_000, 850_000),
        bidding_days: 20,
        clarification_gap: 8,
        bidders: (2, 5),
        lots: (1, 3),
        direct: false,
        share: 280,
    },
    Profile {
        method: "licitacion",
        value: (1_000_000, 9_000_000),
        bidding_days: 45,
        clarification_gap: 10,
        bidders: (3, 6),
        lots: (2, 4),
        direct: false,
        share: 130,
    },
    Profile {
        method: "subasta_electronica_inversa",
        value: (150_000, 1_500_000),
        bidding_days: 20,
        clarification_gap: 8,
        bidders: (2, 5),
        lots: (1, 1),
        direct: false,
        share: 50,
    },
    Profile {
        method: "contrato_abierto",
        value: (2_000_000, 15_000_000),
        bidding_days: 45,
        clarification_gap: 10,
        bidders: (2, 4),
        lots: (2, 3),
        direct: false,
        share: 30,
    },
    Profile {
        method: "caso_excepcion",
        value: (20_000, 600_000),
        bidding_days: 0,
        clarification_gap: 0,
        bidders: (0, 0),
        lots: (1, 1),
        direct: true,
        share: 140,
    },
];

const FUNDING: [&str; 4] = [
    "Programa de Enfermedad Común",
    "Programa de Accidentes",
    "Programa de Maternidad",
    "Programa de Invalidez, Vejez y Sobrevivencia",
];

const UNITS: [&str; 8] = [
    "Hospital General de Enfermedades",
    "Hospital General de Accidentes Ceibal",
    "Hospital de Gineco-Obstetricia",
    "Unidad de Oncología",
    "Hospital General Juan José Arévalo Bermejo",
    "Unidad de Consulta Externa de Especialidades",
    "Hospital de Rehabilitación",
    "Almacén central de medicamentos",
];

const QUESTIONS: [(&str, &str); 4] = [
    (
        "¿Se aceptan presentaciones equivalentes con la misma concentración y distinto empaque?",
        "Sí, siempre que la unidad de compra y la concentración sean las solicitadas.",
    ),
    (
        "¿El registro sanitario puede estar en trámite de renovación al presentar la oferta?",
        "Sí, con la constancia de trámite vigente emitida por el MSPAS.",
    ),
    (
        "¿Las entregas parciales pueden hacerse en las unidades médicas departamentales?",
        "No; todas las entregas se reciben en el Almacén central, según el programa de entregas.",
    ),
    (
        "¿Cuál es la vida útil mínima exigida al momento de la entrega?",
        "Dieciocho meses como mínimo, contados desde la fecha de recepción en almacén.",
    ),
];

/// Every unit price the demo generates — planned, estimated, bid, awarded — lies within this
/// band around the item's reference price (`demo_prices`), as a share of it: issue 13 found
/// gloves at Q 341.88 each. The integration test `demo::demo_year_is_consistent` holds the seed
/// to it.
pub const PRICE_BAND: (Decimal, Decimal) = (
    Decimal::from_parts(60, 0, 0, false, 2),
    Decimal::from_parts(140, 0, 0, false, 2),
);

/// A tender never asks for more than this factor times the yearly quantity of the plan line
/// each item executes (issue 13: paracetamol planned at 10,000 units was tendered at 215,268).
pub const PLAN_QUANTITY_FACTOR: Decimal = Decimal::ONE;

/// Yearly planned value of one catalogue item (quetzales), one of these: the needs of a large
/// social-security institution range from a few hundred thousand to tens of millions per item.
const PLANNED_VALUES: [i64; 10] = [
    300_000, 500_000, 800_000, 1_200_000, 2_000_000, 3_000_000, 5_000_000, 8_000_000, 12_000_000,
    20_000_000,
];

/// `reference × percent / 100`, rounded as prices are quoted: cents from one quetzal up, tenths
/// of a cent below (a tablet at Q 0.048).
fn priced(reference: Decimal, percent: i64) -> Decimal {
    let p = reference * Decimal::new(percent, 2);
    if p >= Decimal::ONE {
        p.round_dp(2)
    } else {
        p.round_dp(3)
    }
}

/// A quantity rounded down as buyers write them (hundreds, tens), at least one.
fn round_quantity(q: Decimal) -> Decimal {
    let step = if q >= Decimal::from(10_000) {
        Decimal::ONE_HUNDRED
    } else if q >= Decimal::ONE_HUNDRED {
        Decimal::TEN
    } else {
        Decimal::ONE
    };
    ((q / step).floor() * step).max(Decimal::ONE)
}

/// One line of the demo plan: its id, yearly quantity and estimated unit price, and what the
/// year's tenders have taken of it so far.
#[derive(Clone, Copy)]
struct PlannedLine {
    id: i64,
    quantity: Decimal,
    unit_price: Decimal,
    tendered: Decimal,
}

fn day(t: Timestamp, tz: Tz) -> String {
    t.to_local_input(tz).chars().take(10).collect()
}

/// The named demo accounts the seed acts as.
struct Cast {
    buyers: Vec<Actor>,
    members: Vec<(i64, Actor)>,
    bidders: Vec<(i64, Actor)>,
}

async fn actor(db: &Database, username: &str) -> Result<User, ServiceError> {
    let mut conn = db.read().await?;
    Ok(users::find_for_login(&mut conn, username)
        .await?
        .ok_or(ServiceError::NotFound)?
        .0)
}

/// Gives `BIDDING_FIRMS` verified demo suppliers a sales account (`ventas01`…), sharing the
/// demo password's hash (hashing 80 passwords would only slow the start).
async fn bidders(db: &Database) -> Result<Vec<(i64, Actor)>, ServiceError> {
    let hash = hash_password(super::demo::DEMO_PASSWORD.to_string()).await?;
    let now = Timestamp::now();
    let mut tx = db.begin().await?;
    let mut out = Vec::new();
    let mut n = 0;
    for i in 0..super::demo::DEMO_SUPPLIERS {
        if out.len() >= BIDDING_FIRMS + 4 {
            break;
        }
        let (_, nit, status, _) = super::demo::demo_supplier(i);
        if status != SupplierStatus::Verified {
            continue;
        }
        let Some(supplier) = suppliers::find_by_nit(&mut tx, &nit.to_string()).await? else {
            continue;
        };
        let username = if i < 4 {
            format!("proveedor{}", i + 1)
        } else {
            n += 1;
            format!("ventas{n:02}")
        };
        let user = match users::find_for_login(&mut tx, &username).await? {
            Some((u, _)) => u,
            None => {
                let fields = UserFields {
                    username: username.clone(),
                    display_name: format!("Ventas — {}", supplier.legal_name),
                    email: Some(format!("{username}@demo.tianguis.gt")),
                    roles: [Role::Supplier].into_iter().collect::<BTreeSet<Role>>(),
                    supplier_id: Some(supplier.id),
                };
                let id = users::insert(&mut tx, &fields, &hash, now).await?;
                let created = users::find(&mut tx, id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                record(
                    &mut tx,
                    &Actor::System("demo"),
                    &UserCreated { user: &created },
                    Publication::None,
                )
                .await?;
                created
            }
        };
        out.push((supplier.id, Actor::User(user)));
    }
    tx.commit().await?;
    Ok(out)
}

/// Registers the demo members' opening keys (when missing) and unlocks them once, so the
/// year's openings need no Argon2 run each (see `bids::open_with_secrets`).
async fn unlock_members(
    db: &Database,
    members: &[(i64, Actor)],
) -> Result<Vec<(i64, MemberSecret)>, ServiceError> {
    let mut out = Vec::new();
    for ((id, actor), (_, passphrase)) in members.iter().zip(DEMO_OPENING_PASSPHRASES) {
        if bids::opening_key_fingerprint(db, *id).await?.is_none() {
            bids::register_opening_key(db, actor, passphrase, None).await?;
        }
        let wrapped = {
            let mut conn = db.read().await?;
            crate::repository::committee::opening_keys(&mut conn, &[*id])
                .await?
                .pop()
                .ok_or(ServiceError::NotFound)?
                .wrapped_key
        };
        let passphrase = passphrase.to_string();
        let secret = tokio::task::spawn_blocking(move || {
            WrappedPrivateKey::from_base64(&wrapped)
                .and_then(|w| w.unwrap(&passphrase))
                .map_err(|e| ServiceError::Internal(e.code().to_string()))
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))??;
        out.push((*id, secret));
    }
    Ok(out)
}

/// Seeds the year unless the database already has tenders. Needs the Guatemalan rulebook (its
/// methods and thresholds, recognised by its `caso_excepcion` method); with another rulebook it
/// seeds nothing.
pub async fn seed(
    db: &Database,
    rulebook: &Rulebook,
    tz: Tz,
    count: usize,
) -> Result<YearReport, ServiceError> {
    let mut report = YearReport::default();
    if count == 0 || rulebook.method("caso_excepcion").is_none() {
        return Ok(report);
    }
    {
        let mut conn = db.read().await?;
        if tender_repo::count(&mut conn, false).await? > 0 {
            return Ok(report);
        }
    }
    let cast = Cast {
        buyers: vec![
            Actor::User(actor(db, "compras").await?),
            Actor::User(actor(db, "compras2").await?),
        ],
        members: {
            let mut m = Vec::new();
            for (name, _) in DEMO_OPENING_PASSPHRASES {
                let u = actor(db, name).await?;
                m.push((u.id, Actor::User(u)));
            }
            m
        },
        bidders: bidders(db).await?,
    };
    let secrets = unlock_members(db, &cast.members).await?;
    let items = {
        let mut conn = db.read().await?;
        catalogue::all_active(&mut conn).await?
    };
    if items.is_empty() || cast.bidders.len() < 6 {
        return Ok(report);
    }
    let real_now = Timestamp::now();
    let mut dice = Dice(0x7469_616e_6775_6973);

    // The annual plans of last year and this year: most catalogue items, one line each.
    let this_year: i64 = day(real_now, tz)[..4].parse().unwrap_or(2026);
    let mut plan_lines: BTreeMap<(i64, i64), PlannedLine> = BTreeMap::new();
    for year in [this_year - 1, this_year] {
        let planned_at =
            Timestamp::parse_local(&format!("{}-11-15T09:00", year - 1), tz).unwrap_or(real_now);
        for (n, item) in items.iter().enumerate() {
            let Some(reference) = super::demo_prices::reference_price(&item.code) else {
                continue;
            };
            if n % 5 == 4 {
                continue;
            }
            // Planned prices sit a little around the reference; the quantity follows from the
            // item's yearly value, so cheap tablets are planned by the million.
            let price = priced(reference, dice.between(95, 110));
            let value = Decimal::from(PLANNED_VALUES[dice.below(PLANNED_VALUES.len())]);
            let quantity = round_quantity(value / price);
            let form = PlanLineForm {
                year,
                quarter: (n % 4) as i64 + 1,
                catalogue_item_id: item.id,
                quantity: quantity.to_string(),
                unit_price: price.to_string(),
                funding_source: FUNDING[n % FUNDING.len()].to_string(),
                notes: String::new(),
            };
            let line = plan::add_line(db, &cast.buyers[n % 2], &form, planned_at).await?;
            plan_lines.insert(
                (year, item.id),
                PlannedLine {
                    id: line.id,
                    quantity,
                    unit_price: price,
                    tendered: Decimal::ZERO,
                },
            );
            report.plan_lines += 1;
        }
    }

    // The tenders, oldest first, spread over the past year.
    let methods: Vec<&Profile> = PROFILES
        .iter()
        .flat_map(|p| std::iter::repeat_n(p, (p.share * count).div_ceil(1000)))
        .collect();
    let mut order: Vec<usize> = (0..count).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, dice.below(i + 1));
    }
    for (n, &slot) in order.iter().enumerate() {
        let profile = methods[slot % methods.len()];
        // Auctions (issue 4) are recent: the demo keeps them waiting for their live auction.
        // Three quarters of the year's tenders spread over its first ten months, a quarter over
        // the last six weeks: enough work in progress for every desk to have something.
        let recent = count / 4;
        let age_days = if profile.method == "subasta_electronica_inversa" {
            dice.between(1, 60)
        } else if n >= count - recent {
            ((count - n) as i64 * 45 / recent.max(1) as i64).max(1)
        } else {
            45 + ((count - recent - n) as i64 * 315 / (count - recent).max(1) as i64)
        };
        let created = real_now
            .plus_seconds(-age_days * DAY)
            .plus_seconds(dice.between(8, 11) * HOUR - 6 * HOUR);
        let mut step = Steps {
            db,
            rulebook,
            tz,
            now_limit: real_now,
            report: &mut report,
        };
        // A few recent tenders are still being drafted.
        let draft_only = n >= count - recent && dice.chance(10);
        if let Err(e) = one_tender(
            &mut step,
            &cast,
            &secrets,
            &items,
            &mut plan_lines,
            profile,
            created,
            n,
            draft_only,
            &mut dice,
        )
        .await
        {
            tracing::warn!(tender = n, method = profile.method, error = %e, "demo step refused");
            report.refused_steps += 1;
        }
        report.tenders += 1;
    }
    Ok(report)
}

/// Shared context of one tender's walk.
struct Steps<'a> {
    db: &'a Database,
    rulebook: &'a Rulebook,
    tz: Tz,
    /// The real present: no step happens after it.
    now_limit: Timestamp,
    report: &'a mut YearReport,
}

impl Steps<'_> {
    /// Whether a step at `t` has already happened.
    fn due(&self, t: Timestamp) -> bool {
        t.as_micros() <= self.now_limit.as_micros()
    }
}

/// One bid planned for a lot: the bidder and its unit prices.
struct PlannedBid {
    bidder: usize,
    lot_id: i64,
    prices: BTreeMap<i64, String>,
}

#[allow(clippy::too_many_arguments)]
async fn one_tender(
    s: &mut Steps<'_>,
    cast: &Cast,
    secrets: &[(i64, MemberSecret)],
    items: &[CatalogueItem],
    plan_lines: &mut BTreeMap<(i64, i64), PlannedLine>,
    profile: &Profile,
    created: Timestamp,
    n: usize,
    draft_only: bool,
    dice: &mut Dice,
) -> Result<(), ServiceError> {
    let buyer = &cast.buyers[n % cast.buyers.len()];
    let year: i64 = day(created, s.tz)[..4].parse().unwrap_or(2026);
    let unit = UNITS[dice.below(UNITS.len())];

    // Lots of one or two catalogue items each, sized to the method's value band.
    let lots = dice.between(profile.lots.0 as i64, profile.lots.1 as i64) as usize;
    let target = Decimal::from(dice.between(profile.value.0, profile.value.1));
    let per_lot = target / Decimal::from(lots as i64);
    let kind_supplies = dice.chance(35);
    // Only planned items are tendered (each tender executes plan lines), and only from lines
    // whose yearly quantity covers the lot: a tender never buys more than its plan line.
    let planned = |i: &&CatalogueItem| plan_lines.contains_key(&(year, i.id));
    let pool: Vec<&CatalogueItem> = items
        .iter()
        .filter(|i| (i.kind == ItemKind::Supply) == kind_supplies && planned(i))
        .collect();
    let pool = if pool.is_empty() {
        items.iter().filter(planned).collect()
    } else {
        pool
    };
    let mut forms = Vec::new();
    let mut lot_titles = BTreeMap::new();
    let mut estimates: BTreeMap<i64, Decimal> = BTreeMap::new();
    let mut names = Vec::new();
    let mut used = BTreeSet::new();
    let mut lot_number = 0;
    for _ in 0..lots {
        let per_item = dice.between(1, 2);
        let mut titles = Vec::new();
        for k in 0..per_item {
            let share = if per_item == 2 && k == 0 {
                per_lot * Decimal::new(6, 1)
            } else if per_item == 2 {
                per_lot * Decimal::new(4, 1)
            } else {
                per_lot
            };
            let covers = |i: &&CatalogueItem, remaining: bool| {
                plan_lines.get(&(year, i.id)).is_some_and(|l| {
                    let room = if remaining {
                        l.quantity - l.tendered
                    } else {
                        l.quantity * PLAN_QUANTITY_FACTOR
                    };
                    !used.contains(&i.id) && room * l.unit_price >= share
                })
            };
            // Lines with enough left for the year first; else any line large enough.
            let mut fits: Vec<&CatalogueItem> =
                pool.iter().copied().filter(|i| covers(i, true)).collect();
            if fits.is_empty() {
                fits = pool.iter().copied().filter(|i| covers(i, false)).collect();
            }
            if fits.is_empty() {
                continue;
            }
            let item = fits[dice.below(fits.len())];
            used.insert(item.id);
            let Some(line) = plan_lines.get_mut(&(year, item.id)) else {
                continue;
            };
            let quantity = round_quantity(share / line.unit_price).min(line.quantity);
            line.tendered += quantity;
            if titles.is_empty() {
                lot_number += 1;
            }
            forms.push(ItemForm {
                lot: lot_number,
                catalogue_item_id: Some(item.id),
                plan_line_id: Some(line.id),
                description: String::new(),
                quantity: quantity.to_string(),
                unit: String::new(),
                unit_price: line.unit_price.to_string(),
            });
            estimates.insert(item.id, line.unit_price);
            titles.push(
                [Some(item.name.clone()), item.strength.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            names.push(item.name.to_lowercase());
        }
        // The lot is named after what it holds (issue 13: "Loratadina 10 mg" held tamoxifen).
        if !titles.is_empty() {
            lot_titles.insert(lot_number, titles.join(" y "));
        }
    }
    let subject = match names.len() {
        0 => return Ok(()),
        1 => names[0].clone(),
        2 => format!("{} y {}", names[0], names[1]),
        _ => format!("{}, {} y otros", names[0], names[1]),
    };
    let publish_at = created.plus_seconds(DAY + 2 * HOUR);
    let bid_deadline = publish_at.plus_seconds(profile.bidding_days * DAY);
    let clarification_deadline = bid_deadline.plus_seconds(-profile.clarification_gap * DAY);
    let members: Vec<i64> = cast.members.iter().map(|(id, _)| *id).collect();
    let direct = profile.direct;
    let form = TenderForm {
        title: format!(
            "{} de {subject} para {unit}",
            if direct { "Compra" } else { "Adquisición" }
        ),
        description: format!(
            "Abastecimiento de {subject} para los servicios de {unit}, según el plan anual de compras {year}."
        ),
        reference: String::new(),
        method: profile.method.to_string(),
        clarification_deadline: if direct {
            String::new()
        } else {
            clarification_deadline.to_local_input(s.tz)
        },
        bid_deadline: if direct {
            String::new()
        } else {
            bid_deadline.to_local_input(s.tz)
        },
        justification: match profile.method {
            "caso_excepcion" => format!(
                "Convenio vigente del Instituto para el abastecimiento de {subject}; existencias por debajo del nivel crítico en {unit} según el informe de almacén."
            ),
            "baja_cuantia" => {
                format!("Compra menor de {subject} para reposición de existencias de {unit}.")
            }
            _ => String::new(),
        },
        exception_category: if profile.method == "caso_excepcion" {
            ["44b", "44b", "44b", "44c", "44a"][dice.below(5)].to_string()
        } else {
            String::new()
        },
        items: forms,
        lot_titles,
        requirements: if direct {
            Vec::new()
        } else {
            vec![
                "Registro sanitario vigente emitido por el MSPAS".to_string(),
                "Carta de compromiso de entrega según el programa".to_string(),
            ]
        },
        committee: if direct { Vec::new() } else { members },
        threshold: None,
    };
    let tender = tenders::create(s.db, s.rulebook, s.tz, buyer, &form, created).await?;
    let id = tender.id;
    if draft_only || !s.due(publish_at) {
        return Ok(());
    }
    // A few tenders are called off before publication or during the call.
    if dice.chance(3) {
        tenders::cancel(
            s.db,
            buyer,
            id,
            "La necesidad se cubrirá con existencias trasladadas de otra unidad médica.",
            publish_at,
        )
        .await?;
        return Ok(());
    }
    // The bidding conditions first: publication requires a tender document (issue 13).
    let bases = super::demo_bases::bidding_conditions(s.db, s.rulebook, s.tz, id).await?;
    tenders::attach_document(
        s.db,
        buyer,
        id,
        super::demo_bases::FILENAME,
        "application/pdf",
        &bases,
        publish_at,
    )
    .await?;
    // A framework's terms are set before publication (issue 14).
    let framework = super::agreements::is_framework(s.rulebook, profile.method);
    if framework {
        let (lots, items) = {
            let mut conn = s.db.read().await?;
            (
                tender_repo::lots(&mut conn, id).await?,
                tender_repo::items(&mut conn, id).await?,
            )
        };
        let terms = super::demo_agreements::terms(s.db, &lots, &items).await?;
        super::agreements::set_terms(s.db, s.rulebook, buyer, id, &terms, publish_at).await?;
    }
    tenders::publish(s.db, s.rulebook, buyer, id, publish_at).await?;

    if direct {
        return direct_award(s, cast, id, publish_at, dice).await;
    }

    // Clarifications, amendments and the cancellation of a few calls.
    let (lots_rows, item_rows) = {
        let mut conn = s.db.read().await?;
        (
            tender_repo::lots(&mut conn, id).await?,
            tender_repo::items(&mut conn, id).await?,
        )
    };
    let mut bid_deadline = bid_deadline;
    if profile.clarification_gap > 0 && dice.chance(30) {
        let asked = publish_at.plus_seconds(DAY + 3 * HOUR);
        let answered = asked.plus_seconds(DAY);
        if s.due(asked) && answered.as_micros() < clarification_deadline.as_micros() {
            let (q, a) = QUESTIONS[dice.below(QUESTIONS.len())];
            let asker = &cast.bidders[dice.below(cast.bidders.len())].1;
            let qid = tenders::ask(s.db, asker, id, q, asked).await?;
            if s.due(answered) {
                tenders::answer(s.db, buyer, qid, a, answered).await?;
            }
        }
    }
    if profile.bidding_days >= 20 && dice.chance(8) {
        let amended = publish_at.plus_seconds(3 * DAY);
        if s.due(amended) {
            let new_deadline = bid_deadline.plus_seconds(5 * DAY);
            tenders::amend(
                s.db,
                s.rulebook,
                s.tz,
                buyer,
                id,
                "Se amplía el plazo de presentación de ofertas a solicitud de los interesados.",
                "",
                &new_deadline.to_local_input(s.tz),
                amended,
            )
            .await?;
            bid_deadline = new_deadline;
        }
    }
    if dice.chance(3) {
        let at = publish_at.plus_seconds(2 * DAY);
        if s.due(at) {
            tenders::cancel(
                s.db,
                buyer,
                id,
                "Se cancela el proceso por modificación sustancial de las especificaciones técnicas.",
                at,
            )
            .await?;
            return Ok(());
        }
    }

    // Sealed bids: each lot gets its bidders; prices around the estimate.
    let mut planned = Vec::new();
    let no_bids = dice.chance(3);
    for lot in &lots_rows {
        if no_bids {
            break;
        }
        let wanted = dice.between(profile.bidders.0 as i64, profile.bidders.1 as i64) as usize;
        let mut chosen = BTreeSet::new();
        while chosen.len() < wanted.min(cast.bidders.len()) {
            chosen.insert(dice.skewed(cast.bidders.len()));
        }
        for bidder in chosen {
            let mut prices = BTreeMap::new();
            for item in item_rows.iter().filter(|i| i.lot_id == lot.id) {
                let estimate = item
                    .catalogue_item_id
                    .and_then(|c| estimates.get(&c).copied())
                    .unwrap_or(Decimal::ONE);
                let price = priced(estimate, dice.between(80, 118));
                prices.insert(item.id, price.to_string());
            }
            planned.push(PlannedBid {
                bidder,
                lot_id: lot.id,
                prices,
            });
        }
    }
    let window = (bid_deadline.as_micros() - publish_at.as_micros()) / 1_000_000;
    let total = planned.len().max(1) as i64;
    for (k, bid) in planned.iter().enumerate() {
        let at = publish_at.plus_seconds(HOUR + window * (k as i64 + 1) / (total + 1) - HOUR);
        if !s.due(at) {
            break;
        }
        let input = BidInput {
            prices: bid.prices.clone(),
            brands: BTreeMap::new(),
            declarations: DECLARATIONS.iter().map(|d| d.to_string()).collect(),
            notes: format!("Entrega en {} días hábiles.", dice.between(5, 30)),
            features: BTreeMap::new(),
        };
        let who = &cast.bidders[bid.bidder].1;
        bids::submit(s.db, s.rulebook, who, id, bid.lot_id, &input, &[], at).await?;
        s.report.bids += 1;
    }
    // Most committees open within the hour; some take a couple of days to meet.
    let opening = bid_deadline.plus_seconds(if dice.chance(25) { 2 * DAY } else { HOUR });
    if !s.due(opening) {
        return Ok(());
    }
    let chair = &cast.members[0].1;
    let unlocked: Vec<(i64, &MemberSecret)> = secrets
        .iter()
        .take(2)
        .map(|(uid, secret)| (*uid, secret))
        .collect();
    bids::open_with_secrets(s.db, chair, id, &unlocked, opening).await?;
    if planned.is_empty() {
        let at = opening.plus_seconds(DAY);
        if s.due(at) {
            awards::declare_unsuccessful(
                s.db,
                buyer,
                id,
                "No se recibieron ofertas dentro del plazo; se repetirá el evento.",
                at,
            )
            .await?;
        }
        return Ok(());
    }

    // The committee: declarations, then each member's grid, then the consolidation.
    let (opened, requirements, criteria) = {
        let mut conn = s.db.read().await?;
        let opened: Vec<i64> = crate::repository::bids::of_tender(
            &mut conn,
            id,
            Some(crate::repository::bids::status::OPENED),
        )
        .await?
        .iter()
        .map(|b| b.id)
        .collect();
        (
            opened,
            tender_repo::requirements(&mut conn, id).await?,
            tender_repo::criteria(&mut conn, id).await?,
        )
    };
    let failing: BTreeSet<i64> = opened.iter().filter(|_| dice.chance(8)).copied().collect();
    let weighted = tender.evaluation_method == "weighted";
    for (k, (_, member)) in cast.members.iter().enumerate() {
        // Each member takes a few days over the bids, independently.
        let at = opening.plus_seconds((2 * k as i64 + 1) * DAY);
        if !s.due(at) {
            return Ok(());
        }
        let conflict = k == 2 && dice.chance(10);
        evaluation::declare(
            s.db,
            member,
            id,
            conflict,
            if conflict {
                "Tengo parentesco con el representante legal de uno de los oferentes."
            } else {
                ""
            },
            at,
        )
        .await?;
        if conflict {
            continue;
        }
        let graded = at.plus_seconds(DAY + dice.between(0, 2) * DAY);
        if !s.due(graded) {
            return Ok(());
        }
        let verdicts: Vec<VerdictInput> = opened
            .iter()
            .flat_map(|bid| {
                requirements.iter().enumerate().map(|(r, req)| {
                    let fails = r == 0 && failing.contains(bid);
                    VerdictInput {
                        bid_id: *bid,
                        requirement_id: req.id,
                        passed: !fails,
                        reason: if fails {
                            "No adjuntó el registro sanitario vigente.".to_string()
                        } else {
                            String::new()
                        },
                    }
                })
            })
            .collect();
        let scores: Vec<ScoreInput> = if weighted {
            let mut out = Vec::new();
            for bid in &opened {
                for c in criteria.iter().filter(|c| !c.is_price) {
                    out.push(ScoreInput {
                        bid_id: *bid,
                        criterion_id: c.id,
                        value: dice.between(60, 98).to_string(),
                        comment: String::new(),
                    });
                }
            }
            out
        } else {
            Vec::new()
        };
        evaluation::save_grid(s.db, member, id, &verdicts, &scores, true, graded).await?;
    }
    let completed = opening.plus_seconds(9 * DAY);
    if !s.due(completed) {
        return Ok(());
    }
    evaluation::complete(
        s.db,
        s.rulebook,
        buyer,
        id,
        crate::service::auctions::DEFAULT_NOTICE_SECONDS,
        completed,
    )
    .await?;
    let mut decided = completed;
    if tender.has_auction {
        // Auctions of the past were held (simulated bidders, recorded as the live service
        // would); one still ahead keeps the tender waiting and runs live when a node serves.
        let auctions = {
            let mut conn = s.db.read().await?;
            crate::repository::auctions::of_tender(&mut conn, id).await?
        };
        let all_past = auctions
            .iter()
            .all(|a| s.due(Timestamp::from_micros(a.starts_at + 2 * HOUR * 1_000_000)));
        if !all_past {
            return Ok(());
        }
        for a in &auctions {
            // The firms' costs: no price below the band around the reference (issue 13).
            let reference: Decimal = item_rows
                .iter()
                .filter(|i| i.lot_id == a.lot_id)
                .map(|i| {
                    let unit = i
                        .catalogue_item_id
                        .and_then(|c| items.iter().find(|x| x.id == c))
                        .and_then(|x| super::demo_prices::reference_price(&x.code))
                        .unwrap_or_default();
                    unit * crate::domain::money::stored(&i.quantity)
                })
                .sum();
            let floor = (reference * (PRICE_BAND.0 + Decimal::new(5, 2))).round_dp(2);
            let ended =
                crate::service::auctions::synthetic::run_offline(s.db, a.id, floor, &mut || {
                    dice.next()
                })
                .await?;
            decided = decided.max(ended);
            s.report.auctions += 1;
        }
    }

    // Awards per lot, a complaint now and then, the standstill, the contracts.
    let awarded_at = decided.plus_seconds(2 * DAY);
    if !s.due(awarded_at) {
        return Ok(());
    }
    let lots_now = {
        let mut conn = s.db.read().await?;
        tender_repo::lots(&mut conn, id).await?
    };
    let mut awarded = Vec::new();
    for lot in lots_now.iter().filter(|l| l.status == "active") {
        match awards::award(s.db, s.rulebook, buyer, id, lot.id, None, awarded_at).await {
            Ok(a) => {
                s.report.awards += 1;
                awarded.push(a);
            }
            // A lot whose every bid failed the checks has nothing to award.
            Err(ServiceError::IllegalTransition { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let still_open = {
        let mut conn = s.db.read().await?;
        tender_repo::find(&mut conn, id)
            .await?
            .is_some_and(|t| t.status == "evaluation")
    };
    // The consolidation already declared it unsuccessful when no lot had a compliant bid.
    if awarded.is_empty() && still_open {
        let at = awarded_at.plus_seconds(HOUR);
        awards::declare_unsuccessful(
            s.db,
            buyer,
            id,
            "Ninguna oferta cumplió los requisitos de las bases.",
            at,
        )
        .await?;
        return Ok(());
    }
    let mut finals = Vec::new();
    for award in awarded {
        let complaint_at = awarded_at.plus_seconds(DAY + 4 * HOUR);
        let loser = planned
            .iter()
            .find(|b| b.lot_id == award.lot_id && cast.bidders[b.bidder].0 != award.supplier_id)
            .map(|b| b.bidder);
        let mut current = award;
        if let Some(loser) = loser
            && current.standstill_ends_at > complaint_at.as_micros()
            && dice.chance(12)
            && s.due(complaint_at)
        {
            let complaint = awards::file_complaint(
                s.db,
                &cast.bidders[loser].1,
                current.id,
                "La oferta adjudicada no cumple la vida útil mínima exigida en las bases; solicitamos revisar la adjudicación.",
                complaint_at,
            )
            .await?;
            s.report.complaints += 1;
            let resolved = complaint_at.plus_seconds(dice.between(2, 6) * DAY);
            if !s.due(resolved) {
                continue;
            }
            let upheld = dice.chance(25);
            awards::resolve_complaint(
                s.db,
                buyer,
                complaint.id,
                upheld,
                if upheld {
                    "Con lugar: el certificado de análisis presentado no acredita la vida útil exigida; se adjudica a la siguiente oferta."
                } else {
                    "Sin lugar: la vida útil consta en el certificado de análisis adjunto a la oferta."
                },
                resolved,
            )
            .await?;
            if upheld {
                let again = resolved.plus_seconds(DAY);
                if !s.due(again) {
                    continue;
                }
                match awards::award(s.db, s.rulebook, buyer, id, current.lot_id, None, again).await
                {
                    Ok(a) => {
                        s.report.awards += 1;
                        current = a;
                    }
                    Err(ServiceError::IllegalTransition { .. }) => continue,
                    Err(e) => return Err(e),
                }
            }
        }
        finals.push(current);
    }
    for award in finals {
        let signed = Timestamp::from_micros(award.standstill_ends_at.max(award.decided_at))
            .plus_seconds(dice.between(4, 10) * DAY);
        if !s.due(signed) {
            continue;
        }
        if framework {
            let placed = super::demo_agreements::conclude_and_call_off(
                s.db,
                s.rulebook,
                s.tz,
                buyer,
                &cast.bidders,
                id,
                award.lot_id,
                signed,
                s.now_limit,
            )
            .await?;
            s.report.agreements += 1;
            s.report.call_offs += placed;
            continue;
        }
        let lot_items: Vec<&tender_repo::ItemRow> = item_rows
            .iter()
            .filter(|i| i.lot_id == award.lot_id)
            .collect();
        let start = signed.plus_seconds(DAY);
        let milestones = lot_items
            .iter()
            .flat_map(|item| {
                let quantity: Decimal = item.quantity.parse().unwrap_or(Decimal::ONE);
                let first = (quantity / Decimal::TWO).floor().max(Decimal::ONE);
                let second = quantity - first;
                [(first, 30), (second, 90)]
                    .into_iter()
                    .filter(|(q, _)| *q > Decimal::ZERO)
                    .map(|(q, days)| MilestoneForm {
                        tender_item_id: item.id,
                        quantity: q.to_string(),
                        due: day(start.plus_seconds(days * DAY), s.tz),
                        description: String::new(),
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let contract = awards::sign_contract(
            s.db,
            s.tz,
            buyer,
            award.id,
            &ContractForm {
                number: String::new(),
                start: day(start, s.tz),
                end: day(start.plus_seconds(180 * DAY), s.tz),
                payment_terms: "Pago a 30 días de la recepción conforme en almacén, contra factura electrónica (FEL).".to_string(),
                milestones,
            },
            signed,
        )
        .await?;
        s.report.contracts += 1;
        let amended = signed.plus_seconds(60 * DAY);
        if dice.chance(6) && s.due(amended) {
            let increase =
                (crate::domain::money::stored(&contract.amount) / Decimal::TEN).round_dp(2);
            awards::amend_contract(
                s.db,
                s.tz,
                buyer,
                contract.id,
                "Ampliación del 10 % por aumento de la demanda en la unidad médica.",
                &increase.to_string(),
                "",
                amended,
            )
            .await?;
        }
    }
    Ok(())
}

/// A direct award: publication, the award to a verified firm at about the estimate, the
/// contract (no bids, no committee: the method has no competition, and is flagged publicly).
async fn direct_award(
    s: &mut Steps<'_>,
    cast: &Cast,
    id: i64,
    published: Timestamp,
    dice: &mut Dice,
) -> Result<(), ServiceError> {
    let buyer = &cast.buyers[0];
    let lots = {
        let mut conn = s.db.read().await?;
        tender_repo::lots(&mut conn, id).await?
    };
    let at = published.plus_seconds(2 * DAY);
    if !s.due(at) {
        return Ok(());
    }
    let supplier = cast.bidders[dice.skewed(cast.bidders.len())].0;
    for lot in lots {
        let estimate = crate::domain::money::stored(&lot.estimated_value);
        let amount = (estimate * Decimal::new(dice.between(90, 100), 2)).round_dp(2);
        let award = awards::award(
            s.db,
            s.rulebook,
            buyer,
            id,
            lot.id,
            Some((supplier, &amount.to_string())),
            at,
        )
        .await?;
        s.report.awards += 1;
        let signed = Timestamp::from_micros(award.standstill_ends_at.max(award.decided_at))
            .plus_seconds(DAY);
        if !s.due(signed) {
            continue;
        }
        let items = {
            let mut conn = s.db.read().await?;
            tender_repo::items(&mut conn, id).await?
        };
        let start = signed.plus_seconds(DAY);
        awards::sign_contract(
            s.db,
            s.tz,
            buyer,
            award.id,
            &ContractForm {
                number: String::new(),
                start: day(start, s.tz),
                end: day(start.plus_seconds(60 * DAY), s.tz),
                payment_terms:
                    "Pago contra entrega y recepción conforme, con factura electrónica (FEL)."
                        .to_string(),
                milestones: items
                    .iter()
                    .filter(|i| i.lot_id == lot.id)
                    .map(|i| MilestoneForm {
                        tender_item_id: i.id,
                        quantity: i.quantity.clone(),
                        due: day(start.plus_seconds(15 * DAY), s.tz),
                        description: String::new(),
                    })
                    .collect(),
            },
            signed,
        )
        .await?;
        s.report.contracts += 1;
    }
    Ok(())
}
