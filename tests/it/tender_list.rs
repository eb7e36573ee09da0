//! The tender list sorted by its column headers (issue 13): by closing date, value or
//! publication, either way, the same on SQLite and PostgreSQL (tenders without the date last,
//! equal values by id), paginated without repeats or gaps, the filters and page size kept; a
//! `sort` that names no order lists in the default order.

use crate::both;
use crate::esourcing::{As, tender_form};
use crate::support::{TestApp, page_text};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::Value;
use std::cmp::Ordering;
use tianguis::domain::time::Timestamp;
use tianguis::repository::tenders::{SortKey, TenderOrder};

/// The public search's results for a query, in order, every page.
async fn all(app: &TestApp, query: &str) -> Vec<Value> {
    let page = app
        .get_json(&format!("/api/tenders?per_page=200&{query}"))
        .await;
    let items = page["items"].as_array().unwrap_or_else(|| panic!("{page}"));
    assert_eq!(items.len() as i64, page["total"].as_i64().unwrap());
    items.clone()
}

fn id(t: &Value) -> i64 {
    t["id"].as_i64().unwrap()
}

/// A result's value in the sorted column (`None`: the tender has none).
fn key(t: &Value, key: SortKey) -> Option<i128> {
    let instant = |field: &str| {
        t[field]
            .as_str()
            .map(|s| Timestamp::parse(s).unwrap().as_micros() as i128)
    };
    match key {
        SortKey::Published => instant("published_at"),
        SortKey::BidDeadline => instant("bid_deadline"),
        SortKey::Value => {
            let v: Decimal = t["estimated_value"].as_str().unwrap().parse().unwrap();
            Some((v * Decimal::from(100)).try_into().unwrap())
        }
    }
}

/// Each result is in its place: by the column in the order's direction, tenders without a
/// value last, equal values by id in the same direction.
fn assert_sorted(items: &[Value], order: TenderOrder) {
    for pair in items.windows(2) {
        let (a, b) = (key(&pair[0], order.key), key(&pair[1], order.key));
        let by_value = match (a, b) {
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
            (Some(a), Some(b)) if order.descending => b.cmp(&a),
            (Some(a), Some(b)) => a.cmp(&b),
        };
        let by_id = if order.descending {
            id(&pair[1]).cmp(&id(&pair[0]))
        } else {
            id(&pair[0]).cmp(&id(&pair[1]))
        };
        assert_eq!(
            by_value.then(by_id),
            Ordering::Less,
            "{} out of order: {} before {}",
            order.code(),
            pair[0],
            pair[1]
        );
    }
}

