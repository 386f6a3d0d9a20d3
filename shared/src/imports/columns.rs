//! Matching a sheet's header to the columns an import understands: Circuit's column names
//! and the synonyms people use, compared without case, spaces or punctuation.

/// A column the import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Unit,
    Line1,
    Line2,
    City,
    State,
    Zip,
    Country,
    Notes,
    RecipientName,
    StopType,
    Email,
    Phone,
    Id,
    Packages,
    Products,
    Latitude,
    Longitude,
    EarliestTime,
    LatestTime,
    TimeAtStop,
    Weight,
    Date,
    ClientId,
}

/// Every accepted header and its column, as people write them (a sheet's header matches
/// when both are the same once [`normalize`]d): for each column, Circuit's name first, then
/// its synonyms.
pub const NAMES: &[(&str, Column)] = &[
    ("Unit/Flat/Unit Name", Column::Unit),
    ("Unit", Column::Unit),
    ("Flat", Column::Unit),
    ("Unit Name", Column::Unit),
    ("Apartment", Column::Unit),
    ("Apt", Column::Unit),
    ("Suite", Column::Unit),
    ("Address Line 1", Column::Line1),
    ("Address", Column::Line1),
    ("Address 1", Column::Line1),
    ("Street", Column::Line1),
    ("Street Address", Column::Line1),
    ("Address Line 2", Column::Line2),
    ("Address 2", Column::Line2),
    ("City", Column::City),
    ("Town", Column::City),
    ("State", Column::State),
    ("Province", Column::State),
    ("Region", Column::State),
    ("County", Column::State),
    ("Zip", Column::Zip),
    ("Zip Code", Column::Zip),
    ("Postcode", Column::Zip),
    ("Postal Code", Column::Zip),
    ("Country", Column::Country),
    ("Notes", Column::Notes),
    ("Note", Column::Notes),
    ("Instructions", Column::Notes),
    ("Delivery Instructions", Column::Notes),
    ("Comments", Column::Notes),
    ("Recipient Name", Column::RecipientName),
    ("Name", Column::RecipientName),
    ("Recipient", Column::RecipientName),
    ("Customer", Column::RecipientName),
    ("Customer Name", Column::RecipientName),
    ("Contact", Column::RecipientName),
    ("Contact Name", Column::RecipientName),
    ("Type of stop", Column::StopType),
    ("Stop Type", Column::StopType),
    ("Type", Column::StopType),
    ("Recipient Email Address", Column::Email),
    ("Email", Column::Email),
    ("Email Address", Column::Email),
    ("Recipient Email", Column::Email),
    ("Recipient Phone Number", Column::Phone),
    ("Phone", Column::Phone),
    ("Phone Number", Column::Phone),
    ("Mobile", Column::Phone),
    ("Mobile Number", Column::Phone),
    ("Cell", Column::Phone),
    ("Telephone", Column::Phone),
    ("Recipient Phone", Column::Phone),
    ("Id", Column::Id),
    ("Reference", Column::Id),
    ("Ref", Column::Id),
    ("Order ID", Column::Id),
    ("Order Number", Column::Id),
    ("Order No", Column::Id),
    ("External ID", Column::Id),
    ("Package Count", Column::Packages),
    ("Packages", Column::Packages),
    ("Quantity", Column::Packages),
    ("Qty", Column::Packages),
    ("Pieces", Column::Packages),
    ("Parcels", Column::Packages),
    ("Products", Column::Products),
    ("Product", Column::Products),
    ("Items", Column::Products),
    ("Latitude", Column::Latitude),
    ("Lat", Column::Latitude),
    ("Longitude", Column::Longitude),
    ("Lng", Column::Longitude),
    ("Lon", Column::Longitude),
    ("Long", Column::Longitude),
    ("Earliest Time", Column::EarliestTime),
    ("Earliest", Column::EarliestTime),
    ("From", Column::EarliestTime),
    ("Time Window Start", Column::EarliestTime),
    ("Window Start", Column::EarliestTime),
    ("Latest Time", Column::LatestTime),
    ("Latest", Column::LatestTime),
    ("To", Column::LatestTime),
    ("Time Window End", Column::LatestTime),
    ("Window End", Column::LatestTime),
    ("Time at stop", Column::TimeAtStop),
    ("Service Time", Column::TimeAtStop),
    ("Weight", Column::Weight),
    ("Date", Column::Date),
    ("Delivery Date", Column::Date),
    ("Client ID", Column::ClientId),
];

