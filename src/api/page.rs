//! Server-rendered pages: the context every template receives and the shared layout pieces.
//!
//! Pages are plain HTML rendered on the server (askama, escaped by default), readable without
//! JavaScript and served with no external assets (PRODUCT.md: no CDN, no network at run time).

use super::AppState;
use super::context::RequestContext;
use crate::domain::error_code::ErrorCode;
use crate::domain::lang::Lang;
use crate::domain::role::Role;
use crate::domain::time::Timestamp;
use crate::domain::user::User;
use crate::i18n::I18n;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono_tz::Tz;
use std::sync::Arc;

/// One entry of the main navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Target path.
    pub href: &'static str,
    /// Translated label.
    pub label: String,
    /// Whether it is the current section (for `aria-current`).
    pub current: bool,
}

/// What every page template knows.
#[derive(Clone)]
pub struct PageCtx {
    /// Interface language.
    pub lang: Lang,
    i18n: Arc<I18n>,
    /// The signed-in user.
    pub user: Option<User>,
    /// Anti-forgery token for the page's forms.
    pub csrf: String,
    /// Current path and query (language switcher returns here).
    pub path: String,
    /// Display zone.
    pub tz: Tz,
    /// Translated one-shot message.
    pub flash: Option<String>,
    /// Main navigation for this user.
    pub nav: Vec<NavItem>,
    /// The procurement clock when the page was drawn (countdowns are computed against it).
    pub now: Timestamp,
    /// Fields whose control has an id of its own on this page (`method` → `plan-method`):
    /// [`PageCtx::field_anchor`] answers it instead of the usual one.
    anchors: Vec<(String, String)>,
    /// Fields the page names better than [`PageCtx::field_label`] can (an evaluation cell:
    /// the requirement and the bidder).
    labels: Vec<(String, String)>,
}

impl PageCtx {
    /// Context for the current request.
    pub fn new(state: &AppState, ctx: &RequestContext) -> PageCtx {
        let i18n = state.i18n.clone();
        let flash = ctx.flash.as_ref().map(|(key, arg)| match arg {
            Some(a) => i18n.t_args(ctx.lang, key, &[("name", a.clone())]),
            None => i18n.t(ctx.lang, key),
        });
        let user = ctx.user().cloned();
        let path = ctx.path_and_query.clone();
        let nav = navigation(&i18n, ctx.lang, user.as_ref(), &path);
        PageCtx {
            lang: ctx.lang,
            i18n,
            user,
            csrf: ctx.csrf_token().to_string(),
            path,
            tz: state.config.timezone,
            flash,
            nav,
            now: state.now(),
            anchors: Vec::new(),
            labels: Vec::new(),
        }
    }

    /// This page's control for `field` has the id `id` (one the page's script or an older
    /// link needs), so the error summary links there and the field shows its own message.
    pub fn with_anchor(mut self, field: impl Into<String>, id: impl Into<String>) -> PageCtx {
        self.anchors.push((field.into(), id.into()));
        self
    }

    /// This page names `field` as `label` in its error summary.
    pub fn with_label(mut self, field: impl Into<String>, label: impl Into<String>) -> PageCtx {
        self.labels.push((field.into(), label.into()));
        self
    }

