//! `GET /parameters.json`: every governed parameter in words, with its value now: the same
//! catalogue the page's forms and policy table use ([`governance::labels`]), for clients and
//! tools that show a community's rules. NIP-11 links it (`governance.parameters`) rather than
//! carrying it, so the relay information document stays small.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::web::App;

/// The catalogue with the values in force.
pub async fn catalogue(State(app): State<App>) -> Json<Value> {
    let snapshot = app.relay.snapshot();
    let doc = governance::PolicyDoc::from_policy(&snapshot.policy);
    let params: Vec<Value> = governance::params::all()
        .into_iter()
        .map(|p| {
            let words = governance::labels::of(&p.name);
            json!({
                "name": p.name,
                "label": words.as_ref().map(|w| w.label.clone()),
                "description": words.as_ref().map(|w| w.description.clone()),
                "unit": words.as_ref().map(|w| w.unit.as_str()),
                "group": words.as_ref().map(|w| w.group),
                "class": p.class.as_str(),
                "type": p.ty.as_str(),
                "words": p.ty.words(),
                "value": doc.get(&p.name),
            })
        })
        .collect();
    Json(json!({
        "policy_version": snapshot.policy.version,
        "groups": governance::labels::GROUPS,
        "parameters": params,
    }))
}

/// Where the catalogue is, for NIP-11: the relay's page address.
pub fn url(public_url: &str) -> String {
    let page = public_url
        .replacen("wss://", "https://", 1)
        .replacen("ws://", "http://", 1);
    format!("{}/parameters.json", page.trim_end_matches('/'))
}
