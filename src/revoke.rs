//! The revoker: looks each requested key up in the workspace's key list with an admin key,
//! and deletes it by prefix when asked. Each key gets one outcome; nothing here ever sends a
//! found key anywhere but to Baseten's read-only verification endpoints, and the admin key
//! only to the management API.
use crate::api::{self, Client, Method};
use crate::finding::{Secret, Status};
use crate::report::escape;
use crate::verify::{self, Verifier};
use serde::Serialize;
use std::collections::HashMap;

/// A key to revoke: its prefix (public: the part before the dot), the whole key when the
/// user gave it, and where it was found.
#[derive(Debug, Clone)]
pub struct Target {
    pub prefix: String,
    pub key: Option<Secret>,
    pub sources: Vec<String>,
}

/// A key as the workspace's key list shows it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Listed {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The API's permission level (`WORKSPACE_MANAGE_ALL`, `PERSONAL`, …).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
}

/// What happened to one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Dry run: the key is in the workspace and `--yes` would revoke it.
    WouldRevoke,
    Revoked,
    /// Listed, then gone when deleted (404): revoked meanwhile.
    AlreadyGone,
    /// Not listed, and Baseten rejects the key itself: revoked already, or never valid.
    Rejected,
    /// Not in this workspace's key list.
    NotFound,
    /// Not listed, but the key itself still works: it belongs to another workspace.
    LiveElsewhere,
    /// The admin key tenscan is using.
    OwnKey,
    /// The admin key was refused (401/403) when listing keys.
    AdminRejected(u16),
    /// Listed, but the delete was refused (401/403).
    Forbidden(u16),
    /// The outcome is unknown (a timeout, an unexpected answer).
    Failed(String),
}

impl Outcome {
    /// Whether the key is revoked now (or, in a dry run, would be).
    pub fn ok(&self) -> bool {
        matches!(
            self,
            Outcome::WouldRevoke | Outcome::Revoked | Outcome::AlreadyGone | Outcome::Rejected
        )
    }

    pub fn code(&self) -> &'static str {
        match self {
            Outcome::WouldRevoke => "would-revoke",
            Outcome::Revoked => "revoked",
            Outcome::AlreadyGone => "already-revoked",
            Outcome::Rejected => "rejected-by-baseten",
            Outcome::NotFound => "not-found",
            Outcome::LiveElsewhere => "live-elsewhere",
            Outcome::OwnKey => "refused-admin-key",
            Outcome::AdminRejected(_) => "admin-key-rejected",
            Outcome::Forbidden(_) => "forbidden",
            Outcome::Failed(_) => "failed",
        }
    }

    /// The outcome in words, with what to do when it is not a success.
    pub fn message(&self) -> String {
        match self {
            Outcome::WouldRevoke => "would be revoked (run again with --yes)".into(),
            Outcome::Revoked => "revoked".into(),
            Outcome::AlreadyGone => "already revoked (listed, then gone when deleted)".into(),
            Outcome::Rejected => "not in the workspace, and Baseten rejects the key itself: already revoked (or never valid)".into(),
            Outcome::NotFound => "NOT REVOKED: not in this workspace's API keys (already revoked, or another workspace's key: revoke it with an admin key of that workspace)".into(),
            Outcome::LiveElsewhere => "NOT REVOKED: the key still works but is not in this workspace: revoke it with an admin key of its own workspace".into(),
            Outcome::OwnKey => "NOT REVOKED: this is the admin key tenscan is using (BASETEN_ADMIN_API_KEY); revoke it last, with another admin key or on the API keys page".into(),
            Outcome::AdminRejected(401) => "NOT REVOKED: BASETEN_ADMIN_API_KEY was rejected (HTTP 401): it is invalid or revoked".into(),
            Outcome::AdminRejected(s) => format!("NOT REVOKED: BASETEN_ADMIN_API_KEY may not list API keys (HTTP {s}): use a key with full access or key management"),
            Outcome::Forbidden(s) => format!("NOT REVOKED: the delete was refused (HTTP {s}): BASETEN_ADMIN_API_KEY may not manage API keys"),
            Outcome::Failed(why) => format!("UNKNOWN: {why}; check {}", api::API_KEYS_PAGE),
        }
    }
}

/// One requested key, what the workspace says about it, and its outcome.
#[derive(Debug, Clone)]
pub struct Row {
    pub target: Target,
    pub listed: Option<Listed>,
    pub outcome: Outcome,
}