    /// The message of the first error whose field's control is the element `id` (the message
    /// shown at that control, the same words as in the error summary), or "" when it has none.
    /// Form templates pass it to the field components: `ctx.error_for(errors, "title")`.
    pub fn error_for<'e>(&self, errors: &'e [(String, String)], id: &str) -> &'e str {
        errors
            .iter()
            .find(|(field, _)| !field.is_empty() && self.field_anchor(field) == id)
            .map(|(_, message)| message.as_str())
            .unwrap_or("")
    }

    /// Translated text.
    pub fn t(&self, key: &str) -> String {
        self.i18n.t(self.lang, key)
    }

    /// Translated text of a code under a prefix (`supplier-status` + `verified`).
    pub fn tp(&self, prefix: &str, code: impl AsRef<str>) -> String {
        self.t(&format!("{prefix}-{}", code.as_ref()))
    }

    /// Translated text with one named argument.
    pub fn t1(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.i18n
            .t_args(self.lang, key, &[(name, value.to_string())])
    }

    /// Translated text with any named arguments (notifications carry theirs as JSON).
    pub fn t_with(&self, key: &str, args: &[(String, String)]) -> String {
        let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        self.i18n.t_args(self.lang, key, &args)
    }

    /// An instant shown in the configured zone and the page's language.
    pub fn time(&self, t: &Timestamp) -> String {
        crate::format::date_time(*t, self.tz, self.lang)
    }

    /// An instant (µs since epoch) shown in the configured zone.
    pub fn time_us(&self, micros: &i64) -> String {
        self.time(&Timestamp::from_micros(*micros))
    }

    /// An optional instant (µs), or a dash.
    pub fn time_opt(&self, micros: &Option<i64>) -> String {
        micros
            .map(|m| self.time_us(&m))
            .unwrap_or_else(|| "—".to_string())
    }

    /// An instant stored as RFC 3339 text, shown in the zone; unreadable text as it is.
    pub fn time_text(&self, text: &str) -> String {
        Timestamp::parse(text)
            .map(|t| self.time(&t))
            .unwrap_or_else(|| text.to_string())
    }

    /// An instant for a `<time datetime="…">` attribute (UTC, to the second).
    pub fn machine_time(&self, t: &Timestamp) -> String {
        crate::format::machine_time(*t)
    }

    /// [`PageCtx::machine_time`] of an instant in µs.
    pub fn machine_time_us(&self, micros: &i64) -> String {
        self.machine_time(&Timestamp::from_micros(*micros))
    }

    /// How far an instant is from now, in words: "in 3 days", "hace 2 horas" (one wording for
    /// every page: [`crate::format::relative`]).
    pub fn relative(&self, t: &Timestamp) -> String {
        crate::format::relative(&self.i18n, self.lang, self.now, *t)
    }

    /// [`PageCtx::relative`] of an instant in µs.
    pub fn relative_us(&self, micros: &i64) -> String {
        self.relative(&Timestamp::from_micros(*micros))
    }

    /// A word from a code list stored as entered (a catalogue unit such as `tableta`, a dosage
    /// form, an evaluation criterion's name) in the page's language: the message
    /// `{prefix}-{slug}` when the language has one, else the text as stored (issue 13: English
    /// pages showed "tableta", "vial", "Calidad"). The data itself is never rewritten.
    pub fn term(&self, prefix: &str, stored: &str) -> String {
        let key = format!("{prefix}-{}", term_slug(stored));
        if self.i18n.has(self.lang, &key) {
            self.t(&key)
        } else {
            stored.to_string()
        }
    }

    /// A catalogue unit (`tableta` → "tablet" on English pages).
    pub fn unit(&self, stored: &str) -> String {
        self.term("unit", stored)
    }

    /// A dosage form (`solución inyectable` → "solution for injection" on English pages).
    pub fn dosage_form(&self, stored: &str) -> String {
        self.term("dosage-form", stored)
    }

    /// An evaluation criterion by its rulebook code, or its stored name when the code has no
    /// message (`quality` → "Calidad" / "Quality").
    pub fn criterion(&self, code: &str, stored: &str) -> String {
        let key = format!("criterion-{}", term_slug(code));
        if self.i18n.has(self.lang, &key) {
            self.t(&key)
        } else {
            stored.to_string()
        }
    }

    /// The day of an instant (µs), in the zone.
    pub fn date_us(&self, micros: &i64) -> String {
        crate::format::date(Timestamp::from_micros(*micros), self.tz, self.lang)
    }

    /// Money stored as exact text, in its currency (`Q 1,086,426.24`).
    pub fn money(&self, value: &str, currency: &str) -> String {
        crate::format::money_text(value, currency, self.lang)
    }

    /// An exact amount in its currency.
    pub fn money_d(&self, value: &rust_decimal::Decimal, currency: &str) -> String {
        crate::format::money(*value, currency, self.lang)
    }

    /// A quantity stored as exact text (`215,268`).
    pub fn qty(&self, value: &str) -> String {
        crate::format::quantity_text(value, self.lang)
    }

    /// An exact quantity.
    pub fn qty_d(&self, value: &rust_decimal::Decimal) -> String {
        crate::format::quantity(*value, self.lang)
    }

    /// A count with grouping (`1,234`).
    pub fn count(&self, value: impl std::borrow::Borrow<i64>) -> String {
        crate::format::count(*value.borrow(), self.lang)
    }

    /// Language code for `<html lang>`.
    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    /// Whether the signed-in user holds the role with this code.
    pub fn has_role(&self, code: &str) -> bool {
        match (&self.user, Role::from_code(code)) {
            (Some(u), Some(role)) => u.has_role(role),
            _ => false,
        }
    }

    /// Translated name of a role.
    pub fn role_name(&self, role: &Role) -> String {
        self.t(&role.label_key())
    }

    /// The current page as the sign-in form's `next` (not the sign-in page itself).
    pub fn login_next(&self) -> String {
        if self.path.starts_with("/login") {
            query_escape("/")
        } else {
            query_escape(&self.path)
        }
    }

    /// Translated label of a form field (`display_name` → key `field-display-name`).
    ///
    /// Never shows a key (issue 13): a field path from the services (`items[0].unit_price`,
    /// `contacts[1].email`, `prices[743]`, `declarations.not_barred`, `features[delivery]`)
    /// reads as words, e.g. "Artículo 1 — Precio unitario"; a field without a label of its own
    /// reads "Este campo".
    pub fn field_label(&self, field: &str) -> String {
        if let Some((_, label)) = self.labels.iter().find(|(f, _)| f == field) {
            return label.clone();
        }
        let own = |name: &str| {
            let key = format!("field-{}", name.replace('_', "-"));
            self.i18n.has(self.lang, &key).then(|| self.t(&key))
        };
        if let Some(label) = own(field) {
            return label;
        }
        if let Some(code) = field.strip_prefix("declarations.") {
            let key = format!("declaration-{code}");
            if self.i18n.has(self.lang, &key) {
                return format!("{}: {}", self.t("bid-declarations"), self.t(&key));
            }
            return self.t("bid-declarations");
        }
        if let Some((base, rest)) = field.split_once('[')
            && let Some((index, sub)) = rest.split_once(']')
        {
            let sub = sub.trim_start_matches('.');
            match base {
                // Keyed by item id or feature code, not by position: the page names the item.
                "prices" => return self.t("bid-unit-price"),
                "brands" => return self.t("field-brand"),
                "features" => return self.t("bid-features"),
                _ => {}
            }
            let group = match base {
                "items" => Some("field-item"),
                "contacts" => Some("register-contact"),
                "owners" => Some("register-owner"),
                "lots" | "lot_titles" => Some("tender-lot"),
                _ => None,
            };
            if let (Some(group), Ok(i)) = (group, index.parse::<usize>()) {
                let position = format!("{} {}", self.t(group), i + 1);
                return match own(sub) {
                    Some(label) if !sub.is_empty() => format!("{position} — {label}"),
                    _ => position,
                };
            }
            if let Some(label) = own(base) {
                return label;
            }
        }
        // An evaluation grid's cell (`reason_{bid}_{requirement}`, `score_{bid}_{criterion}`):
        // "Motivo — Oferta 12" when the page names it no better.
        if let Some((kind, bid, _)) = grid_cell(field) {
            return format!(
                "{} — {} {bid}",
                self.t(&format!("field-{kind}")),
                self.t("receipt-bid")
            );
        }
        tracing::warn!(field, "a form field has no label");
        self.t("field-this")
    }

    /// The id of the element a field's error links to (the error summary's anchors): the
    /// page's inputs are named after the service's field paths, with these exceptions.
    pub fn field_anchor(&self, field: &str) -> String {
        if let Some((_, id)) = self.anchors.iter().find(|(f, _)| f == field) {
            return id.clone();
        }
        if let Some(id) = field
            .strip_prefix("prices[")
            .and_then(|r| r.strip_suffix(']'))
        {
            return format!("price_{id}");
        }
        if let Some(code) = field
            .strip_prefix("features[")
            .and_then(|r| r.strip_suffix(']'))
        {
            return format!("feature_{code}");
        }
        if let Some(code) = field.strip_prefix("declarations.") {
            return format!("declaration_{code}");
        }
        if let Some(rest) = field.strip_prefix("items[")
            && let Some((i, sub)) = rest.split_once("].")
            && let Ok(i) = i.parse::<usize>()
        {
            // The tender form's item rows: lot, catalogue item, quantity, unit price. The
            // description and unit come from the catalogue item, as does a plan line's.
            let kind = match sub {
                "lot" => "lot",
                "quantity" => "qty",
                "unit_price" => "price",
                _ => "cat",
            };
            return format!("{kind}-{}", i + 1);
        }
        // Evaluators ticked in a group: the group.
        if let Some(rest) = field.strip_prefix("committee[")
            && rest.ends_with(']')
        {
            return "committee".to_string();
        }
        field.replace(['[', ']', '.'], "_")
    }

    /// The zone's name, shown beside times.
    pub fn zone_name(&self) -> String {
        self.tz.name().to_string()
    }
}

