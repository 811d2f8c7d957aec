//! The verifier: asks Baseten's API, with read-only calls only, whether a found key is live and
//! what it may do. Each distinct key is checked once per run, with bounded concurrency,
//! timeouts, retries and a total time budget; every failure becomes `unknown` with a reason.
use crate::finding::{Status, Verification};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const DEFAULT_API_URL: &str = "https://api.baseten.co";
pub const DEFAULT_METRICS_URL: &str = "https://app.baseten.co";
pub const API_KEYS_PAGE: &str = "https://app.baseten.co/settings/api_keys";
/// Baseten allows 6 metrics requests a minute per organization.
const METRICS_PER_MINUTE: usize = 6;

/// How to reach Baseten and how patient to be.
#[derive(Debug, Clone)]
pub struct Settings {
    pub api_url: String,
    pub metrics_url: String,
    pub concurrency: usize,
    pub timeout: Duration,
    pub budget: Duration,
    pub retries: u32,
    pub max_retry_after: Duration,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("refusing to send keys to {url}: {why}")]
#[diagnostic(
    code(tenscan::verify::url),
    help("keys are only sent over https://, or over http:// to a loopback address for tests")
)]
pub struct UnsafeUrl {
    pub url: String,
    pub why: &'static str,
}

impl Settings {
    /// Defaults, with the API and metrics URLs from `TENSCAN_BASETEN_API_URL` and
    /// `TENSCAN_BASETEN_METRICS_URL` when set; refuses anything but https or loopback http.
    /// With only the API URL overridden, the metrics probe goes there too, never to the real
    /// Baseten host.
    pub fn from_env() -> Result<Settings, UnsafeUrl> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let checked = |u: String| -> Result<String, UnsafeUrl> {
            check_url(&u)?;
            Ok(u.trim_end_matches('/').to_string())
        };
        let api = var("TENSCAN_BASETEN_API_URL");
        let metrics = var("TENSCAN_BASETEN_METRICS_URL").or_else(|| api.clone());
        Ok(Settings {
            api_url: checked(api.unwrap_or_else(|| DEFAULT_API_URL.into()))?,
            metrics_url: checked(metrics.unwrap_or_else(|| DEFAULT_METRICS_URL.into()))?,
            concurrency: 4,
            timeout: Duration::from_secs(10),
            budget: Duration::from_secs(120),
            retries: 3,
            max_retry_after: Duration::from_secs(30),
        })
    }
}

/// https anywhere; http only to 127.0.0.0/8, ::1 or localhost.
pub fn check_url(url: &str) -> Result<(), UnsafeUrl> {
    let bad = |why| {
        Err(UnsafeUrl {
            url: url.to_string(),
            why,
        })
    };
    if let Some(rest) = url.strip_prefix("https://") {
        return if rest.is_empty() {
            bad("no host")
        } else {
            Ok(())
        };
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return bad("only https:// is allowed");
    };
    let authority = rest.split('/').next().unwrap_or("");
    if authority.contains('@') {
        return bad("credentials in the URL");
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback {
        Ok(())
    } else {
        bad("plain http:// is only allowed to a loopback address")
    }
}

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

/// One HTTP answer, reduced to what the verifier needs.
struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    body: String,
}

/// Checks keys against Baseten, caching by a hash of the key.
pub struct Verifier {
    settings: Settings,
    agent: ureq::Agent,
    deadline: Instant,
    cache: Mutex<HashMap<String, Verification>>,
    metrics_calls: Mutex<Vec<Instant>>,
}

