//! The buyer form (new buyer and edit): its values as typed and their conversion into the
//! domain's input (`RawBuyer` / a merge patch). Input names are the API's field names
//! (`address.city`, `contacts[0].email`), so a problem the domain reports names its input.

use serde_json::json;

use crate::buyers::{Buyer, RawAddress, RawBuyer, RawContact};

/// The most contact rows a form is read with (the domain allows 20).
const MAX_CONTACT_ROWS: usize = 20;

/// One contact row as typed.
#[derive(Debug, Clone, Default)]
pub struct ContactRow {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
}

impl ContactRow {
    fn is_blank(&self) -> bool {
        [&self.first_name, &self.last_name, &self.email, &self.phone]
            .iter()
            .all(|v| v.trim().is_empty())
    }
}

/// The buyer form as typed (or as stored, for editing).
#[derive(Debug, Clone, Default)]
pub struct BuyerForm {
    /// The seller (new buyers only).
    pub seller_id: String,
    /// The VAT number (new buyers only; it never changes).
    pub vat_number: String,
    /// Company name.
    pub company_name: String,
    /// Street.
    pub street: String,
    /// Postal code.
    pub post_code: String,
    /// City.
    pub city: String,
    /// Country code.
    pub country: String,
    /// `MARKETPLACE_LED` or `NT24_LED`.
    pub kyc_mode: String,
    /// Contacts, with blank rows.
    pub contacts: Vec<ContactRow>,
    /// The version the edit is based on.
    pub version: String,
}

impl BuyerForm {
    /// Reads the submitted pairs; unknown names are ignored.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> BuyerForm {
        let mut form = BuyerForm::default();
        let mut contacts: Vec<ContactRow> = Vec::new();
        for (name, value) in pairs {
            match name.as_str() {
                "sellerId" => form.seller_id = value,
                "vatNumber" => form.vat_number = value,
                "companyName" => form.company_name = value,
                "address.street" => form.street = value,
                "address.postCode" => form.post_code = value,
                "address.city" => form.city = value,
                "address.country" => form.country = value,
                "kycMode" => form.kyc_mode = value,
                "version" => form.version = value,
                other => {
                    let Some((index, part)) = contact_field(other) else {
                        continue;
                    };
                    if contacts.len() <= index {
                        contacts.resize_with(index + 1, ContactRow::default);
                    }
                    let row = &mut contacts[index];
                    match part {
                        "firstName" => row.first_name = value,
                        "lastName" => row.last_name = value,
                        "email" => row.email = value,
                        _ => row.phone = value,
                    }
                }
            }
        }
        // Blank rows are the form's spare rows, not contacts; dropping them here keeps the
        // domain's `contacts[i]` indexes equal to the rows shown again.
        contacts.retain(|c| !c.is_blank());
        form.contacts = contacts;
        form
    }

    /// The form filled in with a stored buyer.
    pub fn from_buyer(buyer: &Buyer) -> BuyerForm {
        BuyerForm {
            seller_id: buyer.seller_id.clone(),
            vat_number: buyer.vat_number.as_str().to_owned(),
            company_name: buyer.company_name.clone(),
            street: buyer.address.street.clone(),
            post_code: buyer.address.post_code.clone(),
            city: buyer.address.city.clone(),
            country: buyer.address.country.as_str().to_owned(),
            kyc_mode: buyer.kyc_mode.as_str().to_owned(),
            contacts: buyer
                .contacts
                .iter()
                .map(|c| ContactRow {
                    first_name: c.first_name.clone(),
                    last_name: c.last_name.clone(),
                    email: c.email.as_str().to_owned(),
                    phone: c.phone.clone().unwrap_or_default(),
                })
                .collect(),
            version: buyer.version.to_string(),
        }
    }

    fn raw_address(&self) -> RawAddress {
        RawAddress {
            street: Some(self.street.clone()),
            post_code: Some(self.post_code.clone()),
            city: Some(self.city.clone()),
            country: Some(self.country.trim().to_uppercase()),
        }
    }

    fn raw_contacts(&self) -> Vec<RawContact> {
        self.contacts
            .iter()
            .map(|c| RawContact {
                first_name: Some(c.first_name.clone()),
                last_name: Some(c.last_name.clone()),
                email: Some(c.email.clone()),
                phone: Some(c.phone.clone()),
            })
            .collect()
    }

    /// What the API's `POST .../buyers` would receive.
    pub fn raw(&self) -> RawBuyer {
        RawBuyer {
            kyc_mode: Some(self.kyc_mode.clone()),
            vat_number: Some(self.vat_number.clone()),
            company_name: Some(self.company_name.clone()),
            address: Some(self.raw_address()),
            contacts: Some(self.raw_contacts()),
        }
    }

    /// What the API's `PATCH .../buyers/{id}` would receive (everything but the version).
    pub fn patch(&self) -> serde_json::Value {
        json!({
            "companyName": self.company_name,
            "address": self.raw_address(),
            "contacts": self.raw_contacts(),
            "kycMode": self.kyc_mode,
        })
    }

    /// The version the edit is based on, if it is a number.
    pub fn version(&self) -> Option<i64> {
        self.version.trim().parse().ok().filter(|v| *v >= 0)
    }

    /// The contact rows to show: the typed ones and one spare row, at least two in all (the
    /// first required, the last optional).
    pub fn rows(&self) -> Vec<ContactRow> {
        let mut rows = self.contacts.clone();
        rows.push(ContactRow::default());
        if rows.len() < 2 {
            rows.push(ContactRow::default());
        }
        rows
    }
}

/// `contacts[3].email` -> (3, "email").
fn contact_field(name: &str) -> Option<(usize, &str)> {
    let rest = name.strip_prefix("contacts[")?;
    let (index, part) = rest.split_once("].")?;
    let index: usize = index.parse().ok()?;
    let known = ["firstName", "lastName", "email", "phone"].contains(&part);
    (index < MAX_CONTACT_ROWS && known).then_some((index, part))
}

/// Every field name a buyer form has inputs for.
pub fn field_names(form: &BuyerForm, with_key: bool) -> Vec<String> {
    let key: &[&str] = if with_key {
        &["sellerId", "vatNumber"]
    } else {
        &[]
    };
    let details = [
        "companyName",
        "address.street",
        "address.postCode",
        "address.city",
        "address.country",
        "kycMode",
    ];
    let mut names: Vec<String> = key.iter().chain(&details).map(|n| n.to_string()).collect();
    for i in 0..form.rows().len() {
        for part in ["firstName", "lastName", "email", "phone"] {
            names.push(format!("contacts[{i}].{part}"));
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_rows_are_read_by_index_and_blank_rows_dropped() {
        let pairs = vec![
            ("contacts[1].email".to_owned(), "b@example.com".to_owned()),
            ("contacts[0].firstName".to_owned(), String::new()),
            ("contacts[2].firstName".to_owned(), "Erika".to_owned()),
            ("contacts[99].firstName".to_owned(), "ignored".to_owned()),
        ];
        let form = BuyerForm::from_pairs(pairs);
        assert_eq!(form.contacts.len(), 2);
        assert_eq!(form.contacts[0].email, "b@example.com");
        assert_eq!(form.contacts[1].first_name, "Erika");
    }
}