/// Looks every target up with `admin` and, when `act`, deletes those in the workspace.
pub fn revoke(client: &Client, admin: &Secret, targets: Vec<Target>, act: bool) -> Vec<Row> {
    let admin_prefix = &admin.expose()[..8];
    let url = format!("{}/v1/api_keys", client.settings.api_url);
    let listing: Result<HashMap<String, Listed>, Outcome> =
        match client.call(Method::Get, &url, admin.expose(), &|| Ok(())) {
            Ok(a) if a.status == 200 => parse_list(&a.body).map_err(Outcome::Failed),
            Ok(a) if a.status == 401 || a.status == 403 => Err(Outcome::AdminRejected(a.status)),
            Ok(a) if (300..400).contains(&a.status) => Err(Outcome::Failed(format!(
                "HTTP {} redirect when listing keys; redirects are not followed",
                a.status
            ))),
            Ok(a) => Err(Outcome::Failed(format!(
                "HTTP {} when listing keys{}",
                a.status,
                api::message(&a.body).map_or(String::new(), |m| format!(": {m}"))
            ))),
            Err(why) => Err(Outcome::Failed(format!("listing keys: {why}"))),
        };
    let verifier = Verifier::new(client.settings.clone());
    targets
        .into_iter()
        .map(|target| {
            let listed = listing
                .as_ref()
                .ok()
                .and_then(|l| l.get(&target.prefix).cloned());
            let outcome = if target.prefix == admin_prefix {
                Outcome::OwnKey
            } else {
                match (&listing, &listed) {
                    (Err(o), _) => o.clone(),
                    (Ok(_), Some(_)) if !act => Outcome::WouldRevoke,
                    (Ok(_), Some(_)) => delete(client, admin, &target.prefix),
                    (Ok(_), None) => unlisted(&verifier, &target),
                }
            };
            Row {
                target,
                listed,
                outcome,
            }
        })
        .collect()
}

/// `DELETE /v1/api_keys/{prefix}`.
fn delete(client: &Client, admin: &Secret, prefix: &str) -> Outcome {
    let url = format!("{}/v1/api_keys/{prefix}", client.settings.api_url);
    match client.call(Method::Delete, &url, admin.expose(), &|| Ok(())) {
        Ok(a) if (200..300).contains(&a.status) => Outcome::Revoked,
        Ok(a) if a.status == 404 => Outcome::AlreadyGone,
        Ok(a) if a.status == 401 || a.status == 403 => Outcome::Forbidden(a.status),
        Ok(a) if (300..400).contains(&a.status) => Outcome::Failed(format!(
            "HTTP {} redirect on delete; redirects are not followed",
            a.status
        )),
        Ok(a) => Outcome::Failed(format!(
            "HTTP {} on delete{}",
            a.status,
            api::message(&a.body).map_or(String::new(), |m| format!(": {m}"))
        )),
        Err(why) => Outcome::Failed(format!("delete: {why}; the key may or may not be revoked")),
    }
}

/// A key the workspace does not list: with the whole key, Baseten can say whether it still
/// works (read-only verification); with a prefix alone, nothing more is known.
fn unlisted(verifier: &Verifier, target: &Target) -> Outcome {
    let Some(key) = &target.key else {
        return Outcome::NotFound;
    };
    let v = verifier.verify(key.expose());
    match v.status {
        Status::Invalid => Outcome::Rejected,
        Status::Live => Outcome::LiveElsewhere,
        Status::Unknown => Outcome::Failed(format!(
            "not in this workspace, and the key could not be verified: {}",
            v.reason.as_deref().unwrap_or("unknown")
        )),
    }
}

/// The workspace's keys by prefix, from `GET /v1/api_keys`.
fn parse_list(body: &str) -> Result<HashMap<String, Listed>, String> {
    let v: serde_json::Value =
        serde_json::from_str(body).map_err(|_| "the key list is not JSON".to_string())?;
    let keys = v
        .get("keys")
        .and_then(|k| k.as_array())
        .ok_or("the key list has no `keys`")?;
    let text = |k: &serde_json::Value, field: &str| -> Option<String> {
        let value = k.get(field)?;
        let s = match value {
            serde_json::Value::String(s) => s.clone(),
            // An owner may come as an object: its email, else its name.
            serde_json::Value::Object(o) => o
                .get("email")
                .or_else(|| o.get("name"))
                .and_then(|x| x.as_str())?
                .to_string(),
            _ => return None,
        };
        let short: String = s.chars().take(120).collect();
        Some(escape::line(&short).into_owned())
    };
    Ok(keys
        .iter()
        .filter_map(|k| {
            let prefix = k.get("prefix")?.as_str()?.to_string();
            Some((
                prefix,
                Listed {
                    name: text(k, "name"),
                    kind: text(k, "type"),
                    owner: text(k, "owner").or_else(|| text(k, "created_by")),
                    team: text(k, "team_name"),
                },
            ))
        })
        .collect())
}

/// A Baseten API key prefix: 8 ASCII letters or digits.
pub fn is_prefix(s: &str) -> bool {
    s.len() == 8 && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The prefix of a key as a report shows it: the whole key (`--reveal`), or its first 8
/// characters and an ellipsis (how tenscan masks a Baseten API key).
pub fn prefix_of_shown(secret: &str) -> Option<String> {
    if verify::is_api_key_shape(secret) {
        return Some(secret[..8].to_string());
    }
    let head = secret.strip_suffix('…')?;
    is_prefix(head).then(|| head.to_string())
}

/// What a permission level means, in the words `verify` uses.
pub fn describe_type(kind: &str) -> String {
    match verify::scope_of(kind) {
        "unknown" => kind.to_string(),
        scope => format!("{kind} ({scope})"),
    }
}
