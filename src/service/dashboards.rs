//! Public market dashboards and red flags on the platform (issue 6, "In the platform"): the
//! platform's own processes (their compiled releases, as published) plus the processes imported
//! from other publishers, analysed by `crates/indicators` — the same computation as
//! `tianguis indicators`, so a figure on a page can be reproduced from the bulk file.
//!
//! Results are cached per filter set and data version (the feed's newest position and the
//! imports' count and time): a page view never recomputes unless new data arrived.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tianguis_indicators::{Lang, Report, Settings};

use super::ServiceError;
use crate::repository::{Database, RepoError, imports, ocds};

/// What the dashboards are restricted to. Empty fields mean "all".
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Filters {
    /// `buyer.name`, exactly.
    pub buyer: Option<String>,
    /// `tender.procurementMethod` (`open`, `selective`, `limited`, `direct`).
    pub method: Option<String>,
    /// Prefix of an item's classification id (e.g. an ATC group such as `J01`).
    pub category: Option<String>,
    /// First year included.
    #[serde(default, deserialize_with = "year")]
    pub from: Option<i32>,
    /// Last year included.
    #[serde(default, deserialize_with = "year")]
    pub to: Option<i32>,
}

/// A year from a form: an empty field (what a browser sends for a blank input) means none.
fn year<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    let text: Option<String> = serde::Deserialize::deserialize(d)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => t.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

impl Filters {
    fn clean(mut self) -> Filters {
        for f in [&mut self.buyer, &mut self.method, &mut self.category] {
            if f.as_deref().is_some_and(|s| s.trim().is_empty()) {
                *f = None;
            }
        }
        self
    }

    /// The year a process counts in: its tender period's start, else its release date.
    pub fn year_of(release: &Value) -> Option<i32> {
        release["tender"]["tenderPeriod"]["startDate"]
            .as_str()
            .or_else(|| release["date"].as_str())
            .and_then(|d| d.get(..4))
            .and_then(|y| y.parse().ok())
    }

    /// Whether a compiled release passes the filters.
    pub fn accepts(&self, release: &Value) -> bool {
        if let Some(b) = &self.buyer
            && release["buyer"]["name"].as_str() != Some(b.as_str())
        {
            return false;
        }
        if let Some(m) = &self.method
            && release["tender"]["procurementMethod"].as_str() != Some(m.as_str())
        {
            return false;
        }
        if let Some(c) = &self.category {
            let hit = release["tender"]["items"].as_array().is_some_and(|items| {
                items.iter().any(|i| {
                    i["classification"]["id"]
                        .as_str()
                        .is_some_and(|id| id.starts_with(c.as_str()))
                })
            });
            if !hit {
                return false;
            }
        }
        if self.from.is_some() || self.to.is_some() {
            let Some(year) = Filters::year_of(release) else {
                return false;
            };
            if self.from.is_some_and(|f| year < f) || self.to.is_some_and(|t| year > t) {
                return false;
            }
        }
        true
    }
}

/// One computed dashboard.
#[derive(Debug)]
pub struct Dashboard {
    /// The indicators' report in Spanish.
    pub es: Report,
    /// The indicators' report in English.
    pub en: Report,
    /// Processes analysed (after the filters).
    pub processes: usize,
    /// Of which imported.
    pub imported: usize,
    /// Every buyer name and method seen (for the filter form), sorted.
    pub buyers: Vec<String>,
    /// Every method seen.
    pub methods: Vec<String>,
}

impl Dashboard {
    /// The report in a language.
    pub fn report(&self, lang: crate::domain::lang::Lang) -> &Report {
        match lang {
            crate::domain::lang::Lang::En => &self.en,
            _ => &self.es,
        }
    }
}

