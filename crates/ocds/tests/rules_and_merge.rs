//! Merge rules and merge semantics (OCDS 1.1 "Merging",
//! https://standard.open-contracting.org/1.1/en/schema/merging/, as implemented by ocdsmerge).

use proptest::prelude::*;
use serde_json::{Value, json};
use tianguis_ocds::{Json, MergeRule, MergeRules, Merger, compile, versioned};

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn rules_come_from_the_patched_schema() {
    let rules = MergeRules::patched();
    // omitWhenMerged
    for path in ["id", "date", "tag"] {
        assert_eq!(rules.rule_at(path), Some(MergeRule::Omit), "{path}");
    }
    // wholeListMerge set explicitly by the schema (core and the medicines extension)
    for path in [
        "awards.items.additionalClassifications",
        "parties.additionalIdentifiers",
        "buyer.additionalIdentifiers",
        "tender.items.activeIngredients",
    ] {
        assert_eq!(rules.rule_at(path), Some(MergeRule::WholeList), "{path}");
    }
    // arrays of strings are replaced whole
    assert_eq!(rules.rule_at("parties.roles"), Some(MergeRule::WholeList));
    assert_eq!(
        rules.rule_at("tender.submissionMethod"),
        Some(MergeRule::WholeList)
    );
    // arrays of objects with `id` are merged by identifier: no rule of their own
    for path in [
        "awards",
        "awards.suppliers",
        "tender.lots",
        "bids.details",
        "bids.details.tenderers",
    ] {
        assert_eq!(rules.rule_at(path), None, "{path}");
    }
}

#[test]
fn rules_follow_whole_list_merge_and_refs() {
    let schema = json!({
        "properties": {
            "a": {"type": "array", "wholeListMerge": true, "items": {"$ref": "#/definitions/WithId"}},
            "b": {"type": "array", "items": {"$ref": "#/definitions/WithId"}},
            "c": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "string"}}}},
            "d": {"type": "string", "omitWhenMerged": true},
            "e": {"type": "array", "mergeStrategy": "ocdsVersion", "items": {"type": "string"}},
        },
        "definitions": {"WithId": {"type": "object", "properties": {"id": {"type": "string"}, "n": {"type": "array", "items": {"type": "string"}}}}}
    });
    let rules = MergeRules::from_schema(&schema).expect("rules");
    assert_eq!(rules.rule_at("a"), Some(MergeRule::WholeList));
    assert_eq!(rules.rule_at("b"), None);
    assert_eq!(rules.rule_at("b.n"), Some(MergeRule::WholeList));
    assert_eq!(
        rules.rule_at("c"),
        Some(MergeRule::WholeList),
        "objects without id"
    );
    assert_eq!(rules.rule_at("d"), Some(MergeRule::Omit));
    assert_eq!(rules.rule_at("e"), Some(MergeRule::WholeList));
    let broken = json!({"properties": {"a": {"$ref": "#/definitions/Nope"}}});
    assert_eq!(
        MergeRules::from_schema(&broken)
            .expect_err("bad ref")
            .code(),
        "ocds.schema.unresolvable_ref"
    );
}