/// A cell of the evaluation grid, `{kind}_{bid}_{other}` with kind `reason`, `score`, `comment`
/// or `verdict` (`other` is the requirement or the criterion): the kind and the two ids.
pub fn grid_cell(field: &str) -> Option<(&str, i64, i64)> {
    let (kind, rest) = field.split_once('_')?;
    if !matches!(kind, "reason" | "score" | "comment" | "verdict") {
        return None;
    }
    let (bid, other) = rest.split_once('_')?;
    Some((kind, bid.parse().ok()?, other.parse().ok()?))
}

/// The key part of a code-list word: lower case, accents removed, words joined by `-`
/// (`Solución inyectable` → `solucion-inyectable`, `delivery_time` → `delivery-time`).
pub fn term_slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        let c = match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn navigation(i18n: &I18n, lang: Lang, user: Option<&User>, path: &str) -> Vec<NavItem> {
    let mut items: Vec<(&'static str, &'static str)> = Vec::new();
    // Each role's desk first: it is where their work waits.
    if let Some(user) = user {
        if user.has_role(Role::Buyer) || user.has_role(Role::Administrator) {
            items.push(("/workspace", "nav-workspace"));
        }
        if user.has_role(Role::Supplier) {
            items.push(("/portal", "nav-portal"));
        }
        if user.has_role(Role::Evaluator) {
            items.push(("/committee", "nav-committee"));
        }
        if user.has_role(Role::UnitUser) || user.has_role(Role::Warehouse) {
            items.push(("/units/mine", "nav-my-units"));
        }
    }
    items.extend([
        ("/tenders", "nav-tenders"),
        ("/auctions", "nav-auctions"),
        ("/agreements", "nav-agreements"),
        ("/plan", "nav-plan"),
        ("/suppliers", "nav-suppliers"),
        ("/catalogue", "nav-catalogue"),
        ("/units", "nav-units"),
        ("/audit", "nav-audit"),
    ]);
    match user {
        Some(user) => {
            items.push(("/notifications", "nav-notifications"));
            if user.has_role(Role::Administrator) {
                items.push(("/admin/users", "nav-users"));
            }
        }
        None => items.push(("/register", "nav-register")),
    }
    items
        .into_iter()
        .map(|(href, key)| NavItem {
            href,
            label: i18n.t(lang, key),
            // `/units/mine` is its own item, not the network's.
            current: path == href
                || (path.starts_with(&format!("{href}/")) && !path.starts_with("/units/mine"))
                || path.starts_with(&format!("{href}?")),
        })
        .collect()
}

