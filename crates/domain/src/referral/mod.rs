//! The front door: a referral from its receipt to the decision on next steps, the
//! feedback to the referrer and any escalation (WT2026 ¶163–¶168; SET "Initiating the
//! referral" and 2.4; NSCP §4.2).
//!
//! Pure (design principle 2): [`decide()`] turns a command into events or a [`Refusal`],
//! and [`apply`] folds an event into the [`ReferralState`]. Time, the partnership
//! profile and the calendar come in through [`DecisionContext`].
//!
//! All times here are wall-clock times in England (the app converts from UTC with
//! `to_london`), because every timescale counts working days and hours as people in
//! the office see them (docs/decisions.md, "Today is the date in England").
//!
//! - [`details`]: what a referral says, parsed from all-String form or JSON input with
//!   every field error collected;
//! - [`work`]: the ¶167 outcomes, signposting and the work items a decision creates;
//! - [`sharing`]: information disclosed to or received from other agencies during
//!   front-door checks, with its lawful basis (WT2026 ¶29–¶33);
//! - [`repeat`]: whether a referral is a repeat referral (within 12 months);
//! - [`state`]: the referral's events, its state and [`apply`];
//! - [`decide`](mod@decide): commands, the context and [`decide`](fn@decide).
//!
//! The referral's events are a separate enum ([`ReferralEvent`]), not variants of
//! [`crate::event::EventBody`]: a referral exists before its children are identified,
//! so it has a log of its own, and the child's log is left as it is.

pub mod decide;
pub mod details;
pub mod process;
pub mod repeat;
pub mod sharing;
pub mod state;
pub mod tray;
pub mod work;

pub use decide::{decide, DecideInput, DecisionContext, ReferralCommand, Refusal};
pub use details::{
    Channel, ReferralDetails, ReferralInput, ReferredChild, ReferredFamilyMember, Referrer,
};
pub use repeat::{repeat_of, within_twelve_months};
pub use state::{apply, replay, Referral, ReferralEvent, ReferralState, Stage};
pub use tray::{open_work, work_items, OpenWork, Queue};
pub use work::{Outcome, Signpost, StrategyUrgency, WorkItem, WorkKind};

use crate::ids::UserId;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// One referral (or contact). Made by the caller and passed in, like every id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReferralId(pub Uuid);

impl ReferralId {
    pub fn new_random() -> Self {
        Self(Uuid::new_v4())
    }
}

impl fmt::Display for ReferralId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for ReferralId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// Who did something: recorded in the referral's events so that the decision says
/// who decided (WT2026 ¶167; SET 2.4.22) without looking at the store's envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    pub user: UserId,
    pub role: Role,
}

/// Staff of the front door who may record a contact, acknowledge it, link children and
/// record checks: front door workers, social workers (SET's "duty officer", L564–L572)
/// and practice supervisors. Not conference chairs, who are independent of the case.
pub fn is_front_door_staff(role: Role) -> bool {
    matches!(
        role,
        Role::FrontDoorWorker | Role::SocialWorker | Role::PracticeSupervisor
    )
}
