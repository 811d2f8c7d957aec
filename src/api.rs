//! The one HTTP client tenscan talks to Baseten with, for verification and revocation: only
//! Baseten's API, or an https / loopback-http override for tests; redirects never followed; a
//! timeout per request and retries on 429 and 5xx inside one time budget. Errors are reasons a
//! user can act on and never hold a key.
use std::time::{Duration, Instant};

pub const DEFAULT_API_URL: &str = "https://api.baseten.co";
pub const DEFAULT_METRICS_URL: &str = "https://app.baseten.co";
pub const API_KEYS_PAGE: &str = "https://app.baseten.co/settings/api_keys";

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

/// One HTTP answer: status, a capped `Retry-After`, the body (at most 4 MiB).
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<Duration>,
    pub body: String,
}

#[derive(Debug, Clone, Copy)]
pub enum Method {
    Get,
    Delete,
}

/// Requests to Baseten with one key each, inside the budget that started with the client.
pub struct Client {
    pub settings: Settings,
    agent: ureq::Agent,
    pub deadline: Instant,
}

impl Client {
    pub fn new(settings: Settings) -> Client {
        // Redirects are never followed: an answer from anywhere but the API itself proves
        // nothing, and a key must not be sent on to another host.
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(concat!("tenscan/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let deadline = Instant::now() + settings.budget;
        Client {
            settings,
            agent,
            deadline,
        }
    }

    /// `method url` with `Authorization: Api-Key <key>`, retrying 429 and 5xx with backoff
    /// (honouring a capped Retry-After) inside the time budget; `before` runs before each
    /// attempt (a rate limiter) and may give up.
    pub fn call(
        &self,
        method: Method,
        url: &str,
        key: &str,
        before: &dyn Fn() -> Result<(), String>,
    ) -> Result<Answer, String> {
        let mut attempt = 0;
        loop {
            before()?;
            if Instant::now() >= self.deadline {
                return Err("the time budget is exhausted".into());
            }
            let request = match method {
                Method::Get => self.agent.get(url),
                Method::Delete => self.agent.delete(url),
            };
            let answer = match request
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
}

/// The `message` of a JSON error body, escaped and shortened, with anything secret-shaped
/// masked: for per-key outcomes.
pub fn message(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    let m = v.get("message")?.as_str()?;
    let short: String = m.chars().take(200).collect();
    Some(crate::report::escape::line(&crate::report::mask::mask_tokens(&short)).into_owned())
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
