//! The client's details as the New client form and the client's page show them: each
//! input with its value and its error, read back into the use case's fields (every error at
//! once; the depot's notes, contact email and coordinates kept from the saved client).

use super::field;
use crate::clients::NewClient;
use crate::domain::address::{Address, Contact, CountryCode, Location};
use crate::domain::api_key::Principal;
use crate::domain::client::{Client, ServiceSelection};
use crate::domain::text::AddressLine;
use crate::domain::{Email, Name, Phone, TeamId};
use crate::error::ApiError;
use crate::teams;
use crate::Ctx;

/// The teams the auto-assign drop-down offers.
const TEAMS_OFFERED: u32 = 100;

/// One text input, its value and its error.
pub struct Input {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub value: String,
    /// The whole sentence: "Email is required".
    pub error: Option<String>,
}

/// An option of a drop-down.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The client's details as the new and edit forms show them (`web/client_form.html`).
pub struct ClientForm {
    pub action: String,
    pub submit: &'static str,
    pub version: Option<u64>,
    /// Name, email.
    pub main: Vec<Input>,
    /// An email change not confirmed yet.
    pub pending_email: Option<String>,
    pub allow_order_upload: bool,
    /// The depot's address, then its contact.
    pub depot: Vec<Input>,
    pub teams: Vec<Choice>,
    pub team_error: Option<String>,
    pub integrations_enabled: bool,
    pub rules: Vec<Choice>,
}

/// Form errors: (input name, message), in the order the form shows its inputs.
pub(super) type FieldErrors = Vec<(&'static str, String)>;

pub(super) const MAIN: [(&str, &str, &str, &str); 2] = [
    ("name", "Name", "text", "organization"),
    ("email", "Email", "email", "email"),
];

pub(super) const DEPOT: [(&str, &str, &str, &str); 9] = [
    ("pickup_unit", "Unit", "text", "off"),
    ("pickup_line1", "Address line 1", "text", "address-line1"),
    ("pickup_line2", "Address line 2", "text", "address-line2"),
    ("pickup_city", "City", "text", "address-level2"),
    ("pickup_state", "State or region", "text", "address-level1"),
    ("pickup_postal_code", "Postal code", "text", "postal-code"),
    (
        "pickup_country",
        "Country (two letters, e.g. US)",
        "text",
        "country",
    ),
    ("pickup_name", "Contact name", "text", "off"),
    ("pickup_phone", "Contact phone", "tel", "off"),
];

/// The form's values of a client (what the edit form starts from).
pub(super) fn client_values(client: &Client) -> Vec<(String, String)> {
    let mut values = vec![
        ("name".to_string(), client.name.to_string()),
        ("email".into(), client.email.to_string()),
        (
            "service_selection".into(),
            match client.service_selection {
                ServiceSelection::Fastest => "fastest",
                ServiceSelection::Cheapest => "cheapest",
            }
            .into(),
        ),
    ];
    if client.allow_order_upload {
        values.push(("allow_order_upload".into(), "on".into()));
    }
    if client.integrations_enabled {
        values.push(("integrations_enabled".into(), "on".into()));
    }
    if let Some(team) = &client.auto_assign_team_id {
        values.push(("auto_assign_team_id".into(), team.to_string()));
    }
    if let Some(depot) = &client.default_pickup {
        let a = &depot.address;
        let line = |l: &Option<AddressLine>| l.as_ref().map(|l| l.as_str().to_string());
        for (name, value) in [
            ("pickup_unit", line(&a.unit)),
            ("pickup_line1", Some(a.line1.as_str().to_string())),
            ("pickup_line2", line(&a.line2)),
            ("pickup_city", line(&a.city)),
            ("pickup_state", line(&a.state)),
            ("pickup_postal_code", line(&a.postal_code)),
            (
                "pickup_country",
                a.country.as_ref().map(|c| c.as_str().to_string()),
            ),
            (
                "pickup_name",
                depot.contact.as_ref().map(|c| c.name.to_string()),
            ),
            (
                "pickup_phone",
                depot
                    .contact
                    .as_ref()
                    .and_then(|c| c.phone.as_ref())
                    .map(|p| p.as_str().to_string()),
            ),
        ] {
            if let Some(value) = value {
                values.push((name.into(), value));
            }
        }
    }
    values
}

/// The form as `values` fill it, with `errors` next to their inputs.
pub(super) fn client_form(
    values: &[(String, String)],
    errors: &FieldErrors,
    teams: &[TeamOption],
    action: String,
    submit: &'static str,
    version: Option<u64>,
    pending_email: Option<String>,
) -> ClientForm {
    let error_of = |name: &str| {
        errors
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| m.clone())
    };
    let inputs = |list: &[(&'static str, &'static str, &'static str, &'static str)]| {
        list.iter()
            .map(|(name, label, kind, autocomplete)| Input {
                name,
                label,
                kind,
                autocomplete,
                value: field(values, name).to_string(),
                error: error_of(name).map(|m| format!("{label} {m}")),
            })
            .collect::<Vec<_>>()
    };
    let team = field(values, "auto_assign_team_id");
    let mut team_choices = vec![Choice {
        value: String::new(),
        label: "None".into(),
        selected: team.is_empty(),
    }];
    team_choices.extend(teams.iter().map(|t| Choice {
        selected: t.id == team,
        value: t.id.clone(),
        label: t.name.clone(),
    }));
    // A team no longer listed (beyond the first ones) stays as it is.
    if !team.is_empty() && !team_choices.iter().any(|c| c.selected) {
        team_choices.push(Choice {
            value: team.to_string(),
            label: team.to_string(),
            selected: true,
        });
    }
    let rule = field(values, "service_selection");
    ClientForm {
        action,
        submit,
        version,
        main: inputs(&MAIN),
        pending_email,
        allow_order_upload: !field(values, "allow_order_upload").is_empty(),
        depot: inputs(&DEPOT),
        teams: team_choices,
        team_error: error_of("auto_assign_team_id").map(|m| format!("Auto-assign team {m}")),
        integrations_enabled: !field(values, "integrations_enabled").is_empty(),
        rules: [
            ("fastest", "Fastest: the service that completes earliest"),
            (
                "cheapest",
                "Cheapest: the lowest price that still meets the delivery window",
            ),
        ]
        .into_iter()
        .map(|(value, label)| Choice {
            selected: rule == value || (rule.is_empty() && value == "fastest"),
            value: value.into(),
            label: label.into(),
        })
        .collect(),
    }
}

