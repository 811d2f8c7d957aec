//! The verifier: asks Baseten's API, with read-only calls only, whether a found key is live and
//! what it may do. Each distinct key is checked once per run, with bounded concurrency,
//! timeouts, retries and a total time budget; every failure becomes `unknown` with a reason.
use crate::api::{Answer, Client, Method};
use crate::finding::{Status, Verification};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use crate::api::{Settings, API_KEYS_PAGE};

/// Baseten allows 6 metrics requests a minute per organization.
const METRICS_PER_MINUTE: usize = 6;

/// Only keys of the Baseten API key shape are ever sent.
pub fn is_api_key_shape(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 41
        && b[8] == b'.'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 8 || c.is_ascii_alphanumeric())
}

/// Maps the API's key `type` to the scope tenscan reports.
pub fn scope_of(kind: &str) -> &'static str {
    match kind {
        "PERSONAL" => "personal",
        "WORKSPACE_MANAGE_ALL" => "full",
        "WORKSPACE_MANAGE_API_KEYS" => "manage-keys",
        "WORKSPACE_INVOKE" => "invoke",
        "WORKSPACE_EXPORT_METRICS" => "metrics",
        _ => "unknown",
    }
}

/// Checks keys against Baseten, caching by a hash of the key.
pub struct Verifier {
    client: Client,
    cache: Mutex<HashMap<String, Verification>>,
    metrics_calls: Mutex<Vec<Instant>>,
}

impl Verifier {
    pub fn new(settings: Settings) -> Verifier {
        Verifier {
            client: Client::new(settings),
            cache: Mutex::new(HashMap::new()),
            metrics_calls: Mutex::new(vec![]),
        }
    }

    /// Verifies every distinct key in `keys` (at most `concurrency` at a time) and returns
    /// the results by key (in memory only).
    pub fn verify_all(&self, keys: &[&str]) -> HashMap<String, Verification> {
        let mut distinct: Vec<&str> = keys.to_vec();
        distinct.sort();
        distinct.dedup();
        let queue = Mutex::new(distinct.into_iter());
        std::thread::scope(|s| {
            for _ in 0..self.client.settings.concurrency.max(1) {
                s.spawn(|| loop {
                    let Some(key) = queue.lock().unwrap().next() else {
                        break;
                    };
                    self.verify(key);
                });
            }
        });
        self.cache.lock().unwrap().clone()
    }

    /// One key; cached, so a key found many times is sent once.
    pub fn verify(&self, key: &str) -> Verification {
        if let Some(v) = self.cache.lock().unwrap().get(key) {
            return v.clone();
        }
        let v = if is_api_key_shape(key) {
            self.check(key)
        } else {
            unknown("not a Baseten API key shape; not sent")
        };
        self.cache
            .lock()
            .unwrap()
            .insert(key.to_string(), v.clone());
        v
    }

    fn check(&self, key: &str) -> Verification {
        let listed = match self.get(
            &format!("{}/v1/api_keys", self.client.settings.api_url),
            key,
            false,
        ) {
            Ok(a) => a,
            Err(reason) => return unknown(&reason),
        };
        match listed.status {
            200 => return from_key_list(&listed.body, &key[..8]),
            401 => return invalid("401 from /v1/api_keys"),
            403 => {}
            s @ 300..=399 => {
                return unknown(&format!(
                    "HTTP {s} redirect from /v1/api_keys; redirects are not followed"
                ))
            }
            s => return unknown(&format!("unexpected HTTP {s} from /v1/api_keys")),
        }
        // 403: a live key without permission to list keys, or a bad key. Probe further.
        match self.get(
            &format!("{}/v1/users/me", self.client.settings.api_url),
            key,
            false,
        ) {
            Ok(a) if a.status == 200 => {
                return match serde_json::from_str::<serde_json::Value>(&a.body) {
                    Ok(v) if v.is_object() => live("personal"),
                    _ => unknown(
                        "/v1/users/me answered 200 with a body that is not the expected JSON",
                    ),
                }
            }
            Ok(a) if a.status == 401 => return invalid("401 from /v1/users/me"),
            Ok(a) if a.status == 403 => {}
            Ok(a) => return unknown(&format!("unexpected HTTP {} from /v1/users/me", a.status)),
            Err(reason) => return unknown(&reason),
        }
        match self.get(
            &format!("{}/metrics", self.client.settings.metrics_url),
            key,
            true,
        ) {
            Ok(a) if a.status == 200 => live("metrics"),
            Ok(a) if a.status == 401 => invalid("401 from the metrics endpoint"),
            Ok(a) if a.status == 403 => unknown(
                "403 from every endpoint: a key without these permissions, or an invalid key",
            ),
            Ok(a) => unknown(&format!(
                "unexpected HTTP {} from the metrics endpoint",
                a.status
            )),
            Err(reason) => unknown(&reason),
        }
    }