impl Verifier {
    pub fn new(settings: Settings) -> Verifier {
        // Redirects are never followed: an answer from anywhere but the API itself proves
        // nothing about a key, so a 3xx is `unknown`.
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(concat!("tenscan/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let deadline = Instant::now() + settings.budget;
        Verifier {
            settings,
            agent,
            deadline,
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
            for _ in 0..self.settings.concurrency.max(1) {
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
            &format!("{}/v1/api_keys", self.settings.api_url),
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
            &format!("{}/v1/users/me", self.settings.api_url),
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
        match self.get(&format!("{}/metrics", self.settings.metrics_url), key, true) {
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

    /// GET with the key, retrying 429 and 5xx with backoff (honouring a capped Retry-After)
    /// inside the time budget. Errors are reasons that never contain the key.
    fn get(&self, url: &str, key: &str, metrics: bool) -> Result<Answer, String> {
        let mut attempt = 0;
        loop {
            if metrics {
                self.wait_for_metrics_slot()?;
            }
            if Instant::now() >= self.deadline {
                return Err("verification time budget exhausted".into());
            }
            let answer = match self
                .agent
                .get(url)
                .header("Authorization", &format!("Api-Key {key}"))
                .call()
            {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    let retry_after = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let body = resp
                        .body_mut()
                        .with_config()
                        .limit(4 * 1024 * 1024)
                        .read_to_string()
                        .unwrap_or_default();
                    Answer {
                        status,
                        retry_after,
                        body,
                    }
                }
                Err(e) => return Err(describe(&e)),
            };
            let retryable = answer.status == 429 || answer.status >= 500;
            if !retryable {
                return Ok(answer);
            }
            if attempt >= self.settings.retries {
                return Err(format!("HTTP {} after {} retries", answer.status, attempt));
            }
            attempt += 1;
            let backoff = Duration::from_millis(250 * (1 << attempt));
            let wait = answer
                .retry_after
                .unwrap_or(backoff)
                .min(self.settings.max_retry_after);
            if Instant::now() + wait >= self.deadline {
                return Err(format!(
                    "HTTP {}; retrying would exceed the time budget",
                    answer.status
                ));
            }
            std::thread::sleep(wait);
        }
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
            if Instant::now() + wait >= self.deadline {
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

/// A transport error as a reason a user can act on, without anything that could hold the key.
pub fn describe(e: &ureq::Error) -> String {
    use std::io::ErrorKind::*;
    match e {
        ureq::Error::Timeout(_) => "the request timed out".into(),
        ureq::Error::HostNotFound => {
            "the host could not be resolved (no network, or no DNS?)".into()
        }
        ureq::Error::ConnectionFailed => {
            "the host could not be reached (no network, or a firewall?)".into()
        }
        ureq::Error::Io(io) => match io.kind() {
            ConnectionRefused => "the connection was refused".into(),
            ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => {
                "the connection was closed before an answer came".into()
            }
            TimedOut => "the request timed out".into(),
            NotFound => "the host could not be resolved (no network, or no DNS?)".into(),
            _ => {
                let text = io.to_string();
                if text.contains("resolve")
                    || text.contains("lookup")
                    || text.contains("Name or service")
                {
                    "the host could not be resolved (no network, or no DNS?)".into()
                } else if text.contains("unreachable") {
                    "the host could not be reached (no network?)".into()
                } else {
                    format!(
                        "network error: {}",
                        crate::report::escape::line(text.lines().next().unwrap_or("unknown"))
                    )
                }
            }
        },
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => {
            "the TLS handshake failed (a proxy intercepting HTTPS?)".into()
        }
        other => format!(
            "request failed: {}",
            crate::report::escape::line(other.to_string().lines().next().unwrap_or("error"))
        ),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        assert!(check_url("https://api.baseten.co").is_ok());
        assert!(check_url("http://127.0.0.1:8080").is_ok());
        assert!(check_url("http://localhost:1/x").is_ok());
        assert!(check_url("http://[::1]:9").is_ok());
        assert!(check_url("http://api.baseten.co").is_err());
        assert!(check_url("http://10.0.0.1:80").is_err());
        assert!(check_url("http://127.0.0.1.evil.com").is_err());
        assert!(check_url("http://user@127.0.0.1").is_err());
        assert!(check_url("ftp://127.0.0.1").is_err());
    }
}