fn note<T>(name: &'static str, parsed: Result<T, String>, errors: &mut FieldErrors) -> Option<T> {
    parsed.map_err(|m| errors.push((name, m))).ok()
}

fn optional<T>(
    values: &[(String, String)],
    name: &'static str,
    parse: impl Fn(&str) -> Result<T, String>,
    errors: &mut FieldErrors,
) -> Option<T> {
    match field(values, name).trim() {
        "" => None,
        raw => note(name, parse(raw), errors),
    }
}

fn required<T>(
    values: &[(String, String)],
    name: &'static str,
    parse: impl Fn(&str) -> Result<T, String>,
    errors: &mut FieldErrors,
) -> Option<T> {
    match field(values, name).trim() {
        "" => {
            errors.push((name, "is required".into()));
            None
        }
        raw => note(name, parse(raw), errors),
    }
}

/// Reads the form (every error at once) into the client it describes; `kept`: the depot saved, whose notes, contact email and coordinates
/// (while the address is unchanged) the form does not show.
pub(super) fn typed_client(
    values: &[(String, String)],
    kept: Option<&Location>,
) -> Result<NewClient, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = required(values, "name", Name::parse, &mut errors);
    let email = required(values, "email", Email::parse, &mut errors);
    let team = optional(values, "auto_assign_team_id", TeamId::parse, &mut errors);
    let service_selection = match field(values, "service_selection") {
        "" | "fastest" => ServiceSelection::Fastest,
        "cheapest" => ServiceSelection::Cheapest,
        _ => {
            errors.push(("service_selection", "must be Fastest or Cheapest".into()));
            ServiceSelection::Fastest
        }
    };
    let depot_given = DEPOT
        .iter()
        .any(|(n, ..)| !field(values, n).trim().is_empty());
    let mut default_pickup = None;
    if depot_given {
        let line1 = required(values, "pickup_line1", AddressLine::parse, &mut errors);
        let mut line = |name| optional(values, name, AddressLine::parse, &mut errors);
        let (unit, line2, city, state, postal_code) = (
            line("pickup_unit"),
            line("pickup_line2"),
            line("pickup_city"),
            line("pickup_state"),
            line("pickup_postal_code"),
        );
        let country = optional(
            values,
            "pickup_country",
            |c| CountryCode::try_from(c.to_uppercase()),
            &mut errors,
        );
        let contact_name = optional(values, "pickup_name", Name::parse, &mut errors);
        let phone = optional(values, "pickup_phone", Phone::parse, &mut errors);
        if contact_name.is_none()
            && !field(values, "pickup_phone").trim().is_empty()
            && field(values, "pickup_name").trim().is_empty()
        {
            errors.push(("pickup_name", "is required with a phone number".into()));
        }
        if let Some(line1) = line1 {
            let mut address = Address {
                unit,
                line1,
                line2,
                city,
                state,
                postal_code,
                country,
                lat: None,
                lng: None,
            };
            if let Some(kept) = kept {
                address = address.keeping_coordinates_of(&kept.address);
            }
            let contact = contact_name.map(|name| Contact {
                name,
                phone,
                email: kept.and_then(|k| k.contact.as_ref()?.email.clone()),
            });
            default_pickup = Some(Location {
                address,
                contact,
                notes: kept.and_then(|k| k.notes.clone()),
            });
        }
    }
    let (Some(name), Some(email), true) = (name, email, errors.is_empty()) else {
        let order: Vec<&str> = MAIN
            .iter()
            .chain(DEPOT.iter())
            .map(|(n, ..)| *n)
            .chain(["auto_assign_team_id", "service_selection"])
            .collect();
        errors.sort_by_key(|(n, _)| order.iter().position(|o| o == n));
        return Err(errors);
    };
    Ok(NewClient {
        name,
        email,
        allow_order_upload: !field(values, "allow_order_upload").is_empty(),
        auto_assign_team_id: team,
        default_pickup,
        integrations_enabled: !field(values, "integrations_enabled").is_empty(),
        service_selection,
    })
}

/// One of the courier's teams, as the drop-down offers it.
pub struct TeamOption {
    pub id: String,
    pub name: String,
}

pub(super) async fn team_options(
    ctx: &Ctx,
    principal: &Principal,
) -> Result<Vec<TeamOption>, ApiError> {
    let page = teams::list_teams(ctx, principal, TEAMS_OFFERED, None).await?;
    let mut options: Vec<TeamOption> = page
        .teams
        .into_iter()
        .map(|t| TeamOption {
            id: t.id.to_string(),
            name: t.name.to_string(),
        })
        .collect();
    options.sort_by_key(|t| t.name.to_lowercase());
    Ok(options)
}
