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

/// Every accepted header (normalised by [`normalize`]) and its column: Circuit's names
/// first, then synonyms.
const NAMES: &[(&str, Column)] = &[
    ("unitflatunitname", Column::Unit),
    ("unit", Column::Unit),
    ("flat", Column::Unit),
    ("unitname", Column::Unit),
    ("apartment", Column::Unit),
    ("apt", Column::Unit),
    ("suite", Column::Unit),
    ("addressline1", Column::Line1),
    ("address", Column::Line1),
    ("address1", Column::Line1),
    ("street", Column::Line1),
    ("streetaddress", Column::Line1),
    ("addressline2", Column::Line2),
    ("address2", Column::Line2),
    ("city", Column::City),
    ("town", Column::City),
    ("state", Column::State),
    ("province", Column::State),
    ("region", Column::State),
    ("county", Column::State),
    ("zip", Column::Zip),
    ("zipcode", Column::Zip),
    ("postcode", Column::Zip),
    ("postalcode", Column::Zip),
    ("country", Column::Country),
    ("notes", Column::Notes),
    ("note", Column::Notes),
    ("instructions", Column::Notes),
    ("deliveryinstructions", Column::Notes),
    ("comments", Column::Notes),
    ("recipientname", Column::RecipientName),
    ("name", Column::RecipientName),
    ("recipient", Column::RecipientName),
    ("customer", Column::RecipientName),
    ("customername", Column::RecipientName),
    ("contact", Column::RecipientName),
    ("contactname", Column::RecipientName),
    ("typeofstop", Column::StopType),
    ("stoptype", Column::StopType),
    ("type", Column::StopType),
    ("recipientemailaddress", Column::Email),
    ("email", Column::Email),
    ("emailaddress", Column::Email),
    ("recipientemail", Column::Email),
    ("recipientphonenumber", Column::Phone),
    ("phone", Column::Phone),
    ("phonenumber", Column::Phone),
    ("mobile", Column::Phone),
    ("mobilenumber", Column::Phone),
    ("cell", Column::Phone),
    ("telephone", Column::Phone),
    ("recipientphone", Column::Phone),
    ("id", Column::Id),
    ("reference", Column::Id),
    ("ref", Column::Id),
    ("orderid", Column::Id),
    ("ordernumber", Column::Id),
    ("orderno", Column::Id),
    ("externalid", Column::Id),
    ("packagecount", Column::Packages),
    ("packages", Column::Packages),
    ("quantity", Column::Packages),
    ("qty", Column::Packages),
    ("pieces", Column::Packages),
    ("parcels", Column::Packages),
    ("products", Column::Products),
    ("product", Column::Products),
    ("items", Column::Products),
    ("latitude", Column::Latitude),
    ("lat", Column::Latitude),
    ("longitude", Column::Longitude),
    ("lng", Column::Longitude),
    ("lon", Column::Longitude),
    ("long", Column::Longitude),
    ("earliesttime", Column::EarliestTime),
    ("earliest", Column::EarliestTime),
    ("from", Column::EarliestTime),
    ("timewindowstart", Column::EarliestTime),
    ("windowstart", Column::EarliestTime),
    ("latesttime", Column::LatestTime),
    ("latest", Column::LatestTime),
    ("to", Column::LatestTime),
    ("timewindowend", Column::LatestTime),
    ("windowend", Column::LatestTime),
    ("timeatstop", Column::TimeAtStop),
    ("servicetime", Column::TimeAtStop),
    ("weight", Column::Weight),
    ("date", Column::Date),
    ("deliverydate", Column::Date),
    ("clientid", Column::ClientId),
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
            match NAMES.iter().find(|(n, _)| *n == key) {
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

/// Circuit's name of a column.
pub fn circuit_name(column: Column) -> &'static str {
    match column {
        Column::Unit => "Unit/Flat/Unit Name",
        Column::Line1 => "Address Line 1",
        Column::Line2 => "Address Line 2",
        Column::City => "City",
        Column::State => "State",
        Column::Zip => "Zip",
        Column::Country => "Country",
        Column::Notes => "Notes",
        Column::RecipientName => "Recipient Name",
        Column::StopType => "Type of stop",
        Column::Email => "Recipient Email Address",
        Column::Phone => "Recipient Phone Number",
        Column::Id => "Id",
        Column::Packages => "Package Count",
        Column::Products => "Products",
        Column::Latitude => "Latitude",
        Column::Longitude => "Longitude",
        Column::EarliestTime => "Earliest Time",
        Column::LatestTime => "Latest Time",
        Column::TimeAtStop => "Time at stop",
        Column::Weight => "Weight",
        Column::Date => "Date",
        Column::ClientId => "Client ID",
    }
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
        for (name, _) in NAMES {
            assert_eq!(normalize(name), *name, "NAMES holds normalised names");
        }
    }
}