/// Every compiled release the dashboards look at: the platform's own processes (planning
/// processes excluded: they are plans, not purchases) then the imported ones.
pub async fn compiled_releases(db: &Database) -> Result<(Vec<Value>, usize), ServiceError> {
    let mut conn = db.read().await?;
    let mut own = Vec::new();
    let mut after = String::new();
    loop {
        let page = ocds::records_after(&mut conn, &after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.ocid.clone();
        for r in page {
            let v: Value =
                serde_json::from_str(&r.compiled).map_err(|e| RepoError::Corrupt(e.to_string()))?;
            if v["tender"]["status"] != "planned" {
                own.push(v);
            }
        }
    }
    let own_count = own.len();
    let mut after = String::new();
    loop {
        let page = imports::compiled_after(&mut conn, &after, 1000).await?;
        let Some((last, _)) = page.last() else { break };
        after = last.clone();
        for (_, text) in page {
            own.push(serde_json::from_str(&text).map_err(|e| RepoError::Corrupt(e.to_string()))?);
        }
    }
    Ok((own, own_count))
}

/// What the dashboards were computed from: the feed's newest release, and the count and newest
/// time of the imports. Any new data changes it.
type DataVersion = (i64, i64, i64);

async fn data_version(db: &Database) -> Result<DataVersion, ServiceError> {
    let mut conn = db.read().await?;
    let seq = ocds::last_seq(&mut conn).await?;
    let (count, at) = imports::version(&mut conn).await?;
    Ok((seq, count, at))
}

type CacheEntry = (Filters, DataVersion, Arc<Dashboard>);

/// The analytics of a node: computes dashboards and keeps the latest ones.
#[derive(Default)]
pub struct Analytics {
    cache: Mutex<Vec<CacheEntry>>,
    refreshing: std::sync::atomic::AtomicBool,
    /// One computation at a time: viewers arriving while it runs wait for it and then read the
    /// cache, instead of each recomputing the same thing.
    computing: tokio::sync::Mutex<()>,
}

/// Dashboards kept (distinct filter sets).
const CACHED: usize = 32;

impl Analytics {
    /// The dashboard for `filters`, with money compared in `currency`.
    pub async fn dashboard(
        &self,
        db: &Database,
        filters: Filters,
        rules: &RuleInputs,
    ) -> Result<Arc<Dashboard>, ServiceError> {
        let filters = filters.clean();
        let version = data_version(db).await?;
        let cached = |me: &Analytics| {
            me.cache
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .find(|(f, v, _)| *f == filters && *v == version)
                .map(|(_, _, d)| d.clone())
        };
        if let Some(d) = cached(self) {
            return Ok(d);
        }
        let _turn = self.computing.lock().await;
        if let Some(d) = cached(self) {
            return Ok(d);
        }
        let (all, own_count) = compiled_releases(db).await?;
        let rules = rules.clone();
        let f = filters.clone();
        let dashboard = tokio::task::spawn_blocking(move || compute(&all, own_count, &f, &rules))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))??;
        let dashboard = Arc::new(dashboard);
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.retain(|(f, _, _)| *f != filters);
        if cache.len() >= CACHED {
            cache.remove(0);
        }
        cache.push((filters, version, dashboard.clone()));
        Ok(dashboard)
    }
}

impl Analytics {
    /// The newest dashboard computed for `filters`, even if newer data arrived since, without
    /// waiting; when it is missing or stale a refresh runs in the background. For pages that
    /// show flags beside other content (the tender page) and must stay fast under writes.
    pub async fn latest(
        self: &Arc<Self>,
        db: &Database,
        filters: Filters,
        rules: &RuleInputs,
    ) -> Option<Arc<Dashboard>> {
        let filters = filters.clean();
        let found = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .rev()
            .find(|(f, _, _)| *f == filters)
            .map(|(_, v, d)| (*v, d.clone()));
        let current = data_version(db).await.ok();
        let fresh = matches!((&found, current), (Some((v, _)), Some(c)) if *v == c);
        if !fresh
            && !self
                .refreshing
                .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            let (me, db, rules, f) = (self.clone(), db.clone(), rules.clone(), filters);
            tokio::spawn(async move {
                if let Err(e) = me.dashboard(&db, f, &rules).await {
                    tracing::warn!(error = %e, "refreshing the red flags failed");
                }
                me.refreshing
                    .store(false, std::sync::atomic::Ordering::SeqCst);
            });
        }
        found.map(|(_, d)| d)
    }
}

/// What the analysis takes from the procurement rulebook: the main currency, for R055
/// ("direct awards split just below the competitive threshold") the lowest value from which the
/// rulebook's value partition requires an open or selective method, and for R003 ("short
/// submission period") each method's own minimum bidding period.
///
/// Issue 13: with Cardinal's single 15-day threshold, 56 of the demo's 85 flagged processes
/// were direct purchases whose (shorter) period the rulebook itself allows. The platform's
/// pages judge each process by the rulebook in force; the Cardinal-compatible CLI
/// (`--format cardinal`) keeps Cardinal's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleInputs {
    /// Money is compared in this currency.
    pub currency: String,
    /// The competitive threshold, when the rulebook has one.
    pub competitive_threshold: Option<rust_decimal::Decimal>,
    /// Minimum bidding period in days per `procurementMethodDetails` of the rulebook's
    /// methods (processes of other publishers keep Cardinal's 15 days).
    pub submission_days: std::collections::BTreeMap<String, i64>,
}

