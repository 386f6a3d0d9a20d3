//! Matches a request to the template's routes (`/v1/clients/{clientId}` style paths).

use std::collections::HashMap;

use crate::template::Template;

#[derive(Debug, Clone)]
pub struct Route {
    pub method: String,
    pub segments: Vec<String>,
    pub function: String,
    pub public: bool,
}

#[derive(Debug, Clone)]
pub struct Router {
    routes: Vec<Route>,
}

#[derive(Debug, PartialEq)]
pub enum Match<'r> {
    Found {
        function: &'r str,
        public: bool,
        params: HashMap<String, String>,
        /// The template's route, as API Gateway's `routeKey` names it (`GET /v1/clients/{clientId}`).
        route: String,
    },
    /// The path exists with other methods.
    MethodNotAllowed(Vec<String>),
    NotFound,
}

impl Router {
    pub fn from_template(template: &Template) -> Self {
        let routes = template
            .functions
            .iter()
            .flat_map(|f| {
                f.routes.iter().map(|r| Route {
                    method: r.method.clone(),
                    segments: split(&r.path),
                    function: f.binary.clone(),
                    public: r.public,
                })
            })
            .collect();
        Self { routes }
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    pub fn find(&self, method: &str, path: &str) -> Match<'_> {
        let parts = split(path);
        let mut allowed = Vec::new();
        // Literal segments win over parameters (`/v1/orders/export` before `/v1/orders/{id}`).
        let mut best: Option<(&Route, HashMap<String, String>, usize)> = None;
        for route in &self.routes {
            let Some(params) = matches(&route.segments, &parts) else {
                continue;
            };
            if route.method != method {
                allowed.push(route.method.clone());
                continue;
            }
            let literals = route
                .segments
                .iter()
                .filter(|s| !s.starts_with('{'))
                .count();
            if best.as_ref().is_none_or(|(_, _, l)| literals > *l) {
                best = Some((route, params, literals));
            }
        }
        match best {
            Some((route, params, _)) => Match::Found {
                function: &route.function,
                public: route.public,
                params,
                route: format!("{} /{}", route.method, route.segments.join("/")),
            },
            None if !allowed.is_empty() => Match::MethodNotAllowed(allowed),
            None => Match::NotFound,
        }
    }
}

fn split(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn matches(pattern: &[String], parts: &[String]) -> Option<HashMap<String, String>> {
    if pattern.len() != parts.len() {
        return None;
    }
    let mut params = HashMap::new();
    for (p, part) in pattern.iter().zip(parts) {
        match p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) => {
                params.insert(name.to_string(), percent_decode(part));
            }
            None if p == part => {}
            None => return None,
        }
    }
    Some(params)
}

/// API Gateway hands functions decoded path parameters.
fn percent_decode(raw: &str) -> String {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_win_and_methods_are_told_apart() {
        let router = Router::from_template(&Template::built_in());
        match router.find("GET", "/v1/clients/cli_X%41") {
            Match::Found {
                function,
                params,
                public,
                route,
            } => {
                assert_eq!(function, "get-client");
                assert_eq!(route, "GET /v1/clients/{clientId}");
                assert_eq!(params["clientId"], "cli_XA");
                assert!(!public);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            router.find("PUT", "/v1/clients"),
            Match::MethodNotAllowed(_)
        ));
        assert_eq!(router.find("GET", "/v1/nothing"), Match::NotFound);
    }
}
