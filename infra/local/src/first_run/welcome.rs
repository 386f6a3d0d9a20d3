//! What a start prints: on the first run, who was created and each person's sign-in link
//! (and the courier's API key, once); on a later start, who signs in and how to get a link.

use std::fmt;

use portal::accounts::password_reset::SETUP_DAYS;

use super::{Again, FirstRun, Person, Welcome};

impl fmt::Display for Welcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Welcome::FirstRun(first) => first.fmt(f),
            Welcome::Again(again) => again.fmt(f),
        }
    }
}

impl fmt::Display for FirstRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.demo {
            Some(demo) => writeln!(
                f,
                "First run: created {} with its client {}, a service and rate table, and {} orders (one in every status).",
                self.courier.organisation,
                demo.client.organisation,
                demo.orders.len()
            )?,
            None => writeln!(
                f,
                "First run: created {} (no demo data: --no-demo).",
                self.courier.organisation
            )?,
        }
        writeln!(f)?;
        person(f, "the courier", &self.courier)?;
        if let Some(demo) = &self.demo {
            person(f, "the client", &demo.client)?;
        }
        writeln!(
            f,
            "Each link sets that person's password and signs them in (once, within {SETUP_DAYS} days)."
        )?;
        writeln!(f)?;
        writeln!(f, "API keys, shown this once:")?;
        writeln!(f, "    export COURIER_KEY={}", self.api_key)?;
        if let Some(demo) = &self.demo {
            writeln!(f, "    export CLIENT_KEY={}", demo.api_key)?;
        }
        Ok(())
    }
}

fn person(f: &mut fmt::Formatter<'_>, who: &str, person: &Person) -> fmt::Result {
    writeln!(
        f,
        "Sign in as {who} ({}, {}):\n    {}",
        person.organisation, person.email, person.set_password_link
    )
}

impl fmt::Display for Again {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.people.is_empty() {
            return Ok(());
        }
        writeln!(
            f,
            "Sign in at {}/login with the password you set:",
            self.base_url
        )?;
        for (who, email) in &self.people {
            writeln!(f, "    {who:<8} {email}")?;
        }
        writeln!(
            f,
            "The set-password links were printed on the first run. A new one:\n    cargo run -q -p portal-admin -- password-link --email EMAIL {}",
            self.admin_args
        )?;
        writeln!(
            f,
            "The API keys too; signed in, make a new one at {}/settings/api",
            self.base_url
        )
    }
}
