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
        }
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

    /// An instant shown in the configured zone.
    pub fn time(&self, t: &Timestamp) -> String {
        t.display_in(self.tz)
    }

    /// An instant (µs since epoch) shown in the configured zone.
    pub fn time_us(&self, micros: &i64) -> String {
        Timestamp::from_micros(*micros).display_in(self.tz)
    }

    /// An optional instant (µs), or a dash.
    pub fn time_opt(&self, micros: &Option<i64>) -> String {
        micros
            .map(|m| Timestamp::from_micros(m).display_in(self.tz))
            .unwrap_or_else(|| "—".to_string())
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
    pub fn field_label(&self, field: &str) -> String {
        self.t(&format!("field-{}", field.replace('_', "-")))
    }

    /// The zone's name, shown beside times.
    pub fn zone_name(&self) -> String {
        self.tz.name().to_string()
    }
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
    }
    items.extend([
        ("/tenders", "nav-tenders"),
        ("/auctions", "nav-auctions"),
        ("/plan", "nav-plan"),
        ("/suppliers", "nav-suppliers"),
        ("/catalogue", "nav-catalogue"),
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
            current: path == href
                || path.starts_with(&format!("{href}/"))
                || path.starts_with(&format!("{href}?")),
        })
        .collect()
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