/// Lower case, without spaces and punctuation: `Unit/Flat/Unit Name` → `unitflatunitname`.
pub fn normalize(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The header of one sheet, matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The headers as written.
    pub names: Vec<String>,
    /// Where each known column is (its first occurrence).
    positions: Vec<(Column, usize)>,
    /// Headers that name no known column (or a column already seen), as written.
    pub unknown: Vec<String>,
}

impl Header {
    pub fn match_names(names: &[String]) -> Self {
        let mut positions: Vec<(Column, usize)> = Vec::new();
        let mut unknown = Vec::new();
        for (i, name) in names.iter().enumerate() {
            if name.trim().is_empty() {
                continue;
            }
            let key = normalize(name);
            match NAMES.iter().find(|(n, _)| normalize(n) == key) {
                Some((_, column)) if !positions.iter().any(|(c, _)| c == column) => {
                    positions.push((*column, i))
                }
                _ => unknown.push(name.trim().to_string()),
            }
        }
        Self {
            names: names.to_vec(),
            positions,
            unknown,
        }
    }

    /// Stops reading `column`: its header is reported as unknown.
    pub fn ignore(&mut self, column: Column) {
        if let Some(i) = self.position(column) {
            self.positions.retain(|(c, _)| *c != column);
            self.unknown.push(self.names[i].trim().to_string());
        }
    }

    /// The position of `column` in the rows.
    pub fn position(&self, column: Column) -> Option<usize> {
        self.positions
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, i)| *i)
    }

    /// The header of `column` as written (for errors); a fixed name when the sheet has none.
    pub fn name(&self, column: Column) -> String {
        self.position(column)
            .and_then(|i| self.names.get(i))
            .map(|n| n.trim().to_string())
            .unwrap_or_else(|| circuit_name(column).to_string())
    }
}

/// Circuit's name of a column: its first name in [`NAMES`].
pub fn circuit_name(column: Column) -> &'static str {
    names_of(column).next().unwrap_or("")
}

/// Every header `column` is read from: Circuit's name, then its synonyms.
pub fn names_of(column: Column) -> impl Iterator<Item = &'static str> {
    NAMES
        .iter()
        .filter(move |(_, c)| *c == column)
        .map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn circuit_headers_and_synonyms_match_without_case_or_spaces() {
        let header = Header::match_names(&names(&[
            "Unit/Flat/Unit Name",
            "ADDRESS LINE 1",
            "postcode",
            " Zip Code ",
            "Mobile",
            "Order Id",
            "Favourite colour",
            "Client ID",
        ]));
        assert_eq!(header.position(Column::Unit), Some(0));
        assert_eq!(header.position(Column::Line1), Some(1));
        assert_eq!(header.position(Column::Zip), Some(2));
        assert_eq!(header.position(Column::Phone), Some(4));
        assert_eq!(header.position(Column::Id), Some(5));
        assert_eq!(header.position(Column::ClientId), Some(7));
        // The second Zip column is not read: it is reported with the unknown ones.
        assert_eq!(header.unknown, vec!["Zip Code", "Favourite colour"]);
        assert_eq!(header.name(Column::Phone), "Mobile");
        assert_eq!(header.name(Column::Email), "Recipient Email Address");
        assert_eq!(circuit_name(Column::Phone), "Recipient Phone Number");
        assert_eq!(circuit_name(Column::TimeAtStop), "Time at stop");
    }

    #[test]
    fn no_two_names_are_the_same_once_normalised() {
        let mut seen = std::collections::HashSet::new();
        for (name, _) in NAMES {
            assert!(seen.insert(normalize(name)), "{name} is written twice");
        }
    }
}