    /// GET with the key (a redirect is `unknown`: it proves nothing about the key).
    fn get(&self, url: &str, key: &str, metrics: bool) -> Result<Answer, String> {
        let before = || {
            if metrics {
                self.wait_for_metrics_slot()
            } else {
                Ok(())
            }
        };
        self.client.call(Method::Get, url, key, &before)
    }

    /// Keeps to Baseten's 6 metrics requests a minute.
    fn wait_for_metrics_slot(&self) -> Result<(), String> {
        loop {
            let wait = {
                let mut calls = self.metrics_calls.lock().unwrap();
                let now = Instant::now();
                calls.retain(|t| now.duration_since(*t) < Duration::from_secs(60));
                if calls.len() < METRICS_PER_MINUTE {
                    calls.push(now);
                    return Ok(());
                }
                Duration::from_secs(60) - now.duration_since(calls[0])
            };
            if Instant::now() + wait >= self.client.deadline {
                return Err("metrics rate limit: waiting would exceed the time budget".into());
            }
            std::thread::sleep(wait);
        }
    }
}

/// The permission level of the listed key whose prefix is the found key's.
fn from_key_list(body: &str, prefix: &str) -> Verification {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
        return unknown("/v1/api_keys answered 200 with a body that is not JSON");
    };
    let Some(keys) = v.get("keys").and_then(|k| k.as_array()) else {
        return unknown("/v1/api_keys answered 200 without a `keys` list");
    };
    match keys
        .iter()
        .find(|k| k.get("prefix").and_then(|p| p.as_str()) == Some(prefix))
    {
        Some(k) => live(scope_of(
            k.get("type").and_then(|t| t.as_str()).unwrap_or(""),
        )),
        None => Verification {
            status: Status::Live,
            scope: Some("unknown".into()),
            reason: Some("the key is not in the list it can see".into()),
        },
    }
}

fn live(scope: &str) -> Verification {
    Verification {
        status: Status::Live,
        scope: Some(scope.into()),
        reason: None,
    }
}

fn invalid(reason: &str) -> Verification {
    Verification {
        status: Status::Invalid,
        scope: None,
        reason: Some(reason.into()),
    }
}

fn unknown(reason: &str) -> Verification {
    Verification {
        status: Status::Unknown,
        scope: None,
        reason: Some(reason.into()),
    }
}

/// What a verification means for the user, in one line.
pub fn headline(v: &Verification) -> String {
    match (v.status, v.scope.as_deref()) {
        (Status::Live, Some("full")) => "LIVE key with full access: revoke it now".into(),
        (Status::Live, Some("manage-keys")) => {
            "LIVE key that can manage API keys: revoke it now".into()
        }
        (Status::Live, Some("personal")) => {
            "LIVE personal key (full access as its owner): revoke it now".into()
        }
        (Status::Live, Some("invoke")) => {
            "LIVE inference key (runs and bills models): revoke it now".into()
        }
        (Status::Live, Some("metrics")) => "LIVE metrics-only key: revoke it".into(),
        (Status::Live, _) => "LIVE key: revoke it now".into(),
        (Status::Invalid, _) => "invalid or revoked key".into(),
        _ => format!(
            "could not verify: {}",
            v.reason.as_deref().unwrap_or("unknown")
        ),
    }
}
