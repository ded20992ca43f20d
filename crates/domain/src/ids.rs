//! Identifiers. Each is a distinct type so a child's id can never be passed where a
//! user's is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new id from a random (v4) UUID. Ids are made by the caller and passed
            /// in, so the domain stays free of hidden randomness in decisions.
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// A person known to the partnership: a child (born or unborn), a parent, carer,
    /// family network member or alleged perpetrator.
    PersonId
);
uuid_id!(
    /// One event in a child's log.
    EventId
);
uuid_id!(
    /// A user of Together (a practitioner, manager or administrator).
    UserId
);
uuid_id!(
    /// An agency in the partnership (children's social care, a police force, an NHS trust, a school...).
    AgencyId
);
uuid_id!(
    /// A team within an agency.
    TeamId
);

/// A partnership is named by its profile id (e.g. `set`, `northamptonshire`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PartnershipId(pub String);

impl fmt::Display for PartnershipId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

uuid_id!(
    /// One episode of help for one child: from the decision that opens it to its
    /// closure (the CIN census "CIN episode"). Its events are a log of their own.
    CaseId
);