/// The ids of the tenders a list page shows, in order.
fn listed(html: &str) -> Vec<i64> {
    regex::Regex::new(r#"<td><a href="/tenders/(\d+)">"#)
        .unwrap()
        .captures_iter(html)
        .map(|c| c[1].parse().unwrap())
        .collect()
}

/// The `href` of a column header's sort link (HTML entities undone).
fn sort_href(html: &str, label: &str) -> String {
    let re = regex::Regex::new(&format!(
        r#"<a href="([^"]*)" class="sort-link">{}"#,
        regex::escape(label)
    ))
    .unwrap();
    re.captures(html)
        .unwrap_or_else(|| panic!("no sort link {label}:\n{html}"))[1]
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The pagination's link to the next page (HTML entities undone).
fn next_href(html: &str) -> String {
    regex::Regex::new(r#"<a href="([^"]*)" rel="next">"#)
        .unwrap()
        .captures(html)
        .unwrap_or_else(|| panic!("no next page:\n{html}"))[1]
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The `aria-sort` of the header whose link reads `label`.
fn aria_sort(html: &str, label: &str) -> Option<String> {
    let re = regex::Regex::new(&format!(
        r#"<th scope="col"(?: class="num")?(?: aria-sort="(\w+)")?><a href="[^"]*" class="sort-link">{}"#,
        regex::escape(label)
    ))
    .unwrap();
    re.captures(html)
        .unwrap_or_else(|| panic!("no header {label}:\n{html}"))
        .get(1)
        .map(|m| m.as_str().to_string())
}

async fn sorting(app: TestApp) {
    // A demo year (direct awards have no bid deadline), then two tenders alike in value and
    // deadline: ties that only the id orders.
    let tz = app.state.config.timezone;
    tianguis::service::demo_year::seed(&app.state.db, &app.state.rulebook, tz, 16)
        .await
        .unwrap();
    let buyer = As::user(&app, "compras").await;
    let now = app.state.now();
    for _ in 0..2 {
        buyer.create_published(tender_form(&app, now).await).await;
    }
    let default = all(&app, "").await;
    assert!(default.len() >= 10, "{}", default.len());
    assert!(
        default.iter().any(|t| t["bid_deadline"].is_null()),
        "some tenders have no bid deadline"
    );

    for code in TenderOrder::CODES {
        let order = TenderOrder::parse(code).unwrap();
        let items = all(&app, &format!("sort={code}")).await;
        assert_eq!(items.len(), default.len(), "{code} lists every tender");
        assert_sorted(&items, order);
        // Page by page (3 a page), every tender once, in the same order.
        let mut paged = Vec::new();
        for page in 1.. {
            let p = app
                .get_json(&format!("/api/tenders?sort={code}&per_page=3&page={page}"))
                .await;
            let rows = p["items"].as_array().unwrap();
            if rows.is_empty() {
                break;
            }
            paged.extend(rows.iter().map(id));
        }
        assert_eq!(
            paged,
            items.iter().map(id).collect::<Vec<_>>(),
            "{code}: pages repeat or skip a tender"
        );
    }
    // The default order is unchanged: the newest publication first.
    assert_sorted(&default, TenderOrder::DEFAULT);
    assert_eq!(
        all(&app, "sort=published_desc")
            .await
            .iter()
            .map(id)
            .collect::<Vec<_>>(),
        default.iter().map(id).collect::<Vec<_>>()
    );

    // The page: sorted by closing date, five a page, a filter kept.
    let api = all(&app, "phase=&sort=deadline_asc").await;
    let html = page_text(
        app.url("/tenders?phase=&direct=&per_page=5&sort=deadline_asc"),
        None,
    )
    .await;
    assert_eq!(
        listed(&html),
        api.iter().take(5).map(id).collect::<Vec<_>>(),
        "the page lists what the API does"
    );
    assert_eq!(
        aria_sort(&html, "Fecha límite de ofertas").as_deref(),
        Some("ascending")
    );
    assert_eq!(aria_sort(&html, "Publicado"), None);
    // The current column's link turns the order round; another column starts with its own
    // first direction; both keep the page size and go back to the first page.
    let deadline = sort_href(&html, "Fecha límite de ofertas");
    assert!(deadline.starts_with("/tenders?page=1&"), "{deadline}");
    assert!(
        deadline.contains("per_page=5") && deadline.ends_with("sort=deadline_desc"),
        "{deadline}"
    );
    let value = sort_href(&html, "Valor estimado");
    assert!(
        value.contains("per_page=5") && value.ends_with("sort=value_desc"),
        "{value}"
    );
    // Pagination keeps the order and the page size.
    assert_eq!(
        next_href(&html),
        "/tenders?page=2&per_page=5&sort=deadline_asc"
    );
    let second = page_text(
        app.url("/tenders?page=2&per_page=5&sort=deadline_asc"),
        None,
    )
    .await;
    assert_eq!(
        listed(&second),
        api.iter().skip(5).take(5).map(id).collect::<Vec<_>>()
    );
    // A filter stays in the sort links.
    let open = page_text(app.url("/tenders?phase=open&sort=value_asc"), None).await;
    let link = sort_href(&open, "Valor estimado");
    assert!(
        link.contains("phase=open") && link.ends_with("sort=value_desc"),
        "{link}"
    );
    let open_api = all(&app, "phase=open&sort=value_asc").await;
    assert_eq!(
        listed(&open),
        open_api.iter().take(50).map(id).collect::<Vec<_>>()
    );

    // A `sort` naming no order: the default order, never an error page.
    let plain = listed(&page_text(app.url("/tenders"), None).await);
    assert_eq!(plain, default.iter().take(50).map(id).collect::<Vec<_>>());
    for hostile in [
        "value",
        "value_up",
        "VALUE_DESC",
        "%27%3B%20DROP%20TABLE%20tenders%3B--",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "",
    ] {
        let r = reqwest::get(app.url(&format!("/tenders?sort={hostile}")))
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{hostile}");
        let html = r.text().await.unwrap();
        assert_eq!(listed(&html), plain, "{hostile}: the default order");
        assert!(!html.contains("<script>alert"), "{hostile} is not echoed");
        assert_eq!(
            aria_sort(&html, "Publicado").as_deref(),
            Some("descending"),
            "{hostile}"
        );
    }
    // The API says which parameter is wrong.
    let r = reqwest::get(app.url("/api/tenders?sort=value_up"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "request.invalid_query", "{body}");
}
both!(the_tender_list_sorts_by_its_columns, sorting);