fn release(id: &str, date: &str, extra: Value) -> Value {
    let mut base = json!({"ocid": "ocds-x-1", "id": id, "date": date, "tag": ["tender"], "initiationType": "tender"});
    if let (Some(base), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    base
}

#[test]
fn compiled_release_starts_with_tag_id_date_ocid_and_uses_the_newest_date() {
    let releases = [
        release(
            "2",
            "2020-02-01T00:00:00Z",
            json!({"tender": {"title": "new"}}),
        ),
        release(
            "1",
            "2020-01-01T00:00:00Z",
            json!({"tender": {"title": "old", "status": "active"}}),
        ),
    ];
    let compiled = compile(&releases).expect("compile");
    assert_eq!(keys(&compiled)[..4], ["tag", "id", "date", "ocid"]);
    assert_eq!(compiled["tag"], json!(["compiled"]));
    assert_eq!(compiled["id"], "ocds-x-1-2020-02-01T00:00:00Z");
    assert_eq!(compiled["date"], "2020-02-01T00:00:00Z");
    // sorted by date: the newer title wins although it came first
    assert_eq!(
        compiled["tender"],
        json!({"title": "new", "status": "active"})
    );
    assert_eq!(compiled["initiationType"], "tender");
}

#[test]
fn arrays_of_objects_merge_by_identifier() {
    let releases = [
        release(
            "1",
            "2020-01-01",
            json!({"awards": [{"id": 1, "title": "a"}, {"id": "2", "title": "b"}]}),
        ),
        release(
            "2",
            "2020-01-02",
            json!({"awards": [{"id": "1", "status": "active"}, {"id": "3"}]}),
        ),
    ];
    let compiled = compile(&releases).expect("compile");
    // 1 and "1" are the same object (ocdsmerge compares str()); the first id's type is kept
    assert_eq!(
        compiled["awards"],
        json!([{"id": 1, "title": "a", "status": "active"}, {"id": "2", "title": "b"}, {"id": "3"}])
    );
}

#[test]
fn objects_without_id_are_appended_and_whole_lists_replaced() {
    let releases = [
        release(
            "1",
            "2020-01-01",
            json!({"parties": [{"id": "p", "roles": ["buyer", "payer"]}], "x": [{"a": 1}]}),
        ),
        release(
            "2",
            "2020-01-02",
            json!({"parties": [{"id": "p", "roles": ["supplier"]}], "x": [{"a": 1}]}),
        ),
    ];
    let compiled = compile(&releases).expect("compile");
    assert_eq!(
        compiled["parties"],
        json!([{"id": "p", "roles": ["supplier"]}])
    );
    assert_eq!(compiled["x"], json!([{"a": 1}, {"a": 1}]));
}

#[test]
fn null_removes_a_value_but_omitted_keeps_it() {
    let releases = [
        release(
            "1",
            "2020-01-01",
            json!({"tender": {"title": "t", "description": "d", "value": {"amount": 5, "currency": "GTQ"}}}),
        ),
        release(
            "2",
            "2020-01-02",
            json!({"tender": {"title": null, "value": {"amount": 7}}}),
        ),
    ];
    let compiled = compile(&releases).expect("compile");
    assert_eq!(
        compiled["tender"],
        json!({"description": "d", "value": {"amount": 7, "currency": "GTQ"}})
    );
}

#[test]
fn ocdsmerge_quirks_are_kept() {
    // A null cannot remove an object set earlier; an object of nulls still appears; empty
    // objects and arrays add nothing.
    let releases = [
        release(
            "1",
            "2020-01-01",
            json!({"planning": {"budget": {"id": "b"}}, "tender": {"x": null}, "empty": {}, "none": []}),
        ),
        release("2", "2020-01-02", json!({"planning": null})),
    ];
    let compiled = compile(&releases).expect("compile");
    assert_eq!(compiled["planning"], json!({"budget": {"id": "b"}}));
    assert_eq!(compiled["tender"], json!({}));
    assert!(compiled.get("empty").is_none() && compiled.get("none").is_none());
}

#[test]
fn versioned_release_keeps_the_history_of_changed_values_only() {
    let releases = [
        release(
            "1",
            "2020-01-01",
            json!({"tender": {"status": "planned", "title": "t"}, "awards": [{"id": "a", "status": "pending"}]}),
        ),
        release(
            "2",
            "2020-01-02",
            json!({"tag": ["award"], "tender": {"status": "active", "title": "t"}, "awards": [{"id": "a", "status": "active"}]}),
        ),
    ];
    let versioned = versioned(&releases).expect("versioned");
    assert_eq!(keys(&versioned)[0], "ocid");
    assert_eq!(versioned["ocid"], "ocds-x-1");
    assert!(
        versioned.get("id").is_none()
            && versioned.get("date").is_none()
            && versioned.get("tag").is_none()
    );
    assert_eq!(
        versioned["tender"]["status"],
        json!([
            {"releaseID": "1", "releaseDate": "2020-01-01", "releaseTag": ["tender"], "value": "planned"},
            {"releaseID": "2", "releaseDate": "2020-01-02", "releaseTag": ["award"], "value": "active"},
        ])
    );
    // unchanged: one version only
    assert_eq!(
        versioned["tender"]["title"].as_array().map(Vec::len),
        Some(1)
    );
    // array entries keep a plain id
    assert_eq!(versioned["awards"][0]["id"], "a");
    assert_eq!(
        versioned["awards"][0]["status"].as_array().map(Vec::len),
        Some(2)
    );
}

#[test]
fn unmergeable_groups_fail_with_stable_codes() {
    let no_date = json!({"ocid": "o", "id": "1"});
    assert_eq!(
        compile(&[no_date]).expect_err("no date").code(),
        "ocds.merge.missing_date"
    );
    let bad_date = json!({"ocid": "o", "id": "1", "date": 5});
    assert_eq!(
        compile(&[bad_date]).expect_err("bad date").code(),
        "ocds.merge.non_string_date"
    );
    assert_eq!(
        compile(&[json!("x")]).expect_err("not object").code(),
        "ocds.merge.non_object_release"
    );
    assert_eq!(
        compile(&[]).expect_err("empty").code(),
        "ocds.merge.no_releases"
    );
    let clash = [
        release("1", "2020-01-01", json!({"tender": {"title": "x"}})),
        release("2", "2020-01-02", json!({"tender": {"title": {"es": "x"}}})),
    ];
    assert_eq!(
        compile(&clash).expect_err("clash").code(),
        "ocds.merge.inconsistent_type"
    );
}

#[test]
fn custom_rules_apply() {
    let schema = json!({"properties": {"id": {"omitWhenMerged": true}, "date": {"omitWhenMerged": true}, "tag": {"omitWhenMerged": true},
        "secret": {"type": "string", "omitWhenMerged": true}}});
    let rules = MergeRules::from_schema(&schema).expect("rules");
    let merged = Merger::new(&rules)
        .compile(&[release(
            "1",
            "2020-01-01",
            json!({"secret": "s", "open": "o"}),
        )])
        .expect("compile");
    assert!(merged.get("secret").is_none());
    assert_eq!(merged["open"], "o");
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e12f64..1e12).prop_map(|f| json!(f)),
        "[a-zA-Z0-9 \"\\\\/\u{e9}\u{1}]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-z\"]{1,4}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn object_release() -> impl Strategy<Value = Value> {
    // Nested objects and scalars only (no arrays of objects, whose id-less entries append).
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<i32>().prop_map(|n| json!(n)),
        "[a-z]{0,5}".prop_map(Value::String),
        prop::collection::vec("[a-z]{0,3}".prop_map(Value::String), 0..3).prop_map(Value::Array),
    ];
    let tree = leaf.prop_recursive(3, 24, 4, |inner| {
        prop::collection::btree_map("[a-z]{1,3}", inner, 1..4)
            .prop_map(|m| Value::Object(m.into_iter().collect()))
    });
    prop::collection::btree_map("[a-z]{1,3}", tree, 0..5).prop_map(|m| {
        let mut r = release("1", "2020-01-01", Value::Object(m.into_iter().collect()));
        r["ocid"] = json!("o");
        r
    })
}

proptest! {
    #[test]
    fn the_merge_tree_writes_back_any_json(value in json_value()) {
        let text = serde_json::to_vec(&value).expect("serialise");
        let arena = bumpalo::Bump::new();
        let tree = Json::parse(&text, &arena).expect("parse");
        prop_assert_eq!(tree.to_value(), value);
    }

    #[test]
    fn merging_a_release_with_itself_changes_nothing(r in object_release()) {
        let once = compile(std::slice::from_ref(&r)).expect("compile once");
        let twice = compile(&[r.clone(), r]).expect("compile twice");
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn merging_never_panics(a in json_value(), b in json_value()) {
        let mut one = release("1", "2020-01-01", json!({}));
        let mut two = release("2", "2020-01-02", json!({}));
        one["x"] = a;
        two["x"] = b;
        let _ = compile(&[one.clone(), two.clone()]);
        let _ = versioned(&[one, two]);
    }
}