/// The message of the first error of `field`, shown next to it (GOV.UK: the message above the
/// input, the same words as in the error summary).
pub fn error_at<'e>(errors: &'e [(String, String)], field: &str) -> Option<&'e str> {
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
}

/// A POST-redirect-GET answer that shows a one-shot message on the next page.
pub fn redirect_with_flash(state: &AppState, to: &str, key: &str, arg: Option<&str>) -> Response {
    let mut response = (
        StatusCode::SEE_OTHER,
        [(axum::http::header::LOCATION, to.to_string())],
    )
        .into_response();
    response.headers_mut().append(
        axum::http::header::SET_COOKIE,
        super::context::flash_cookie(key, arg, state.config.secure_cookies),
    );
    response
}

/// Encodes a value for a query string (`application/x-www-form-urlencoded`).
pub fn query_escape(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// `base?page=N` plus the non-empty filters, for pagination links that keep the filters.
pub fn page_link(base: &str, page: i64, filters: &[(&str, Option<&str>)]) -> String {
    let mut url = format!("{base}?page={page}");
    for (name, value) in filters {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            url.push('&');
            url.push_str(name);
            url.push('=');
            url.push_str(&query_escape(v));
        }
    }
    url
}

/// Renders a template into an HTML response (a template failure is an internal error).
pub fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "template rendering failed");
            super::error::AppError::new(ErrorCode::InternalError).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: &'a PageCtx,
    status: u16,
    code: &'a str,
    message: &'a str,
    fields: &'a [(String, String)],
}

/// The translated error page for browsers.
pub fn render_error_page(
    ctx: &PageCtx,
    status: StatusCode,
    code: ErrorCode,
    message: &str,
    fields: &[(String, String)],
) -> String {
    ErrorPage {
        ctx,
        status: status.as_u16(),
        code: code.as_str(),
        message,
        fields,
    }
    .render()
    .unwrap_or_else(|_| format!("{} {}", status.as_u16(), code.as_str()))
}