impl RuleInputs {
    /// From the rulebook in force.
    pub fn from_rulebook(book: &tianguis_rulebook::Rulebook) -> RuleInputs {
        use tianguis_rulebook::OcdsMethod;
        RuleInputs {
            currency: book.currency().to_owned(),
            competitive_threshold: book
                .value_partition()
                .filter(|m| matches!(m.ocds_method(), OcdsMethod::Open | OcdsMethod::Selective))
                .map(|m| m.value_range().value.min)
                .min(),
            // Business days are counted as calendar days: a period that meets n business days
            // spans at least n calendar days, so a lawful period is never flagged.
            submission_days: book
                .methods()
                .iter()
                .filter_map(|m| {
                    let period = m.bidding_period()?.value;
                    Some((
                        crate::service::publication::method_details(m),
                        i64::from(period.days),
                    ))
                })
                .collect(),
        }
    }

    /// The indicators' settings: every indicator, with these inputs.
    pub fn settings(&self) -> Settings {
        let mut settings = Settings {
            currency: Some(self.currency.clone()),
            ..Settings::all_indicators()
        };
        if let (Some(r055), Some(t)) = (settings.r055.as_mut(), self.competitive_threshold) {
            r055.threshold = t;
        }
        if let Some(r003) = settings.r003.as_mut() {
            r003.procurement_method_details = Some(self.submission_days.clone());
        }
        settings
    }
}

/// The computation itself (pure: the test runs it on the bulk file to check the pages).
pub fn compute(
    all: &[Value],
    own_count: usize,
    filters: &Filters,
    rules: &RuleInputs,
) -> Result<Dashboard, ServiceError> {
    let mut buyers = BTreeSet::new();
    let mut methods = BTreeSet::new();
    for r in all {
        if let Some(b) = r["buyer"]["name"].as_str() {
            buyers.insert(b.to_owned());
        }
        if let Some(m) = r["tender"]["procurementMethod"].as_str() {
            methods.insert(m.to_owned());
        }
    }
    let mut imported = 0;
    let selected: Vec<&Value> = all
        .iter()
        .enumerate()
        .filter(|(_, r)| filters.accepts(r))
        .map(|(i, r)| {
            if i >= own_count {
                imported += 1;
            }
            r
        })
        .collect();
    let settings = rules.settings();
    let analysis = tianguis_indicators::analyze_releases(
        selected.iter().copied(),
        &settings,
        &tianguis_indicators::Options::default(),
    )
    .map_err(|e| ServiceError::Internal(format!("{} ({})", e, e.code())))?;
    Ok(Dashboard {
        es: analysis.report(Lang::Es),
        en: analysis.report(Lang::En),
        processes: selected.len(),
        imported,
        buyers: buyers.into_iter().collect(),
        methods: methods.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guatemala's LCE as the `gt` rulebook states it: up to Q25,000 a purchase may be direct
    /// (baja cuantía, art. 43 a); above, an open electronic call is required (compra directa
    /// con oferta electrónica, art. 43 b). R055 takes that threshold, not a constant.
    #[test]
    fn the_competitive_threshold_comes_from_the_rulebook() {
        let gt = tianguis_rulebook::Rulebook::load_embedded("gt").unwrap();
        let inputs = RuleInputs::from_rulebook(&gt);
        assert_eq!(inputs.currency, "GTQ");
        assert_eq!(
            inputs.competitive_threshold,
            Some(rust_decimal::Decimal::from(25_000))
        );
        assert_eq!(
            inputs.settings().r055.unwrap().threshold,
            rust_decimal::Decimal::from(25_000)
        );
    }

    #[test]
    fn filters_by_year_method_and_category() {
        let r = serde_json::json!({"date": "2025-03-01T00:00:00Z", "buyer": {"name": "H"},
            "tender": {"procurementMethod": "open", "items": [{"classification": {"id": "J01CA04"}}]}});
        let f = |json: serde_json::Value| -> Filters { serde_json::from_value(json).unwrap() };
        assert!(f(serde_json::json!({})).accepts(&r));
        assert!(f(serde_json::json!({"from": "2025", "to": "2025"})).accepts(&r));
        assert!(!f(serde_json::json!({"from": "2026"})).accepts(&r));
        assert!(f(serde_json::json!({"category": "J01"})).accepts(&r));
        assert!(!f(serde_json::json!({"category": "N02"})).accepts(&r));
        assert!(!f(serde_json::json!({"method": "direct"})).accepts(&r));
        assert!(
            f(serde_json::json!({"buyer": "H", "from": ""}))
                .clean()
                .accepts(&r)
        );
    }
}
